import type { ShutdownManager } from '@todo/health';

// A registered symbol, because the standalone entry (bundled by esbuild) and the route handlers
// (bundled by Next) are separate bundles that share only the process.
const KEY = Symbol.for('todo.frontend.shutdown');
const holder = globalThis as typeof globalThis & { [KEY]?: ShutdownManager };

export function setProcessShutdown(shutdown: ShutdownManager): void {
  holder[KEY] = shutdown;
}

/** The process's shutdown manager when started through the standalone entry; else undefined. */
export function processShutdown(): ShutdownManager | undefined {
  return holder[KEY];
}
