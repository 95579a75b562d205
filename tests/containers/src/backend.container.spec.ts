import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { createTask, listTasks, login, newAccount, register } from './support/api';
import {
  Container,
  createVolume,
  freePort,
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
    env: { PORT: String(port), JWT_SECRET_KEY: jwtSecret },
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
    cleanups.push(() => container.remove(), () => removeVolume(volume));
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

  it('answers /health and /ready within 2 s of starting and logs JSON lines to stdout', async () => {
    const { container, base } = await freshBackend();
    const ready = await waitForStatus(`${base}/ready`, { since: container.startedAt });
    const health = await waitForStatus(`${base}/health`, { since: container.startedAt });
    // A restart on the now initialised data directory is what every later start looks like.
    await container.restart();
    const readyAgain = await waitForStatus(`${base}/ready`, { since: container.startedAt });

    expect({ ready, health, readyAgain }).toEqual({
      ready: expect.any(Number),
      health: expect.any(Number),
      readyAgain: expect.any(Number),
    });
    expect(Math.max(ready, health, readyAgain)).toBeLessThanOrEqual(2000);

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

    // Every response and every request error, by kind. A refused connection was never accepted;
    // anything else that fails (reset, hang-up, timeout, 5xx) is an accepted request lost.
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

    expect(statuses['200']).toBeGreaterThan(200);
    const lost = Object.entries(errors).filter(([kind]) => kind !== 'ECONNREFUSED');
    expect({ lost, non2xx: result.non2xx, timeouts: result.timeouts }).toEqual({ lost: [], non2xx: 0, timeouts: 0 });
    expect(exitCode).toBe(0);
    expect(exitMs).toBeLessThanOrEqual(10_000);
  });
});
