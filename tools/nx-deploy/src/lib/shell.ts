import {
  httpGet,
  startPortForward,
  type CommandResult,
  type CommandRunner,
  type HttpGetter,
  type HttpResult,
  type PortForwardResult,
  type PortForwardStarter,
  type RunOptions,
} from './exec';
import type { Progress } from './progress';

/** A runner that announces each command when --verbose is on (masked by Progress). */
export class Shell {
  constructor(
    private readonly runner: CommandRunner,
    private readonly progress: Progress,
    private readonly starter: PortForwardStarter = startPortForward,
    private readonly getter: HttpGetter = httpGet,
  ) {}

  run(command: string, args: string[], options?: RunOptions): Promise<CommandResult> {
    this.progress.command(command, args);
    return this.runner(command, args, options);
  }

  /** A long-running port-forward; stop it in a `finally`. */
  portForward(command: string, args: string[], timeoutMs?: number): Promise<PortForwardResult> {
    this.progress.command(command, args);
    return this.starter(command, args, { timeoutMs });
  }

  get(url: string, timeoutMs: number): Promise<HttpResult> {
    this.progress.command('GET', [url]);
    return this.getter(url, timeoutMs);
  }
}
