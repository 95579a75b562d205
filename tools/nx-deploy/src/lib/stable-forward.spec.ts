import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { StableForward, type ForwardTarget } from './stable-forward';

/**
 * Real sockets on 127.0.0.1. The "pods" are HTTP servers and `startForward` hands back their
 * ports, standing in for `kubectl port-forward` (the cluster suite runs the real one through the
 * API server); closing a server is its pod going away.
 */
interface Pod {
  name: string;
  server: http.Server;
  port: number;
  /** Requests to hold unanswered, then drop, as a pod that dies mid-request does. */
  dropNext: boolean;
}

async function startPod(name: string): Promise<Pod> {
  const pod = { name, dropNext: false } as Pod;
  pod.server = http.createServer((req, res) => {
    if (pod.dropNext) {
      pod.dropNext = false;
      setTimeout(() => req.socket.destroy(), 50);
      return;
    }
    res.end(`hello from ${name}`);
  });
  await new Promise<void>((resolve) => pod.server.listen(0, '127.0.0.1', resolve));
  pod.port = (pod.server.address() as AddressInfo).port;
  return pod;
}

function stopPod(pod: Pod): Promise<void> {
  pod.server.closeAllConnections();
  return new Promise((resolve) => pod.server.close(() => resolve()));
}

function get(port: number, agent: http.Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

describe('StableForward', () => {
  const pods: Pod[] = [];
  let current: Pod;
  let forward: StableForward;
  const lines: string[] = [];
  let agent: http.Agent;

  beforeEach(async () => {
    agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    pods.push(await startPod('pod-a'), await startPod('pod-b'));
    current = pods[0];
    forward = new StableForward(
      0,
      async (): Promise<ForwardTarget> => ({ pod: current.name, port: 8000 }),
      async (pod) => {
        const target = pods.find((p) => p.name === pod) as Pod;
        return { ok: true, localPort: target.port, remotePort: 8000, stop: async () => undefined };
      },
      (line) => lines.push(line),
    );
    // Port 0 lets the system choose, so parallel test runs never collide.
    await forward.listen();
  });

  afterEach(async () => {
    await forward.close();
    await Promise.all(pods.splice(0).map(stopPod));
    agent.destroy();
  });

  const port = () =>
    (forward as unknown as { server: { address(): AddressInfo } }).server.address().port;

  it('relays to the current pod and moves to the new one after a rollout, on a kept-alive connection', async () => {
    expect(await get(port(), agent)).toBe('hello from pod-a');
    current = pods[1];
    await forward.refresh();
    await stopPod(pods[0]);
    expect(await get(port(), agent)).toBe('hello from pod-b');
    expect(lines.filter((l) => l.startsWith('⇄')).map((l) => l.replace(/^.* → /, ''))).toEqual([
      'pod pod-a port 8000',
      'pod pod-b port 8000',
    ]);
  });

  it('replays a request whose pod went away before answering, through the new pod', async () => {
    expect(await get(port(), agent)).toBe('hello from pod-a');
    pods[0].dropNext = true;
    current = pods[1];
    expect(await get(port(), agent)).toBe('hello from pod-b');
  });

  it('names the port when it is taken', async () => {
    const other = new StableForward(
      port(),
      async () => ({ problem: 'unused' }),
      async () => ({ ok: false, error: 'unused' }),
      () => undefined,
    );
    await expect(other.listen()).rejects.toThrow(
      `port ${port()} on 127.0.0.1 is in use — pass --forwardPort=<another port> (or 0 for none)`,
    );
  });
});
