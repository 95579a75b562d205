/**
 * Integration tests of the deploy executor. No Kubernetes cluster, Minikube or kind can run on
 * the CI machine, so minikube, kubectl, helm, docker, podman and kind are the recorded shims of
 * test/shims (first on PATH): they log their arguments and replay the real tools' documented
 * outputs and failures. Helm's flag parsing and chart rendering are the real Helm 3.17 / 4.1, and
 * the chart is the real deploy/helm/todo-app.
 */
import type { ExecutorContext } from '@nx/devkit';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { argsOf, FAKE_BUILD, REAL_CHART, ShimWorld, type Tool } from '../../../test/harness';
import { normalizeDeployOptions } from '../../lib/deploy-options';
import { execCommand } from '../../lib/exec';
import deployExecutor, { runDeploy } from './executor';
import type { DeployExecutorSchema } from './schema';

const DEV: Omit<DeployExecutorSchema, 'namespace'> & { namespace: string } = {
  namespace: 'todo-dev',
  chart: REAL_CHART,
  valuesFiles: [path.join(REAL_CHART, 'values-dev.yaml')],
  imageDelivery: 'minikube',
  timeout: '2m',
};

const BACKEND_V1 = '1a2b3c4d5e6f7081';
const FRONTEND_V1 = 'f0e1d2c3b4a59687';

let world: ShimWorld;

function setUp(options: ConstructorParameters<typeof ShimWorld>[0] = {}) {
  world = new ShimWorld(options);
  world.enter();
  return world;
}

afterEach(() => world?.leave());

async function deploy(project: string, overrides: Partial<DeployExecutorSchema> = {}) {
  const lines: string[] = [];
  const built: string[] = [];
  const options = normalizeDeployOptions(
    { ...DEV, ...overrides },
    project,
    world.root,
    process.env,
  );
  const result = await runDeploy(options, {
    runner: execCommand,
    buildImage: async (p) => {
      built.push(p);
      return false;
    },
    write: (line) => lines.push(line),
    env: process.env,
  });
  return { ...result, output: lines.join('\n'), lines, built };
}

function deployedValues(w: ShimWorld) {
  const revisions = w.state().releases?.['todo-dev/todo-app']?.revisions ?? [];
  return revisions[revisions.length - 1] as {
    revision: number;
    status: string;
    values: Record<string, { image: { tag: string } }>;
  };
}

describe('deploy executor against recorded cluster shims', () => {
  it('first deploy loads both images into minikube, installs the release with both content tags, verifies and prints the URL', async () => {
    setUp();
    world.image('frontend', 'todo-frontend', FRONTEND_V1);
    world.image('backend', 'todo-backend', BACKEND_V1);

    const result = await deploy('frontend');

    expect(result.output).toContain('first install of the release');
    expect(result.success).toBe(true);
    const loads = argsOf(world.calls('minikube'), 'load');
    expect(loads).toEqual([
      ['-p', 'minikube', 'image', 'load', `todo-frontend:${FRONTEND_V1}`],
      ['-p', 'minikube', 'image', 'load', `todo-backend:${BACKEND_V1}`],
    ]);
    const [upgrade] = argsOf(world.calls('helm'), 'upgrade');
    expect(upgrade).toEqual(
      expect.arrayContaining([
        '--install',
        'todo-app',
        '--create-namespace',
        '--wait',
        '--atomic',
        '--kube-context',
        'minikube',
      ]),
    );
    expect(upgrade.join(' ')).toContain(`--set-string frontend.image.tag=${FRONTEND_V1}`);
    expect(upgrade.join(' ')).toContain(`--set-string backend.image.tag=${BACKEND_V1}`);
    expect(upgrade.join(' ')).toContain(`-f ${path.join(REAL_CHART, 'values-dev.yaml')}`);
    expect(argsOf(world.calls('kubectl'), 'rollout')[0]).toContain('deployment/todo-app-frontend');
    expect(argsOf(world.calls('kubectl'), '--raw').map((a) => a[a.length - 1])).toContain(
      '/api/v1/namespaces/todo-dev/services/todo-app-frontend:http/proxy/ready',
    );
    expect(result.output).toMatch(/frontend answers at http:\/\/192\.168\.49\.2:30000/);
    expect(deployedValues(world).values.frontend.image.tag).toBe(FRONTEND_V1);
    // Every step line carries its duration.
    for (const line of result.lines.filter((l) => l.startsWith('✔')))
      expect(line).toMatch(/\((\d+ms|\d+\.\ds)\)$/);
  });

  it('a second deploy with nothing changed builds, loads and rolls nothing and says so in one line', async () => {
    setUp();
    world.image('frontend', 'todo-frontend', FRONTEND_V1);
    world.image('backend', 'todo-backend', BACKEND_V1);
    expect((await deploy('frontend')).success).toBe(true);
    world.clearCalls();

    const again = await deploy('frontend');

    expect(again.success).toBe(true);
    expect(again.built).toEqual([]);
    const upToDate = again.lines.filter((l) => l.includes('up to date'));
    expect(upToDate).toHaveLength(1);
    expect(upToDate[0]).toContain('nothing built, loaded or rolled out');
    const calls = world.calls();
    expect(argsOf(calls, 'upgrade')).toEqual([]);
    expect(argsOf(calls, 'load')).toEqual([]);
    expect(argsOf(calls, 'rollout')).toEqual([]);
    expect(calls.filter((c) => c.tool === 'docker' && c.args[0] === 'build')).toEqual([]);
  });

  it('deploying one changed app keeps the other app at its deployed tag and loads only the changed image', async () => {
    setUp();
    world.image('frontend', 'todo-frontend', FRONTEND_V1);
    world.image('backend', 'todo-backend', BACKEND_V1);
    expect((await deploy('frontend')).success).toBe(true);
    // The frontend's working copy moves on, but only the backend is deployed now.
    world.image('frontend', 'todo-frontend', 'aaaaaaaaaaaaaaaa');
    world.image('backend', 'todo-backend', 'bbbbbbbbbbbbbbbb');
    world.clearCalls();

    const result = await deploy('backend');

    expect(result.success).toBe(true);
    expect(result.output).toContain('new image: backend 1a2b3c4d5e6f… → bbbbbbbbbbbb…');
    expect(argsOf(world.calls('minikube'), 'load')).toEqual([
      ['-p', 'minikube', 'image', 'load', 'todo-backend:bbbbbbbbbbbbbbbb'],
    ]);
    const [upgrade] = argsOf(world.calls('helm'), 'upgrade');
    expect(upgrade.join(' ')).toContain(`--set-string frontend.image.tag=${FRONTEND_V1}`);
    expect(upgrade.join(' ')).toContain('--set-string backend.image.tag=bbbbbbbbbbbbbbbb');
    expect(upgrade).not.toContain('--reuse-values');
    const values = deployedValues(world).values;
    expect(values.frontend.image.tag).toBe(FRONTEND_V1);
    expect(values.backend.image.tag).toBe('bbbbbbbbbbbbbbbb');
  });

  it('skips the load when minikube already lists the tag', async () => {
    setUp({
      state: {
        minikube: {
          images: [
            `docker.io/library/todo-frontend:${FRONTEND_V1}`,
            `docker.io/library/todo-backend:${BACKEND_V1}`,
          ],
        },
      },
    });
    world.image('frontend', 'todo-frontend', FRONTEND_V1, { inEngine: false });
    world.image('backend', 'todo-backend', BACKEND_V1, { inEngine: false });

    const result = await deploy('frontend');

    expect(result.success).toBe(true);
    expect(result.built).toEqual([]);
    expect(argsOf(world.calls('minikube'), 'load')).toEqual([]);
    expect(result.output).toContain(
      `skip load into minikube (minikube) frontend: the cluster already has todo-frontend:${FRONTEND_V1}`,
    );
  });

  it('a failed rollout prints the pod states, events and last log lines, then the rollback result, and fails', async () => {
    setUp({
      state: {
        failImages: ['todo-backend:bad'],
        failLog: Array.from({ length: 60 }, (_, i) => `log line ${i + 1}`).join('\n'),
      },
    });
    world.image('frontend', 'todo-frontend', FRONTEND_V1);
    world.image('backend', 'todo-backend', BACKEND_V1);
    expect((await deploy('frontend')).success).toBe(true);
    world.image('backend', 'todo-backend', 'bad0bad0bad0bad0');

    const result = await deploy('backend');

    expect(result.success).toBe(false);
    expect(result.output).toContain(
      '✖ helm upgrade todo-app: Error: UPGRADE FAILED: release todo-app failed, and has been rolled back due to atomic being set',
    );
    expect(result.output).toMatch(
      /container backend keeps crashing and restarting \(CrashLoopBackOff, 4 restarts; last exit: Error with code 1\)/,
    );
    expect(result.output).toContain(
      'event BackOff: Back-off restarting failed container in pod (×12)',
    );
    expect(result.output).toContain('last 50 log lines of the crashed container:');
    expect(result.output).toContain('| log line 60');
    expect(result.output).not.toContain('| log line 10\n');
    expect(result.output).toContain(
      'rollback: Helm rolled the release back — release todo-app is at revision 3 (deployed)',
    );
    expect(argsOf(world.calls('kubectl'), 'logs')[0]).toEqual(
      expect.arrayContaining(['--tail=50', '--previous']),
    );
    expect(deployedValues(world).values.backend.image.tag).toBe(BACKEND_V1);
  });

  it('Helm 4 reports its rollback through --rollback-on-failure', async () => {
    setUp({ helmMajor: 4, state: { failImages: ['todo-backend:bad'] } });
    world.image('frontend', 'todo-frontend', FRONTEND_V1);
    world.image('backend', 'todo-backend', BACKEND_V1);
    expect((await deploy('frontend')).success).toBe(true);
    world.image('backend', 'todo-backend', 'bad0bad0bad0bad0');

    const result = await deploy('backend');

    expect(result.success).toBe(false);
    expect(result.output).toContain('has been rolled back due to rollback-on-failure being set');
    expect(result.output).toContain(
      'rollback: Helm rolled the release back — release todo-app is at revision 3 (deployed)',
    );
  });

  it('a failed first install is removed by Helm, and the output says so', async () => {
    setUp({ state: { failImages: ['todo-frontend:'] } });
    world.image('frontend', 'todo-frontend', FRONTEND_V1);
    world.image('backend', 'todo-backend', BACKEND_V1);

    const result = await deploy('frontend');

    expect(result.success).toBe(false);
    expect(result.output).toContain('has been uninstalled due to atomic being set');
    expect(result.output).toContain(
      'rollback: the first install failed and Helm removed it — release todo-app is not installed',
    );
    expect(result.output).toMatch(/container frontend keeps crashing/);
  });

  it('a missing tool stops the deploy before anything changes, with one line saying how to install it', async () => {
    setUp({ tools: ['helm', 'kubectl', 'docker', 'podman', 'kind'] satisfies Tool[] });
    world.image('frontend', 'todo-frontend', FRONTEND_V1);
    world.image('backend', 'todo-backend', BACKEND_V1);

    const result = await deploy('frontend');

    expect(result.success).toBe(false);
    expect(result.lines).toContain(
      '✖ minikube is not installed — install minikube: https://minikube.sigs.k8s.io/docs/start/',
    );
    expect(argsOf(world.calls('helm'), 'upgrade')).toEqual([]);
  });

  it('the wrong kube context stops the deploy with the command that fixes it', async () => {
    setUp({ state: { kube: { currentContext: 'prod-eu' } } });
    world.image('frontend', 'todo-frontend', FRONTEND_V1);
    world.image('backend', 'todo-backend', BACKEND_V1);

    const result = await deploy('frontend');

    expect(result.success).toBe(false);
    expect(result.output).toContain(
      '✖ current kube context is "prod-eu", this configuration deploys to "minikube" — run: kubectl config use-context minikube',
    );
    expect(world.calls('helm').map((c) => c.args[0])).toEqual(['version']);
  });

  it('a cluster that does not answer is one line with the command that starts it', async () => {
    setUp({ state: { kube: { currentContext: 'minikube', unreachable: ['minikube'] } } });
    world.image('frontend', 'todo-frontend', FRONTEND_V1);

    const result = await deploy('frontend');

    expect(result.success).toBe(false);
    expect(result.output).toContain(
      '✖ cluster "minikube" does not answer (The connection to the server 192.168.49.2:8443 was refused',
    );
    expect(result.output).toContain('start it: minikube start -p minikube');
  });

  it.each([
    [3, '--atomic', '--rollback-on-failure'],
    [4, '--rollback-on-failure', '--atomic'],
  ] as const)(
    'Helm %i gets %s from `helm version`, and real Helm accepts the command',
    async (major, flag, other) => {
      setUp({ helmMajor: major });
      world.image('frontend', 'todo-frontend', FRONTEND_V1);
      world.image('backend', 'todo-backend', BACKEND_V1);

      const result = await deploy('frontend');

      expect(result.success).toBe(true);
      const [upgrade] = argsOf(world.calls('helm'), 'upgrade');
      expect(upgrade).toContain(flag);
      expect(upgrade).not.toContain(other);
      expect(result.output).toContain(`Helm ${major}, ${flag}`);
    },
  );

  it('the real Helm 3 refuses the Helm 4 flag, so guessing the flag would fail (the shim does not hide it)', async () => {
    setUp({ helmMajor: 3 });
    const attempt = await execCommand('helm', [
      'upgrade',
      '--install',
      'todo-app',
      REAL_CHART,
      '--rollback-on-failure',
    ]);
    expect(attempt.exitCode).not.toBe(0);
    expect(attempt.stderr).toContain('unknown flag: --rollback-on-failure');
  });

  it('never prints secret values given with `set`, even with --verbose', async () => {
    setUp();
    world.image('frontend', 'todo-frontend', FRONTEND_V1);
    world.image('backend', 'todo-backend', BACKEND_V1);
    const secret = 'jwt-signing-key-that-must-stay-private-0123456789';

    const result = await deploy('frontend', {
      verbose: true,
      set: { 'backend.secret.jwtSecretKey': secret },
    });

    expect(result.success).toBe(true);
    expect(result.output).toContain('$ helm upgrade --install');
    expect(result.output).toContain('backend.secret.jwtSecretKey=******');
    expect(result.output).not.toContain(secret);
    // The value did reach Helm.
    expect(argsOf(world.calls('helm'), 'upgrade')[0].join(' ')).toContain(secret);
  });

  it('a readiness check that fails after the upgrade rolls back to the previous revision', async () => {
    setUp();
    world.image('frontend', 'todo-frontend', FRONTEND_V1);
    world.image('backend', 'todo-backend', BACKEND_V1);
    expect((await deploy('frontend')).success).toBe(true);
    world.update((s) => (s.notReady = ['todo-app-frontend']));
    world.image('frontend', 'todo-frontend', 'cccccccccccccccc');

    const result = await deploy('frontend');

    expect(result.success).toBe(false);
    expect(result.output).toContain(
      '✖ todo-app-frontend /ready: not ready: Error from server (ServiceUnavailable)',
    );
    expect(argsOf(world.calls('helm'), 'rollback')[0].slice(0, 3)).toEqual([
      'rollback',
      'todo-app',
      '1',
    ]);
    expect(result.output).toMatch(
      /✔ rollback to revision 1 — release todo-app is at revision 3 \(deployed\)/,
    );
  });

  it('two deploys of one release at once run their Helm operations one after the other', async () => {
    // The helm shim holds each upgrade for a while and, like Helm, refuses a second operation on a
    // release that is mid-upgrade; the executor's release lock must keep them apart.
    setUp({ state: { upgradeDelayMs: 1500 } });
    world.image('frontend', 'todo-frontend', FRONTEND_V1);
    world.image('backend', 'todo-backend', BACKEND_V1);
    expect((await deploy('frontend')).success).toBe(true);
    world.image('frontend', 'todo-frontend', 'dddddddddddddddd');
    world.image('backend', 'todo-backend', 'eeeeeeeeeeeeeeee');

    const [frontend, backend] = await Promise.all([deploy('frontend'), deploy('backend')]);

    expect([frontend.success, backend.success]).toEqual([true, true]);
    expect(`${frontend.output}\n${backend.output}`).toMatch(
      /… waiting for another deploy of todo-app \(pid \d+\) to finish/,
    );
    const values = deployedValues(world).values;
    expect(values.frontend.image.tag).toBe('dddddddddddddddd');
    expect(values.backend.image.tag).toBe('eeeeeeeeeeeeeeee');
  });

  it('pushes to a registry for prod, with the registry repository in the release', async () => {
    setUp({ state: { kube: { currentContext: 'prod-eu' } } });
    world.image('frontend', 'todo-frontend', FRONTEND_V1);
    world.image('backend', 'todo-backend', BACKEND_V1);

    const result = await deploy('frontend', {
      imageDelivery: 'registry',
      registry: 'registry.example.com/todo',
      kubeContext: 'prod-eu',
      namespace: 'todo-dev',
      valuesFiles: [path.join(REAL_CHART, 'values-prod.yaml')],
      set: { 'backend.secret.existingSecret': 'todo-backend', 'externalDatabase.enabled': 'true' },
    });

    expect(result.output).toContain('push to registry.example.com/todo frontend');
    expect(result.success).toBe(true);
    const pushes = world
      .calls('docker')
      .filter((c) => c.args[0] === 'push')
      .map((c) => c.args[1]);
    expect(pushes).toEqual([
      `registry.example.com/todo/todo-frontend:${FRONTEND_V1}`,
      `registry.example.com/todo/todo-backend:${BACKEND_V1}`,
    ]);
    const [upgrade] = argsOf(world.calls('helm'), 'upgrade');
    // The chart composes global.imageRegistry/<repository>:<tag> — exactly the pushed reference.
    expect(upgrade.join(' ')).toContain(
      '--set-string global.imageRegistry=registry.example.com/todo',
    );
    expect(upgrade.join(' ')).toContain('--set-string frontend.image.repository=todo-frontend');
    const deployment = world.state().objects?.['todo-dev/Deployment/todo-app-frontend'] as {
      spec: { template: { spec: { containers: Array<{ image: string }> } } };
    };
    expect(deployment.spec.template.spec.containers[0].image).toBe(
      `registry.example.com/todo/todo-frontend:${FRONTEND_V1}`,
    );
    expect(upgrade).toEqual(expect.arrayContaining(['--kube-context', 'prod-eu']));
    expect(world.calls('minikube')).toEqual([]);
  });

  it('loads through kind when the configuration says kind', async () => {
    setUp({ state: { kube: { currentContext: 'kind-kind' } } });
    world.image('frontend', 'todo-frontend', FRONTEND_V1);
    world.image('backend', 'todo-backend', BACKEND_V1);

    const result = await deploy('frontend', { imageDelivery: 'kind' });

    expect(result.success).toBe(true);
    expect(
      world
        .calls('kind')
        .filter((c) => c.args[0] === 'load')
        .map((c) => c.args),
    ).toEqual([
      ['load', 'docker-image', `todo-frontend:${FRONTEND_V1}`, '--name', 'kind'],
      ['load', 'docker-image', `todo-backend:${BACKEND_V1}`, '--name', 'kind'],
    ]);
  });
});

describe('deploy executor through Nx (runExecutor builds only a missing image)', () => {
  function context(root: string): ExecutorContext {
    const dockerBuild = (project: string) => ({
      executor: 'nx:run-commands',
      options: {
        command: `node ${FAKE_BUILD} ${project} todo-${project} apps/${project}`,
        cwd: root,
      },
    });
    return {
      root,
      cwd: root,
      isVerbose: false,
      projectName: 'frontend',
      targetName: 'deploy',
      projectsConfigurations: {
        version: 2,
        projects: {
          frontend: { root: 'apps/frontend', targets: { 'docker-build': dockerBuild('frontend') } },
          backend: { root: 'apps/backend', targets: { 'docker-build': dockerBuild('backend') } },
        },
      },
      nxJsonConfiguration: {},
      projectGraph: { nodes: {}, dependencies: {} },
    } as unknown as ExecutorContext;
  }

  async function quietly<T>(run: () => Promise<T>): Promise<T> {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      return await run();
    } finally {
      log.mockRestore();
    }
  }

  const builtTags: string[] = [];
  afterAll(async () => {
    if (builtTags.length) await execCommand('podman', ['rmi', '-f', ...builtTags]);
  });

  it('builds missing images with real podman through their docker-build targets, loads them as the names pods use, and builds nothing the second time', async () => {
    // Real podman builds and saves the images; minikube, kubectl and helm are the shims.
    setUp({ engine: 'podman', tools: ['helm', 'kubectl', 'minikube', 'docker', 'kind'] });
    for (const app of ['frontend', 'backend']) {
      mkdirSync(path.join(world.root, `apps/${app}/src`), { recursive: true });
      // A nonce keeps this run's content tags apart from images earlier runs left in the engine.
      writeFileSync(
        path.join(world.root, `apps/${app}/src/main.js`),
        `console.log('${app}', '${path.basename(world.dir)}');\n`,
      );
      writeFileSync(
        path.join(world.root, `apps/${app}/Dockerfile`),
        'FROM scratch\nCOPY src /app/src\n',
      );
    }

    const options = {
      ...DEV,
      contentTagCommand: `node ${FAKE_BUILD} {project} todo-{project} apps/{project} --tag-only`,
    };
    const first = await quietly(() => deployExecutor(options, context(world.root)));

    expect(first.success).toBe(true);
    const manifests = ['frontend', 'backend'].map(
      (p) =>
        JSON.parse(readFileSync(path.join(world.root, `dist/images/${p}.json`), 'utf8')) as {
          image: string;
          tag: string;
        },
    );
    builtTags.push(...manifests.map((m) => `${m.image}:${m.tag}`));
    const images = world.state().minikube?.images ?? [];
    for (const m of manifests) expect(images).toContain(`docker.io/library/${m.image}:${m.tag}`);
    world.clearCalls();

    const second = await quietly(() => deployExecutor(options, context(world.root)));

    expect(second.success).toBe(true);
    expect(argsOf(world.calls(), 'upgrade')).toEqual([]);
    expect(argsOf(world.calls(), 'load')).toEqual([]);

    // A frontend source change: its content tag moves, so only the frontend is rebuilt and rolled.
    writeFileSync(
      path.join(world.root, 'apps/frontend/src/main.js'),
      "console.log('frontend v2');\n",
    );
    world.clearCalls();
    const third = await quietly(() => deployExecutor(options, context(world.root)));

    expect(third.success).toBe(true);
    const rebuilt = JSON.parse(
      readFileSync(path.join(world.root, 'dist/images/frontend.json'), 'utf8'),
    ) as { image: string; tag: string };
    builtTags.push(`${rebuilt.image}:${rebuilt.tag}`);
    expect(rebuilt.tag).not.toBe(manifests[0].tag);
    const [upgrade] = argsOf(world.calls(), 'upgrade');
    expect(upgrade.join(' ')).toContain(`frontend.image.tag=${rebuilt.tag}`);
    expect(upgrade.join(' ')).toContain(`backend.image.tag=${manifests[1].tag}`);
    expect(world.calls('minikube').filter((c) => c.args.includes('load'))).toHaveLength(1);
  });

  it('refuses options that break a rule, naming the option', async () => {
    setUp();
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const result = await deployExecutor(
        { ...DEV, imageDelivery: 'registry' },
        context(world.root),
      );
      expect(result.success).toBe(false);
      expect(error).toHaveBeenCalledWith(
        'Invalid option "registry": is required when imageDelivery is "registry" (for example ghcr.io/acme)',
      );
    } finally {
      error.mockRestore();
    }
  });
});
