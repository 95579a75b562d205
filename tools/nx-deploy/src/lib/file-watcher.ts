import { statSync, watch, type FSWatcher } from 'node:fs';
import * as path from 'node:path';

/** Build output, caches and VCS data: never an input of an image, and busy while a build runs. */
const IGNORED_SEGMENTS = new Set([
  'node_modules',
  '.next',
  'dist',
  'coverage',
  '.nx',
  'tmp',
  '.git',
  'out-tsc',
  'test-output',
]);
/** Editors' swap and backup files (vim's 4913 probe, foo.ts~, .foo.ts.swp, emacs' #foo#). */
const EDITOR_TEMP = /(^|\/)(4913|\.#.*|#.*#|.*~|\..*\.sw[a-p])$/;

export function isWatchedPath(relative: string): boolean {
  const segments = relative.split(/[\\/]/);
  return !segments.some((s) => IGNORED_SEGMENTS.has(s)) && !EDITOR_TEMP.test(relative);
}

export interface FileWatcher {
  close(): void;
}

/**
 * Watches folders (recursively) and single files, relative to `root`, and calls `onChange` with
 * the changed paths once nothing has changed for `quietMs` — one call per save, however many
 * events the editor's write makes. A single file is watched through its folder, because editors
 * that save by renaming replace the file a direct watch would follow.
 */
export function watchFiles(
  root: string,
  paths: string[],
  quietMs: number,
  onChange: (files: string[]) => void,
): FileWatcher {
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const record = (relative: string) => {
    if (!isWatchedPath(relative)) return;
    pending.add(relative.split(path.sep).join('/'));
    clearTimeout(timer);
    timer = setTimeout(() => {
      const files = [...pending].sort();
      pending.clear();
      onChange(files);
    }, quietMs);
  };
  const watchers: FSWatcher[] = [];
  const files = new Map<string, Set<string>>();
  for (const entry of paths) {
    const absolute = path.resolve(root, entry);
    let isFolder = false;
    try {
      // A path that does not exist yet (an optional values file) is watched through its folder.
      isFolder = statSync(absolute).isDirectory();
    } catch {
      isFolder = false;
    }
    if (isFolder) {
      watchers.push(
        watch(absolute, { recursive: true }, (_event, name) => {
          if (name) record(path.relative(root, path.join(absolute, name.toString())));
        }),
      );
    } else {
      const folder = path.dirname(absolute);
      const names = files.get(folder) ?? new Set<string>();
      names.add(path.basename(absolute));
      files.set(folder, names);
    }
  }
  for (const [folder, names] of files) {
    watchers.push(
      watch(folder, (_event, name) => {
        if (name && names.has(name.toString()))
          record(path.relative(root, path.join(folder, name.toString())));
      }),
    );
  }
  return {
    close() {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
