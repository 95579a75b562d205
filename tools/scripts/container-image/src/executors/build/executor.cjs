// docker-build: builds a project's image through @nx-tools/nx-container, tagged by content.
//   1. normalizeOptions: engine, image, content tag, base image (see ../../lib).
//   2. If <image>:<content tag> is already in the engine, nothing is built: the moving tag is
//      pointed at it and the manifest written. (Nx's runtime input bin/image-state.cjs makes a
//      cache hit impossible while the image is missing, so this executor runs in that case.)
//   3. Otherwise nx-container builds it. Its docker engine needs buildx; where docker has none
//      (Debian's docker.io), nx-container's podman engine builds and the image moves to docker
//      with `podman save | docker load`.
//   4. dist/images/<project>.json = {image, tag, id} is written: the target's cached output.
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { normalizeOptions } = require('../../lib/normalize-options.cjs');
const { createEngine, imageId, runSync } = require('../../lib/engine.cjs');

function loadNxContainerBuild() {
  const packageDir = path.dirname(require.resolve('@nx-tools/nx-container/package.json'));
  const executors = JSON.parse(readFileSync(path.join(packageDir, 'executors.json'), 'utf8'));
  const implementation = require(path.join(packageDir, executors.executors.build.implementation));
  return implementation.default ?? implementation;
}

function git(args, cwd) {
  try {
    return execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '';
  }
}

/** OCI label values: version from the app's package.json, revision and source from git. */
function labelArgs(options, workspaceRoot) {
  let version = '0.0.0';
  try {
    version = JSON.parse(
      readFileSync(path.join(workspaceRoot, options.projectRoot, 'package.json'), 'utf8'),
    ).version;
  } catch {
    // an app without a package.json keeps 0.0.0
  }
  const revision = process.env.GIT_COMMIT || git(['rev-parse', 'HEAD'], workspaceRoot) || 'unknown';
  // A remote URL may carry credentials (https://user:token@host/...): only scheme, host and path go in.
  const remote = git(['remote', 'get-url', 'origin'], workspaceRoot).replace(/\/\/[^@/]+@/, '//');
  return [`VERSION=${version}`, `REVISION=${revision}`, ...(remote ? [`SOURCE=${remote}`] : [])];
}

/** `from | to`, each {command, args, env} with its own engine's environment. */
function pipe(from, to) {
  const shown = `${[from.command, ...from.args].join(' ')} | ${[to.command, ...to.args].join(' ')}`;
  return new Promise((resolve, reject) => {
    const producer = spawn(from.command, from.args, {
      env: from.env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const consumer = spawn(to.command, to.args, {
      env: to.env,
      stdio: ['pipe', 'inherit', 'inherit'],
    });
    producer.stdout.pipe(consumer.stdin);
    let pending = 2;
    const codes = [];
    const done = (name) => (code) => {
      codes.push(`${name} exited ${code}`);
      if (code !== 0) reject(new Error(`${shown}: ${codes.join(', ')}`));
      else if (--pending === 0) resolve();
    };
    producer.on('error', reject).on('close', done(from.command));
    consumer.on('error', reject).on('close', done(to.command));
  });
}

function writeManifest(options, id) {
  mkdirSync(path.dirname(options.manifestPath), { recursive: true });
  const manifest = { image: options.image, tag: options.tag, id };
  writeFileSync(options.manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

function pointMovingTag(engine, options) {
  if (!options.movingRef) return;
  const res = runSync(engine.tag(options.ref, options.movingRef));
  if (res.exitCode !== 0)
    throw new Error(
      `${engine.name} tag ${options.ref} ${options.movingRef} failed: ${res.stderr.trim()}`,
    );
}

/** @type {import('@nx/devkit').PromiseExecutor<any>} */
async function dockerBuildExecutor(rawOptions, context) {
  const workspaceRoot = context.root;
  const options = normalizeOptions(rawOptions, {
    workspaceRoot,
    projectName: context.projectName,
    projectGraph: context.projectGraph,
  });
  const engine = createEngine(options.engine);
  if (runSync(engine.version()).exitCode !== 0) {
    console.error(
      engine.name === 'docker'
        ? 'docker-build: the docker engine does not answer. Start dockerd (tools/scripts/install-container-tools.sh does) or build with CONTAINER_ENGINE=podman.'
        : 'docker-build: podman does not run. Install it with tools/scripts/install-container-tools.sh.',
    );
    return { success: false };
  }

  const existing = options.force ? undefined : imageId(engine, options.ref);
  if (existing) {
    console.log(
      `${options.ref} is already in ${engine.name} (${existing.slice(7, 19)}): not rebuilding`,
    );
    pointMovingTag(engine, options);
    writeManifest(options, existing);
    return { success: true };
  }

  const hasBuildx = engine.name === 'docker' && runSync(engine.buildxVersion()).exitCode === 0;
  const builder = engine.name === 'docker' && !hasBuildx ? createEngine('podman') : engine;
  if (builder !== engine) {
    console.log(
      'docker has no buildx here: nx-container builds with podman, then the image moves to docker',
    );
  }
  const tags = [options.ref, ...(options.movingRef ? [options.movingRef] : [])];
  // The builder may already hold this content tag (an earlier podman build): moving it over keeps
  // one image id in both engines and builds nothing.
  const alreadyBuilt = builder !== engine && !options.force && imageId(builder, options.ref);
  if (alreadyBuilt) {
    console.log(
      `${options.ref} is already in ${builder.name}: moving it to ${engine.name} without building`,
    );
    pointMovingTag(builder, options);
  } else {
    console.log(`building ${options.ref} on ${options.baseImage}`);
    // nx-container runs the engine with this process's environment.
    if (builder.env.CONTAINERS_CONF) process.env.CONTAINERS_CONF = builder.env.CONTAINERS_CONF;
    const build = loadNxContainerBuild();
    const succeeded = await build(
      {
        engine: builder.name,
        file: options.file,
        context: workspaceRoot,
        tags,
        'build-args': [
          `BASE_IMAGE=${options.baseImage}`,
          ...labelArgs(options, workspaceRoot),
          ...options.buildArgs,
        ],
        quiet: options.quiet,
        // docker buildx keeps the result in its builder unless told to load it into the engine.
        load: builder.name === 'docker',
        // RUN steps on podman use the host network: machines like CI's have no bridge network.
        ...(builder.name === 'podman' ? { network: 'host' } : {}),
      },
      context,
    ).then(
      (result) => Boolean(result?.success),
      (error) => {
        console.error(`docker-build: ${error.message}`);
        return false;
      },
    );
    if (!succeeded) {
      // The engine's own words ("pinging container registry … no such host") do not say that a
      // base made on this machine avoids the registry altogether.
      if (!imageId(builder, options.baseImage)) {
        console.error(
          `docker-build: the base image ${options.baseImage} (from ${options.baseImageFrom}) is not in ${builder.name} and could not be pulled. ` +
            'Where no registry is reachable, make a base image locally and build again: ' +
            'export BASE_IMAGE=$(tools/scripts/make-base-image.sh | tail -1)',
        );
      }
      return { success: false };
    }
  }

  if (builder !== engine) {
    await pipe(builder.command(['save', ...tags]), engine.command(['load']));
  }
  const id = imageId(engine, options.ref);
  if (!id) {
    console.error(
      `docker-build: the build reported success but ${options.ref} is not in ${engine.name}`,
    );
    return { success: false };
  }
  const manifest = writeManifest(options, id);
  console.log(`${path.relative(workspaceRoot, options.manifestPath)}: ${JSON.stringify(manifest)}`);
  return { success: true };
}

module.exports = dockerBuildExecutor;
module.exports.default = dockerBuildExecutor;
