/**
 * npm run bench:deploy — `npx nx deploy backend --configuration=dev` on a real control plane
 * (tools/scripts/control-plane.sh; started if none runs, then stopped again), side by side with a
 * plain `helm upgrade --install --wait` of the same release and values, in alternating rounds:
 *   - no-op: nothing changed;
 *   - one-app change: a one-line backend change (nx deploy builds, loads, upgrades, checks);
 *     Helm gets a new tag of an image that already exists (it builds nothing).
 * For each: wall time, new Helm revisions, new pods (a restart of the app).
 * The same world as the cluster suite: real Helm 4 and kubectl, KWOK's node, the kubelet
 * stand-in running the real containers, only `minikube image load` recorded.
 * BENCH_RUNS=n rounds (default 5).
 */
import { CONTEXT, RELEASE, type CommandResult } from '../src/cluster';
import { startScene } from '../src/scene';

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
  /** Pods running afterwards that did not before: a restart of the app. */
  newPods: number;
  /** The executor's own time ("deploy finished … in"), for nx deploy; the rest is Nx. */
  executorMs?: number;
}

function executorTime(output: string): number | undefined {
  const match = /deploy finished for \S+ in (\d+(?:\.\d+)?)(ms|s)\b/.exec(output);
  return match ? Number(match[1]) * (match[2] === 's' ? 1000 : 1) : undefined;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const scene = await startScene(4, namespace);
  const { world } = scene;
  try {
    // Helm keeps 10 revisions and a Deployment 10 ReplicaSets, so count by name and number.
    const observe = async () => {
      const history: Array<{ revision: number }> = await world
        .helm('history', RELEASE, '-n', namespace, '-o', 'json')
        .then((out) => JSON.parse(out))
        .catch(() => []); // before the first install
      const pods = await world.kubectlJson<{
        items: Array<{ metadata: { name: string; deletionTimestamp?: string } }>;
      }>('get', 'pods', '-n', namespace);
      return {
        revision: Math.max(0, ...history.map((h) => h.revision)),
        pods: pods.items.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name),
      };
    };
    const timed = async (what: () => Promise<CommandResult>): Promise<Sample> => {
      const before = await observe();
      const started = performance.now();
      const result = await what();
      const ms = performance.now() - started;
      if (result.exitCode !== 0)
        throw new Error(`failed (exit ${result.exitCode}):\n${result.output}`);
      const after = await observe();
      return {
        ms,
        revisions: after.revision - before.revision,
        newPods: after.pods.filter((pod) => !before.pods.includes(pod)).length,
        executorMs: executorTime(result.output),
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
      'no-op: nx deploy, Nx daemon on': [],
      'no-op: helm upgrade --install --wait': [],
      'one-app change: nx deploy': [],
      'one-app change: helm upgrade --install --wait': [],
    };
    for (let round = 0; round < runs; round++) {
      results['no-op: nx deploy'].push(await timed(() => world.nx(...nxDeploy)));
      // Developers' machines run the Nx daemon (CI and the rest of this benchmark do not).
      world.env.NX_DAEMON = 'true';
      results['no-op: nx deploy, Nx daemon on'].push(await timed(() => world.nx(...nxDeploy)));
      world.env.NX_DAEMON = 'false';
      const tag = (await values()).backend.image.tag;
      results['no-op: helm upgrade --install --wait'].push(await timed(() => plainHelm(tag)));
    }
    const tags = [(await values()).backend.image.tag];
    // A change no earlier run made, so its image is built here, not found in the engine's store.
    const runId = Date.now().toString(36);
    for (let round = 0; round < runs; round++) {
      world.edit(
        'apps/backend/src/main.ts',
        (text) => `${text}\n// bench change ${runId}-${round}\n`,
      );
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
      'case                                            time  executor  revisions  new pods',
    );
    for (const [name, samples] of Object.entries(results)) {
      console.log(
        `${name.padEnd(46)} ${seconds(median(samples.map((s) => s.ms))).padStart(8)} ${(samples[0].executorMs === undefined ? '' : seconds(median(samples.map((s) => s.executorMs ?? 0)))).padStart(9)} ${String(median(samples.map((s) => s.revisions))).padStart(10)} ${String(median(samples.map((s) => s.newPods))).padStart(9)}`,
      );
    }
    const noop = median(results['no-op: nx deploy, Nx daemon on'].map((s) => s.ms));
    const helmNoop = median(results['no-op: helm upgrade --install --wait'].map((s) => s.ms));
    console.log(`\nno-op nx deploy (Nx daemon on) ÷ plain helm: ${(noop / helmNoop).toFixed(2)}`);
    console.log(
      `no-op target (Nx daemon on) ≤ 2 s with no revision and no restart: ${noop <= 2000 && results['no-op: nx deploy, Nx daemon on'].every((s) => s.revisions === 0 && s.newPods === 0) ? 'met' : 'NOT met'} (${seconds(noop)})`,
    );
  } finally {
    world.env.NX_DAEMON = 'true';
    await world.run('npx', ['nx', 'daemon', '--stop']);
    await scene.end();
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
