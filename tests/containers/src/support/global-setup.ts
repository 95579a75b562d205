import { spawnSync } from 'node:child_process';
import { engineEnv } from './engine';
import { engine, readManifest, workspaceRoot } from './workspace';

/**
 * Makes what the suite needs, through the same tools CI and users run: the local Node base image
 * (no registry is reachable) and both app images via `nx run-many -t docker-build`, which builds
 * only what is missing or changed. BASE_IMAGE, when set, names an existing base instead.
 */
export default function globalSetup(): void {
  const env = engineEnv({ CONTAINER_ENGINE: engine, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' });
  if (!env.BASE_IMAGE) {
    const base = spawnSync('bash', ['tools/scripts/make-base-image.sh'], {
      cwd: workspaceRoot,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (base.status !== 0)
      throw new Error('tools/scripts/make-base-image.sh failed (output above)');
    env.BASE_IMAGE = base.stdout.trim().split('\n').pop();
  }
  const build = spawnSync(
    'npx',
    ['nx', 'run-many', '-t', 'docker-build', '-p', 'backend,frontend', '--outputStyle=static'],
    { cwd: workspaceRoot, env, stdio: 'inherit' },
  );
  if (build.status !== 0) throw new Error('nx run-many -t docker-build failed (output above)');
  for (const app of ['backend', 'frontend'] as const) readManifest(app);
}
