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
//   DATABASE_URL=postgresql://user:pass@localhost:5432/todo npm start   (PostgreSQL instead)
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const args = new Set(process.argv.slice(2));
const dataDir = process.env.DATA_DIR ?? join(root, '.data/backend');

class StartError extends Error {}

function portFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(port >= 1 && port <= 65535))
    throw new StartError(`${name} must be a port number from 1 to 65535; got "${raw}"`);
  return port;
}

/** Fails when something already listens on the port: its answers would pass for ours. */
function ensurePortFree(name, port) {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new StartError(
              `${name} ${port} is already in use on 127.0.0.1 — stop what holds it, or choose another port: ${name}=${port + 1} npm start`,
            )
          : error,
      ),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(resolve));
  });
}

/** Where the backend keeps its data, without the credentials a DATABASE_URL carries. */
function databaseDescription() {
  const url = process.env.DATABASE_URL;
  if (!url) return `embedded database in ${dataDir}`;
  try {
    const { hostname, port, pathname } = new URL(url);
    return `PostgreSQL at ${hostname}:${port || 5432}${pathname} (DATABASE_URL)`;
  } catch {
    throw new StartError('DATABASE_URL must be a postgresql:// URL');
  }
}

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
    // Node ≥ 22.1 keeps V8's compiled code there, so the next start skips most of the compile.
    env: {
      NODE_COMPILE_CACHE:
        process.env.NODE_COMPILE_CACHE ?? join(root, 'node_modules/.cache/node-compile-cache'),
      ...env,
    },
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
  const backendPort = portFromEnv('BACKEND_PORT', 8000);
  const frontendPort = portFromEnv('FRONTEND_PORT', 3000);
  if (process.env.PORT)
    say(
      `PORT=${process.env.PORT} is not read by npm start, which uses BACKEND_PORT (${backendPort}) and FRONTEND_PORT (${frontendPort})`,
    );
  const database = databaseDescription();
  // Before the build, so that a taken port costs seconds, not a build.
  await ensurePortFree('BACKEND_PORT', backendPort);
  if (hasFrontend) await ensurePortFree('FRONTEND_PORT', frontendPort);
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
  say(`starting the backend on ${backendUrl} (${database})`);
  const backend = run('backend', backendMain, {
    NODE_ENV: 'development',
    PORT: String(backendPort),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    JWT_SECRET_KEY: localJwtSecret(),
    BACKEND_CORS_ORIGINS: `http://localhost:${frontendPort},http://127.0.0.1:${frontendPort}`,
  });
  // Polled on the address the servers bind, so no other server on ::1 can answer for them.
  const backendLoopback = `http://127.0.0.1:${backendPort}`;
  await waitFor(`${backendLoopback}/ready`, 'backend', backend);

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
      BACKEND_URL: backendLoopback,
      NEXT_TELEMETRY_DISABLED: '1',
    });
    await waitFor(`http://127.0.0.1:${frontendPort}`, 'frontend', frontend);
    open = frontendUrl;
  }
  say(`ready — open ${open}   (API docs: ${backendUrl}/docs; Ctrl-C stops)`);
}

main().catch((error) => {
  // A child's own failure is already on the screen: one line says what stopped.
  say(
    `failed: ${error instanceof StartError ? error.message : (error.shortMessage ?? error.message)}`,
  );
  stop(1);
});
