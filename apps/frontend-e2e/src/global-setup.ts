import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '@todo/test-support';
import { artifactsDir, backendEntry, cleanEnv, frontendEntry, workspaceRoot } from './paths';
import { startNodeServer, type RunningServer } from './servers';

/** `nx e2e frontend-e2e` builds both apps first; a bare `playwright test` builds what is missing. */
function ensureBuilt(): void {
  const missing = [
    ['backend', backendEntry],
    ['frontend', frontendEntry],
  ].filter(([, entry]) => !existsSync(entry));
  if (missing.length === 0) return;
  const projects = missing.map(([name]) => name).join(',');
  console.log(`Building ${projects} for the end-to-end tests…`);
  execFileSync('npx', ['nx', 'run-many', '-t', 'build', '-p', projects, '--outputStyle=static'], {
    cwd: workspaceRoot,
    stdio: 'inherit',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NEXT_TELEMETRY_DISABLED: '1' },
  });
}

/**
 * `nx e2e-deployed frontend-e2e` runs the flow against an app that is already deployed (a
 * Minikube URL from `nx deploy frontend`), so nothing is built or started here.
 */
function deployedUrl(): string | undefined {
  const url = process.env.E2E_DEPLOYED_URL?.trim();
  if (!url && process.env.E2E_REQUIRE_DEPLOYED_URL === '1') {
    throw new Error(
      'E2E_DEPLOYED_URL: required by e2e-deployed — the URL of the deployed frontend, e.g. the one `npx nx deploy frontend --configuration=dev` prints',
    );
  }
  if (url && !/^https?:\/\//.test(url)) {
    throw new Error(`E2E_DEPLOYED_URL: must be an http:// or https:// URL, got "${url}"`);
  }
  return url?.replace(/\/+$/, '');
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const deployed = deployedUrl();
  if (deployed) {
    process.env.E2E_BASE_URL = deployed;
    console.log(`running against the deployed frontend at ${deployed}`);
    return async () => undefined;
  }
  ensureBuilt();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'todo-e2e-db-'));
  const logDir = path.join(artifactsDir, 'logs');
  const running: RunningServer[] = [];
  const teardown = async () => {
    for (const server of running.reverse()) await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const backendPort = await freePort();
    const backend = await startNodeServer({
      name: 'backend',
      entry: backendEntry,
      // Not the build folder: a rebuild replaces it, and a deleted cwd breaks the process.
      cwd: dataDir,
      url: `http://127.0.0.1:${backendPort}`,
      readyPath: '/ready',
      logDir,
      env: {
        ...cleanEnv(),
        NODE_ENV: 'production',
        PORT: String(backendPort),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        JWT_SECRET_KEY: randomBytes(32).toString('hex'),
        LOG_LEVEL: 'warn',
      },
    });
    running.push(backend);

    const frontendPort = await freePort();
    const frontend = await startNodeServer({
      name: 'frontend',
      entry: frontendEntry,
      cwd: path.dirname(frontendEntry),
      url: `http://127.0.0.1:${frontendPort}`,
      readyPath: '/ready',
      logDir,
      env: {
        ...cleanEnv(),
        NODE_ENV: 'production',
        PORT: String(frontendPort),
        HOSTNAME: '127.0.0.1',
        BACKEND_URL: backend.url,
        NEXT_TELEMETRY_DISABLED: '1',
      },
    });
    running.push(frontend);

    // Read by the test files (workers start after this setup and inherit the environment).
    process.env.E2E_BASE_URL = frontend.url;
    process.env.E2E_BACKEND_URL = backend.url;
    console.log(
      `backend ${backend.url} (data in ${dataDir}), frontend ${frontend.url}; logs in ${logDir}`,
    );
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
