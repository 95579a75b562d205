import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { engineEnv as workspaceEngineEnv } from '../../../../tools/scripts/container-image/src/lib/engine.cjs';
import { engine, workspaceRoot } from './workspace';

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** The engine's environment as the image tooling sets it, plus `extra`. */
export function engineEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...workspaceEngineEnv(), ...extra };
}

export function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const input = options.input;
    const child = spawn(command, args, {
      env: options.env ?? engineEnv(),
      cwd: workspaceRoot,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => (stdout += chunk));
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, exitCode: code ?? 1 }));
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Runs an engine command and fails with its stderr when it fails. */
export async function engineCmd(args: string[]): Promise<string> {
  const res = await run(engine, args);
  if (res.exitCode !== 0) {
    throw new Error(`${engine} ${args.join(' ')} exited ${res.exitCode}: ${res.stderr.trim()}`);
  }
  return res.stdout;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export interface ContainerSpec {
  image: string;
  env?: Record<string, string>;
  /** `<volume or host dir>:<container path>` */
  volumes?: string[];
  name?: string;
}

/**
 * A container started the way the contract demands: the image's own user, a read-only root
 * filesystem with a writable tmpfs /tmp only (plus the given volumes), the host network.
 */
export class Container {
  readonly name: string;
  startedAt = 0;

  private constructor(name: string) {
    this.name = name;
  }

  static async start(spec: ContainerSpec): Promise<Container> {
    const name = spec.name ?? uniqueName('todo-ct');
    const args = ['run', '-d', '--name', name, '--network', 'host', '--read-only'];
    args.push('--tmpfs', '/tmp:rw,size=64m,mode=1777');
    for (const volume of spec.volumes ?? []) args.push('--volume', volume);
    for (const [key, value] of Object.entries(spec.env ?? {}))
      args.push('--env', `${key}=${value}`);
    const container = new Container(name);
    container.startedAt = Date.now();
    await engineCmd([...args, spec.image]);
    return container;
  }

  async restart(): Promise<void> {
    await engineCmd(['stop', '--time', '15', this.name]);
    this.startedAt = Date.now();
    await engineCmd(['start', this.name]);
  }

  /** stdout and stderr of the container so far, kept apart. */
  async logs(): Promise<{ stdout: string; stderr: string }> {
    const res = await run(engine, ['logs', this.name]);
    return { stdout: res.stdout, stderr: res.stderr };
  }

  exec(args: string[]): Promise<CommandResult> {
    return run(engine, ['exec', this.name, ...args]);
  }

  async signal(signal: string): Promise<void> {
    await engineCmd(['kill', '--signal', signal, this.name]);
  }

  /** Waits until the container has exited and returns its exit code. */
  async wait(): Promise<number> {
    const out = await engineCmd(['wait', this.name]);
    return Number(out.trim().split('\n').pop());
  }

  async remove(): Promise<void> {
    await run(engine, ['rm', '--force', '--volumes', this.name]);
  }
}

export async function createVolume(): Promise<string> {
  const name = uniqueName('todo-ct-data');
  await engineCmd(['volume', 'create', name]);
  return name;
}

export async function removeVolume(name: string): Promise<void> {
  await run(engine, ['volume', 'rm', '--force', name]);
}

/** Polls `url` until it answers `status`; returns the milliseconds since `since`. */
export async function waitForStatus(
  url: string,
  { status = 200, since = Date.now(), timeoutMs = 30_000 } = {},
): Promise<number> {
  let last = 'no answer';
  while (Date.now() - since < timeoutMs) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.status === status) return Date.now() - since;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})`);
}

/** Lines of a log stream that are not empty. */
export function logLines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

export function isJsonObject(line: string): boolean {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
