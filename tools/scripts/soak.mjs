#!/usr/bin/env node
// `npm run soak`: mixed load against the running app for a given time, then the error rate,
// latency percentiles and how much each server's memory (RSS) grew. Not part of CI.
//
//   npm run soak                                   60 s against the built app (see --target)
//   npm run soak -- --duration 5m --users 20
//   npm run soak -- --target containers            the images of dist/images/*.json (podman/docker)
//   npm run soak -- --target processes             dist/apps/backend/main.js + the standalone frontend
//   npm run soak -- --database pglite              embedded database instead of a throwaway PostgreSQL
//
// --target auto (default) uses the containers when both images are present, else the built
// processes. PostgreSQL comes from the server binaries (/usr/lib/postgresql/<v>/bin or PG_BIN).
// Containers get the chart's memory limits. A warm-up (a fifth of the duration, at most 60 s, not
// measured) precedes the given duration of load. Targets: no errors, and RSS growth under 10%
// (the median over the first 30 s of the measured load against the median over its last 30 s).
// Exit code 0 when both hold, 1 when not, 2 when the app could not be started.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { freePort } from './free-port.mjs';
import { engineEnv } from './container-image/src/lib/engine.cjs';

const root = join(import.meta.dirname, '../..');
const { values: options } = parseArgs({
  options: {
    duration: { type: 'string', default: '60s' },
    users: { type: 'string', default: '20' },
    target: { type: 'string', default: 'auto' },
    database: { type: 'string', default: 'postgres' },
    'think-ms': { type: 'string', default: '15' },
    'chat-every-s': { type: 'string', default: '6' },
  },
});

function seconds(text) {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text);
  if (!match) throw new Error(`--duration: expected e.g. 90s, 5m or 1h, got "${text}"`);
  const factor = { ms: 0.001, s: 1, m: 60, h: 3600 }[match[2] ?? 's'];
  return Number(match[1]) * factor;
}

const durationS = seconds(options.duration);
const userCount = Number(options.users);
const thinkMs = Number(options['think-ms']);
const chatEveryMs = Number(options['chat-every-s']) * 1000;
const cleanups = [];
const say = (message) => process.stdout.write(`[soak] ${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(url, name, isAlive, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`${name} stopped while starting`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(300);
  }
  throw new Error(`${name} not ready at ${url} after ${timeoutMs / 1000} s`);
}

// ── PostgreSQL (throwaway cluster, production-like durability) ───────────────────────────────
async function startPostgres() {
  const base = '/usr/lib/postgresql';
  const bin =
    process.env.PG_BIN ??
    (existsSync(base)
      ? readdirSync(base)
          .filter((v) => /^\d+$/.test(v))
          .sort((a, b) => b - a)
          .map((v) => join(base, v, 'bin'))[0]
      : undefined);
  if (!bin)
    throw new Error(
      'PostgreSQL server binaries not found (install postgresql or set PG_BIN), or use --database pglite',
    );
  const dataDir = mkdtempSync(join(tmpdir(), 'soak-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(dataDir, uid, gid);
  }
  const pg = (tool, args) =>
    execFileSync(
      asRoot ? 'runuser' : join(bin, tool),
      asRoot ? ['-u', 'postgres', '--', join(bin, tool), ...args] : args,
      {
        stdio: 'pipe',
      },
    );
  pg('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  pg('pg_ctl', [
    '-D',
    dataDir,
    '-o',
    `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c max_connections=100`,
    '-l',
    join(dataDir, 'server.log'),
    '-w',
    'start',
  ]);
  cleanups.push(() => {
    try {
      pg('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
    } catch {
      // already stopped
    }
    rmSync(dataDir, { recursive: true, force: true });
  });
  return `postgres://postgres@127.0.0.1:${port}/postgres`;
}

// ── The app: built processes or containers ────────────────────────────────────────────────────
function rssOfPid(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
  } catch {
    return NaN;
  }
}

function startProcess(name, entry, env, cwd) {
  const logFile = join(tmpdir(), `soak-${name}-${process.pid}.log`);
  const child = spawn(process.execPath, [entry], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks = [];
  child.stdout.on('data', (chunk) => chunks.push(chunk));
  child.stderr.on('data', (chunk) => chunks.push(chunk));
  cleanups.push(() => {
    child.kill('SIGTERM');
    writeFileSync(logFile, Buffer.concat(chunks));
  });
  return {
    name,
    alive: () => child.exitCode === null && child.signalCode === null,
    rss: () => rssOfPid(child.pid),
    logFile,
  };
}

function engine() {
  if (process.env.CONTAINER_ENGINE) return process.env.CONTAINER_ENGINE;
  return spawnSync('podman', ['--version'], { stdio: 'ignore' }).status === 0 ? 'podman' : 'docker';
}

function imageRef(project) {
  const file = join(root, 'dist/images', `${project}.json`);
  if (!existsSync(file)) return undefined;
  const { image, tag } = JSON.parse(readFileSync(file, 'utf8'));
  const ref = `${image}:${tag}`;
  return spawnSync(engine(), ['image', 'inspect', ref], { stdio: 'ignore', env: engineEnv() })
    .status === 0
    ? ref
    : undefined;
}

/**
 * The memory limit the chart gives the app's pods (deploy/helm/todo-app/values.yaml), in the
 * engine's `--memory` units. Node sizes its heap from the container's limit, so without it the
 * soak would measure a heap sized for the whole host rather than for a pod.
 */
function chartMemoryLimit(name) {
  const values = parseYaml(readFileSync(join(root, 'deploy/helm/todo-app/values.yaml'), 'utf8'));
  const limit = String(values[name]?.resources?.limits?.memory ?? '');
  const match = /^(\d+)(Mi|Gi)$/.exec(limit);
  if (!match)
    throw new Error(`${name}.resources.limits.memory: expected e.g. 512Mi or 1Gi, got "${limit}"`);
  return `${match[1]}${match[2] === 'Gi' ? 'g' : 'm'}`;
}

function startContainer(name, imageRef, env) {
  const tool = engine();
  const container = `soak-${name}-${randomBytes(4).toString('hex')}`;
  // A tag of our own, so that another job untagging or rebuilding the content tag during the
  // soak does not take the image (and with `rmi -f`, the container) away.
  const ref = `localhost/todo/${name}:${container}`;
  execFileSync(tool, ['tag', imageRef, ref], { env: engineEnv(), stdio: 'pipe' });
  cleanups.push(() => spawnSync(tool, ['rmi', ref], { env: engineEnv(), stdio: 'ignore' }));
  const args = [
    'run',
    '-d',
    '--name',
    container,
    '--network',
    'host',
    '--read-only',
    '--tmpfs',
    '/tmp',
    '--memory',
    chartMemoryLimit(name),
  ];
  for (const [key, value] of Object.entries(env)) args.push('-e', `${key}=${value}`);
  execFileSync(tool, [...args, ref], { env: engineEnv(), stdio: 'pipe' });
  cleanups.push(() => {
    spawnSync(tool, ['logs', container], {
      env: engineEnv(),
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    spawnSync(tool, ['rm', '-f', container], { env: engineEnv(), stdio: 'ignore' });
  });
  const pid = Number(
    execFileSync(tool, ['inspect', '-f', '{{.State.Pid}}', container], {
      env: engineEnv(),
    }).toString(),
  );
  const running = () =>
    spawnSync(tool, ['inspect', '-f', '{{.State.Running}}', container], {
      env: engineEnv(),
      encoding: 'utf8',
    }).stdout.trim() === 'true';
  return { name, alive: running, rss: () => rssOfPid(pid), logFile: `${tool} logs ${container}` };
}

async function startApp() {
  const databaseUrl = options.database === 'postgres' ? await startPostgres() : undefined;
  const backendPort = await freePort();
  const frontendPort = await freePort();
  const backendUrl = `http://127.0.0.1:${backendPort}`;
  const frontendUrl = `http://127.0.0.1:${frontendPort}`;
  const backendEnv = {
    NODE_ENV: 'production',
    PORT: String(backendPort),
    HOST: '127.0.0.1',
    JWT_SECRET_KEY: randomBytes(32).toString('base64url'),
    LOG_LEVEL: 'warn',
    BACKEND_CORS_ORIGINS: frontendUrl,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
  const frontendEnv = {
    NODE_ENV: 'production',
    PORT: String(frontendPort),
    HOSTNAME: '127.0.0.1',
    BACKEND_URL: backendUrl,
  };

  let target = options.target;
  const refs = { backend: imageRef('backend'), frontend: imageRef('frontend') };
  if (target === 'auto') target = refs.backend && refs.frontend ? 'containers' : 'processes';
  let backend;
  let frontend;
  if (target === 'containers') {
    if (!refs.backend || !refs.frontend) {
      throw new Error(
        '--target containers: build the images first (npx nx run-many -t docker-build -p backend frontend)',
      );
    }
    if (!databaseUrl)
      throw new Error(
        '--target containers needs --database postgres (the image has no writable data folder here)',
      );
    backend = startContainer('backend', refs.backend, backendEnv);
    await waitFor(`${backendUrl}/ready`, 'backend', backend.alive);
    frontend = startContainer('frontend', refs.frontend, frontendEnv);
  } else {
    const backendMain = join(root, 'dist/apps/backend/main.js');
    const frontendServer = join(root, 'dist/apps/frontend/apps/frontend/server.js');
    for (const file of [backendMain, frontendServer]) {
      if (!existsSync(file))
        throw new Error(`${file} is missing: npx nx run-many -t build -p backend frontend`);
    }
    const dataDir = databaseUrl ? undefined : mkdtempSync(join(tmpdir(), 'soak-data-'));
    if (dataDir) cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    backend = startProcess(
      'backend',
      backendMain,
      { ...process.env, ...backendEnv, ...(dataDir ? { DATA_DIR: dataDir } : {}) },
      root,
    );
    await waitFor(`${backendUrl}/ready`, 'backend', backend.alive);
    frontend = startProcess(
      'frontend',
      frontendServer,
      { ...process.env, ...frontendEnv },
      join(frontendServer, '..'),
    );
  }
  await waitFor(`${frontendUrl}/health`, 'frontend', frontend.alive);
  return {
    target,
    database: databaseUrl ? 'postgres' : 'pglite',
    backendUrl,
    frontendUrl,
    servers: [backend, frontend],
  };
}

// ── Load ──────────────────────────────────────────────────────────────────────────────────────
const latencies = new Map(); // op → number[]
const errors = new Map(); // op → { status → count }
let requests = 0;

async function timed(op, expected, url, init = {}) {
  const started = performance.now();
  let status;
  let body;
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
    status = response.status;
    body = status === 204 ? null : await response.text();
  } catch (error) {
    status = `network: ${error.cause?.code ?? error.name}`;
  }
  const elapsed = performance.now() - started;
  requests += 1;
  if (!latencies.has(op)) latencies.set(op, []);
  latencies.get(op).push(elapsed);
  if (status !== expected) {
    const byStatus = errors.get(op) ?? {};
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    errors.set(op, byStatus);
    return undefined;
  }
  try {
    return body ? JSON.parse(body) : null;
  } catch {
    return body;
  }
}

const json = (method, token, payload) => ({
  method,
  headers: {
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
  },
  body: payload === undefined ? undefined : JSON.stringify(payload),
});

async function signUpUsers(app) {
  const users = [];
  const run = randomBytes(3).toString('hex');
  for (let i = 0; i < userCount; i++) {
    const email = `soak-${run}-${i}@example.com`;
    const password = `soak-password-${i}`;
    // Registrations are rate-limited per address (20 a minute by default): pace them.
    if (i > 0 && i % 20 === 0) await sleep(61_000);
    await timed(
      'register',
      201,
      `${app.backendUrl}/api/auth/register`,
      json('POST', null, { name: `Soak ${i}`, email, password }),
    );
    const login = await timed(
      'login',
      200,
      `${app.backendUrl}/api/auth/login`,
      json('POST', null, { email, password }),
    );
    if (!login)
      throw new Error(
        `could not log in soak user ${i}: ${JSON.stringify(Object.fromEntries(errors))}`,
      );
    let cookie;
    if (i < 4) {
      // A few users also go through the frontend, the way a browser does.
      const response = await fetch(
        `${app.frontendUrl}/api/auth/login`,
        json('POST', null, { email, password }),
      );
      cookie = response.headers.get('set-cookie')?.split(';')[0];
      if (!response.ok || !cookie) throw new Error(`frontend login failed: ${response.status}`);
    }
    users.push({ id: login.user.id, token: login.access_token, cookie, tasks: [], lastChat: 0 });
  }
  return users;
}

function pick(weights) {
  const total = weights.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = Math.random() * total;
  for (const [name, weight] of weights) {
    roll -= weight;
    if (roll <= 0) return name;
  }
  return weights[0][0];
}

async function userLoop(app, user, deadline) {
  const api = `${app.backendUrl}/api/${user.id}`;
  let counter = 0;
  while (Date.now() < deadline()) {
    const someTask = user.tasks[Math.floor(Math.random() * user.tasks.length)];
    const weights = [
      ['list', 30],
      [user.tasks.length > 30 ? 'delete' : 'create', 20],
      ...(someTask
        ? [
            ['get', 10],
            ['update', 10],
            ['complete', 10],
            ['delete', 5],
          ]
        : []),
      ['history', 3],
      ...(user.cookie
        ? [
            ['frontend-api', 8],
            ['frontend-page', 4],
          ]
        : []),
      ...(Date.now() - user.lastChat > chatEveryMs ? [['chat', 3]] : []),
    ];
    const op = pick(weights);
    switch (op) {
      case 'list':
        await timed(op, 200, `${api}/tasks`, json('GET', user.token));
        break;
      case 'create': {
        const task = await timed(
          op,
          201,
          `${api}/tasks`,
          json('POST', user.token, {
            title: `soak ${++counter}`,
            description: 'x'.repeat(counter % 200),
          }),
        );
        if (task) user.tasks.push(task.id);
        break;
      }
      case 'get':
        await timed(op, 200, `${api}/tasks/${someTask}`, json('GET', user.token));
        break;
      case 'update':
        await timed(
          op,
          200,
          `${api}/tasks/${someTask}`,
          json('PUT', user.token, { title: `renamed ${++counter}` }),
        );
        break;
      case 'complete':
        await timed(
          op,
          200,
          `${api}/tasks/${someTask}/complete`,
          json('PATCH', user.token, { completed: Math.random() < 0.5 }),
        );
        break;
      case 'delete': {
        const id = user.tasks.shift();
        if (id !== undefined)
          await timed(op, 204, `${api}/tasks/${id}`, json('DELETE', user.token));
        break;
      }
      case 'history':
        await timed(op, 200, `${api}/conversations/history`, json('GET', user.token));
        break;
      case 'chat':
        user.lastChat = Date.now();
        await timed(
          op,
          200,
          `${api}/chat`,
          json('POST', user.token, {
            message: counter % 2 ? 'show my tasks' : `add a task called chat ${++counter}`,
          }),
        );
        break;
      case 'frontend-api':
        await timed(op, 200, `${app.frontendUrl}/api/tasks`, { headers: { cookie: user.cookie } });
        break;
      case 'frontend-page':
        await timed(op, 200, `${app.frontendUrl}/tasks`, { headers: { cookie: user.cookie } });
        break;
    }
    if (thinkMs > 0) await sleep(Math.random() * thinkMs * 2);
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const median = (values) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN;
};
/** Median RSS over `windowMs` from `fromMs` (a median over a window spanning several GC cycles). */
function windowMedian(series, fromMs, windowMs) {
  return median(series.filter((s) => s.at >= fromMs && s.at < fromMs + windowMs).map((s) => s.rss));
}
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const percent = (ratio) => `${ratio >= 0 ? '+' : ''}${(ratio * 100).toFixed(1)}%`;
const ms = (value) => `${value.toFixed(1)} ms`;

async function main() {
  say(`starting the app (target ${options.target}, database ${options.database})…`);
  let app;
  try {
    app = await startApp();
  } catch (error) {
    console.error(`[soak] could not start the app: ${error.message}`);
    return 2;
  }
  say(
    `${app.target}: backend ${app.backendUrl}, frontend ${app.frontendUrl}, database ${app.database}`,
  );
  const users = await signUpUsers(app);
  say(`${users.length} users signed up`);

  const started = Date.now();
  const since = () => Date.now() - started;
  let until = 0;
  let stoppedServer;
  const stopLoad = () => {
    until = 0;
  };
  const load = async (ms) => {
    until = Date.now() + ms;
    await Promise.all(users.map((user) => userLoop(app, user, () => until)));
  };
  const samples = app.servers.map(() => []);
  const sampler = setInterval(() => {
    const at = since();
    app.servers.forEach((server, index) => samples[index].push({ at, rss: server.rss() }));
    const gone = app.servers.find((server) => !server.alive());
    if (gone && !stoppedServer) {
      // Someone else stopped it (or it crashed): end the run instead of counting refusals.
      stoppedServer = { name: gone.name, atS: Math.round(at / 1000), log: gone.logFile };
      stopLoad();
    }
  }, 1000);
  const progress = setInterval(
    () => say(`${Math.round(since() / 1000)} s: ${requests} requests`),
    30_000,
  );
  // RSS follows the garbage collector's saw-tooth: V8 lets garbage pile up to a limit it keeps
  // adjusting, then collects it in one go (the frontend's old space swings between about 35 and
  // 165 MB while what survives a collection stays at 35–40 MB). So growth compares medians over
  // windows longer than a cycle, right after the warm-up and at the end, not single samples.
  const warmupMs = Math.min(60_000, durationS * 200);
  const windowMs = Math.min(30_000, durationS * 200);

  say(`warm-up: ${warmupMs / 1000} s of load (not measured)…`);
  await load(warmupMs);
  say(`load for ${durationS} s…`);
  const loadStartedAt = since();
  await load(stoppedServer ? 0 : durationS * 1000);
  const loadEndedAt = since();
  clearInterval(sampler);
  clearInterval(progress);
  const elapsedS = (loadEndedAt - loadStartedAt + warmupMs) / 1000;

  const all = [...latencies.values()].flat().sort((a, b) => a - b);
  const failed = [...errors.values()].reduce(
    (sum, byStatus) => sum + Object.values(byStatus).reduce((a, b) => a + b, 0),
    0,
  );
  const errorRate = requests ? failed / requests : 0;
  const memory = app.servers.map((server, index) => {
    const series = samples[index];
    const start = windowMedian(series, loadStartedAt, windowMs);
    const end = windowMedian(series, loadEndedAt - windowMs, windowMs);
    return {
      server: server.name,
      startBytes: start,
      endBytes: end,
      peakBytes: Math.max(...series.map((s) => s.rss).filter(Number.isFinite)),
      growth: (end - start) / start,
      alive: server.alive(),
      // The whole curve, [seconds, MB]: a plateau is warm-up, a steady climb is a leak.
      samples: series.map((s) => [Math.round(s.at / 1000), Math.round(s.rss / 1024 / 1024)]),
    };
  });

  console.log('');
  console.log(
    `soak: ${elapsedS.toFixed(0)} s, ${users.length} users, ${app.target}, database ${app.database}`,
  );
  console.log(
    `requests: ${requests} (${(requests / elapsedS).toFixed(0)}/s), errors: ${failed} (${(errorRate * 100).toFixed(3)}%)`,
  );
  console.log(
    `latency: p50 ${ms(percentile(all, 50))}, p95 ${ms(percentile(all, 95))}, p99 ${ms(percentile(all, 99))}, max ${ms(all.at(-1) ?? NaN)}`,
  );
  for (const [op, values] of [...latencies.entries()].sort()) {
    const sorted = [...values].sort((a, b) => a - b);
    const opErrors = errors.get(op);
    console.log(
      `  ${op.padEnd(14)} n=${String(values.length).padStart(6)}  p50 ${ms(percentile(sorted, 50)).padStart(9)}  p99 ${ms(percentile(sorted, 99)).padStart(9)}${opErrors ? `  errors ${JSON.stringify(opErrors)}` : ''}`,
    );
  }
  for (const m of memory) {
    console.log(
      `${m.server} RSS (medians over ${windowMs / 1000} s): ${mb(m.startBytes)} after the warm-up → ${mb(m.endBytes)} at the end (${percent(m.growth)}); peak ${mb(m.peakBytes)}${m.alive ? '' : '; NOT RUNNING at the end'}`,
    );
  }
  const pass = failed === 0 && memory.every((m) => m.alive && m.growth < 0.1);
  console.log(`targets (no errors, RSS growth < 10%): ${pass ? 'met' : 'NOT met'}`);

  const reportDir = join(root, 'dist/soak');
  mkdirSync(reportDir, { recursive: true });
  const report = {
    finishedAt: new Date().toISOString(),
    durationS: elapsedS,
    users: users.length,
    target: app.target,
    database: app.database,
    requests,
    errors: failed,
    errorRate,
    errorsByOp: Object.fromEntries(errors),
    latencyMs: {
      p50: percentile(all, 50),
      p95: percentile(all, 95),
      p99: percentile(all, 99),
      max: all.at(-1),
    },
    memory,
    pass,
    stoppedServer,
  };
  const file = join(reportDir, `soak-${report.finishedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`report: ${file}`);
  if (stoppedServer) {
    console.error(
      `[soak] the ${stoppedServer.name} stopped ${stoppedServer.atS} s into the run (see ${stoppedServer.log}); the figures above cover the run up to then and are not a valid soak`,
    );
    return 2;
  }
  return pass ? 0 : 1;
}

function cleanup() {
  for (const step of cleanups.splice(0).reverse()) {
    try {
      step();
    } catch {
      // best effort
    }
  }
}

// Ctrl-C or a `kill` still removes the containers, the database and the image tags.
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
]) {
  process.on(signal, () => {
    cleanup();
    process.exit(code);
  });
}

main()
  .then((code) => {
    cleanup();
    process.exit(code);
  })
  .catch((error) => {
    console.error(`[soak] ${error.stack ?? error}`);
    cleanup();
    process.exit(2);
  });
