/**
 * npm run bench:watch — the dev loop against a plain deploy, in one run, on a real control plane
 * (tools/scripts/control-plane.sh; started if none runs, then stopped again):
 *   - plain: a one-line backend change, then `npx nx deploy backend`;
 *   - watch: the same change saved while `npx nx deploy backend --watch` runs;
 *   each timed from the save to the new revision available (the status check passed: the new
 *   ReplicaSet's pods ready, the old ones gone) and to the end (the command exits / the cycle's
 *   line, after /ready and the in-cluster check);
 *   - a test-only edit under --watch: builds and revisions it caused;
 *   - Ctrl-C: until every process of the loop is gone.
 * The first two with the Nx daemon off (CI, containers) and on (developers' machines).
 * The world of the cluster suite: real Nx, Helm 4 and kubectl, KWOK's node, the kubelet stand-in
 * running the real containers, only `minikube image load` recorded. BENCH_RUNS=n (default 3).
 */
import { CONTEXT, RELEASE, type Session } from '../src/cluster';
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
  // A line of code, not a comment: the minified bundle, and so the image's last layer, changes.
  const change = () =>
    world.edit(
      'apps/backend/src/main.ts',
      (text) => `${text}\nexport const benchChange${++edits} = '${runId}';\n`,
    );
  const revision = async () => {
    const history: Array<{ revision: number }> = JSON.parse(
      await world.helm('history', RELEASE, '-n', namespace, '-o', 'json'),
    );
    return Math.max(...history.map((h) => h.revision));
  };
  /** Save → the status check passed, and save → `done` matched (or the command exited). */
  const timed = async (session: Session, from: number, started: number, done?: RegExp) => {
    const available = session.waitFor(/✔ status check/, 300_000, from).then(
      () => performance.now() - started,
      () => Number.NaN,
    );
    const [line] = done ? await session.waitFor(done, 300_000, from) : [''];
    if (!done && (await session.exited) !== 0)
      throw new Error(`nx deploy failed:\n${session.output.slice(from)}`);
    const ms = performance.now() - started;
    if (line.startsWith('✖')) throw new Error(`a cycle failed:\n${session.output.slice(from)}`);
    return { available: await available, ms, line, output: session.output.slice(from) };
  };
  const cycleOf = (session: Session) => async (edit: () => void) => {
    const from = session.output.length;
    edit();
    return timed(session, from, performance.now(), /(⟳|✖) backend: .* changed → .*/);
  };
  const startWatch = async () => {
    const session = world.start('npx', [
      'nx',
      ...deploy,
      '--watch',
      '--forwardPort=0',
      '--logs=false',
    ]);
    await session.waitFor(/👀 watching/, 300_000);
    return session;
  };
  const stopWatch = async (session: ReturnType<typeof world.start>) => {
    const started = performance.now();
    session.interrupt();
    await session.exited;
    let left = 'start';
    while (left) {
      left = (await world.run('pgrep', ['-g', String(session.pgid)])).stdout.trim();
      if (left) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return performance.now() - started;
  };
  /** Plain deploys, then the same change saved under --watch, `runs` times each. */
  const measure = async () => {
    const plain: Array<{ available: number; ms: number }> = [];
    for (let round = 0; round < runs; round++) {
      change();
      const started = performance.now();
      plain.push(await timed(world.start('npx', ['nx', ...deploy]), 0, started));
    }
    const session = await startWatch();
    const cycle = cycleOf(session);
    const watched: Array<{ available: number; ms: number }> = [];
    const steps: string[] = [];
    for (let round = 0; round < runs; round++) {
      const result = await cycle(change);
      watched.push(result);
      steps.push(result.line.replace(/^.*?rolled out in /, ''));
    }
    const medians = (results: typeof plain) => ({
      available: median(results.map((r) => r.available)),
      ms: median(results.map((r) => r.ms)),
    });
    return { plain: medians(plain), watch: medians(watched), steps, session, cycle };
  };
  try {
    scene.expectSuccess(await world.nx(...deploy));

    // CI and containers run Nx without its daemon (Nx's own default there); developers'
    // machines run it, so each figure is measured both ways.
    const results: Record<string, Awaited<ReturnType<typeof measure>>> = {};
    let testOnly = { ms: 0, builds: 0, revisions: 0 };
    let stopMs = 0;
    for (const daemon of ['false', 'true']) {
      world.env.NX_DAEMON = daemon;
      const result = await measure();
      results[daemon] = result;
      if (daemon === 'false') {
        const before = await revision();
        const edit = await result.cycle(() =>
          world.edit('apps/backend/src/app.spec.ts', (text) => `${text}\n// a test-only edit\n`),
        );
        testOnly = {
          ms: edit.ms,
          builds: (edit.output.match(/… build backend/g) ?? []).length,
          revisions: (await revision()) - before,
        };
        stopMs = await stopWatch(result.session);
      } else {
        await stopWatch(result.session);
      }
    }

    console.log(`\n${runs} rounds, medians (Helm 4, values-dev.yaml, real API server, podman):`);
    for (const [daemon, label] of [
      ['false', 'Nx daemon off (CI, containers)'],
      ['true', "Nx daemon on (developers' machines)"],
    ]) {
      const { plain, watch, steps } = results[daemon];
      console.log(`${label}:`);
      console.log('  one-line backend change, save → new revision available / → done:');
      console.log(`    plain nx deploy: ${seconds(plain.available)} / ${seconds(plain.ms)}`);
      console.log(`    --watch:         ${seconds(watch.available)} / ${seconds(watch.ms)}`);
      for (const line of steps) console.log(`    cycle: ${line}`);
      console.log(
        `  watch ÷ plain nx deploy: ${(watch.available / plain.available).toFixed(2)} / ${(watch.ms / plain.ms).toFixed(2)}`,
      );
    }
    console.log(
      `test-only edit under --watch: ${testOnly.builds} builds, ${testOnly.revisions} revisions, ${seconds(testOnly.ms)}`,
    );
    console.log(`Ctrl-C → every process of the loop gone: ${seconds(stopMs)}`);
    const off = results['false'].watch.available;
    const on = results['true'].watch.available;
    console.log(
      `targets: save → new revision available ≤ 5 s ${Math.min(off, on) <= 5000 ? 'met' : 'NOT met'} (daemon off ${seconds(off)}, on ${seconds(on)}); test-only edit 0 builds and 0 revisions ${testOnly.builds === 0 && testOnly.revisions === 0 ? 'met' : 'NOT met'}; Ctrl-C ≤ 2 s ${stopMs <= 2000 ? 'met' : 'NOT met'}`,
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
