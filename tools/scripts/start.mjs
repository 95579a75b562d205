#!/usr/bin/env node
// `npm start`: the app on this machine with the embedded database (PGlite), no Docker.
// Builds what changed (Nx replays unchanged builds from its cache), starts the backend, waits
// until it is ready, then starts the frontend's standalone server when the frontend exists, and
// prints the address to open. Ctrl-C stops both.
//
//   npm start                      backend on :8000, frontend on :3000
//   npm start -- --no-build        start what dist/ already holds
//   npm start -- --backend-only
//   BACKEND_PORT=9000 FRONTEND_PORT=4000 npm start
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const args = new Set(process.argv.slice(2));
const backendPort = Number(process.env.BACKEND_PORT ?? 8000);
const frontendPort = Number(process.env.FRONTEND_PORT ?? 3000);
const dataDir = process.env.DATA_DIR ?? join(root, '.data/backend');

const backendMain = join(root, 'dist/apps/backend/main.js');
const frontendServer = join(root, 'dist/apps/frontend/apps/frontend/server.js');
const hasFrontend =
  existsSync(join(root, 'apps/frontend/project.json')) && !args.has('--backend-only');

const children = [];
let stopping = false;

function say(message) {
  process.stdout.write(`\x1b[1m[start]\x1b[0m ${message}\n`);
}

/**
 * A signing key kept under .data (git-ignored) so that logins survive a restart; a fresh random
 * key would sign everyone out each time. Production sets JWT_SECRET_KEY itself.
 */
function localJwtSecret() {
  if (process.env.JWT_SECRET_KEY) return process.env.JWT_SECRET_KEY;
  const file = join(dataDir, '..', 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

async function waitFor(url, name, child, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${name} did not answer ${url} within ${timeoutMs / 1000} s`);
}

function run(name, file, env) {
  const child = execa('node', [file], {
    cwd: root,
    env: { ...env },
    stdio: 'inherit',
    reject: false,
  });
  children.push(child);
  child.then(({ exitCode, signal }) => {
    if (!stopping) {
      say(`${name} stopped (${signal ?? `exit ${exitCode}`}); stopping the rest`);
      stop(exitCode || 1);
    }
  });
  return child;
}

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  Promise.allSettled(children).then(() => process.exit(code));
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

async function main() {
  if (!args.has('--no-build')) {
    const projects = hasFrontend ? 'backend,frontend' : 'backend';
    say(`building ${projects} (unchanged builds come from the Nx cache)…`);
    await execa('npx', ['nx', 'run-many', '-t', 'build', '-p', projects, '--outputStyle=static'], {
      cwd: root,
      stdio: 'inherit',
      env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NEXT_TELEMETRY_DISABLED: '1' },
    });
  }
  if (!existsSync(backendMain))
    throw new Error(`${backendMain} is missing: run without --no-build`);

  const backendUrl = `http://localhost:${backendPort}`;
  say(`starting the backend on ${backendUrl} (embedded database in ${dataDir})`);
  const backend = run('backend', backendMain, {
    NODE_ENV: 'development',
    PORT: String(backendPort),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    JWT_SECRET_KEY: localJwtSecret(),
    BACKEND_CORS_ORIGINS: `http://localhost:${frontendPort},http://127.0.0.1:${frontendPort}`,
  });
  await waitFor(`${backendUrl}/ready`, 'backend', backend);

  let open = `${backendUrl}/docs`;
  if (hasFrontend) {
    if (!existsSync(frontendServer))
      throw new Error(`${frontendServer} is missing: run without --no-build`);
    const frontendUrl = `http://localhost:${frontendPort}`;
    say(`starting the frontend on ${frontendUrl}`);
    const frontend = run('frontend', frontendServer, {
      NODE_ENV: 'production',
      PORT: String(frontendPort),
      HOSTNAME: '127.0.0.1',
      BACKEND_URL: backendUrl,
      NEXT_TELEMETRY_DISABLED: '1',
    });
    await waitFor(frontendUrl, 'frontend', frontend);
    open = frontendUrl;
  }
  say(`ready — open ${open}   (API docs: ${backendUrl}/docs; Ctrl-C stops)`);
}

main().catch((error) => {
  say(`failed: ${error.message}`);
  stop(1);
});
