import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

/**
 * The one module that starts processes. Everything else receives a `CommandRunner`, so plans can
 * be computed and tested without any process, and so the caller — not this layer — decides what a
 * non-zero exit means.
 */
export interface CommandResult {
  command: string;
  args: string[];
  stdout: string;
  stderr: string;
  exitCode: number;
  /** True when the executable was not found on PATH. */
  notFound: boolean;
  durationMs: number;
}

export interface RunOptions {
  /** Written to the child's stdin (used for secrets, so they never appear in argv). */
  input?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Stream the child's output to this process's stdout/stderr while capturing it. */
  stream?: boolean;
}

export type CommandRunner = (
  command: string,
  args: string[],
  options?: RunOptions,
) => Promise<CommandResult>;

export const execCommand: CommandRunner = async (command, args, options = {}) => {
  const { execa } = await import('execa');
  const started = Date.now();
  const child = execa(command, args, {
    reject: false,
    input: options.input,
    cwd: options.cwd,
    env: options.env,
    extendEnv: true,
    timeout: options.timeoutMs,
    stripFinalNewline: true,
    stdin: options.input === undefined ? 'ignore' : 'pipe',
  });
  if (options.stream) {
    child.stdout?.on('data', (chunk: Buffer) => process.stdout.write(chunk));
    child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  }
  const result = await child;
  const notFound = (result as { code?: string }).code === 'ENOENT';
  const exitCode =
    typeof result.exitCode === 'number' ? result.exitCode : notFound ? 127 : result.failed ? 1 : 0;
  return {
    command,
    args,
    stdout: typeof result.stdout === 'string' ? result.stdout : '',
    stderr: notFound
      ? `${command}: command not found`
      : typeof result.stderr === 'string'
        ? result.stderr
        : '',
    exitCode,
    notFound,
    durationMs: Date.now() - started,
  };
};

/** A failed command's error text, up to `max` non-empty lines (Helm explains on later lines). */
export function errorLines(result: CommandResult, max = 12): string[] {
  const lines = (result.stderr || result.stdout)
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim().length > 0);
  return lines.slice(0, max);
}

/** The first non-empty line of a failed command's output, for one-line messages. */
export function firstErrorLine(result: CommandResult): string {
  const text = `${result.stderr}\n${result.stdout}`;
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  return line ?? `${result.command} exited with code ${result.exitCode}`;
}

/** A long-running `kubectl port-forward`: the local port it listens on, and how to end it. */
export interface PortForwardHandle {
  localPort: number;
  remotePort: number;
  stop: () => Promise<void>;
}

export type PortForwardResult = ({ ok: true } & PortForwardHandle) | { ok: false; error: string };

export type PortForwardStarter = (
  command: string,
  args: string[],
  options?: { timeoutMs?: number },
) => Promise<PortForwardResult>;

const FORWARDING = /Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)/;

/**
 * Starts `kubectl … port-forward …` as a child that keeps running, resolves once it prints
 * "Forwarding from 127.0.0.1:NNNNN -> PORT" (or with its error when it exits or stays silent).
 * The caller must `stop()` it, in a `finally`.
 */
export const startPortForward: PortForwardStarter = async (command, args, options = {}) => {
  const { execa } = await import('execa');
  const child = execa(command, args, {
    reject: false,
    buffer: false,
    stdin: 'ignore',
    extendEnv: true,
    forceKillAfterDelay: 2000,
  });
  let stdout = '';
  let stderr = '';
  const stop = async () => {
    if (child.exitCode === null && !child.killed) child.kill('SIGTERM');
    await child;
  };
  return new Promise<PortForwardResult>((resolve) => {
    let settled = false;
    const settle = (result: PortForwardResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // A failed forward is ended before its result is handed back: no child outlives it.
      if (result.ok) resolve(result);
      else void stop().then(() => resolve(result));
    };
    const firstLine = (text: string) =>
      text
        .split('\n')
        .map((l) => l.trim())
        .find((l) => l.length > 0);
    const timer = setTimeout(
      () =>
        settle({
          ok: false,
          error:
            firstLine(stderr) ??
            `no "Forwarding from" line within ${Math.round((options.timeoutMs ?? 15_000) / 1000)}s`,
        }),
      options.timeoutMs ?? 15_000,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = FORWARDING.exec(stdout);
      if (match) {
        settle({ ok: true, localPort: Number(match[1]), remotePort: Number(match[2]), stop });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    void child.then((result) => {
      const notFound = (result as { code?: string }).code === 'ENOENT';
      settle({
        ok: false,
        error: notFound
          ? `${command}: command not found`
          : (firstLine(stderr) ??
            firstLine(stdout) ??
            `${command} exited with code ${result.exitCode ?? 'unknown'} and printed nothing`),
      });
    });
  });
};

export type HttpResult = { ok: true; status: number; body: string } | { ok: false; error: string };

export type HttpGetter = (url: string, timeoutMs: number) => Promise<HttpResult>;

/** GET with a deadline; a refused connection or a timeout is an answer, not an exception. */
export const httpGet: HttpGetter = async (url, timeoutMs) => {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { ok: true, status: response.status, body: await response.text() };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const name = (error as Error).name;
    return {
      ok: false,
      error:
        name === 'TimeoutError'
          ? `no answer within ${Math.round(timeoutMs / 1000)}s`
          : (cause?.code ?? cause?.message ?? (error as Error).message),
    };
  }
};

export interface LogStream {
  stdout: Readable | null;
  stderr: Readable | null;
  /** Settles when the stream's process has ended. */
  ended: Promise<unknown>;
  stop(): Promise<void>;
}

/** Starts a long-running `kubectl logs -f …` . */
export type LogStreamStarter = (args: string[]) => LogStream;

export const startLogStream: LogStreamStarter = (args) => {
  // Node's spawn rather than execa (ESM-only, loaded asynchronously): a stream starts synchronously.
  const child = spawn('kubectl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const ended = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', () => resolve());
  });
  return {
    stdout: child.stdout,
    stderr: child.stderr,
    ended,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await ended;
    },
  };
};

export const shellQuote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/**
 * Runs a shell script outside this process's tree and terminal session (the `sh -c '… &'` that
 * starts it exits at once), its output in `log`: it finishes even when the task is being stopped.
 */
export function runDetached(script: string, log: string, env: NodeJS.ProcessEnv): void {
  spawn('sh', ['-c', `(${script}) > "$0" 2>&1 &`, log], {
    detached: true,
    stdio: 'ignore',
    env,
  }).unref();
}
