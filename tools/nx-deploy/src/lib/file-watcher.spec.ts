import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { isWatchedPath, watchFiles, type FileWatcher } from './file-watcher';

/** Real files and Node's real fs.watch: what the dev loop sees when an editor saves. */
describe('watchFiles', () => {
  let root: string;
  let watcher: FileWatcher | undefined;

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'file-watcher-'));
    mkdirSync(path.join(root, 'apps/backend/src'), { recursive: true });
    mkdirSync(path.join(root, 'apps/frontend'), { recursive: true });
    writeFileSync(path.join(root, 'package-lock.json'), '{}');
  });

  afterEach(() => {
    watcher?.close();
    rmSync(root, { recursive: true, force: true });
  });

  const nextChange = () =>
    new Promise<string[]>((resolve) => {
      watcher = watchFiles(root, ['apps/backend', 'package-lock.json'], 150, resolve);
    });

  it('reports a burst of saves in watched folders and files once, after the quiet window', async () => {
    const change = nextChange();
    await new Promise((resolve) => setTimeout(resolve, 100));
    writeFileSync(path.join(root, 'apps/backend/src/main.ts'), 'one');
    writeFileSync(path.join(root, 'apps/backend/src/main.ts'), 'two');
    writeFileSync(path.join(root, 'package-lock.json'), '{"changed":true}');
    // Not watched: another app, build output, an editor's swap file.
    writeFileSync(path.join(root, 'apps/frontend/page.tsx'), 'x');
    mkdirSync(path.join(root, 'apps/backend/dist'));
    writeFileSync(path.join(root, 'apps/backend/dist/main.js'), 'x');
    writeFileSync(path.join(root, 'apps/backend/src/.main.ts.swp'), 'x');
    expect(await change).toEqual(['apps/backend/src/main.ts', 'package-lock.json']);
  });

  it('tells build output, caches and editor temp files from sources', () => {
    expect(isWatchedPath('apps/backend/src/main.ts')).toBe(true);
    expect(isWatchedPath('apps/frontend/.next/server/page.js')).toBe(false);
    expect(isWatchedPath('libs/config/node_modules/x/index.js')).toBe(false);
    expect(isWatchedPath('apps/backend/src/main.ts~')).toBe(false);
    expect(isWatchedPath('apps/backend/src/4913')).toBe(false);
  });
});
