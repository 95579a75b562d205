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
