import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';
import { consoleLogger, type HealthLogger } from './logger';

export type ShutdownState = 'serving' | 'draining' | 'stopped';

export interface ShutdownOptions {
  /**
   * Deadline, counted from the signal, for in-flight work to finish. Past it the remaining
   * connections are cut, close hooks still run, and the exit code is 1. Default 10 000 ms;
   * keep it (plus the hooks' time) below the pod's terminationGracePeriodSeconds.
   */
  timeoutMs?: number;
  /** How long one close hook may take before it counts as failed. Default 5000 ms. */
  hookTimeoutMs?: number;
  /**
   * Time between readiness turning 503 and the servers refusing new connections, so load
   * balancers can stop routing here first. Default 0 (close at once).
   */
  drainDelayMs?: number;
  /** pino-compatible; defaults to JSON lines on the console. */
  logger?: HealthLogger;
  /** Called once with 0 (clean drain) or 1 (deadline passed or a hook failed). */
  exit?: (code: number) => void;
  /** Signals `listen()` reacts to. Default SIGTERM and SIGINT. */
  signals?: NodeJS.Signals[];
}

interface CloseHook {
  name: string;
  close: () => unknown | Promise<unknown>;
}

interface TrackedServer {
  server: Server;
  responses: Set<ServerResponse>;
  draining: boolean;
  closed: boolean;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_HOOK_TIMEOUT_MS = 5_000;

function positive(field: string, value: number, allowZero = false): number {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    const rule = allowZero ? 'zero or more' : 'a positive number of';
    throw new TypeError(`${field}: must be ${rule} milliseconds, got ${String(value)}`);
  }
  return value;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * serving → draining → stopped. On a signal (or `shutdown()`), readiness fails at once, tracked
 * servers stop accepting connections, in-flight work gets until the deadline, close hooks run in
 * reverse order of registration (last opened, first closed), then `exit` is called.
 */
export class ShutdownManager {
  private currentState: ShutdownState = 'serving';
  private readonly hooks: CloseHook[] = [];
  private readonly servers = new Map<Server, TrackedServer>();
  private inFlightWork = 0;
  /** Set once the drain has told the servers to stop accepting connections. */
  private serversClosing = false;
  private readonly waiters = new Set<() => void>();
  private shutdownPromise: Promise<number> | undefined;
  private readonly signalHandlers = new Map<NodeJS.Signals, () => void>();

  private readonly timeoutMs: number;
  private readonly hookTimeoutMs: number;
  private readonly drainDelayMs: number;
  private readonly logger: HealthLogger;
  private readonly exit: (code: number) => void;
  private readonly signals: NodeJS.Signals[];

  constructor(options: ShutdownOptions = {}) {
    this.timeoutMs = positive('timeoutMs', options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.hookTimeoutMs = positive(
      'hookTimeoutMs',
      options.hookTimeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS,
    );
    this.drainDelayMs = positive('drainDelayMs', options.drainDelayMs ?? 0, true);
    this.logger = options.logger ?? consoleLogger;
    this.exit = options.exit ?? ((code) => process.exit(code));
    this.signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  }

  get state(): ShutdownState {
    return this.currentState;
  }

  /** True while new work should be routed here (what readiness reports). */
  get isServing(): boolean {
    return this.currentState === 'serving';
  }

  /** Requests on tracked servers plus `track()`ed work that have not finished yet. */
  get inFlight(): number {
    let count = this.inFlightWork;
    for (const tracked of this.servers.values()) count += tracked.responses.size;
    return count;
  }

  /** Registers a resource to release on shutdown; hooks run last-registered first. */
  onClose(name: string, close: CloseHook['close']): this {
    if (typeof name !== 'string' || name.trim() === '') {
      throw new TypeError('name: must be a non-empty string');
    }
    if (typeof close !== 'function') throw new TypeError(`close (${name}): must be a function`);
    this.hooks.push({ name, close });
    return this;
  }

  /** Counts non-HTTP work (a queue job, a stream) as in flight until it settles. */
  track<T>(work: Promise<T>): Promise<T> {
    this.inFlightWork += 1;
    const settle = () => {
      this.inFlightWork -= 1;
      this.notify();
    };
    work.then(settle, settle);
    return work;
  }

  /**
   * Follows a node http(s) server: counts its in-flight requests and, when draining, stops it
   * accepting connections and answers every request still in flight or still arriving on an
   * open keep-alive socket with `Connection: close`. Calling it twice for the same server is
   * harmless.
   */
  trackServer(server: Server): this {
    if (this.servers.has(server)) return this;
    const tracked: TrackedServer = { server, responses: new Set(), draining: false, closed: false };
    this.servers.set(server, tracked);

    // First among the listeners: a handler that answers within its own listener call (Fastify
    // does for a synchronous route) must already find `Connection: close` set while draining.
    server.prependListener('request', (_request: IncomingMessage, response: ServerResponse) => {
      tracked.responses.add(response);
      if (tracked.draining && !response.headersSent) response.setHeader('connection', 'close');
      response.once('close', () => {
        tracked.responses.delete(response);
        this.notify();
      });
    });
    // A server handed over after the drain began (a signal during start-up) closes at once.
    if (this.serversClosing) this.stopAccepting(tracked);
    return this;
  }

  /** Installs the signal handlers; a second signal during a drain only logs. */
  listen(): this {
    for (const signal of this.signals) {
      if (this.signalHandlers.has(signal)) continue;
      const handler = () => {
        void this.shutdown(signal);
      };
      this.signalHandlers.set(signal, handler);
      process.on(signal, handler);
    }
    return this;
  }

  /** Removes the handlers `listen()` installed. */
  unlisten(): this {
    for (const [signal, handler] of this.signalHandlers) process.off(signal, handler);
    this.signalHandlers.clear();
    return this;
  }

  /**
   * Starts the shutdown (or returns the one already running) and resolves with the exit code
   * that was passed to `exit`.
   */
  shutdown(reason = 'shutdown'): Promise<number> {
    if (this.shutdownPromise) {
      this.logger.warn({ reason, state: this.currentState }, 'shutdown already in progress');
      return this.shutdownPromise;
    }
    // Synchronously, so the very next readiness probe already sees it.
    this.currentState = 'draining';
    this.shutdownPromise = this.run(reason);
    return this.shutdownPromise;
  }

  private async run(reason: string): Promise<number> {
    const started = Date.now();
    this.logger.info(
      { reason, inFlight: this.inFlight, timeoutMs: this.timeoutMs },
      'shutdown started: readiness now fails, draining in-flight work',
    );

    const drained = await this.drain(started + this.timeoutMs);
    if (drained) {
      this.logger.info({ durationMs: Date.now() - started }, 'drained all in-flight work');
    } else {
      this.logger.warn(
        { inFlight: this.inFlight, timeoutMs: this.timeoutMs },
        'shutdown deadline passed with work still in flight: closing remaining connections',
      );
      this.forceClose();
    }

    const hooksSucceeded = await this.runHooks();
    const exitCode = drained && hooksSucceeded ? 0 : 1;
    this.currentState = 'stopped';
    this.unlisten();
    this.logger.info({ exitCode, durationMs: Date.now() - started }, 'shutdown complete');
    this.exit(exitCode);
    return exitCode;
  }

  /** Resolves true when everything finished before the deadline, false otherwise. */
  private async drain(deadline: number): Promise<boolean> {
    if (this.drainDelayMs > 0) await sleep(Math.min(this.drainDelayMs, deadline - Date.now()));
    this.serversClosing = true;
    for (const tracked of this.servers.values()) this.stopAccepting(tracked);

    const isDone = () =>
      this.inFlight === 0 && [...this.servers.values()].every((tracked) => tracked.closed);
    if (isDone()) return true;

    return new Promise<boolean>((resolve) => {
      const waiter = () => {
        if (!isDone()) return;
        finish(true);
      };
      const timer = setTimeout(
        () => {
          // Nothing in flight, only idle keep-alive sockets whose announced timeout outlasts the
          // deadline (Fastify announces 72 s): closing them now loses no request.
          const onlyIdle = this.inFlight === 0;
          if (onlyIdle)
            for (const tracked of this.servers.values()) tracked.server.closeIdleConnections();
          finish(onlyIdle);
        },
        Math.max(0, deadline - Date.now()),
      );
      const finish = (result: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(result);
      };
      this.waiters.add(waiter);
    });
  }

  private stopAccepting(tracked: TrackedServer): void {
    tracked.draining = true;
    // net.Server#close, not http.Server#close, which since Node 19 also destroys idle keep-alive
    // sockets at once: a client may be writing its next request on one of them at that moment
    // (a load balancer keeps established connections on this pod after it leaves the endpoints)
    // and would get a reset. For the same reason a socket whose last answer promised keep-alive
    // is not ended either. Each such socket ends after its next answer, sent with
    // `Connection: close`, or unused when the keep-alive timeout every answer announced expires.
    NetServer.prototype.close.call(tracked.server, () => {
      // Also reached with ERR_SERVER_NOT_RUNNING when it never listened: nothing to wait for.
      tracked.closed = true;
      this.notify();
    });
    for (const response of tracked.responses) {
      if (!response.headersSent) response.setHeader('connection', 'close');
    }
  }

  private forceClose(): void {
    for (const tracked of this.servers.values()) {
      tracked.server.closeAllConnections();
    }
  }

  private async runHooks(): Promise<boolean> {
    let allSucceeded = true;
    for (const hook of [...this.hooks].reverse()) {
      const started = Date.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(hook.close),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`timed out after ${this.hookTimeoutMs} ms`)),
              this.hookTimeoutMs,
            );
          }),
        ]);
        this.logger.info({ hook: hook.name, durationMs: Date.now() - started }, 'closed');
      } catch (err) {
        allSucceeded = false;
        this.logger.error({ hook: hook.name, err }, 'close hook failed');
      } finally {
        clearTimeout(timer);
      }
    }
    return allSucceeded;
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
