/**
 * npm run bench:deploy — `npx nx deploy backend --configuration=dev` on a real control plane
 * (tools/scripts/control-plane.sh; started if none runs, then stopped again), side by side with a
 * plain `helm upgrade --install --wait` of the same release and values, in alternating rounds:
 *   - no-op: nothing changed;
 *   - one-app change: a one-line backend change (nx deploy builds, loads, upgrades, checks);
 *     Helm gets a new tag of an image that already exists (it builds nothing).
 * For each: wall time, new Helm revisions, ReplicaSets created (a restart of the pods).
 * The same world as the cluster suite: real Helm 4 and kubectl, KWOK's node, the kubelet
 * stand-in running the real containers, only `minikube image load` recorded.
 * BENCH_RUNS=n rounds (default 5).
 */
import { CONTEXT, ensureControlPlane, RELEASE, World, type CommandResult } from '../src/cluster';
import { KubeletStandIn } from '../src/kubelet-stand-in';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const namespace = 'bench-deploy';
const nxDeploy = [
  'deploy',
  'backend',
  '--configuration=dev',
  `--kubeContext=${CONTEXT}`,
  `--namespace=${namespace}`,
];

interface Sample {
  ms: number;
  revisions: number;
  replicaSets: number;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const controlPlane = ensureControlPlane();
  const world = new World(controlPlane.kubeconfig, 4);
  const kubelet = new KubeletStandIn(world, namespace);
  try {
    await world.kubectl('delete', 'namespace', namespace, '--ignore-not-found', '--wait');
    kubelet.start();

    const counts = async () => {
      const history = JSON.parse(
        await world.helm('history', RELEASE, '-n', namespace, '-o', 'json'),
      );
      const sets = await world.kubectlJson('get', 'replicasets', '-n', namespace);
      return { revisions: history.length as number, replicaSets: sets.items.length };
    };
    const timed = async (what: () => Promise<CommandResult>): Promise<Sample> => {
      const before = await counts();
      const started = performance.now();
      const result = await what();
      const ms = performance.now() - started;
      if (result.exitCode !== 0)
        throw new Error(`failed (exit ${result.exitCode}):\n${result.output}`);
      const after = await counts();
      return {
        ms,
        revisions: after.revisions - before.revisions,
        replicaSets: after.replicaSets - before.replicaSets,
      };
    };
    const values = async () =>
      JSON.parse(await world.helm('get', 'values', RELEASE, '-n', namespace, '-o', 'json')) as {
        backend: { image: { tag: string } };
        frontend: { image: { tag: string } };
      };
    const plainHelm = async (backendTag: string) => {
      const deployed = await values();
      return world.run('helm', [
        'upgrade',
        '--install',
        RELEASE,
        'deploy/helm/todo-app',
        '-n',
        namespace,
        '--kube-context',
        CONTEXT,
        '-f',
        'deploy/helm/todo-app/values-dev.yaml',
        '--set-string',
        `backend.image.repository=localhost/todo/backend`,
        '--set-string',
        `backend.image.tag=${backendTag}`,
        '--set-string',
        `frontend.image.repository=localhost/todo/frontend`,
        '--set-string',
        `frontend.image.tag=${deployed.frontend.image.tag}`,
        '--wait',
        '--timeout',
        '5m',
      ]);
    };

    const first = await timed(() => world.nx(...nxDeploy));
    console.log(`first deploy (install, images built as needed): ${seconds(first.ms)}`);
    const results: Record<string, Sample[]> = {
      'no-op: nx deploy': [],
      'no-op: helm upgrade --install --wait': [],
      'one-app change: nx deploy': [],
      'one-app change: helm upgrade --install --wait': [],
    };
    for (let round = 0; round < runs; round++) {
      results['no-op: nx deploy'].push(await timed(() => world.nx(...nxDeploy)));
      const tag = (await values()).backend.image.tag;
      results['no-op: helm upgrade --install --wait'].push(await timed(() => plainHelm(tag)));
    }
    const tags = [(await values()).backend.image.tag];
    for (let round = 0; round < runs; round++) {
      world.edit('apps/backend/src/main.ts', (text) => `${text}\n// bench change ${round}\n`);
      results['one-app change: nx deploy'].push(await timed(() => world.nx(...nxDeploy)));
      tags.push((await values()).backend.image.tag);
      // Helm switches between two images that exist: the same rollout without a build.
      const other = tags[tags.length - 2];
      results['one-app change: helm upgrade --install --wait'].push(
        await timed(() => plainHelm(other)),
      );
    }

    console.log(`\n${runs} rounds, medians (Helm 4, values-dev.yaml, real API server):`);
    console.log(
      'case                                            time     revisions  new ReplicaSets',
    );
    for (const [name, samples] of Object.entries(results)) {
      console.log(
        `${name.padEnd(46)} ${seconds(median(samples.map((s) => s.ms))).padStart(8)} ${String(median(samples.map((s) => s.revisions))).padStart(10)} ${String(median(samples.map((s) => s.replicaSets))).padStart(16)}`,
      );
    }
    const noop = median(results['no-op: nx deploy'].map((s) => s.ms));
    const helmNoop = median(results['no-op: helm upgrade --install --wait'].map((s) => s.ms));
    console.log(`\nno-op nx deploy ÷ plain helm: ${(noop / helmNoop).toFixed(2)}`);
    console.log(
      `no-op target ≤ 2 s with no revision and no restart: ${noop <= 2000 && results['no-op: nx deploy'].every((s) => s.revisions === 0 && s.replicaSets === 0) ? 'met' : 'NOT met'} (${seconds(noop)})`,
    );
  } finally {
    await kubelet.stop();
    await world.kubectl('delete', 'namespace', namespace, '--ignore-not-found', '--wait');
    world.remove();
    controlPlane.stop();
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
