import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { workspaceRoot } from './support/workspace';

const { contentTag } = require(
  path.join(workspaceRoot, 'tools/scripts/container-image/src/lib/content-tag.cjs'),
);

function makeWorkspaceIn(dirs: string[]): string {
  const dir = makeWorkspace();
  dirs.push(dir);
  return dir;
}

/** A two-project workspace (app → lib) in a fresh folder, outside any git repository. */
function makeWorkspace(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'todo-tag-'));
  const files: Record<string, string> = {
    'package-lock.json': '{"lockfileVersion":3}',
    'tsconfig.base.json': '{}',
    '.dockerignore': '*\n!dist/apps/app/\n',
    'apps/app/Dockerfile': 'ARG BASE_IMAGE=node:22\nFROM ${BASE_IMAGE}\n',
    'apps/app/src/main.ts': 'console.log("v1")',
    'apps/app/src/main.spec.ts': 'test("x", () => {})',
    'libs/lib/src/index.ts': 'export const x = 1',
    'other/README.md': 'not part of the app',
  };
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

const graph = {
  nodes: {
    app: { data: { root: 'apps/app' } },
    lib: { data: { root: 'libs/lib' } },
    other: { data: { root: 'other' } },
  },
  dependencies: { app: [{ target: 'lib' }, { target: 'npm:react' }], lib: [], other: [] },
};

const tagOf = (dir: string, baseImage = 'node:22') =>
  contentTag({
    workspaceRoot: dir,
    projectGraph: graph,
    projectName: 'app',
    dockerfile: 'apps/app/Dockerfile',
    baseImage,
  }).tag as string;

describe('content tag of an image', () => {
  const dirs: string[] = [];
  const workspace = () => {
    const dir = makeWorkspace();
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('is the same for the same sources in another folder (any machine, any checkout path)', () => {
    const a = workspace();
    const b = path.join(workspace(), 'elsewhere');
    cpSync(a, b, { recursive: true });
    expect(tagOf(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(tagOf(b)).toBe(tagOf(a));
  });

  it('changes with the app, its libraries, the Dockerfile, the lock file and the base image', () => {
    const dir = workspace();
    const seen = new Set([tagOf(dir)]);
    const edits: Array<[string, string]> = [
      ['apps/app/src/main.ts', 'console.log("v2")'],
      ['libs/lib/src/index.ts', 'export const x = 2'],
      ['apps/app/Dockerfile', 'ARG BASE_IMAGE=node:22\nFROM ${BASE_IMAGE}\nEXPOSE 1\n'],
      ['package-lock.json', '{"lockfileVersion":3,"x":1}'],
    ];
    for (const [file, content] of edits) {
      writeFileSync(path.join(dir, file), content);
      seen.add(tagOf(dir));
    }
    seen.add(tagOf(dir, 'localhost/todo/node-base:22.23.3'));
    expect(seen.size).toBe(edits.length + 2);
  });

  it('does not change with test files or with projects the app does not depend on', () => {
    const dir = workspace();
    const before = tagOf(dir);
    writeFileSync(path.join(dir, 'apps/app/src/main.spec.ts'), 'test("y", () => {})');
    writeFileSync(path.join(dir, 'other/README.md'), 'changed');
    expect(tagOf(dir)).toBe(before);
  });

  it('sees a workspace that sits, git-ignored, inside another repository', () => {
    const outer = workspace();
    const alone = tagOf(workspace());
    writeFileSync(path.join(outer, '.gitignore'), 'nested/\n');
    execFileSync('git', ['init', '-q'], { cwd: outer });
    const nested = path.join(outer, 'nested');
    cpSync(makeWorkspaceIn(dirs), nested, { recursive: true });
    expect(tagOf(nested)).toBe(alone);
    writeFileSync(path.join(nested, 'apps/app/src/main.ts'), 'console.log("v2")');
    expect(tagOf(nested)).not.toBe(alone);
  });

  it('depends on the lock entries of the packages the app uses, not on the whole lock file', () => {
    const dir = workspace();
    const node = (name: string, version: string, hash: string) => ({
      type: 'npm',
      name: `npm:${name}`,
      data: { packageName: name, version, hash },
    });
    const withPackages = (reactHash: string, otherHash: string) => ({
      nodes: {
        ...graph.nodes,
        app: {
          data: { root: 'apps/app', targets: { build: { executor: '@nx/esbuild:esbuild' } } },
        },
      },
      dependencies: {
        ...graph.dependencies,
        'npm:react': [{ target: 'npm:loose-envify' }],
        'npm:@nx/esbuild': [{ target: 'npm:esbuild' }],
        other: [{ target: 'npm:left-pad' }],
      },
      externalNodes: {
        'npm:react': node('react', '19.0.0', 'sha512-react'),
        'npm:loose-envify': node('loose-envify', '1.4.0', reactHash),
        'npm:@nx/esbuild': node('@nx/esbuild', '23.2.1', 'sha512-nx'),
        'npm:esbuild': node('esbuild', '0.28.2', 'sha512-esbuild'),
        'npm:left-pad': node('left-pad', '1.3.0', otherHash),
      },
    });
    const tag = (projectGraph: unknown) =>
      contentTag({
        workspaceRoot: dir,
        projectGraph,
        projectName: 'app',
        dockerfile: 'apps/app/Dockerfile',
        baseImage: 'node:22',
      });
    const before = tag(withPackages('sha512-a', 'sha512-x'));
    expect(before.packages).toEqual([
      'npm:@nx/esbuild@23.2.1 sha512-nx',
      'npm:esbuild@0.28.2 sha512-esbuild',
      'npm:loose-envify@1.4.0 sha512-a',
      'npm:react@19.0.0 sha512-react',
    ]);
    // Another project's package and the lock file's bytes do not matter; a transitive one does.
    writeFileSync(path.join(dir, 'package-lock.json'), '{"lockfileVersion":3,"x":2}');
    expect(tag(withPackages('sha512-a', 'sha512-y')).tag).toBe(before.tag);
    expect(tag(withPackages('sha512-b', 'sha512-x')).tag).not.toBe(before.tag);
  });
});
