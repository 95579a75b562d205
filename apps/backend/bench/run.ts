/**
 * `npm run bench:backend`: throughput and latency of the built backend (dist/apps/backend/main.js)
 * on PostgreSQL and on PGlite, each beside a bare-Fastify ceiling serving the same JSON, plus idle
 * memory and start-to-ready time. One run, side by side, because absolute numbers on a shared
 * 2-core machine drift; the ratios are what to compare.
 *
 * Each case first warms every server up (JIT, connection pools; not counted), then alternates
 * between them in short rounds until each has had DURATION_S seconds of load, so that a burst of
 * noise from elsewhere on the machine lands on all of them rather than on whichever ran then.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import autocannon from 'autocannon';
import { freePort, startPostgres, type PostgresCluster } from '@todo/test-support';

const root = join(__dirname, '../../..');
// BENCH_MAIN: another build of it (say, the one before a change), measured the same way.
const backendMain = process.env['BENCH_MAIN'] || join(root, 'dist/apps/backend/main.js');
const CONNECTIONS = 50;
const DURATION_S = Number(process.env['BENCH_DURATION'] ?? 10);
const ROUNDS = 5;
const WARMUP_S = 2;
const TASKS = 50;
// Each start case runs this many times, in turn with the others; the median is reported.
const START_RUNS = Number(process.env['BENCH_START_RUNS'] ?? 5);
// BENCH_ONLY=starts: only those (no PostgreSQL, no load), printed and not written to dist/bench.
const ONLY_STARTS = process.env['BENCH_ONLY'] === 'starts';
// What the backend is held to (stated against references measured in the same run).
const TARGETS = {
  listVsReferenceRps: 0.9,
  listVsReferenceP99: 1.5,
  embeddedFirstStartMs: 1000,
  embeddedStartMs: 600,
  embeddedRssMb: 200,
};
// The servers' Node; BENCH_NODE picks another binary, e.g. the Node line the images run.
const SERVER_NODE = process.env['BENCH_NODE'] || process.execPath;
const SERVER_NODE_VERSION = nodeVersion(SERVER_NODE);
const CLOCK_TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

function nodeVersion(binary: string): string {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  } catch (error) {
    throw new Error(
      `BENCH_NODE=${binary} must be a Node.js binary that runs here: ${(error as Error).message}`,
    );
  }
}

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

async function startBackend(env: Record<string, string>, main = backendMain): Promise<Server> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(SERVER_NODE, [main], {
    env: {
      PATH: process.env['PATH'] ?? '',
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      JWT_SECRET_KEY: 'benchmark-signing-key-0123456789abcdefghij',
      // Request logs at info would measure the log pipe; warn is what a busy service often runs.
      LOG_LEVEL: 'warn',
      // As `npm start` and the images run it: Node ≥ 22.1 keeps V8's compiled code across starts.
      NODE_COMPILE_CACHE: join(root, 'node_modules/.cache/node-compile-cache'),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const readyMs = await waitReady(`${url}/ready`, child, started);
  return { url, child, readyMs };
}

/** One of the bare-Fastify reference servers beside this file; `argument` is its first argument. */
async function startReference(script: string, argument: string, readyPath: string) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(SERVER_NODE, [join(__dirname, script), argument, String(port)], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const readyMs = await waitReady(`${url}${readyPath}`, child, started);
  return { url, child, readyMs };
}

async function stop(server: Server): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
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

/** `/proc/<pid>/stat` fields after the command name (which may hold spaces). */
function procStat(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ');
  } catch {
    return undefined; // exited
  }
}

/** CPU time (user + system, µs) these processes have used so far. */
function cpuMicros(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const fields = procStat(pid);
    if (fields) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1e6) / CLOCK_TICKS_PER_S;
}

/** The postmaster of a test cluster and its children (one backend per connection). */
function postgresPids(cluster: PostgresCluster): number[] {
  const postmaster = Number(
    readFileSync(join(cluster.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0],
  );
  const children = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => Number(procStat(pid)?.[1]) === postmaster);
  return [postmaster, ...children];
}

interface Measured {
  rps: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** CPU the server process used per request, µs. */
  serverCpuUs: number;
  /** CPU PostgreSQL used per request, µs (cases that query it). */
  databaseCpuUs?: number;
  /** CPU the load generator (autocannon, in this process) used per request, µs. */
  loadCpuUs: number;
}

/** A URL under load, with the request autocannon should send, and who serves it. */
interface Target {
  url: string;
  options?: Partial<autocannon.Options>;
  server: ChildProcess;
  database?: PostgresCluster;
}

function load(target: Target, seconds: number) {
  return autocannon({
    url: target.url,
    connections: CONNECTIONS,
    duration: seconds,
    ...target.options,
  });
}

/**
 * Warms every target up, then runs ROUNDS alternating rounds. req/s is all requests over all
 * rounds' time; p99 is the worst round's; CPU per request is over all rounds, and says where
 * a request's cost lies: in the server, in PostgreSQL or in the load generator.
 */
async function compare(...targets: Target[]): Promise<Measured[]> {
  for (const target of targets) await load(target, WARMUP_S);
  const rounds: autocannon.Result[][] = targets.map(() => []);
  const serverCpu = targets.map(() => 0);
  const databaseCpu = targets.map(() => 0);
  const loadCpu = targets.map(() => 0);
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [index, target] of targets.entries()) {
      const serverPids = [target.server.pid ?? 0];
      const databasePids = target.database ? postgresPids(target.database) : [];
      const before = [cpuMicros(serverPids), cpuMicros(databasePids)];
      const loadBefore = process.cpuUsage();
      rounds[index].push(await load(target, DURATION_S / ROUNDS));
      serverCpu[index] += cpuMicros(serverPids) - before[0];
      databaseCpu[index] += cpuMicros(databasePids) - before[1];
      const loadUsed = process.cpuUsage(loadBefore);
      loadCpu[index] += loadUsed.user + loadUsed.system;
    }
  }
  return rounds.map((results, index) => {
    const sum = (pick: (result: autocannon.Result) => number) =>
      results.reduce((total, result) => total + pick(result), 0);
    const requests = sum((result) => result.requests.total);
    return {
      rps: Math.round(requests / sum((result) => result.duration)),
      p99: Math.max(...results.map((result) => result.latency.p99)),
      non2xx: sum((result) => result.non2xx),
      errors: sum((result) => result.errors + result.timeouts),
      serverCpuUs: Math.round(serverCpu[index] / requests),
      loadCpuUs: Math.round(loadCpu[index] / requests),
      ...(targets[index].database && {
        databaseCpuUs: Math.round(databaseCpu[index] / requests),
      }),
    };
  });
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

function verdict(name: string, measured: string, met: boolean, target: string): string {
  return `- ${name}: ${measured} (target ${target}: ${met ? 'met' : 'NOT met'})`;
}

/** The measured facts, then each target met or not. */
function summary(facts: Record<string, string | number>, verdicts: string[]): string[] {
  return [
    ...Object.entries(facts).map(([name, value]) => `- ${name}: ${value}`),
    '',
    'targets:',
    ...verdicts,
  ];
}

interface StartFigures {
  readyMs: number;
  rssMb: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * The embedded database's three starts, START_RUNS times each in turn: an empty folder (the
 * build's template copied), the same folder again, and an empty folder with no template beside
 * the bundle (initdb). RSS is read a second after /ready, when start-up garbage has been collected.
 */
async function measureStarts(
  dataRoot: string,
  mainWithoutTemplate: string,
): Promise<Record<string, StartFigures>> {
  const runs: Record<string, StartFigures[]> = {
    'empty data dir': [],
    'existing data dir': [],
    'empty data dir, no template (initdb)': [],
  };
  const once = async (name: string, dataDir: string, main?: string) => {
    const server = await startBackend({ DATA_DIR: dataDir }, main);
    await sleep(1000);
    runs[name].push({ readyMs: server.readyMs, rssMb: rssMb(server.child) });
    await stop(server);
  };
  for (let run = 0; run < START_RUNS; run += 1) {
    const dataDir = join(dataRoot, 'data');
    rmSync(dataDir, { recursive: true, force: true });
    await once('empty data dir', dataDir);
    await once('existing data dir', dataDir);
    const initdbDir = join(dataRoot, `initdb-${run}`);
    await once('empty data dir, no template (initdb)', initdbDir, mainWithoutTemplate);
    rmSync(initdbDir, { recursive: true, force: true });
  }
  return Object.fromEntries(
    Object.entries(runs).map(([name, figures]) => [
      name,
      {
        readyMs: Math.round(median(figures.map((f) => f.readyMs))),
        rssMb: median(figures.map((f) => f.rssMb)),
      },
    ]),
  );
}

/**
 * The embedded database's starts, with their verdicts. A first start copies the data folder the
 * build initialised beside the bundle; the bundle alone, copied where no template sits beside
 * it, shows what initdb would cost instead.
 */
async function embeddedStarts(
  dataRoot: string,
  facts: Record<string, string | number>,
  verdicts: string[],
): Promise<void> {
  const bare = join(dataRoot, 'bundle-without-template');
  cpSync(dirname(backendMain), bare, { recursive: true });
  const starts = await measureStarts(dataRoot, join(bare, 'main.js'));
  for (const [name, run] of Object.entries(starts)) {
    facts[`start→ready, PGlite, ${name} (median of ${START_RUNS})`] =
      `${run.readyMs} ms, RSS ${run.rssMb} MB`;
  }
  const startVerdict = (name: string, run: StartFigures, maxMs: number) =>
    verdict(
      name,
      `${run.readyMs} ms, ${run.rssMb} MB`,
      run.readyMs <= maxMs && run.rssMb <= TARGETS.embeddedRssMb,
      `≤ ${maxMs} ms and ≤ ${TARGETS.embeddedRssMb} MB`,
    );
  verdicts.push(
    startVerdict(
      'PGlite first start on an empty folder',
      starts['empty data dir'],
      TARGETS.embeddedFirstStartMs,
    ),
    startVerdict(
      'PGlite start on an existing folder',
      starts['existing data dir'],
      TARGETS.embeddedStartMs,
    ),
  );
}

interface Row {
  name: string;
  result: Measured;
  ceiling?: Measured;
}

async function main() {
  const rows: Row[] = [];
  const facts: Record<string, string | number> = {};
  const verdicts: string[] = [];
  const postBody = JSON.stringify({ title: 'Benchmark task', description: 'Created under load' });

  if (ONLY_STARTS) {
    const dataRoot = mkdtempSync(join(tmpdir(), 'bench-pglite-'));
    try {
      await embeddedStarts(dataRoot, facts, verdicts);
    } finally {
      rmSync(dataRoot, { recursive: true, force: true });
    }
    console.log([`servers on node ${SERVER_NODE_VERSION}`, ...summary(facts, verdicts)].join('\n'));
    return;
  }

  const cluster = await startPostgres();
  const dataRoot = mkdtempSync(join(tmpdir(), 'bench-pglite-'));
  // Stopped at the end even when a case fails, so no server outlives the run.
  const servers: Server[] = [];
  try {
    // ── PostgreSQL ──────────────────────────────────────────────────────────────────────────
    const firstPg = await startBackend({ DATABASE_URL: cluster.url() });
    facts['start→ready, PostgreSQL, first start (migrations)'] =
      `${Math.round(firstPg.readyMs)} ms`;
    await stop(firstPg);
    const pg = await startBackend({ DATABASE_URL: cluster.url() });
    servers.push(pg);
    facts['start→ready, PostgreSQL'] = `${Math.round(pg.readyMs)} ms`;
    await sleep(2000);
    facts['idle RSS after start, PostgreSQL'] = `${rssMb(pg.child)} MB`;

    const { userId, headers, tasks } = await seed(pg.url);
    const health = await json(`${pg.url}/health`);
    const sampleTask = tasks.tasks[0];
    const ceiling = await startReference(
      'ceiling-server.mjs',
      JSON.stringify({ health, tasks, task: sampleTask }),
      '/health',
    );
    const reference = await startReference(
      'db-reference-server.mjs',
      cluster.url(),
      `/api/${userId}/tasks`,
    );
    servers.push(ceiling, reference);

    const ceilingList: Target = { url: `${ceiling.url}/tasks`, server: ceiling.child };
    const ceilingPost: Target = {
      url: `${ceiling.url}/tasks`,
      options: { method: 'POST', headers: { 'content-type': 'application/json' }, body: postBody },
      server: ceiling.child,
    };
    const post = (server: Server, userId: string, auth: Record<string, string>): Target => ({
      url: `${server.url}/api/${userId}/tasks`,
      server: server.child,
      ...(server === pg && { database: cluster }),
      options: {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: postBody,
      },
    });

    const [healthRun, healthCeiling] = await compare(
      { url: `${pg.url}/health`, server: pg.child },
      { url: `${ceiling.url}/health`, server: ceiling.child },
    );
    rows.push({
      name: 'GET /health (PostgreSQL backend)',
      result: healthRun,
      ceiling: healthCeiling,
    });

    const [list, listReference, listCeiling] = await compare(
      {
        url: `${pg.url}/api/${userId}/tasks`,
        options: { headers },
        server: pg.child,
        database: cluster,
      },
      { url: `${reference.url}/api/${userId}/tasks`, server: reference.child, database: cluster },
      ceilingList,
    );
    rows.push(
      {
        name: `GET /api/{uid}/tasks, ${TASKS} tasks, PostgreSQL`,
        result: list,
        ceiling: listCeiling,
      },
      {
        name: '  reference: bare Fastify + pg, same query, no auth',
        result: listReference,
        ceiling: listCeiling,
      },
    );

    // The reference pays the same round trip and nothing else, so this is the part of the
    // ceiling ratio the backend's own code can still move.
    const rpsRatio = list.rps / listReference.rps;
    const p99Ratio = list.p99 / listReference.p99;
    verdicts.push(
      verdict(
        'task list, PostgreSQL: backend req/s ÷ bare reference req/s',
        rpsRatio.toFixed(2),
        rpsRatio >= TARGETS.listVsReferenceRps,
        `≥ ${TARGETS.listVsReferenceRps}`,
      ),
      verdict(
        'task list, PostgreSQL: backend p99 ÷ bare reference p99',
        p99Ratio.toFixed(2),
        p99Ratio <= TARGETS.listVsReferenceP99,
        `≤ ${TARGETS.listVsReferenceP99}`,
      ),
    );

    const [created, createdCeiling] = await compare(post(pg, userId, headers), ceilingPost);
    rows.push({
      name: 'POST /api/{uid}/tasks, PostgreSQL',
      result: created,
      ceiling: createdCeiling,
    });
    // The PGlite cases should not share the machine with these two.
    await stop(pg);
    await stop(reference);

    // ── PGlite ──────────────────────────────────────────────────────────────────────────────
    await embeddedStarts(dataRoot, facts, verdicts);
    const lite = await startBackend({ DATA_DIR: join(dataRoot, 'data') });
    servers.push(lite);
    await sleep(2000);
    facts['idle RSS after start, PGlite'] = `${rssMb(lite.child)} MB`;
    const seeded = await seed(lite.url);
    const [liteList, liteListCeiling] = await compare(
      {
        url: `${lite.url}/api/${seeded.userId}/tasks`,
        options: { headers: seeded.headers },
        server: lite.child,
      },
      ceilingList,
    );
    rows.push({
      name: `GET /api/{uid}/tasks, ${TASKS} tasks, PGlite`,
      result: liteList,
      ceiling: liteListCeiling,
    });
    const [liteCreated, liteCreatedCeiling] = await compare(
      post(lite, seeded.userId, seeded.headers),
      ceilingPost,
    );
    rows.push({
      name: 'POST /api/{uid}/tasks, PGlite',
      result: liteCreated,
      ceiling: liteCreatedCeiling,
    });
  } finally {
    for (const server of servers) await stop(server);
    await cluster.destroy();
    rmSync(dataRoot, { recursive: true, force: true });
  }

  const lines = [
    `backend benchmark — ${CONNECTIONS} connections; per case each server gets ${WARMUP_S} s of ` +
      `warm-up, then ${DURATION_S} s of load in ${ROUNDS} alternating rounds; servers on node ${SERVER_NODE_VERSION}, load generator on node ${process.version}`,
    '',
    '| case | req/s | p99 ms | ceiling req/s | ceiling p99 ms | ratio | server CPU µs/req | ceiling CPU µs/req | PostgreSQL CPU µs/req | load generator CPU µs/req | non-2xx/errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(({ name, result, ceiling }) =>
      [
        name,
        result.rps,
        result.p99,
        ceiling?.rps ?? '',
        ceiling?.p99 ?? '',
        ceiling ? (result.rps / ceiling.rps).toFixed(2) : '',
        result.serverCpuUs,
        ceiling?.serverCpuUs ?? '',
        result.databaseCpuUs ?? '',
        result.loadCpuUs,
        `${result.non2xx}/${result.errors}`,
      ]
        .join(' | ')
        .replace(/^/, '| ')
        .replace(/$/, ' |'),
    ),
    '',
    'CPU columns: user + system time of that process (PostgreSQL: the postmaster and its backends) ' +
      'over the measured rounds, divided by the requests answered. The load generator (this process) ' +
      `shares the machine's ${availableParallelism()} cores with the servers and PostgreSQL.`,
    '',
    ...summary(facts, verdicts),
  ];
  console.log(lines.join('\n'));
  const outDir = join(root, 'dist/bench');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'backend.json'), JSON.stringify({ rows, facts, verdicts }, null, 2));
  writeFileSync(join(outDir, 'backend.md'), `${lines.join('\n')}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
