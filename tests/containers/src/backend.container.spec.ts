import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { freePort, startPostgres } from '@todo/test-support';
import { createTask, listTasks, login, newAccount, register } from './support/api';
import {
  Container,
  createVolume,
  isJsonObject,
  logLines,
  removeVolume,
  waitForStatus,
} from './support/engine';
import { imageRef } from './support/workspace';

// The image runs with NODE_ENV=production, which requires a signing key from the environment;
// this one exists only for the test run.
const jwtSecret = randomBytes(32).toString('hex');

async function startBackend(volume: string, port: number): Promise<Container> {
  return Container.start({
    image: imageRef('backend'),
    env: { PORT: String(port), JWT_SECRET_KEY: jwtSecret, LOG_LEVEL: 'info' },
    volumes: [`${volume}:/data`],
  });
}

async function pid1Uid(container: Container): Promise<string> {
  const res = await container.exec([
    'node',
    '-e',
    "process.stdout.write(/^Uid:\\s+(\\d+)/m.exec(require('fs').readFileSync('/proc/1/status','utf8'))[1])",
  ]);
  return res.stdout;
}

describe('backend image', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function freshBackend(): Promise<{ container: Container; base: string; volume: string }> {
    const volume = await createVolume();
    const port = await freePort();
    const container = await startBackend(volume, port);
    cleanups.push(
      () => container.remove(),
      () => removeVolume(volume),
    );
    return { container, base: `http://127.0.0.1:${port}`, volume };
  }

  it('runs as uid 1001 on a read-only root filesystem, writing only /tmp and its data volume', async () => {
    const { container, base } = await freshBackend();
    await waitForStatus(`${base}/ready`, { since: container.startedAt });

    expect(await pid1Uid(container)).toBe('1001');
    const write = (file: string) =>
      container.exec(['node', '-e', `require('fs').writeFileSync(${JSON.stringify(file)}, 'x')`]);
    const rootWrite = await write('/app/probe');
    expect(rootWrite.exitCode).not.toBe(0);
    expect(rootWrite.stderr).toMatch(/EROFS|read-only file system/i);
    expect((await write('/tmp/probe')).exitCode).toBe(0);
    expect((await write('/data/probe')).exitCode).toBe(0);
  });

  it('answers /health while its database cannot be reached, and /ready 503 naming the database', async () => {
    // Liveness must not wait for the database: a Kubernetes liveness probe would otherwise restart
    // a process that only waits for PostgreSQL (or for PGlite initialising its volume). Nothing
    // listens on port 9 inside the container, so the database stays unreachable.
    const port = await freePort();
    const container = await Container.start({
      image: imageRef('backend'),
      env: {
        PORT: String(port),
        JWT_SECRET_KEY: jwtSecret,
        DATABASE_URL: 'postgresql://todo@127.0.0.1:9/todo',
      },
    });
    cleanups.push(() => container.remove());
    const base = `http://127.0.0.1:${port}`;
    await waitForStatus(`${base}/health`, { since: container.startedAt });
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(503);
    expect(JSON.stringify(await ready.json())).toMatch(/database/);
  });

  it('answers /health and /ready on PostgreSQL, logging JSON lines', async () => {
    // PostgreSQL is the production database (issue 5 sets the backend's start → ready on it);
    // the embedded database's start-up is reported by `npm run bench:images`.
    const postgres = await startPostgres();
    cleanups.push(() => postgres.destroy());
    const port = await freePort();
    const container = await Container.start({
      image: imageRef('backend'),
      env: { PORT: String(port), JWT_SECRET_KEY: jwtSecret, DATABASE_URL: postgres.url() },
    });
    cleanups.push(() => container.remove());
    const base = `http://127.0.0.1:${port}`;

    const health = await waitForStatus(`${base}/health`, { since: container.startedAt });
    const ready = await waitForStatus(`${base}/ready`, { since: container.startedAt });
    // How fast is a benchmark's question (npm run bench:images); here, within the wait's timeout.
    expect({ health, ready }).toEqual({ health: expect.any(Number), ready: expect.any(Number) });

    const { stdout } = await container.logs();
    const lines = logLines(stdout);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((line) => !isJsonObject(line))).toEqual([]);
  });

  it('keeps a task across a container restart on its mounted data volume', async () => {
    const { container, base } = await freshBackend();
    await waitForStatus(`${base}/ready`, { since: container.startedAt });
    const account = newAccount();
    await register(base, account);
    const task = await createTask(base, await login(base, account), 'Survive a restart');

    await container.restart();
    await waitForStatus(`${base}/ready`, { since: container.startedAt });

    const tasks = await listTasks(base, await login(base, account));
    expect(tasks.map((t) => [t.id, t.title])).toContainEqual([task.id, 'Survive a restart']);
  });

  it('on SIGTERM under ~200 req/s loses no accepted request and exits 0 within 10 s', async () => {
    const { container, base } = await freshBackend();
    await waitForStatus(`${base}/ready`, { since: container.startedAt });
    const account = newAccount();
    await register(base, account);
    const session = await login(base, account);
    await createTask(base, session, 'Listed under load');

    // What the client saw: responses by status and request errors by kind.
    const statuses: Record<string, number> = {};
    const errors: Record<string, number> = {};
    let load!: autocannon.Instance;
    const finished = new Promise<autocannon.Result>((resolve, reject) => {
      load = autocannon(
        {
          url: `${base}/api/${session.userId}/tasks`,
          headers: session.headers,
          connections: 10,
          overallRate: 200,
          duration: 6,
          timeout: 5,
        },
        (error, result) => (error ? reject(error) : resolve(result)),
      );
    });
    load.on('response', (_client, statusCode) => {
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    });
    load.on('reqError', (error: NodeJS.ErrnoException) => {
      const kind = error.code ?? error.message;
      errors[kind] = (errors[kind] ?? 0) + 1;
    });

    await new Promise((resolve) => setTimeout(resolve, 2000));
    const signalledAt = Date.now();
    await container.signal('SIGTERM');
    const exitCode = await container.wait();
    const exitMs = Date.now() - signalledAt;
    const result = await finished;

    // What the server saw: a request is accepted once the app logs "incoming request" for it.
    // It must be answered ("request completed", 200) and the answer must reach the client. A
    // connection refused or reset before the app read a request is not an accepted request (an
    // HTTP client may retry it, RFC 9112 §9.3.1); the counts below tell the two apart.
    const events = logLines((await container.logs()).stdout)
      .filter(isJsonObject)
      .map(
        (line) =>
          JSON.parse(line) as {
            reqId?: string;
            msg?: string;
            req?: { method?: string; url?: string };
            res?: { statusCode?: number };
          },
      );
    const loadUrl = `/api/${session.userId}/tasks`;
    const accepted = new Set(
      events
        .filter(
          (e) => e.msg === 'incoming request' && e.req?.method === 'GET' && e.req.url === loadUrl,
        )
        .map((e) => e.reqId),
    );
    const completed = events.filter((e) => e.msg === 'request completed' && accepted.has(e.reqId));
    const unanswered = [...accepted].filter((id) => !completed.some((e) => e.reqId === id));
    const failedByServer = completed
      .filter((e) => e.res?.statusCode !== 200)
      .map((e) => e.res?.statusCode);
    const otherErrors = Object.entries(errors).filter(
      ([kind]) => !['ECONNREFUSED', 'ECONNRESET'].includes(kind),
    );

    expect(accepted.size).toBeGreaterThan(200);
    expect({
      unanswered,
      failedByServer,
      answeredButNotReceived: completed.length - Object.values(statuses).reduce((a, b) => a + b, 0),
      otherErrors,
      timeouts: result.timeouts,
      exitCode,
      exitedWithin10s: exitMs <= 10_000,
    }).toEqual({
      unanswered: [],
      failedByServer: [],
      answeredButNotReceived: 0,
      otherErrors: [],
      timeouts: 0,
      exitCode: 0,
      exitedWithin10s: true,
    });
  });
});
