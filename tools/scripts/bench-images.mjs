#!/usr/bin/env node
// npm run bench:images — what the app images cost:
//   - app layers: image size minus base size, per image;
//   - `nx run-many -t docker-build` cold (app images and their build cache removed; Nx's `build`
//     results kept) and warm with no change (first run after the build, then a full cache hit);
//   - container start → /ready: backend on PostgreSQL (a throwaway local cluster, when the
//     PostgreSQL server binaries are installed), backend on its embedded PGlite database (first
//     start on an empty volume and restart on an initialised one), frontend.
// Engine: CONTAINER_ENGINE, else docker when its daemon answers, else podman. Base: BASE_IMAGE,
// else tools/scripts/make-base-image.sh. Figures go to stdout and tmp/bench/images.json.
// Timings on a shared 2-core machine are noisy: each start figure is the median of 3 runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
  chownSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { engineEnv } from './container-image/src/lib/engine.cjs';
import { freePort } from './free-port.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const apps = ['backend', 'frontend'];
const env = {
  ...engineEnv(),
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
};
const answers = (cmd, args) => spawnSync(cmd, args, { env, stdio: 'ignore' }).status === 0;
env.CONTAINER_ENGINE ||= answers('docker', ['info']) ? 'docker' : 'podman';
const engine = env.CONTAINER_ENGINE;

function sh(cmd, args, { quiet = true, allowFail = false } = {}) {
  const res = spawnSync(cmd, args, { cwd: root, env, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (res.status !== 0 && !allowFail) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${res.status}\n${res.stdout}\n${res.stderr}`);
  }
  if (!quiet) process.stdout.write(res.stdout);
  return res.stdout ?? '';
}
const seconds = (ms) => Math.round(ms / 100) / 10;
const mb = (bytes) => Math.round(bytes / 1e5) / 10;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timed(cmd, args) {
  const started = performance.now();
  sh(cmd, args);
  return performance.now() - started;
}

async function untilReady(url, since, timeoutMs = 60_000) {
  while (performance.now() - since < timeoutMs) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return performance.now() - since;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms`);
}

const manifest = (app) =>
  JSON.parse(readFileSync(path.join(root, 'dist/images', `${app}.json`), 'utf8'));
const imageSize = (ref) =>
  Number(sh(engine, ['image', 'inspect', '--format', '{{.Size}}', ref]).trim());

function removeAppImages() {
  for (const builder of new Set([engine, 'podman'])) {
    if (!answers(builder, ['version'])) continue;
    for (const app of apps) {
      const refs = sh(builder, [
        'images',
        '--format',
        '{{.Repository}}:{{.Tag}}',
        `localhost/todo/${app}`,
      ])
        .split('\n')
        .filter((ref) => ref && !ref.endsWith(':<none>'));
      if (refs.length) sh(builder, ['rmi', '--force', ...refs], { allowFail: true });
    }
    sh(builder, ['image', 'prune', '--force'], { allowFail: true });
  }
}

const runMany = () =>
  timed('npx', [
    'nx',
    'run-many',
    '-t',
    'docker-build',
    '-p',
    apps.join(','),
    '--outputStyle=static',
  ]);

async function startToReady({ image, port, env: containerEnv, volume, path: probe = '/ready' }) {
  const name = `todo-bench-${randomBytes(4).toString('hex')}`;
  const args = ['run', '-d', '--name', name, '--network', 'host', '--read-only', '--tmpfs', '/tmp'];
  if (volume) args.push('--volume', `${volume}:/data`);
  for (const [key, value] of Object.entries({ PORT: String(port), ...containerEnv }))
    args.push('--env', `${key}=${value}`);
  const since = performance.now();
  sh(engine, [...args, image]);
  try {
    return await untilReady(`http://127.0.0.1:${port}${probe}`, since);
  } finally {
    sh(engine, ['rm', '--force', '--volumes', name], { allowFail: true });
  }
}

async function withPostgres(use) {
  const bin = [
    '/usr/lib/postgresql/17/bin',
    '/usr/lib/postgresql/16/bin',
    '/usr/lib/postgresql/15/bin',
  ].find((dir) => existsSync(path.join(dir, 'pg_ctl')));
  if (!bin) return undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'todo-bench-pg-'));
  const port = await freePort();
  const asPostgres = (args) =>
    process.getuid?.() === 0
      ? ['runuser', ['-u', 'postgres', '--', ...args]]
      : [args[0], args.slice(1)];
  if (process.getuid?.() === 0)
    chownSync(
      dir,
      Number(execFileSync('id', ['-u', 'postgres']).toString()),
      Number(execFileSync('id', ['-g', 'postgres']).toString()),
    );
  sh(...asPostgres([`${bin}/initdb`, '-D', `${dir}/data`, '--auth=trust', '-U', 'postgres']));
  // -l: without a log file the server keeps pg_ctl's stdout open and spawnSync never returns.
  sh(
    ...asPostgres([
      `${bin}/pg_ctl`,
      '-D',
      `${dir}/data`,
      '-l',
      `${dir}/server.log`,
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
      '-w',
      'start',
    ]),
  );
  try {
    return await use(`postgres://postgres@127.0.0.1:${port}/postgres`);
  } finally {
    sh(...asPostgres([`${bin}/pg_ctl`, '-D', `${dir}/data`, '-m', 'immediate', 'stop']), {
      allowFail: true,
    });
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  env.BASE_IMAGE ||= sh('bash', ['tools/scripts/make-base-image.sh']).trim().split('\n').pop();
  console.log(`engine ${engine}, base ${env.BASE_IMAGE}`);
  sh('npx', ['nx', 'run-many', '-t', 'build', '-p', apps.join(','), '--outputStyle=static']);

  console.log('cold run: app images and their build cache removed');
  removeAppImages();
  const cold = runMany();
  console.log('warm runs');
  const warmFirst = runMany();
  const warmCached = runMany();

  const baseSize = imageSize(env.BASE_IMAGE);
  const layers = Object.fromEntries(
    apps.map((app) => {
      const { image, tag } = manifest(app);
      const size = imageSize(`${image}:${tag}`);
      return [
        app,
        { image: `${image}:${tag}`, imageMB: mb(size), appLayersMB: mb(size - baseSize) },
      ];
    }),
  );

  console.log('container start → /ready');
  const jwt = { JWT_SECRET_KEY: randomBytes(32).toString('hex') };
  const backendRef = layers.backend.image;
  const runs = 3;
  const starts = {
    backendPostgres: [],
    backendPgliteFirst: [],
    backendPgliteRestart: [],
    frontend: [],
  };
  for (let i = 0; i < runs; i++) {
    const volume = `todo-bench-${randomBytes(4).toString('hex')}`;
    sh(engine, ['volume', 'create', volume]);
    try {
      starts.backendPgliteFirst.push(
        await startToReady({ image: backendRef, port: await freePort(), env: jwt, volume }),
      );
      starts.backendPgliteRestart.push(
        await startToReady({ image: backendRef, port: await freePort(), env: jwt, volume }),
      );
    } finally {
      sh(engine, ['volume', 'rm', '--force', volume], { allowFail: true });
    }
    starts.frontend.push(
      await startToReady({ image: layers.frontend.image, port: await freePort(), env: {} }),
    );
  }
  await withPostgres(async (url) => {
    for (let i = 0; i < runs; i++) {
      starts.backendPostgres.push(
        await startToReady({
          image: backendRef,
          port: await freePort(),
          env: { ...jwt, DATABASE_URL: url },
        }),
      );
    }
  });

  const results = {
    engine,
    baseImage: env.BASE_IMAGE,
    baseImageMB: mb(baseSize),
    images: layers,
    dockerBuildSeconds: {
      cold: seconds(cold),
      warmFirstRun: seconds(warmFirst),
      warmCacheHit: seconds(warmCached),
    },
    startToReadyMs: Object.fromEntries(
      Object.entries(starts).map(([key, xs]) => [key, xs.length ? Math.round(median(xs)) : null]),
    ),
    targets: {
      appLayersMB: { backend: 25, frontend: 60 },
      warmSeconds: 5,
      startToReadyMs: { backendPostgres: 1000, frontend: 2000 },
    },
  };
  mkdirSync(path.join(root, 'tmp/bench'), { recursive: true });
  writeFileSync(path.join(root, 'tmp/bench/images.json'), `${JSON.stringify(results, null, 2)}\n`);

  console.log('\napp layers (image − base)');
  for (const app of apps)
    console.log(
      `  ${app.padEnd(9)} ${String(layers[app].appLayersMB).padStart(6)} MB   (${layers[app].image}, ${layers[app].imageMB} MB in all)`,
    );
  console.log('nx run-many -t docker-build');
  console.log(
    `  cold ${results.dockerBuildSeconds.cold} s, warm first run ${results.dockerBuildSeconds.warmFirstRun} s, warm cache hit ${results.dockerBuildSeconds.warmCacheHit} s`,
  );
  console.log(`container start → /ready (median of ${runs})`);
  for (const [key, ms] of Object.entries(results.startToReadyMs))
    console.log(
      `  ${key.padEnd(22)} ${ms === null ? 'n/a (no PostgreSQL server binaries)' : `${ms} ms`}`,
    );
  console.log('\nwritten to tmp/bench/images.json');
}

// fetch's abort timers do not hold the event loop open: this does, until main settles.
const keepAlive = setInterval(() => undefined, 1000);
main()
  .finally(() => clearInterval(keepAlive))
  .catch((error) => {
    console.error(error.message);
    process.exit(1);
  });
