// The container engine as this workspace uses it: which one (docker unless CONTAINER_ENGINE or
// the target says podman), the environment podman needs on machines like CI's, and the few
// engine questions the executor and the tests ask (does this image exist, what is its id).
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const ENGINES = ['docker', 'podman'];
const WORKSPACE_CONTAINERS_CONF = path.resolve(__dirname, '../../../containers.conf');

function resolveEngine(option) {
  const engine = process.env.CONTAINER_ENGINE || option || 'docker';
  if (!ENGINES.includes(engine)) {
    throw new Error(`CONTAINER_ENGINE must be one of ${ENGINES.join(', ')}; got "${engine}"`);
  }
  return engine;
}

/** The environment for engine commands: podman gets the workspace's containers.conf unless one is named. */
function engineEnv(env = process.env) {
  return { ...env, CONTAINERS_CONF: env.CONTAINERS_CONF || WORKSPACE_CONTAINERS_CONF };
}

function run(command, args, options = {}) {
  const res = spawnSync(command, args, { encoding: 'utf8', env: engineEnv(), ...options });
  return {
    exitCode: res.error ? 127 : (res.status ?? 1),
    stdout: res.stdout ?? '',
    stderr: res.error ? String(res.error.message) : (res.stderr ?? ''),
  };
}

/** The image id (sha256:…) of `ref` in the engine, or undefined when it is not there. */
function imageId(engine, ref) {
  const res = run(engine, ['image', 'inspect', '--format', '{{.Id}}', ref]);
  if (res.exitCode !== 0) return undefined;
  const id = res.stdout.trim().split('\n')[0];
  return id.startsWith('sha256:') ? id : `sha256:${id}`;
}

function engineAnswers(engine) {
  return run(engine, ['version']).exitCode === 0;
}

function hasBuildx() {
  return run('docker', ['buildx', 'version']).exitCode === 0;
}

module.exports = {
  ENGINES,
  WORKSPACE_CONTAINERS_CONF,
  resolveEngine,
  engineEnv,
  run,
  imageId,
  engineAnswers,
  hasBuildx,
};
