/**
 * `npm run bench:backend`: throughput and latency of the built backend (dist/apps/backend/main.js)
 * on PostgreSQL and on PGlite, each beside a bare-Fastify ceiling serving the same JSON, plus idle
 * memory and start-to-ready time. One run, side by side, because absolute numbers on a shared
 * 2-core machine drift; the ratios are what to compare.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort, startPostgres } from '../test/support/postgres';

const root = join(__dirname, '../../..');
const backendMain = join(root, 'dist/apps/backend/main.js');
const CONNECTIONS = 50;
const DURATION_S = Number(process.env['BENCH_DURATION'] ?? 10);
const TASKS = 50;

interface Server {
  url: string;
  child: ChildProcess;
  readyMs: number;
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitReady(url: string, child: ChildProcess, started: number): Promise<number> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await sleep(5);
  }
}

async function startBackend(env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [backendMain], {
    env: {
      PATH: process.env['PATH'] ?? '',
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      JWT_SECRET_KEY: 'benchmark-signing-key-0123456789abcdefghij',
      // Request logs at info would measure the log pipe; warn is what a busy service often runs.
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const readyMs = await waitReady(`${url}/ready`, child, started);
  return { url, child, readyMs };
}

async function startCeiling(bodies: unknown): Promise<Server> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [join(__dirname, 'ceiling-server.mjs'), JSON.stringify(bodies), String(port)],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const readyMs = await waitReady(`${url}/health`, child, started);
  return { url, child, readyMs };
}

async function stop(server: Server): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

function rssMb(child: ChildProcess): number {
  if (child.pid === undefined) throw new Error('server has no pid');
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

interface Measured {
  rps: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function load(url: string, options: Partial<autocannon.Options> = {}): Promise<Measured> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION_S,
    ...options,
  });
  return {
    rps: Math.round(result.requests.average),
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

async function json(url: string, init?: RequestInit) {
  const response = await fetch(url, init);
  if (!response.ok)
    throw new Error(
      `${init?.method ?? 'GET'} ${url} → ${response.status}: ${await response.text()}`,
    );
  return response.json();
}

async function seed(url: string) {
  const email = `bench-${Date.now()}@example.com`;
  const password = 'benchmark-password';
  const post = (path: string, body: unknown, token?: string) =>
    json(`${url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
  const user = await post('/api/auth/register', { name: 'Bench', email, password });
  const { access_token } = await post('/api/auth/login', { email, password });
  for (let i = 1; i <= TASKS; i += 1) {
    await post(
      `/api/${user.id}/tasks`,
      { title: `Task ${i}`, description: `Benchmark task number ${i}` },
      access_token,
    );
  }
  const headers = { authorization: `Bearer ${access_token}` };
  const tasks = await json(`${url}/api/${user.id}/tasks`, { headers });
  if (tasks.tasks.length !== TASKS)
    throw new Error(`expected ${TASKS} tasks, got ${tasks.tasks.length}`);
  return { userId: user.id as string, headers, tasks };
}

interface Row {
  name: string;
  result: Measured;
  ceiling?: Measured;
}

async function main() {
  const rows: Row[] = [];
  const facts: Record<string, string | number> = {};
  const postBody = JSON.stringify({ title: 'Benchmark task', description: 'Created under load' });

  const cluster = await startPostgres();
  const dataRoot = mkdtempSync(join(tmpdir(), 'bench-pglite-'));
  try {
    // ── PostgreSQL ──────────────────────────────────────────────────────────────────────────
    const firstPg = await startBackend({ DATABASE_URL: cluster.url() });
    facts['start→ready, PostgreSQL, first start (migrations)'] =
      `${Math.round(firstPg.readyMs)} ms`;
    await stop(firstPg);
    const pg = await startBackend({ DATABASE_URL: cluster.url() });
    facts['start→ready, PostgreSQL'] = `${Math.round(pg.readyMs)} ms`;
    await sleep(2000);
    facts['idle RSS after start, PostgreSQL'] = `${rssMb(pg.child)} MB`;

    const { userId, headers, tasks } = await seed(pg.url);
    const health = await json(`${pg.url}/health`);
    const sampleTask = tasks.tasks[0];
    const ceiling = await startCeiling({ health, tasks, task: sampleTask });

    // Every case runs right after its own ceiling run, so both see about the same machine load.
    const ceilingList = () => load(`${ceiling.url}/tasks`);
    const ceilingPost = () =>
      load(`${ceiling.url}/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: postBody,
      });
    const ceilingHealth = await load(`${ceiling.url}/health`);
    rows.push({
      name: 'GET /health (PostgreSQL backend)',
      result: await load(`${pg.url}/health`),
      ceiling: ceilingHealth,
    });
    let ceilingRun = await ceilingList();
    rows.push({
      name: `GET /api/{uid}/tasks, ${TASKS} tasks, PostgreSQL`,
      result: await load(`${pg.url}/api/${userId}/tasks`, { headers }),
      ceiling: ceilingRun,
    });
    ceilingRun = await ceilingPost();
    rows.push({
      name: 'POST /api/{uid}/tasks, PostgreSQL',
      result: await load(`${pg.url}/api/${userId}/tasks`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: postBody,
      }),
      ceiling: ceilingRun,
    });
    await stop(pg);

    // ── PGlite ──────────────────────────────────────────────────────────────────────────────
    const dataDir = join(dataRoot, 'data');
    const firstLite = await startBackend({ DATA_DIR: dataDir });
    facts['start→ready, PGlite, empty data dir (initdb + migrations)'] =
      `${Math.round(firstLite.readyMs)} ms`;
    await stop(firstLite);
    const lite = await startBackend({ DATA_DIR: dataDir });
    facts['start→ready, PGlite, existing data dir'] = `${Math.round(lite.readyMs)} ms`;
    await sleep(2000);
    facts['idle RSS after start, PGlite'] = `${rssMb(lite.child)} MB`;
    const seeded = await seed(lite.url);
    ceilingRun = await ceilingList();
    rows.push({
      name: `GET /api/{uid}/tasks, ${TASKS} tasks, PGlite`,
      result: await load(`${lite.url}/api/${seeded.userId}/tasks`, { headers: seeded.headers }),
      ceiling: ceilingRun,
    });
    ceilingRun = await ceilingPost();
    rows.push({
      name: 'POST /api/{uid}/tasks, PGlite',
      result: await load(`${lite.url}/api/${seeded.userId}/tasks`, {
        method: 'POST',
        headers: { ...seeded.headers, 'content-type': 'application/json' },
        body: postBody,
      }),
      ceiling: ceilingRun,
    });
    await stop(lite);
    await stop(ceiling);
  } finally {
    await cluster.destroy();
    rmSync(dataRoot, { recursive: true, force: true });
  }

  const lines = [
    `backend benchmark — ${CONNECTIONS} connections, ${DURATION_S} s per case, node ${process.version}`,
    '',
    '| case | req/s | p99 ms | ceiling req/s | ceiling p99 ms | ratio | non-2xx/errors |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map(({ name, result, ceiling }) =>
      [
        name,
        result.rps,
        result.p99,
        ceiling?.rps ?? '',
        ceiling?.p99 ?? '',
        ceiling ? (result.rps / ceiling.rps).toFixed(2) : '',
        `${result.non2xx}/${result.errors}`,
      ]
        .join(' | ')
        .replace(/^/, '| ')
        .replace(/$/, ' |'),
    ),
    '',
    ...Object.entries(facts).map(([name, value]) => `- ${name}: ${value}`),
  ];
  console.log(lines.join('\n'));
  const outDir = join(root, 'dist/bench');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'backend.json'), JSON.stringify({ rows, facts }, null, 2));
  writeFileSync(join(outDir, 'backend.md'), `${lines.join('\n')}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
