import type { HealthLogger } from '../logger';

export interface LoggedLine {
  level: 'info' | 'warn' | 'error';
  msg: string;
  obj: Record<string, unknown>;
}

/** A pino-shaped logger that keeps what it was told, for assertions. */
export function recordingLogger(): HealthLogger & { lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const at =
    (level: LoggedLine['level']) =>
    (obj: object, msg: string): void => {
      lines.push({ level, msg, obj: obj as Record<string, unknown> });
    };
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

/** A promise plus the function that settles it, for work the test finishes on purpose. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
