/**
 * teardown against the recorded helm/kubectl shims (no cluster can run in CI); the command lines
 * it generates are also given to the real Helm 3, Helm 4 and kubectl 1.33.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REAL_CHART, ShimWorld, type ShimState } from '../../../test/harness';
import { execCommand } from '../../lib/exec';
import {
  deleteClaimCommand,
  deletePodCommand,
  keptClaimCommand,
  listCommand,
  teardownCommands,
} from './commands';
import { runTeardown } from './executor';
import { normalizeTeardownOptions } from './options';
import type { TeardownTiming } from './steps';
import { REFUSED_COMMAND_LINE, refusingKubeconfig, runReal } from './real-cli.testing';

const CLAIM = 'data-todo-app-postgresql-0';
const VALUES_DEV = path.join(REAL_CHART, 'values-dev.yaml');

interface Pvc {
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  status?: { capacity?: { storage?: string } };
}
interface Pod {
  metadata: { name: string; namespace: string; finalizers?: string[]; deletionTimestamp?: string };
}
const claimsIn = (state: ShimState) => (state['pvcs'] as Pvc[] | undefined) ?? [];
const podsIn = (state: ShimState) => (state['pods'] as Pod[] | undefined) ?? [];

/** The pod `helm test` leaves when it fails: no owner, the release's labels, a hook annotation. */
function failedTestPod(overrides: Record<string, unknown> = {}) {
  return {
    metadata: {
      name: 'todo-app-test-ready',
      namespace: 'todo-dev',
      labels: { 'app.kubernetes.io/instance': 'todo-app', 'app.kubernetes.io/component': 'test' },
      annotations: {
        'helm.sh/hook': 'test',
        'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
      },
      ...overrides,
    },
    status: { phase: 'Failed' },
  };
}

/** A clock that sleeping advances, so waiting out a timeout takes no real time. */
function fakeTiming(): TeardownTiming & { slept: number } {
  let now = 0;
  const timing = {
    pollMs: 1000,
    slept: 0,
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
      timing.slept += ms;
    },
  };
  return timing;
}

describe('teardown commands', () => {
  it('uninstalls with --wait and deletes the namespace only when asked', () => {
    const options = normalizeTeardownOptions({ namespace: 'todo-dev', deleteNamespace: true });
    expect(teardownCommands(options)).toEqual([
      {
        command: 'helm',
        args: [
          'uninstall',
          'todo-app',
          '--wait',
          '--timeout',
          '5m',
          '--namespace',
          'todo-dev',
          '--kube-context',
          'minikube',
        ],
      },
      {
        command: 'kubectl',
        args: ['--context', 'minikube', 'delete', 'namespace', 'todo-dev', '--timeout=5m'],
      },
    ]);
    expect(teardownCommands(normalizeTeardownOptions({ namespace: 'todo-dev' }))).toHaveLength(1);
    expect(() => normalizeTeardownOptions({ namespace: 'todo-dev', timeout: 'soon' })).toThrow(
      'Invalid option "timeout"',
    );
  });

  it('refuses keepData with deleteNamespace, which would delete the claims anyway', () => {
    expect(() =>
      normalizeTeardownOptions({ namespace: 'todo-dev', keepData: true, deleteNamespace: true }),
    ).toThrow(
      'Invalid option "keepData": deleting the namespace deletes its PersistentVolumeClaims too — drop deleteNamespace to keep the data',
    );
  });

  describe('every command line is accepted by the real tools', () => {
    let dir: string;
    let kubeconfig: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'teardown-cli-'));
      kubeconfig = refusingKubeconfig(dir, ['minikube']);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const options = normalizeTeardownOptions({
      namespace: 'todo-dev',
      deleteNamespace: true,
      timeout: '1m30s',
    });
    const [uninstall, namespace] = teardownCommands(options);

    it.each(['helm3', 'helm4'] as const)('%s takes the helm uninstall', (helm) => {
      const stderr = runReal(helm, uninstall.args, kubeconfig);
      expect(stderr).not.toMatch(REFUSED_COMMAND_LINE);
      // It got as far as dialling the cluster: every flag was understood.
      expect(stderr).toMatch(/[Kk]ubernetes cluster unreachable: .*127\.0\.0\.1:1/);
    });

    it.each([
      ['list pods', listCommand(options, 'pods')],
      ['list claims', listCommand(options, 'persistentvolumeclaims')],
      ['delete a claim', deleteClaimCommand(options, CLAIM)],
      ['delete it later', keptClaimCommand(options, CLAIM)],
      ['delete a pod', deletePodCommand(options, 'todo-app-test-ready')],
      ['delete the namespace', namespace],
    ])('kubectl 1.33 takes %s', (_name, { command, args }) => {
      expect(command).toBe('kubectl');
      const stderr = runReal('kubectl', args, kubeconfig);
      expect(stderr).not.toMatch(REFUSED_COMMAND_LINE);
      expect(stderr).toMatch(/The connection to the server 127\.0\.0\.1:1 was refused/);
    });

    it('the same check catches a flag that Helm 4 removed', () => {
      // Guard for the guard: Helm 4 has no `helm list --all`, Helm 3 has.
      const args = ['list', '--all', '--namespace', 'todo-dev', '--kube-context', 'minikube'];
      expect(runReal('helm3', args, kubeconfig)).not.toMatch(REFUSED_COMMAND_LINE);
      expect(runReal('helm4', args, kubeconfig)).toMatch('unknown flag: --all');
    });
  });
});

describe('teardown against the shims', () => {
  let world: ShimWorld;
  afterEach(() => world.leave());

  function enter(state: Partial<ShimState> = {}) {
    world = new ShimWorld({ state });
    world.enter();
  }

  async function install() {
    const result = await execCommand('helm', [
      'upgrade',
      '--install',
      'todo-app',
      REAL_CHART,
      '-n',
      'todo-dev',
      '--create-namespace',
      '-f',
      VALUES_DEV,
      '--set-string',
      'backend.image.tag=a,frontend.image.tag=b',
    ]);
    expect(result.stderr).toBe('');
  }

  async function run(extra: Record<string, unknown> = {}, timing = fakeTiming()) {
    const lines: string[] = [];
    const result = await runTeardown(
      normalizeTeardownOptions({ namespace: 'todo-dev', ...extra }),
      execCommand,
      (l) => lines.push(l),
      timing,
    );
    return { ...result, lines, output: lines.join('\n') };
  }

  it('removes the release, the pod helm test left and the database claim, naming each', async () => {
    enter();
    await install();
    world.update((s) => (s['pods'] = [...podsIn(s), failedTestPod()]));
    expect(claimsIn(world.state()).map((c) => c.metadata)).toEqual([
      expect.objectContaining({
        name: CLAIM,
        labels: expect.objectContaining({ 'app.kubernetes.io/instance': 'todo-app' }),
      }),
    ]);

    const result = await run({ deleteNamespace: true });

    expect(result.success).toBe(true);
    expect(result.output).toMatch(/^✔ helm uninstall todo-app \((?:\d+ms|\d+\.\ds)\)$/m);
    expect(result.output).toMatch(
      /^✔ delete pod todo-app-test-ready — a helm "test" hook pod, which helm uninstall leaves behind \((?:\d+ms|\d+\.\ds)\)$/m,
    );
    expect(result.output).toMatch(
      /^✔ no pods of todo-app left in todo-dev \((?:\d+ms|\d+\.\ds)\)$/m,
    );
    expect(result.output).toMatch(
      /^✔ delete claim data-todo-app-postgresql-0 \(1Gi\) \((?:\d+ms|\d+\.\ds)\)$/m,
    );
    expect(result.output).toMatch(/^✔ delete namespace todo-dev/m);
    expect(result.lines[result.lines.length - 1]).toMatch(
      /^✔ teardown finished — nothing of todo-app is left in todo-dev \(/,
    );
    const state = world.state();
    expect(state.releases?.['todo-dev/todo-app']).toBeUndefined();
    expect(claimsIn(state)).toEqual([]);
    expect(podsIn(state)).toEqual([]);
    expect(state.namespaces).not.toContain('todo-dev');
  });

  it('without deleteNamespace the namespace stays and nothing of the release is in it', async () => {
    enter();
    await install();
    const result = await run();
    expect(result.success).toBe(true);
    expect(result.output).toContain('✔ delete claim data-todo-app-postgresql-0 (1Gi)');
    expect(result.output).not.toContain('delete pod');
    expect(world.state().namespaces).toContain('todo-dev');
    expect(claimsIn(world.state())).toEqual([]);
  });

  it('keepData keeps the claim and prints the command that deletes it later, which works', async () => {
    enter();
    await install();
    const result = await run({ keepData: true });

    expect(result.success).toBe(true);
    const keep = `- keep claim ${CLAIM} (1Gi) (keepData) — delete it later: kubectl --context minikube --namespace todo-dev delete persistentvolumeclaim ${CLAIM}`;
    expect(result.lines).toContain(keep);
    expect(result.lines[result.lines.length - 1]).toMatch(
      /^✔ teardown finished — kept 1 claim of todo-app in todo-dev \(keepData\) \(/,
    );
    expect(world.calls('kubectl').some((c) => c.args.includes('delete'))).toBe(false);
    expect(claimsIn(world.state()).map((c) => c.metadata.name)).toEqual([CLAIM]);

    const [command, ...args] = keep.split(' — delete it later: ')[1].split(' ');
    const later = await execCommand(command, args);
    expect(later.stdout).toBe(`persistentvolumeclaim "${CLAIM}" deleted`);
    expect(claimsIn(world.state())).toEqual([]);
  });

  it('deletes a claim an earlier uninstall left behind, though the release is gone', async () => {
    enter();
    await install();
    await execCommand('helm', ['uninstall', 'todo-app', '-n', 'todo-dev']);
    expect(claimsIn(world.state())).toHaveLength(1);

    const result = await run();

    expect(result.success).toBe(true);
    expect(result.output).toContain(
      '- skip helm uninstall: release todo-app is not installed in todo-dev',
    );
    expect(result.output).toContain('✔ delete claim data-todo-app-postgresql-0 (1Gi)');
    expect(claimsIn(world.state())).toEqual([]);
  });

  it('is a success with skip lines when nothing is installed', async () => {
    enter();
    const result = await run();
    expect(result.success).toBe(true);
    expect(result.lines).toContain(
      '- skip helm uninstall: release todo-app is not installed in todo-dev',
    );
    expect(result.lines).toContain(
      '- skip delete claims: todo-app has no PersistentVolumeClaims in todo-dev',
    );
  });

  it('names the pods still there when the timeout runs out, and deletes no claim under them', async () => {
    enter();
    await install();
    // A pod whose finalizer nobody removes: deleting it only marks it.
    world.update(
      (s) => (s['pods'] = [failedTestPod({ finalizers: ['example.com/keep-for-audit'] })]),
    );
    const timing = fakeTiming();

    const result = await run({ timeout: '20s' }, timing);

    expect(result.success).toBe(false);
    expect(result.lines[result.lines.length - 1]).toBe(
      '✖ pods of todo-app still in todo-dev after 20s: todo-app-test-ready (terminating) — look: kubectl --context minikube --namespace todo-dev get pods -l app.kubernetes.io/instance=todo-app',
    );
    expect(timing.slept).toBe(20_000);
    expect(claimsIn(world.state())).toHaveLength(1);
  });

  it('says which claim could not be deleted, in kubectl words', async () => {
    enter();
    await install();
    world.update((s) => {
      for (const claim of claimsIn(s))
        (claim.metadata as { finalizers?: string[] }).finalizers = ['example.com/backup'];
    });
    const result = await run({ timeout: '1m' });
    expect(result.success).toBe(false);
    expect(result.lines[result.lines.length - 1]).toMatch(
      /^✖ delete claim data-todo-app-postgresql-0 \(1Gi\): error: timed out waiting for the condition on persistentvolumeclaims\/data-todo-app-postgresql-0 \((?:\d+ms|\d+\.\ds)\)$/,
    );
  });

  describe('--dry-run', () => {
    it('lists the claim by name and size with the commands, and changes nothing', async () => {
      enter();
      await install();
      world.update((s) => (s['pods'] = [...podsIn(s), failedTestPod()]));
      const before = world.state();

      const result = await run({ dryRun: true, deleteNamespace: true });

      expect(result.success).toBe(true);
      expect(result.lines).toEqual([
        'teardown would run:',
        '  helm uninstall todo-app --wait --timeout 5m --namespace todo-dev --kube-context minikube',
        '  kubectl --context minikube --namespace todo-dev delete pod todo-app-test-ready --wait=false',
        `  kubectl --context minikube --namespace todo-dev delete persistentvolumeclaim ${CLAIM} --timeout=5m`,
        '  kubectl --context minikube delete namespace todo-dev --timeout=5m',
        'teardown would remove:',
        '  release todo-app from todo-dev (context minikube), then wait up to 5m until no pod labelled app.kubernetes.io/instance=todo-app is left',
        '  pod todo-app-test-ready: a helm "test" hook pod, which helm uninstall leaves behind',
        `  claim ${CLAIM} (1Gi) and its data`,
        '  namespace todo-dev and everything left in it',
      ]);
      expect(world.state()).toEqual(before);
      expect(world.calls('helm').filter((c) => c.args[0] === 'uninstall')).toEqual([]);
    });

    it('with keepData lists the claim as kept, with the command that deletes it later', async () => {
      enter();
      await install();
      const result = await run({ dryRun: true, keepData: true });
      expect(result.lines.slice(-2)).toEqual([
        'teardown would keep (keepData):',
        `  claim ${CLAIM} (1Gi) — delete it later: kubectl --context minikube --namespace todo-dev delete persistentvolumeclaim ${CLAIM}`,
      ]);
      expect(result.output).not.toContain(
        'delete persistentvolumeclaim data-todo-app-postgresql-0 --timeout',
      );
    });

    it('succeeds without a cluster, giving the claims by their label', async () => {
      enter({ kube: { currentContext: 'minikube', unreachable: ['minikube'] } });
      const result = await run({ dryRun: true });
      expect(result.success).toBe(true);
      expect(result.lines).toContain(
        '  kubectl --context minikube --namespace todo-dev delete persistentvolumeclaim -l app.kubernetes.io/instance=todo-app --timeout=5m',
      );
      expect(result.lines).toContain(
        '  the claims labelled app.kubernetes.io/instance=todo-app and their data — not listed: The connection to the server 192.168.49.2:8443 was refused - did you specify the right host or port?',
      );
    });
  });

  describe('the kube context guard', () => {
    it('refuses another cluster than the configured one and names both fixes', async () => {
      enter({ kube: { currentContext: 'prod-eu' } });
      const result = await run();
      expect(result.success).toBe(false);
      expect(result.lines).toEqual([
        '✖ current kube context is "prod-eu", this teardown targets "minikube" — run: kubectl config use-context minikube, or pass --kubeContext=prod-eu',
      ]);
      expect(world.calls('helm')).toEqual([]);
    });

    it('runs when --kubeContext names the current context', async () => {
      enter({ kube: { currentContext: 'prod-eu' } });
      const result = await run({ kubeContext: 'prod-eu' });
      expect(result.success).toBe(true);
      expect(world.calls('helm').map((c) => c.args.slice(-2))).toEqual([
        ['--kube-context', 'prod-eu'],
      ]);
    });

    it('with no current context, says to pick one', async () => {
      enter({ kube: {} });
      const result = await run();
      expect(result.lines).toEqual([
        '✖ no current kube context, this teardown targets "minikube" — run: kubectl config use-context minikube',
      ]);
    });
  });
});
