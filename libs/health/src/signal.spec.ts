import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

// Real signals cannot be delivered to Jest's sandboxed `process` object, so these tests run a real
// Fastify + pino server process (testing/drain-server.fixture.ts) and send it real signals.
const fixture = path.join(__dirname, 'testing', 'drain-server.fixture.ts');

interface LogLine {
  event?: string;
  msg?: string;
  [key: string]: unknown;
}

interface ServerProcess {
  child: ChildProcess;
  port: number;
  lines: LogLine[];
  /** Resolves with the first line (seen or future) that matches. */
  waitForLine: (predicate: (line: LogLine) => boolean) => Promise<LogLine>;
  exited: Promise<number | null>;
}

async function startServerProcess(env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    cwd: path.join(__dirname, '..', '..', '..'),
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const lines: LogLine[] = [];
  const listeners = new Set<() => void>();
  createInterface({ input: child.stdout as Readable }).on('line', (text) => {
    try {
      lines.push(JSON.parse(text) as LogLine);
    } catch {
      lines.push({ msg: text });
    }
    for (const listener of [...listeners]) listener();
  });
  const waitForLine = (predicate: (line: LogLine) => boolean) =>
    new Promise<LogLine>((resolve, reject) => {
      const check = () => {
        const found = lines.find(predicate);
        if (found) {
          listeners.delete(check);
          resolve(found);
        }
      };
      listeners.add(check);
      void exited.then(() => {
        if (listeners.delete(check)) {
          reject(new Error(`server exited before the line; got ${JSON.stringify(lines)}`));
        }
      });
      check();
    });
  const listening = await waitForLine((line) => line.event === 'listening');
  return { child, port: listening.port as number, lines, waitForLine, exited };
}

interface ClientResponse {
  statusCode: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  socket: Socket;
}

function get(port: number, urlPath: string, agent: http.Agent | false): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: urlPath, agent }, (response) => {
      const socket = response.socket;
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () =>
        resolve({ statusCode: response.statusCode ?? 0, headers: response.headers, body, socket }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

describe('SIGTERM on a real server process', () => {
  jest.setTimeout(30_000);
  let server: ServerProcess | undefined;
  const agents: http.Agent[] = [];
  const keepAliveAgent = () => {
    const agent = new http.Agent({ keepAlive: true });
    agents.push(agent);
    return agent;
  };

  afterEach(async () => {
    for (const agent of agents.splice(0)) agent.destroy();
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    server = undefined;
  });

  it('finishes the in-flight request, refuses new connections, closes in reverse and exits 0', async () => {
    server = await startServerProcess();
    const { port, child } = server;

    const idleAgent = keepAliveAgent();
    const idle = await get(port, '/health', idleAgent);
    expect(idle.statusCode).toBe(200);
    const idleClosed = once(idle.socket, 'close');
    const slow = get(port, '/slow', keepAliveAgent());
    await server.waitForLine((line) => line.event === 'slow started');

    child.kill('SIGTERM');
    await server.waitForLine((line) => line.msg?.startsWith('shutdown started') === true);
    child.kill('SIGINT');
    await server.waitForLine((line) => line.msg === 'shutdown already in progress');

    // The idle keep-alive socket still carries a request, answered with Connection: close.
    const reused = await get(port, '/health', idleAgent);
    expect(reused.socket).toBe(idle.socket);
    expect(reused.headers.connection).toBe('close');
    await idleClosed;
    await expect(get(port, '/health', false)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(child.exitCode).toBeNull();

    (child.stdin as Writable).write('release\n');
    const response = await slow;
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ done: true });
    expect(response.headers.connection).toBe('close');

    await expect(server.exited).resolves.toBe(0);
    const order = server.lines
      .filter((line) => ['slow closed', 'hook http', 'hook database'].includes(String(line.event)))
      .sort((a, b) => Number(a.seq) - Number(b.seq))
      .map((line) =>
        line.event === 'slow closed' ? `slow closed, ended=${line.ended}` : line.event,
      );
    expect(order).toEqual(['slow closed, ended=true', 'hook http', 'hook database']);
    expect(server.lines.filter((line) => line.msg?.startsWith('shutdown started'))).toHaveLength(1);
    expect(server.lines).toContainEqual(
      expect.objectContaining({ msg: 'shutdown complete', exitCode: 0 }),
    );
  });

  it('exits 1 after the deadline when a request outlives it, still running the close hooks', async () => {
    server = await startServerProcess({ SHUTDOWN_TIMEOUT_MS: '300' });
    const slow = get(server.port, '/slow', keepAliveAgent());
    const slowOutcome = slow.then(
      () => 'answered',
      (error: NodeJS.ErrnoException) => error.code,
    );
    await server.waitForLine((line) => line.event === 'slow started');

    server.child.kill('SIGTERM');

    await expect(server.exited).resolves.toBe(1);
    await expect(slowOutcome).resolves.toBe('ECONNRESET');
    const events = server.lines.map((line) => line.event ?? line.msg);
    expect(events).toContain(
      'shutdown deadline passed with work still in flight: closing remaining connections',
    );
    expect(events.indexOf('hook http')).toBeGreaterThan(-1);
    expect(events.indexOf('hook database')).toBeGreaterThan(events.indexOf('hook http'));
  });
});
