/**
 * npm run bench:watch — the dev loop against a plain deploy, in one run, on a real control plane
 * (tools/scripts/control-plane.sh; started if none runs, then stopped again):
 *   - plain: a one-line backend change, then `npx nx deploy backend` (save → the command ends,
 *     the new revision rolled out and /ready answered);
 *   - watch: the same change saved while `npx nx deploy backend --watch` runs (save → its cycle
 *     line, printed once the new revision rolled out and /ready answered);
 *   - a test-only edit under --watch: builds and revisions it caused;
 *   - Ctrl-C: until every process of the loop is gone.
 * The world of the cluster suite: real Nx, Helm 4 and kubectl, KWOK's node, the kubelet stand-in
 * running the real containers, only `minikube image load` recorded. BENCH_RUNS=n (default 3).
 */
import { CONTEXT, RELEASE } from '../src/cluster';
import { startScene } from '../src/scene';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const namespace = 'bench-deploy';
const deploy = [
  'deploy',
  'backend',
  '--configuration=dev',
  `--kubeContext=${CONTEXT}`,
  `--namespace=${namespace}`,
];

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const scene = await startScene(4, namespace);
  const { world } = scene;
  // A change no earlier run made, so its image is built here, not found in the engine's store.
  const runId = Date.now().toString(36);
  let edits = 0;
  const change = () =>
    world.edit(
      'apps/backend/src/main.ts',
      (text) => `${text}\n// bench change ${runId}-${++edits}\n`,
    );
  const revision = async () => {
    const history: Array<{ revision: number }> = JSON.parse(
      await world.helm('history', RELEASE, '-n', namespace, '-o', 'json'),
    );
    return Math.max(...history.map((h) => h.revision));
  };
  try {
    const first = await world.nx(...deploy);
    scene.expectSuccess(first);

    const plain: number[] = [];
    for (let round = 0; round < runs; round++) {
      change();
      const started = performance.now();
      scene.expectSuccess(await world.nx(...deploy));
      plain.push(performance.now() - started);
    }

    const session = world.start('npx', [
      'nx',
      ...deploy,
      '--watch',
      '--forwardPort=0',
      '--logs=false',
    ]);
    await session.waitFor(/👀 watching/, 300_000);
    const cycle = async (edit: () => void) => {
      const from = session.output.length;
      edit();
      const started = performance.now();
      const [line] = await session.waitFor(/(⟳|✖) backend: .* changed → .*/, 300_000, from);
      const ms = performance.now() - started;
      if (line.startsWith('✖')) throw new Error(`a cycle failed:\n${session.output.slice(from)}`);
      return { ms, line, output: session.output.slice(from) };
    };
    const watched: number[] = [];
    const steps: string[] = [];
    for (let round = 0; round < runs; round++) {
      const result = await cycle(change);
      watched.push(result.ms);
      steps.push(result.line.replace(/^.*?rolled out in /, ''));
    }
    const before = await revision();
    const testOnly = await cycle(() =>
      world.edit('apps/backend/src/app.spec.ts', (text) => `${text}\n// a test-only edit\n`),
    );
    const testOnlyBuilds = (testOnly.output.match(/… build backend/g) ?? []).length;
    const testOnlyRevisions = (await revision()) - before;

    const stopStarted = performance.now();
    session.interrupt();
    await session.exited;
    let left = 'start';
    while (left) {
      left = (await world.run('pgrep', ['-g', String(session.pgid)])).stdout.trim();
      if (left) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const stopMs = performance.now() - stopStarted;

    const watch = median(watched);
    const deployMs = median(plain);
    console.log(`\n${runs} rounds, medians (Helm 4, values-dev.yaml, real API server, podman):`);
    console.log(`one-line backend change, plain nx deploy:       ${seconds(deployMs)}`);
    console.log(`one-line backend change, save → rolled (watch): ${seconds(watch)}`);
    for (const line of steps) console.log(`  cycle: ${line}`);
    console.log(`watch ÷ plain nx deploy: ${(watch / deployMs).toFixed(2)}`);
    console.log(
      `test-only edit under --watch: ${testOnlyBuilds} builds, ${testOnlyRevisions} revisions, ${seconds(testOnly.ms)}`,
    );
    console.log(`Ctrl-C → every process of the loop gone: ${seconds(stopMs)}`);
    console.log(
      `targets: save → rolled ≤ 5 s ${watch <= 5000 ? 'met' : 'NOT met'}; test-only edit 0 builds and 0 revisions ${testOnlyBuilds === 0 && testOnlyRevisions === 0 ? 'met' : 'NOT met'}; Ctrl-C ≤ 2 s ${stopMs <= 2000 ? 'met' : 'NOT met'}`,
    );
  } finally {
    await scene.end();
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
