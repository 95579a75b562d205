#!/usr/bin/env node
// npm run bench:deploy — how long `npx nx deploy frontend --configuration=dev` takes when there is
// nothing to do, and when one app changed (image already built), split into Nx start-up and the
// executor's own time.
//
// No Kubernetes cluster can run on the CI machine, so minikube, kubectl, helm, docker and podman
// are the recorded shims of tools/nx-deploy/test/shims (real Helm parses and renders inside the
// helm shim). The shims cost a Node start each (~50–150 ms), so cluster-side times here are an
// upper bound of the executor's own overhead, not a cluster's speed.
//
// The deploy target depends on docker-build (and so on build); those are excluded
// (--exclude-task-dependencies) so that the figures are the deploy's alone. BENCH_WITH_DEPS=1 adds
// a no-op run that keeps them (meaningful only when `nx build frontend` is already cached; the
// docker-build step then finds its image in the shim engine and builds nothing).
// BENCH_RUNS=n (default 5).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const runs = Number(process.env.BENCH_RUNS ?? 5);
const project = 'frontend';
const other = 'backend';

const dir = mkdtempSync(path.join(root, 'tmp', 'nx-deploy-bench-'));
const bin = path.join(dir, 'bin');
mkdirSync(bin);
for (const tool of ['helm', 'kubectl', 'minikube', 'docker', 'podman', 'kind']) {
  symlinkSync(path.join(root, 'tools/nx-deploy/test/shims/bin', tool), path.join(bin, tool));
}
const statePath = path.join(dir, 'state.json');
const env = {
  ...process.env,
  PATH: `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
  NX_DEPLOY_SHIM_STATE: statePath,
  NX_DEPLOY_SHIM_LOG: path.join(dir, 'calls.jsonl'),
  NX_DEPLOY_REAL_HELM: execFileSync(path.join(root, 'tools/scripts/helm.sh'), ['3', '--path'], {
    encoding: 'utf8',
  }).trim(),
  NX_DEPLOY_LOCK_DIR: path.join(dir, 'locks'),
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  CONTAINER_ENGINE: 'docker',
};
delete env.CI;

function contentTag(name) {
  const out = execFileSync(
    'node',
    ['tools/scripts/container-image/bin/image-state.cjs', name, '--json'],
    { cwd: root, env, encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').pop());
}

const images = Object.fromEntries([project, other].map((name) => [name, contentTag(name)]));
const ref = (i) => `${i.image}:${i.tag}`;
writeFileSync(
  statePath,
  JSON.stringify({
    kube: { currentContext: 'minikube' },
    minikube: { images: [] },
    engines: {
      docker: {
        images: Object.fromEntries(Object.values(images).map((i) => [ref(i), `sha256:${i.tag}`])),
      },
    },
    releases: {},
    namespaces: ['default'],
  }),
);

function deploy(extraArgs = []) {
  const started = process.hrtime.bigint();
  const result = spawnSync(
    'npx',
    [
      'nx',
      'deploy',
      project,
      '--configuration=dev',
      '--exclude-task-dependencies',
      '--outputStyle=static',
      ...extraArgs,
    ],
    { cwd: root, env, encoding: 'utf8' },
  );
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const output = `${result.stdout}\n${result.stderr}`;
  const match = output.match(/deploy (finished|failed) for \S+ in (\d+(?:\.\d+)?)(ms|s)/);
  if (result.status !== 0 || !match || match[1] !== 'finished') {
    console.error(output);
    throw new Error(`deploy failed (exit ${result.status})`);
  }
  const executorMs = Number(match[2]) * (match[3] === 's' ? 1000 : 1);
  return { wallMs, executorMs, output };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;

try {
  const first = deploy();
  console.log(
    `first deploy (install, both images loaded): ${fmt(first.wallMs)} end to end, executor ${fmt(first.executorMs)}`,
  );

  const results = { 'no-op redeploy': [], 'one-app change (image already built)': [] };
  for (let i = 0; i < runs; i++) {
    const noop = deploy();
    if (!/is up to date/.test(noop.output)) throw new Error(`expected a no-op:\n${noop.output}`);
    results['no-op redeploy'].push(noop);
  }
  // Then one-app changes: each run gives the frontend a new content tag whose image is already
  // in the engine (no build), so the deploy loads it, upgrades the release and verifies it.
  for (let i = 0; i < runs; i++) {
    const tag = `bench${Date.now().toString(16)}${i}`;
    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    state.engines.docker.images[`${images[project].image}:${tag}`] = `sha256:${tag}`;
    writeFileSync(statePath, JSON.stringify(state));
    const change = deploy([
      `--contentTagCommand=node tools/nx-deploy/bench/print-tag.mjs %project% ${images[project].image} ${tag}`,
    ]);
    if (!/helm upgrade todo-app — revision/.test(change.output)) {
      throw new Error(`expected an upgrade:\n${change.output}`);
    }
    results['one-app change (image already built)'].push(change);
  }

  console.log(`\n${runs} runs each, medians (npx nx deploy ${project} --configuration=dev):`);
  console.log('scenario                               end to end   Nx start-up   executor');
  for (const [name, list] of Object.entries(results)) {
    const wall = median(list.map((r) => r.wallMs));
    const executor = median(list.map((r) => r.executorMs));
    console.log(
      `${name.padEnd(38)} ${fmt(wall).padStart(10)}   ${fmt(wall - executor).padStart(11)}   ${fmt(executor).padStart(8)}`,
    );
  }
  if (process.env.BENCH_WITH_DEPS === '1') {
    const full = deploy([], true);
    console.log(
      `no-op with build and docker-build checked by Nx: ${fmt(full.wallMs)} end to end, executor ${fmt(full.executorMs)}`,
    );
  }
  const noopWall = median(results['no-op redeploy'].map((r) => r.wallMs));
  console.log(
    `\nno-op target ≤ 5 s end to end: ${noopWall <= 5000 ? 'met' : 'NOT met'} (${fmt(noopWall)})`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
