/**
 * Integration tests of the deploy executor. No Kubernetes cluster, Minikube or kind can run on
 * the CI machine, so minikube, kubectl, helm, docker, podman and kind are the recorded shims of
 * test/shims (first on PATH): they log their arguments and replay the real tools' documented
 * outputs and failures (shapes recorded from a real API server: test/fixtures/recorded). Helm's
 * flag parsing — of every helm command the executor runs — and chart rendering are the real Helm
 * 3.17 / 4.1, and the chart is the real deploy/helm/todo-app.
 */
import type { ExecutorContext } from '@nx/devkit';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { argsOf, REAL_CHART, ShimWorld, WORKSPACE_ROOT, type Tool } from '../../../test/harness';
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
    pollIntervalMs: 100,
  });
  return { ...result, output: lines.join('\n'), lines, built };
}

/** The line index of the first line containing `text` (-1 when none). */
const lineOf = (lines: string[], text: string) => lines.findIndex((l) => l.includes(text));

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
        '--timeout',
        '2m',
        '--kube-context',
        'minikube',
      ]),
    );
    // The executor's own status check replaces Helm's --wait, and its rollback Helm's --atomic.
    for (const flag of ['--wait', '--atomic', '--rollback-on-failure'])
      expect(upgrade).not.toContain(flag);
    expect(upgrade.join(' ')).toContain(`--set-string frontend.image.tag=${FRONTEND_V1}`);
    expect(upgrade.join(' ')).toContain(`--set-string backend.image.tag=${BACKEND_V1}`);
    expect(upgrade.join(' ')).toContain(`-f ${path.join(REAL_CHART, 'values-dev.yaml')}`);
    expect(result.lines).toContainEqual(
      expect.stringMatching(
        /^✔ status check todo-app — deployment\/todo-app-backend 1\/1, deployment\/todo-app-frontend 1\/1, statefulset\/todo-app-postgresql 1\/1 \((?:\d+ms|\d+\.\ds)\)$/,
      ),
    );
    // /ready through a port-forward to a pod of the new ReplicaSet, not the API server's proxy.
    const [forward] = argsOf(world.calls('kubectl'), 'port-forward');
    expect(forward).toEqual([
      '--context',
      'minikube',
      '--namespace',
      'todo-dev',
      'port-forward',
      expect.stringMatching(/^pod\/todo-app-frontend-[0-9a-f]{10}-[0-9a-f]{5}$/),
      ':3000',
      '--address',
      '127.0.0.1',
    ]);
    expect(world.calls('kubectl-port-forward-request' as Tool).map((c) => c.args)).toEqual([
      ['GET', '/ready', forward[5].slice('pod/'.length)],
    ]);
    expect(result.output).toMatch(
      /✔ todo-app-frontend \/ready — status ok \(database ok\), from pod todo-app-frontend-\S+ \((?:\d+ms|\d+\.\ds)\)/,
    );
    expect(argsOf(world.calls('kubectl'), '--raw').map((a) => a[a.length - 1])).toEqual([
      '/readyz',
    ]);
    expect(result.output).toMatch(/frontend answers at http:\/\/192\.168\.49\.2:30000/);
    expect(deployedValues(world).values.frontend.image.tag).toBe(FRONTEND_V1);
    // Every step line carries its duration.
    for (const line of result.lines.filter((l) => l.startsWith('✔')))
      expect(line).toMatch(/\((\d+ms|\d+\.\ds)\)$/);
  });

  it('a second deploy with nothing changed builds, loads and rolls nothing and says so in one line', async () => {
    setUp();
    // The shim's release holds what real Helm makes of the command line, so the plan must predict
    // Helm exactly: "+1" is the number 1, an escaped dot stays in the key, and a content tag of
    // digits only (leading 0 and all) stays text.
    const set = {
      'backend.replicaCount': '+1',
      'backend.podAnnotations.example\\.com/team': 'platform',
    };
    world.image('frontend', 'todo-frontend', FRONTEND_V1);
    world.image('backend', 'todo-backend', '0123456789012345');
    expect((await deploy('frontend', { set })).success).toBe(true);
    world.clearCalls();

    const again = await deploy('frontend', { set });

    expect(again.success).toBe(true);
    expect(again.built).toEqual([]);
    const upToDate = again.lines.filter((l) => l.includes('up to date'));
    expect(upToDate).toHaveLength(1);
    expect(upToDate[0]).toContain('nothing built, loaded or rolled out');
    const calls = world.calls();
    expect(argsOf(calls, 'upgrade')).toEqual([]);
    expect(argsOf(calls, 'load')).toEqual([]);
    expect(argsOf(calls, 'port-forward')).toEqual([]);
    expect(argsOf(calls, 'rollback')).toEqual([]);
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

  it('a crash loop stops the status check at once; the diagnosis comes before the rollback to the previous revision', async () => {
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
    world.clearCalls();

    const result = await deploy('backend', { timeout: '5m' });

    expect(result.success).toBe(false);
    // Helm itself succeeded (no --wait); the status check failed fast, well before the 5m timeout.
    expect(result.output).toMatch(/✔ helm upgrade todo-app — revision 2/);
    const failure = lineOf(result.lines, '✖ status check todo-app:');
    expect(result.lines[failure]).toMatch(
      /^✖ status check todo-app: pod todo-app-backend-\S+: container backend keeps crashing and restarting \(CrashLoopBackOff, 4 restarts; last exit: Error with code 1\) \((\d+ms|\d\.\ds)\)$/,
    );
    const diagnosis = lineOf(result.lines, 'diagnosis of release todo-app in todo-dev:');
    const rollback = lineOf(result.lines, '… rollback to revision 1: helm rollback todo-app 1');
    expect(failure).toBeLessThan(diagnosis);
    expect(diagnosis).toBeLessThan(rollback);
    expect(result.output).toMatch(
      /• deployment todo-app-backend has not rolled out: 0\/1 updated pods available, 1 old pod left/,
    );
    expect(result.output).toContain(
      'event BackOff: Back-off restarting failed container in pod (×12)',
    );
    expect(result.output).toContain('last 50 log lines of the crashed container backend:');
    expect(result.output).toContain('| log line 60');
    expect(result.output).not.toContain('| log line 10\n');
    expect(result.output).not.toContain('the failure is elsewhere');
    expect(result.output).toMatch(
      /✔ rollback to revision 1 — release todo-app is at revision 3 \(deployed\) \((?:\d+ms|\d+\.\ds)\)/,
    );
    expect(result.output).toMatch(
      /✔ status check after rollback — deployment\/todo-app-backend 1\/1/,
    );
    const [rollbackArgs] = argsOf(world.calls('helm'), 'rollback');
    expect(rollbackArgs).toEqual([
      'rollback',
      'todo-app',
      '1',
      '--timeout',
      '5m',
      '--namespace',
      'todo-dev',
      '--kube-context',
      'minikube',
    ]);
    const [logs] = argsOf(world.calls('kubectl'), 'logs');
    expect(logs).toEqual(expect.arrayContaining(['-c', 'backend', '--tail=50', '--previous']));
    expect(deployedValues(world).values.backend.image.tag).toBe(BACKEND_V1);
    // Nothing was checked through /ready: the pods never got there.
    expect(argsOf(world.calls('kubectl'), 'port-forward')).toEqual([]);
  });

  it('Helm 4: the same rollback, and every helm command is one real Helm 4 accepts (no `list --all`)', async () => {
    setUp({ helmMajor: 4, state: { failImages: ['todo-backend:bad'] } });
    world.image('frontend', 'todo-frontend', FRONTEND_V1);
    world.image('backend', 'todo-backend', BACKEND_V1);
    expect((await deploy('frontend')).success).toBe(true);
    world.image('backend', 'todo-backend', 'bad0bad0bad0bad0');

    const result = await deploy('backend');

    expect(result.success).toBe(false);
    expect(result.output).toMatch(
      /✔ rollback to revision 1 — release todo-app is at revision 3 \(deployed\)/,
    );
    const lists = argsOf(world.calls('helm'), 'list');
    expect(lists.length).toBeGreaterThan(1);
    for (const list of lists) expect(list).not.toContain('--all');
    expect(result.output).not.toContain('unknown flag');
  });

  it('a failed first install is diagnosed, then removed with helm uninstall, and the output says so', async () => {
    setUp({ state: { failImages: ['todo-frontend:'] } });
    world.image('frontend', 'todo-frontend', FRONTEND_V1);
    world.image('backend', 'todo-backend', BACKEND_V1);

    const result = await deploy('frontend');

    expect(result.success).toBe(false);
    expect(result.output).toMatch(/container frontend keeps crashing/);
    expect(result.output).toMatch(
      /✔ uninstall todo-app — the first install failed, so it was removed \(what --atomic did\); release todo-app is not installed \((?:\d+ms|\d+\.\ds)\)/,
    );
    expect(result.output).toContain(
      '  its StatefulSet claims stay (Helm never deletes them): kubectl --context minikube -n todo-dev delete pvc -l app.kubernetes.io/instance=todo-app',
    );
    expect(argsOf(world.calls('helm'), 'uninstall')[0]).toEqual([
      'uninstall',
      'todo-app',
      '--timeout',
      '2m',
      '--namespace',
      'todo-dev',
      '--kube-context',
      'minikube',
    ]);
    expect(world.state().releases?.['todo-dev/todo-app']).toBeUndefined();
    expect(lineOf(result.lines, 'diagnosis of release')).toBeLessThan(
      lineOf(result.lines, '… uninstall todo-app'),
    );
  });

  it('an object the server refuses fails helm upgrade after it recorded a failed revision: diagnosed, then rolled back', async () => {
    setUp();
    world.image('frontend', 'todo-frontend', FRONTEND_V1);
    world.image('backend', 'todo-backend', BACKEND_V1);
    expect((await deploy('frontend')).success).toBe(true);
    world.update(
      (s) =>
        (s['applyError'] =
          'Service "todo-app-frontend" is invalid: spec.ports[0].nodePort: Invalid value: 30000: provided port is already allocated'),
    );
    world.image('frontend', 'todo-frontend', 'cccccccccccccccc');

    const result = await deploy('frontend');

    expect(result.success).toBe(false);
    expect(result.lines).toContainEqual(
      expect.stringMatching(
        /^✖ helm upgrade todo-app: Error: UPGRADE FAILED: Service "todo-app-frontend" is invalid: .*already allocated \((?:\d+ms|\d+\.\ds)\)$/,
      ),
    );
    expect(lineOf(result.lines, 'diagnos')).toBeLessThan(
      lineOf(result.lines, '… rollback to revision 1'),
    );
    expect(result.output).toMatch(
      /✔ rollback to revision 1 — release todo-app is at revision 3 \(deployed\)/,
    );
  });

  it('an upgrade Helm refuses before recording anything needs no rollback, and says so', async () => {
    setUp();
    world.image('frontend', 'todo-frontend', FRONTEND_V1);
    world.image('backend', 'todo-backend', BACKEND_V1);
    expect((await deploy('frontend')).success).toBe(true);
    world.image('frontend', 'todo-frontend', 'cccccccccccccccc');

    const result = await deploy('frontend', { set: { 'frontend.replicaCount': 'many' } });

    expect(result.success).toBe(false);
    expect(result.output).toMatch(
      /✖ helm upgrade todo-app: Error: UPGRADE FAILED: values don't meet the specifications of the schema/,
    );
    expect(result.lines).toContain(
      'rollback: not needed, Helm changed nothing — release todo-app is at revision 1 (deployed)',
    );
    expect(argsOf(world.calls('helm'), 'rollback')).toEqual([]);
    expect(result.output).not.toContain('diagnosis');
  });

  it('a claim no storage class binds: waits with one line, times out, diagnoses the claim and the pod, never "elsewhere"', async () => {
    setUp({ state: { storage: 'unbound', storageClasses: [] } });
    world.image('frontend', 'todo-frontend', FRONTEND_V1);
    world.image('backend', 'todo-backend', BACKEND_V1);

    const result = await deploy('backend', { timeout: '2s' });

    expect(result.success).toBe(false);
    const waiting = result.lines.filter((l) => l.startsWith('… waiting:'));
    expect(waiting).toEqual([
      '… waiting: statefulset/todo-app-postgresql 0/1 ready — pod todo-app-postgresql-0 is Pending: claim data-todo-app-postgresql-0 is not bound',
    ]);
    expect(result.output).toMatch(
      /✖ status check todo-app: not ready after 2\.0s — statefulset\/todo-app-postgresql 0\/1 ready — pod todo-app-postgresql-0 is Pending: claim data-todo-app-postgresql-0 is not bound \(2\.\ds\)/,
    );
    expect(result.output).toContain(
      '  • statefulset todo-app-postgresql is not ready: 0/1 ready — pod todo-app-postgresql-0 is Pending: claim data-todo-app-postgresql-0 is not bound',
    );
    expect(result.output).toContain(
      '  • claim data-todo-app-postgresql-0 is Pending: no storage class binds it (no default StorageClass) — install a provisioner or set postgresql.persistence.storageClass (last event: no persistent volumes available for this claim and no storage class is set)',
    );
    expect(result.output).toContain('  pod todo-app-postgresql-0:');
    expect(result.output).toContain(
      '    • pod is Pending: claim data-todo-app-postgresql-0 is not bound',
    );
    expect(result.output).toContain(
      "    • pod can't be scheduled: 0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims.",
    );
    expect(result.output).not.toContain('the failure is elsewhere');
    // A Pending pod has no logs to show.
    expect(argsOf(world.calls('kubectl'), 'logs')).toEqual([]);
    expect(result.output).toMatch(/✔ uninstall todo-app — the first install failed/);
  });

  it('prints one waiting line each time what the rollout waits for changes, then succeeds', async () => {
    setUp({ state: { slowRollout: 3 } });
    world.image('frontend', 'todo-frontend', FRONTEND_V1);
    world.image('backend', 'todo-backend', BACKEND_V1);

    const result = await deploy('frontend');

    expect(result.success).toBe(true);
    const waiting = result.lines.filter((l) => l.startsWith('… waiting:'));
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatch(
      /^… waiting: deployment\/todo-app-backend 0\/1 updated pods available; deployment\/todo-app-frontend 0\/1 updated pods available; statefulset\/todo-app-postgresql 0\/1 ready — pod todo-app-backend-\S+: container backend is being created; /,
    );
    expect(result.output).toMatch(/✔ status check todo-app — /);
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
    expect(result.lines).toContain(
      '✖ current kube context is "prod-eu", this configuration deploys to "minikube" — run: kubectl config use-context minikube (start it first: minikube start -p minikube), or deploy to the current context with --kubeContext=prod-eu',
    );
    expect(world.calls('helm').map((c) => c.args[0])).toEqual(['version']);
  });

  it('--kubeContext naming the current context deploys the dev configuration there (minikube still loads the images)', async () => {
    setUp({ state: { kube: { currentContext: 'todo-control-plane' } } });
    world.image('frontend', 'todo-frontend', FRONTEND_V1);
    world.image('backend', 'todo-backend', BACKEND_V1);

    const result = await deploy('backend', { kubeContext: 'todo-control-plane' });

    expect(result.success).toBe(true);
    expect(argsOf(world.calls('minikube'), 'load')[0]).toEqual([
      '-p',
      'minikube',
      'image',
      'load',
      `todo-backend:${BACKEND_V1}`,
    ]);
    const [upgrade] = argsOf(world.calls('helm'), 'upgrade');
    expect(upgrade).toEqual(expect.arrayContaining(['--kube-context', 'todo-control-plane']));
    expect(argsOf(world.calls('kubectl'), 'port-forward')[0].slice(0, 2)).toEqual([
      '--context',
      'todo-control-plane',
    ]);
    expect(result.output).toMatch(/✔ todo-app-backend \/ready — status ok/);
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

  it.each([3, 4] as const)(
    'Helm %i: helm list gets --all only on Helm 3, and the real binary accepts every helm command',
    async (major) => {
      setUp({ helmMajor: major });
      world.image('frontend', 'todo-frontend', FRONTEND_V1);
      world.image('backend', 'todo-backend', BACKEND_V1);

      const result = await deploy('frontend');

      expect(result.success).toBe(true);
      expect(result.output).toContain(`Helm ${major}, no --wait: the status check follows`);
      const [list] = argsOf(world.calls('helm'), 'list');
      if (major === 3) expect(list).toContain('--all');
      else expect(list).not.toContain('--all');
    },
  );

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

  it('a /ready that answers 503 through the new pod rolls back to the previous revision', async () => {
    setUp();
    world.image('frontend', 'todo-frontend', FRONTEND_V1);
    world.image('backend', 'todo-backend', BACKEND_V1);
    expect((await deploy('frontend')).success).toBe(true);
    world.update((s) => (s.notReady = ['todo-app-frontend']));
    world.image('frontend', 'todo-frontend', 'cccccccccccccccc');

    const result = await deploy('frontend');

    expect(result.success).toBe(false);
    expect(result.output).toMatch(
      /✖ todo-app-frontend \/ready: not ready: HTTP 503 from pod todo-app-frontend-\S+: status fail \(database fail: timeout after 2000ms\)/,
    );
    // The pod checked is one of the new ReplicaSet (the new tag's template).
    const pod = argsOf(world.calls('kubectl'), 'port-forward').pop()?.[5] ?? '';
    const rs = (
      world.state()['replicaSets'] as Array<{
        metadata: { name: string; annotations: Record<string, string> };
      }>
    ).find((r) => pod.startsWith(`pod/${r.metadata.name}-`));
    expect(rs?.metadata.annotations['deployment.kubernetes.io/revision']).toBe('2');
    expect(argsOf(world.calls('helm'), 'rollback')[0].slice(0, 3)).toEqual([
      'rollback',
      'todo-app',
      '1',
    ]);
    expect(result.output).toMatch(
      /✔ rollback to revision 1 — release todo-app is at revision 3 \(deployed\)/,
    );
    expect(result.output).toContain(
      'diagnosis: every workload, pod and claim of the release is ready; the failure is elsewhere (see the error above)',
    );
  });

  it('a port-forward that cannot start is one line naming the pod, then the diagnosis and the rollback', async () => {
    setUp();
    world.image('frontend', 'todo-frontend', FRONTEND_V1);
    world.image('backend', 'todo-backend', BACKEND_V1);
    expect((await deploy('frontend')).success).toBe(true);
    world.update(
      (s) =>
        (s['portForwardError'] =
          'error: error upgrading connection: unable to upgrade connection: Forbidden'),
    );
    world.image('frontend', 'todo-frontend', 'cccccccccccccccc');

    const result = await deploy('frontend');

    expect(result.success).toBe(false);
    expect(result.output).toMatch(
      /✖ todo-app-frontend \/ready: port-forward to pod todo-app-frontend-\S+ failed: error: error upgrading connection: unable to upgrade connection: Forbidden \((?:\d+ms|\d+\.\ds)\)/,
    );
    expect(result.output).toMatch(/✔ rollback to revision 1/);
  });

  it('a tool that answers something unusable is one line naming the step and its version, never a stack trace', async () => {
    setUp({ state: { helmOutput: { list: '' } } });
    world.image('frontend', 'todo-frontend', FRONTEND_V1);
    world.image('backend', 'todo-backend', BACKEND_V1);

    const empty = await deploy('frontend');

    expect(empty.success).toBe(false);
    expect(empty.lines).toContain(
      '✖ helm list (Helm v3.17.2) answered nothing where JSON was expected',
    );
    world.update((s) => (s['helmOutput'] = { list: 'WARNING: kubeconfig is group-readable\n' }));
    const text = await deploy('frontend');
    expect(text.lines).toContain(
      '✖ helm list (Helm v3.17.2) answered something that is not JSON: "WARNING: kubeconfig is group-readable"',
    );
    world.update((s) => {
      s['helmOutput'] = undefined;
      s['badJson'] = '{"kind":"Status","apiVersion":"v1"}';
    });
    const noItems = await deploy('frontend');
    expect(noItems.success).toBe(false);
    expect(noItems.output).toMatch(
      /✖ status check todo-app: kubectl get deployments,replicasets,statefulsets,pods,persistentvolumeclaims \(kubectl v1\.32\.4\) answered JSON without "items": "\{\\"kind\\":\\"Status\\",\\"apiVersion\\":\\"v1\\"\}"/,
    );
    for (const run of [empty, text, noItems]) expect(run.output).not.toMatch(/TypeError|\n\s+at /);
  });

  it('`helm get values` printing null (no user values) is an empty set of values, not an error', async () => {
    setUp();
    world.image('frontend', 'todo-frontend', FRONTEND_V1);
    world.image('backend', 'todo-backend', BACKEND_V1);
    expect((await deploy('frontend')).success).toBe(true);
    world.update((s) => (s['helmOutput'] = { values: 'null\n' }));

    const result = await deploy('frontend');

    expect(result.success).toBe(true);
    // No deployed tags known: both apps' current images go in, and the release is upgraded.
    const upgrade = argsOf(world.calls('helm'), 'upgrade').pop()?.join(' ') ?? '';
    expect(upgrade).toContain(`backend.image.tag=${BACKEND_V1}`);
    expect(upgrade).toContain(`frontend.image.tag=${FRONTEND_V1}`);
  });

  it('the URL is informational: a failure there prints "url: unknown (…)" and the deploy still succeeds', async () => {
    setUp();
    world.image('frontend', 'todo-frontend', FRONTEND_V1);
    world.image('backend', 'todo-backend', BACKEND_V1);

    const result = await deploy('frontend', { service: 'todo-app-web', servicePort: '3000' });

    expect(result.success).toBe(true);
    expect(result.lines).toContain(
      'url: unknown (kubectl get service todo-app-web (kubectl v1.32.4) failed: Error from server (NotFound): services "todo-app-web" not found)',
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

describe('deploy executor through Nx (a child nx run builds only a missing image)', () => {
  function context(root: string): ExecutorContext {
    // The workspace's own docker-build executor; a FROM scratch image keeps the build small.
    const dockerBuild = (project: string) => ({
      executor: './tools/scripts/container-image:build',
      options: { image: `todo-${project}`, 'moving-tag': '', 'base-image': 'scratch' },
    });
    const projects = Object.fromEntries(
      ['frontend', 'backend'].map((app) => [
        app,
        { root: `apps/${app}`, targets: { 'docker-build': dockerBuild(app) } },
      ]),
    );
    return {
      root,
      cwd: root,
      isVerbose: false,
      projectName: 'frontend',
      targetName: 'deploy',
      projectsConfigurations: { version: 2, projects },
      nxJsonConfiguration: {},
      projectGraph: {
        nodes: Object.fromEntries(
          Object.entries(projects).map(([name, data]) => [name, { name, type: 'app', data }]),
        ),
        dependencies: { frontend: [], backend: [] },
      },
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
    // A real Nx workspace: the executor builds through a child `nx run <app>:docker-build`.
    writeFileSync(path.join(world.root, 'nx.json'), '{"neverConnectToCloud": true}\n');
    writeFileSync(path.join(world.root, 'package.json'), '{"name": "shim-workspace"}\n');
    symlinkSync(path.join(WORKSPACE_ROOT, 'node_modules'), path.join(world.root, 'node_modules'));
    mkdirSync(path.join(world.root, 'tools/scripts'), { recursive: true });
    symlinkSync(
      path.join(WORKSPACE_ROOT, 'tools/scripts/container-image'),
      path.join(world.root, 'tools/scripts/container-image'),
    );
    const targets = context(world.root).projectsConfigurations.projects;
    for (const app of ['frontend', 'backend']) {
      mkdirSync(path.join(world.root, `apps/${app}`), { recursive: true });
      writeFileSync(
        path.join(world.root, `apps/${app}/project.json`),
        JSON.stringify({ name: app, root: `apps/${app}`, targets: targets[app].targets }),
      );
    }
    for (const app of ['frontend', 'backend']) {
      mkdirSync(path.join(world.root, `apps/${app}/src`), { recursive: true });
      // A nonce keeps this run's content tags apart from images earlier runs left in the engine.
      writeFileSync(
        path.join(world.root, `apps/${app}/src/main.js`),
        `console.log('${app}', '${path.basename(world.dir)}');\n`,
      );
      writeFileSync(
        path.join(world.root, `apps/${app}/Dockerfile`),
        `ARG BASE_IMAGE=scratch\nFROM \${BASE_IMAGE}\nCOPY apps/${app}/src /app/src\n`,
      );
    }

    const options = DEV;
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
