import * as net from 'node:net';
import type { PortForwardHandle, PortForwardResult } from './exec';
import type { LogLine } from './progress';

export type ForwardTarget = { pod: string; port: number } | { problem: string };

/**
 * A local port that keeps answering across rollouts. `kubectl port-forward` follows one pod and
 * dies with it, so the port the user opens is ours: each connection is relayed to the current
 * `kubectl port-forward`, which `refresh()` moves to the newest ready pod after a rollout. A
 * client connection outlives its upstream: when the upstream closes while a request waits for
 * its answer (its pod just went away), the request is replayed through a fresh forward, and an
 * idle kept-alive connection reconnects on its next request — so a browser tab or a polling
 * client keeps working through a rollout. Upgraded connections (WebSockets) end with their pod.
 */
export class StableForward {
  private upstream?: { pod: string; handle: PortForwardHandle };
  private refreshing?: Promise<void>;
  private server?: net.Server;
  private lastProblem?: string;
  private readonly clients = new Set<net.Socket>();

  constructor(
    readonly localPort: number,
    private readonly resolveTarget: () => Promise<ForwardTarget>,
    private readonly startForward: (pod: string, port: number) => Promise<PortForwardResult>,
    private readonly write: LogLine,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.localPort}`;
  }

  get pod(): string | undefined {
    return this.upstream?.pod;
  }

  /** Rejects with a sentence naming the port when it cannot be opened. */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = net.createServer((socket) => this.relay(socket));
      server.once('error', (error: NodeJS.ErrnoException) => {
        reject(
          new Error(
            error.code === 'EADDRINUSE'
              ? `port ${this.localPort} on 127.0.0.1 is in use — pass --forwardPort=<another port> (or 0 for none)`
              : `cannot listen on 127.0.0.1:${this.localPort}: ${error.message}`,
          ),
        );
      });
      server.listen(this.localPort, '127.0.0.1', () => {
        this.server = server;
        resolve();
      });
    });
  }

  /** Moves the forward to the newest ready pod (one refresh at a time; the old one ends after). */
  refresh(): Promise<void> {
    this.refreshing ??= this.moveToCurrentPod().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const client of this.clients) client.destroy();
    await Promise.all([
      server ? new Promise((resolve) => server.close(resolve)) : undefined,
      this.drop(this.upstream),
    ]);
  }

  private async moveToCurrentPod(): Promise<void> {
    const target = await this.resolveTarget().catch((error: Error): ForwardTarget => ({
      problem: error.message,
    }));
    if ('problem' in target) {
      if (target.problem !== this.lastProblem)
        this.write(`! ${this.url}: no pod to forward to (${target.problem})`);
      this.lastProblem = target.problem;
      return;
    }
    if (this.upstream?.pod === target.pod) return;
    const started = await this.startForward(target.pod, target.port);
    if (!started.ok) {
      this.write(`! ${this.url}: port-forward to pod ${target.pod} failed: ${started.error}`);
      return;
    }
    this.lastProblem = undefined;
    const previous = this.upstream;
    this.upstream = { pod: target.pod, handle: started };
    this.write(`⇄ ${this.url} → pod ${target.pod} port ${target.port}`);
    await this.drop(previous);
  }

  private async drop(upstream: typeof this.upstream): Promise<void> {
    if (!upstream) return;
    if (this.upstream === upstream) this.upstream = undefined;
    await upstream.handle.stop();
  }

  private relay(client: net.Socket): void {
    this.clients.add(client);
    client.once('close', () => this.clients.delete(client));
    // Bytes the client sent since its upstream last answered: replayed through a new forward
    // when that upstream closes unanswered (its pod went away mid-request).
    let pending: Buffer[] = [];
    let upstream: net.Socket | undefined;
    let connecting = false;
    let closed = false;
    let switchedProtocols = false;
    let attempts = 0;
    const open = async () => {
      if (connecting || closed) return;
      connecting = true;
      if (!this.upstream) await this.refresh();
      const target = this.upstream;
      connecting = false;
      if (!target || closed) {
        client.destroy();
        return;
      }
      const socket = net.connect(target.handle.localPort, '127.0.0.1');
      upstream = socket;
      let answered = false;
      socket.once('connect', () => {
        for (const chunk of pending) socket.write(chunk);
      });
      socket.on('data', (chunk: Buffer) => {
        if (!answered && /^HTTP\/1\.[01] 101 /.test(chunk.toString('latin1', 0, 13)))
          switchedProtocols = true;
        answered = true;
        attempts = 0;
        pending = [];
        client.write(chunk);
      });
      socket.on('error', () => undefined);
      socket.on('close', () => {
        if (upstream === socket) upstream = undefined;
        if (closed) return;
        // A WebSocket (or any upgraded stream) cannot move to another pod.
        if (switchedProtocols) {
          client.end();
          return;
        }
        // Idle: the client's next request opens an upstream to the then-current pod.
        if (pending.length === 0) return;
        // Closed on a waiting request: that pod is gone, so is its forward.
        void this.drop(this.upstream === target ? target : undefined);
        if (++attempts > 2) {
          client.destroy();
          return;
        }
        void open();
      });
    };
    client.on('data', (chunk: Buffer) => {
      pending.push(chunk);
      if (!upstream) void open();
      else if (!upstream.connecting) upstream.write(chunk);
    });
    client.on('error', () => upstream?.destroy());
    client.on('end', () => upstream?.end());
    client.on('close', () => {
      closed = true;
      upstream?.destroy();
    });
  }
}
