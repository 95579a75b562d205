import { createInterface } from 'node:readline';
import { startLogStream, type LogStream, type LogStreamStarter } from './exec';
import type { LogLine } from './progress';

/**
 * The dev loop's log view: one `kubectl logs -f --prefix` per pod, so every line names its pod
 * and container. A stream ends by itself when its pod goes away (a rollout's old pods print
 * their shutdown lines first); `follow` adds the streams of pods not followed yet.
 */
export class PodLogs {
  private readonly streams = new Map<string, LogStream>();

  constructor(
    private readonly argsFor: (pod: string, tail: number) => string[],
    private readonly write: LogLine,
    private readonly start: LogStreamStarter = startLogStream,
  ) {}

  /** `tail`: how many earlier lines of each newly followed pod to show (-1: all). */
  follow(pods: string[], tail: number): void {
    for (const pod of pods) {
      if (this.streams.has(pod)) continue;
      const stream = this.start(this.argsFor(pod, tail));
      this.streams.set(pod, stream);
      for (const output of [stream.stdout, stream.stderr]) {
        if (!output) continue;
        createInterface({ input: output }).on('line', (line) => {
          // kubectl's own complaints (a pod gone before its stream started) carry no prefix.
          this.write(line.startsWith('[') ? line : `[pod/${pod}] ${line}`);
        });
      }
      void stream.ended.then(() => {
        if (this.streams.get(pod) === stream) this.streams.delete(pod);
      });
    }
  }

  async stop(): Promise<void> {
    const streams = [...this.streams.values()];
    this.streams.clear();
    await Promise.all(streams.map((s) => s.stop()));
  }
}
