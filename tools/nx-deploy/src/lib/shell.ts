import { type CommandResult, type CommandRunner, type RunOptions } from './exec';
import type { Progress } from './progress';

/** A runner that announces each command when --verbose is on (masked by Progress). */
export class Shell {
  constructor(
    private readonly runner: CommandRunner,
    private readonly progress: Progress,
  ) {}

  run(command: string, args: string[], options?: RunOptions): Promise<CommandResult> {
    this.progress.command(command, args);
    return this.runner(command, args, options);
  }
}
