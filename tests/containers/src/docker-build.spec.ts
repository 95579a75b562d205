import { spawnSync } from 'node:child_process';
import { engineCmd, engineEnv, run } from './support/engine';
import { engine, imageRef, readManifest, workspaceRoot } from './support/workspace';

/** `nx docker-build frontend` alone (its build is already done), as a user would run it. */
function dockerBuildFrontend(baseImage?: string): { output: string; status: number | null } {
  const base = spawnSync('bash', ['tools/scripts/make-base-image.sh'], {
    cwd: workspaceRoot,
    env: engineEnv({ CONTAINER_ENGINE: engine }),
    encoding: 'utf8',
  });
  const env = engineEnv({
    CONTAINER_ENGINE: engine,
    BASE_IMAGE: baseImage ?? process.env.BASE_IMAGE ?? base.stdout.trim().split('\n').pop(),
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
  });
  const res = spawnSync(
    'npx',
    ['nx', 'run', 'frontend:docker-build', '--excludeTaskDependencies', '--outputStyle=static'],
    { cwd: workspaceRoot, env, encoding: 'utf8' },
  );
  return { output: `${res.stdout}\n${res.stderr}`, status: res.status };
}

async function engineImageId(ref: string): Promise<string | undefined> {
  const res = await run(engine, ['image', 'inspect', '--format', '{{.Id}}', ref]);
  return res.exitCode === 0 ? res.stdout.trim().replace(/^sha256:/, '') : undefined;
}

describe('docker-build target', () => {
  it('builds nothing when nothing changed: the same tag and image id come back', async () => {
    const before = readManifest('frontend');
    const run1 = dockerBuildFrontend();
    expect(run1.status).toBe(0);
    expect(run1.output).not.toMatch(/STEP \d+\/\d+/);
    expect(readManifest('frontend')).toEqual(before);
  });

  it('rebuilds when the cached manifest names an image the engine no longer has', async () => {
    const { image, tag } = readManifest('frontend');
    await engineCmd(['rmi', '--force', `${image}:${tag}`, `${image}:dev`]);
    expect(await engineImageId(`${image}:${tag}`)).toBeUndefined();

    const rebuilt = dockerBuildFrontend();
    expect(rebuilt.status).toBe(0);
    const after = readManifest('frontend');
    expect(after.tag).toBe(tag);
    expect(after.id.replace(/^sha256:/, '')).toBe(await engineImageId(imageRef('frontend')));
    expect(await engineImageId(`${image}:dev`)).toBe(after.id.replace(/^sha256:/, ''));
  });

  it('names BASE_IMAGE and make-base-image.sh when the base cannot be pulled', async () => {
    // A registry on a loopback port where nothing listens: the pull fails as it does on a machine
    // that reaches no registry, without dialling any address off this machine.
    const before = readManifest('frontend');
    const failed = dockerBuildFrontend('127.0.0.1:9/todo/no-such-base:1');
    expect(failed.status).not.toBe(0);
    expect(failed.output).toContain(
      'the base image 127.0.0.1:9/todo/no-such-base:1 (from BASE_IMAGE) is not in',
    );
    expect(failed.output).toContain(
      'export BASE_IMAGE=$(tools/scripts/make-base-image.sh | tail -1)',
    );
    expect(readManifest('frontend')).toEqual(before);
  });
});
