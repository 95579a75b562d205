import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startPostgres, type PostgresCluster } from '@todo/test-support';
import { exited, spawnMain } from '../test/support/process';

const SECRET_KEY = 'process-test-signing-key-0123456789abcdef';
const DB_PASSWORD = 'db-password-never-logged';
const USER_PASSWORD = 'user-password-never-logged';

let cluster: PostgresCluster;
let server: ChildProcess;
let output = '';
let baseUrl: string;
let readyWhileWaiting: number | undefined;

/** Starts the server and resolves once it logs that it is ready. */
function startServer(env: Record<string, string>): Promise<void> {
  server = spawnMain(env);
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('"backend ready"')) resolve();
    };
    server.stdout?.on('data', onData);
    server.stderr?.on('data', onData);
    server.once('exit', (code) => reject(new Error(`server exited early (${code}):\n${output}`)));
  });
}

async function call(method: string, path: string, body?: unknown, token?: string) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  cluster = await startPostgres();
  // Down at first: the process must wait for it rather than crash (deployed together, the
  // backend often starts before its database).
  await cluster.stop();
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const ready = startServer({
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    // Trust auth ignores the password, but the process still holds it in its configuration.
    DATABASE_URL: cluster.url('postgres', DB_PASSWORD),
    JWT_SECRET_KEY: SECRET_KEY,
    LOG_LEVEL: 'trace',
  });
  while (!output.includes('database not reachable yet')) {
    if (server.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // The app may have loaded by now (it loads while the database opens), yet is not ready.
  readyWhileWaiting = await fetch(`${baseUrl}/ready`).then(
    (response) => response.status,
    () => undefined,
  );
  await cluster.start();
  await ready;
}, 90_000);

afterAll(async () => {
  // SIGTERM, which tsx passes on (a SIGKILL would leave the backend running when, filtered by -t,
  // the test that stops it did not run).
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await exited(server);
  }
  await cluster?.destroy();
});

describe('the backend process', () => {
  it('waits for a database that is not up yet, not ready meanwhile, then serves a full session; logs JSON with request ids and never a password, token or secret; SIGTERM exits 0', async () => {
    expect(output).toContain('database not reachable yet');
    expect(readyWhileWaiting).toBe(503);
    const registered = await call('POST', '/api/auth/register', {
      name: 'Log Reader',
      email: 'logs@example.com',
      password: USER_PASSWORD,
    });
    expect(registered.status).toBe(201);
    const userId = registered.json.id;
    expect(
      (
        await call('POST', '/api/auth/login', {
          email: 'logs@example.com',
          password: 'wrong-password-also-secret',
        })
      ).status,
    ).toBe(401);
    const login = await call('POST', '/api/auth/login', {
      email: 'logs@example.com',
      password: USER_PASSWORD,
    });
    expect(login.status).toBe(200);
    const token: string = login.json.access_token;

    const created = await call('POST', `/api/${userId}/tasks`, { title: 'check the logs' }, token);
    expect(created.status).toBe(201);
    expect((await call('GET', `/api/${userId}/tasks`, undefined, token)).json.tasks).toHaveLength(
      1,
    );
    expect(
      (await call('PUT', `/api/${userId}/tasks/${created.json.id}`, { completed: true }, token))
        .status,
    ).toBe(200);
    expect((await call('GET', `/api/${userId}/tasks`, undefined, `${token}x`)).status).toBe(401);
    expect(
      (await call('DELETE', `/api/${userId}/tasks/${created.json.id}`, undefined, token)).status,
    ).toBe(204);
    // Chat, when its routes are registered, sees the same token; its status is not this test's concern.
    await call('POST', `/api/${userId}/chat`, { message: 'show my tasks' }, token);
    expect((await call('GET', '/ready')).status).toBe(200);

    server.kill('SIGTERM');
    expect(await exited(server)).toBe(0);

    const lines = output.split('\n').filter(Boolean);
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.length).toBeGreaterThan(10);
    const requestLines = entries.filter((entry) => entry['msg'] === 'request completed');
    expect(requestLines.length).toBeGreaterThanOrEqual(8);
    for (const entry of requestLines) expect(entry['reqId']).toEqual(expect.any(String));
    expect(entries.some((entry) => entry['hook'] === 'database' && entry['msg'] === 'closed')).toBe(
      true,
    );

    for (const secret of [
      USER_PASSWORD,
      'wrong-password-also-secret',
      token,
      token.split('.')[2],
      SECRET_KEY,
      DB_PASSWORD,
    ]) {
      expect(output).not.toContain(secret);
    }
  });
});

/** A GET through `agent` (false: a new connection); resolves once the whole answer has arrived. */
function get(port: number, path: string, agent: http.Agent | false) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>(
    (resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path, agent }, (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
          );
        })
        .on('error', reject);
    },
  );
}

describe('SIGTERM while a request is in flight', () => {
  it('answers /ready 503 at once while the request finishes, closes the app before the database, logs the drain and exits 0 well within SHUTDOWN_TIMEOUT_MS', async () => {
    const port = await freePort();
    const child = spawnMain({
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: cluster.url('postgres'),
      JWT_SECRET_KEY: SECRET_KEY,
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: '10000',
    });
    const entries: Array<Record<string, unknown>> = [];
    // 'exit' can come before the last of its output has been read; 'close' comes after.
    const outputRead = new Promise((resolve) => child.once('close', resolve));
    let pending = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines.filter(Boolean)) {
        try {
          entries.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          entries.push({ msg: line });
        }
      }
    });
    const logged = async (match: (entry: Record<string, unknown>) => boolean) => {
      for (;;) {
        const found = entries.find(match);
        if (found) return found;
        if (child.exitCode !== null) throw new Error(`exited: ${JSON.stringify(entries)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    // Keep-alive connections opened before the signal, as a kubelet's probes and a load balancer
    // keep theirs: the listener closes at SIGTERM, established connections still get answers.
    const readiness = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const liveness = new http.Agent({ keepAlive: true, maxSockets: 1 });
    let signUp: http.ClientRequest | undefined;
    try {
      await logged((entry) => entry['msg'] === 'backend ready');
      expect((await get(port, '/ready', readiness)).status).toBe(200);
      expect((await get(port, '/health', liveness)).status).toBe(200);

      // A sign-up whose body is still arriving when the signal comes: accepted, so it must finish.
      const body = JSON.stringify({
        name: 'Late Comer',
        email: 'sigterm@example.com',
        password: USER_PASSWORD,
      });
      const request = http.request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/auth/register',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      });
      signUp = request;
      const inFlight = new Promise<{ status: number; body: string }>((resolve, reject) => {
        request.on('error', reject).on('response', (response) => {
          let text = '';
          response.on('data', (chunk) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
        });
      });
      request.write(body.slice(0, 10));
      await logged(
        (entry) =>
          entry['msg'] === 'incoming request' &&
          (entry['req'] as { url?: string } | undefined)?.url === '/api/auth/register',
      );

      const signalled = Date.now();
      child.kill('SIGTERM');
      const started = await logged((entry) => String(entry['msg']).startsWith('shutdown started'));
      expect(started['inFlight']).toBe(1);
      const ready = await get(port, '/ready', readiness);
      expect(ready.status).toBe(503);
      expect(JSON.parse(ready.body)).toMatchObject({ status: 'error', state: 'draining' });
      expect(ready.headers.connection).toBe('close');
      // Liveness stays green: the kubelet must not kill a pod that is draining.
      expect((await get(port, '/health', liveness)).status).toBe(200);
      await expect(get(port, '/health', false)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      expect(child.exitCode).toBeNull();

      request.end(body.slice(10));
      const answer = await inFlight;
      expect(answer.status).toBe(201);
      expect(JSON.parse(answer.body)).toMatchObject({ email: 'sigterm@example.com' });

      expect(await exited(child)).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(10_000);
      await outputRead;
      // In the order they were logged: pino's asynchronous writes can reach stdout in another.
      const messages = entries
        .slice(entries.indexOf(started))
        .sort((a, b) => String(a['time']).localeCompare(String(b['time'])))
        .map((entry) =>
          entry['msg'] === 'closed' ? `closed ${String(entry['hook'])}` : entry['msg'],
        );
      expect(messages.filter((msg) => String(msg).match(/^(drained|closed)/))).toEqual([
        'drained all in-flight work',
        'closed http',
        'closed database',
      ]);
      expect(entries).toContainEqual(
        expect.objectContaining({ msg: 'shutdown complete', exitCode: 0 }),
      );
    } finally {
      signUp?.destroy();
      readiness.destroy();
      liveness.destroy();
      // SIGTERM, which tsx passes on: a SIGKILL would leave its child, the backend, running.
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited(child);
    }
  });
});

describe('start-up with bad configuration', () => {
  it('prints one line naming the variable and the rule, and exits 1', async () => {
    const child = spawnMain({ NODE_ENV: 'production', PORT: 'eighty' });
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    expect(await exited(child)).toBe(1);
    expect(stderr).toMatch(/PORT: must be a whole number from 1 to 65535/);
    expect(stderr).toMatch(/JWT_SECRET_KEY: required when NODE_ENV=production/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('fails at once, in one line, when the database answers but refuses (no endless waiting)', async () => {
    const port = await freePort();
    const child = spawnMain({
      PORT: String(port),
      DATABASE_URL: cluster.url('no_such_database'),
      LOG_LEVEL: 'silent',
    });
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    expect(await exited(child)).toBe(1);
    expect(stderr.trim()).toBe(
      'backend failed to start: database "no_such_database" does not exist',
    );
  });
});

describe('the embedded database folder', () => {
  it('refuses a second process on the same DATA_DIR in one line naming the holder; the first keeps serving and, once stopped, frees it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'backend-data-dir-'));
    const children: ChildProcess[] = [];
    const start = async (port: number) => {
      const child = spawnMain({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir });
      children.push(child);
      let text = '';
      child.stdout?.on('data', (chunk) => (text += chunk));
      child.stderr?.on('data', (chunk) => (text += chunk));
      return { child, output: () => text };
    };
    const waitForReady = async (port: number, child: ChildProcess) => {
      for (;;) {
        if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
        const ready = await fetch(`http://127.0.0.1:${port}/ready`).catch(() => undefined);
        if (ready?.status === 200) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    try {
      const firstPort = await freePort();
      const first = await start(firstPort);
      await waitForReady(firstPort, first.child);

      const second = await start(await freePort());
      expect(await exited(second.child)).toBe(1);
      const refusal = second
        .output()
        .split('\n')
        .filter((line) => line.startsWith('backend failed to start'));
      expect(refusal).toHaveLength(1);
      const holder = new RegExp(
        `^backend failed to start: DATA_DIR ${dataDir} is in use by process (\\d+) on \\S+ \\(since [^)]+\\) — stop it, or give this process its own DATA_DIR$`,
      ).exec(refusal[0]);
      expect(holder).not.toBeNull();
      // The pid named is the first backend's (tsx runs it as a child of the spawned process).
      const holderPid = Number(holder?.[1]);
      expect(() => process.kill(holderPid, 0)).not.toThrow();
      expect((await fetch(`http://127.0.0.1:${firstPort}/ready`)).status).toBe(200);

      first.child.kill('SIGTERM');
      expect(await exited(first.child)).toBe(0);
      expect(() => process.kill(holderPid, 0)).toThrow();
      const thirdPort = await freePort();
      const third = await start(thirdPort);
      await waitForReady(thirdPort, third.child);
      third.child.kill('SIGTERM');
      expect(await exited(third.child)).toBe(0);
    } finally {
      // SIGTERM, which tsx passes on: a SIGKILL would leave its child, the backend, running.
      for (const child of children.filter((c) => c.exitCode === null)) {
        child.kill('SIGTERM');
        await exited(child);
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
