import type { Masker } from './mask';

export type LogLine = (line: string) => void;

/** A finished step, as the dev loop's one-line summary of a cycle reports it. */
export interface StepRecord {
  title: string;
  ms: number;
  ok: boolean;
  note?: string;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
}

/**
 * One status line per step, with its duration; commands only with --verbose; everything through
 * the masker so a secret cannot slip into the output.
 */
export class Progress {
  constructor(
    private readonly write: LogLine,
    private readonly masker: Masker,
    readonly verbose: boolean,
    private readonly onStep?: (step: StepRecord) => void,
  ) {}

  line(text: string): void {
    this.write(this.masker.text(text));
  }

  detail(text: string): void {
    if (this.verbose) this.line(`    ${text}`);
  }

  command(command: string, args: readonly string[]): void {
    if (this.verbose) this.write(`    $ ${this.masker.command(command, args)}`);
  }

  /** A command shown as part of the result (the dry run's helm command), masked, always printed. */
  commandLine(command: string, args: readonly string[]): void {
    this.write(`  ${this.masker.command(command, args)}`);
  }

  done(title: string, startedAt: number, note?: string): void {
    const suffix = note ? ` — ${note}` : '';
    const ms = Date.now() - startedAt;
    this.onStep?.({ title, ms, ok: true, note });
    this.line(`✔ ${title}${suffix} (${formatDuration(ms)})`);
  }

  failed(title: string, startedAt: number, reason: string): void {
    const ms = Date.now() - startedAt;
    this.onStep?.({ title, ms, ok: false, note: reason });
    this.line(`✖ ${title}: ${reason} (${formatDuration(ms)})`);
  }

  skipped(title: string, reason: string): void {
    this.line(`- skip ${title}: ${reason}`);
  }
}
