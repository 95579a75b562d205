import type { CommandResult } from '../../lib/exec';
import type { DeployOptions } from '../../lib/deploy-options';
import { childNxEnv } from './executor';
import { buildAhead, cycleLine, describeFiles, tagsOnce, type WatchDependencies } from './watch';

describe('the dev loop cycle line', () => {
  const rolledSteps = [
    { title: 'preflight', ms: 300, ok: true },
    { title: 'build backend', ms: 3200, ok: true },
    { title: 'helm upgrade todo-app', ms: 620, ok: true, note: 'revision 7' },
    { title: 'status check todo-app', ms: 1200, ok: true },
  ];

  it('names the files, the revision and each step but preflight', () => {
    expect(
      cycleLine(
        'backend',
        ['apps/backend/src/main.ts'],
        { success: true, outcome: 'rolled' },
        rolledSteps,
        5400,
      ),
    ).toBe(
      '⟳ backend: apps/backend/src/main.ts changed → revision 7 rolled out in 5.4s (build backend 3.2s · helm upgrade todo-app 620ms · status check todo-app 1.2s)',
    );
  });

  it('says a change that leaves the content tag alone rolls nothing', () => {
    expect(
      cycleLine(
        'backend',
        ['apps/backend/src/app.spec.ts'],
        { success: true, outcome: 'up-to-date' },
        [],
        700,
      ),
    ).toBe(
      "⟳ backend: apps/backend/src/app.spec.ts changed → the image's content tag did not change: nothing built, nothing rolled (700ms)",
    );
  });

  it('says a failed cycle waits for the next change', () => {
    expect(
      cycleLine('backend', undefined, { success: false, outcome: 'failed' }, [], 1800),
    ).toMatch(/^✖ backend: first deploy → deploy failed in 1\.8s .* waiting for the next change$/);
  });

  it('names at most three files', () => {
    expect(describeFiles(['a', 'b', 'c', 'd', 'e'])).toBe('a, b, c +2 more');
  });
});

describe('a save that changes an image is built while the release is observed', () => {
  const options = { project: 'backend', engine: 'podman' } as DeployOptions;
  const world = (imagePresent: boolean) => {
    const calls: string[] = [];
    const deps = {
      env: {},
      contentTag: (project: string) => ({ image: `localhost/todo/${project}`, tag: 'a1b2c3' }),
      runner: async (command: string, args: string[]) => {
        calls.push([command, ...args].join(' '));
        return { exitCode: imagePresent ? 0 : 1, stdout: '', stderr: '' } as CommandResult;
      },
      buildImage: async (project: string) => {
        calls.push(`build ${project}`);
        return true;
      },
    } as unknown as WatchDependencies;
    return { calls, deps };
  };

  it('starts the build at once when the engine lacks the new tag, and builds it once', async () => {
    const { calls, deps } = world(false);
    const ahead = await buildAhead(options, deps);
    expect(calls).toEqual([
      'podman image inspect --format {{.Id}} localhost/todo/backend:a1b2c3',
      'build backend',
    ]);
    // The plan's build step gets the build already running, not a second one.
    await expect(ahead?.buildImage('backend')).resolves.toBe(true);
    await expect(ahead?.built).resolves.toBe(true);
    expect(calls.filter((c) => c.startsWith('build'))).toEqual(['build backend']);
  });

  it('builds nothing when the engine already holds the tag (a test-only edit, an undo)', async () => {
    const { calls, deps } = world(true);
    expect(await buildAhead(options, deps)).toBeUndefined();
    expect(calls.filter((c) => c.startsWith('build'))).toEqual([]);
  });
  it('leaves a tag it cannot compute (a file gone mid-save) to the deploy, which reports it', async () => {
    const { calls, deps } = world(false);
    deps.contentTag = () => {
      throw new Error('ENOENT: apps/backend/src/main.ts');
    };
    expect(await buildAhead(options, deps)).toBeUndefined();
    expect(calls).toEqual([]);
  });
});

describe("the environment of the deploy's child nx run", () => {
  it('loads Nx plugins in its own process unless the user chose isolation', () => {
    expect(childNxEnv({}, false)).toEqual({ NX_ISOLATE_PLUGINS: 'false' });
    expect(childNxEnv({ NX_ISOLATE_PLUGINS: 'true' }, false)).toEqual({
      NX_ISOLATE_PLUGINS: 'true',
    });
  });

  it('computes the graph itself after a save rather than wait for the daemon to redo it', () => {
    expect(childNxEnv({}, true)).toEqual({ NX_ISOLATE_PLUGINS: 'false', NX_DAEMON: 'false' });
  });
});

describe("a cycle's content tags", () => {
  it('hashes each app once however often the cycle asks', () => {
    const hashed: string[] = [];
    const tag = tagsOnce((project) => {
      hashed.push(project);
      return { image: `localhost/todo/${project}`, tag: 'a1b2c3' };
    });
    expect(tag('backend')).toEqual(tag('backend'));
    tag('frontend');
    expect(hashed).toEqual(['backend', 'frontend']);
  });
});
