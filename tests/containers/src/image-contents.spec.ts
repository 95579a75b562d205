import { lstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { engineCmd, run, uniqueName } from './support/engine';
import { type AppName, imageRef, readManifest } from './support/workspace';

interface ImageFile {
  path: string;
  content?: Buffer;
}

/**
 * Every file of an image's filesystem, from `<engine> export` of a created (never started)
 * container; contents are read only for the files a check needs.
 */
async function imageFiles(
  ref: string,
  keepContent: (file: string) => boolean,
): Promise<ImageFile[]> {
  const name = uniqueName('todo-ct-export');
  const dir = mkdtempSync(path.join(tmpdir(), 'todo-ct-export-'));
  await engineCmd(['create', '--name', name, ref]);
  try {
    const archive = path.join(dir, 'image.tar');
    await engineCmd(['export', '--output', archive, name]);
    const listing = await run('tar', ['-tf', archive]);
    const paths = listing.stdout
      .split('\n')
      .filter((p) => p && !p.endsWith('/'))
      .map((p) => p.replace(/^\.\//, ''));
    const wanted = paths.filter(keepContent);
    if (wanted.length) {
      const extracted = await run('tar', ['-xf', archive, '-C', dir, ...wanted]);
      if (extracted.exitCode !== 0) throw new Error(`tar -x: ${extracted.stderr}`);
    }
    return paths.map((p) => {
      const file = path.join(dir, p);
      const readable = keepContent(p) && lstatSync(file).isFile();
      return readable ? { path: p, content: readFileSync(file) } : { path: p };
    });
  } finally {
    // --volumes: the backend image declares VOLUME /data, which gives this container an anonymous one.
    await engineCmd(['rm', '--force', '--volumes', name]);
    rmSync(dir, { recursive: true, force: true });
  }
}

const isAppFile = (path: string) => path.startsWith('app/');
const inlineSourceMap = /sourceMappingURL=data:application\/json[^,]*;base64,([A-Za-z0-9+/=]+)/g;

describe.each(['backend', 'frontend'] as AppName[])('%s image contents', (app) => {
  let files: ImageFile[];

  beforeAll(async () => {
    files = await imageFiles(
      imageRef(app),
      (path) => isAppFile(path) && /\.(m?js|cjs|map)$/.test(path),
    );
  });

  it('holds the app under /app and no .env file anywhere', () => {
    expect(files.some((f) => isAppFile(f.path))).toBe(true);
    expect(files.map((f) => f.path).filter((p) => /(^|\/)\.env(\.|$)/.test(p))).toEqual([]);
  });

  it('holds no test files', () => {
    const tests = files
      .map((f) => f.path)
      .filter((p) => /\.(spec|test)\.[cm]?[jt]sx?$|(^|\/)__tests__\//.test(p));
    expect(tests).toEqual([]);
  });

  it('holds no source map that embeds sources, as a file or inline', () => {
    const embedding: string[] = [];
    for (const file of files) {
      if (!file.content) continue;
      if (file.path.endsWith('.map')) {
        const map = JSON.parse(file.content.toString('utf8')) as { sourcesContent?: unknown[] };
        if (map.sourcesContent?.some((source) => typeof source === 'string' && source.length > 0)) {
          embedding.push(file.path);
        }
        continue;
      }
      for (const match of file.content.toString('utf8').matchAll(inlineSourceMap)) {
        const map = JSON.parse(Buffer.from(match[1], 'base64').toString('utf8'));
        if (map.sourcesContent?.length) embedding.push(file.path);
      }
    }
    expect(embedding).toEqual([]);
  });

  it('runs as 1001:1001, exposes its port and carries the OCI labels', async () => {
    const config = JSON.parse(
      await engineCmd(['image', 'inspect', '--format', '{{json .Config}}', imageRef(app)]),
    ) as { User: string; ExposedPorts: Record<string, unknown>; Labels: Record<string, string> };
    expect(config.User).toBe('1001:1001');
    expect(Object.keys(config.ExposedPorts)).toEqual([app === 'backend' ? '8000/tcp' : '3000/tcp']);
    expect(config.Labels).toMatchObject({
      'org.opencontainers.image.title': `todo-${app}`,
      'org.opencontainers.image.version': expect.stringMatching(/^\d+\.\d+\.\d+/),
      'org.opencontainers.image.revision': expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    expect(config.Labels).toHaveProperty(['org.opencontainers.image.source']);
  });

  it('is the image its manifest names', async () => {
    const { id } = readManifest(app);
    const actual = (
      await engineCmd(['image', 'inspect', '--format', '{{.Id}}', imageRef(app)])
    ).trim();
    expect(id.replace(/^sha256:/, '')).toBe(actual.replace(/^sha256:/, ''));
  });
});
