// The container engine as this workspace uses it, in one place for docker-build, the deploy
// plugin, the scripts and the tests: which engine (the target's option, else CONTAINER_ENGINE,
// else docker), the environment its commands need (podman: the workspace's containers.conf unless
// CONTAINERS_CONF names another), the commands themselves and how their answers read. Adapters
// only describe commands ({command, args, env}); callers run them with their own runner.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const ENGINES = ['docker', 'podman'];
const WORKSPACE_CONTAINERS_CONF = path.resolve(__dirname, '../../../containers.conf');
/** Where docker-build writes `{image, tag, id}` for a project, relative to the workspace root. */
const IMAGE_MANIFEST_DIR = 'dist/images';

/**
 * @typedef {'docker'|'podman'} EngineName
 * @typedef {{command: string, args: string[], env?: NodeJS.ProcessEnv}} Command
 */

class InvalidEngineError extends Error {
  /** @param {'engine'|'CONTAINER_ENGINE'} source @param {string} rule */
  constructor(source, rule) {
    super(`${source} ${rule}`);
    this.name = 'InvalidEngineError';
    this.source = source;
    this.rule = rule;
  }
}

/**
 * @param {string|undefined} option the target's `engine` option
 * @returns {EngineName}
 */
function resolveEngine(option, env = process.env) {
  const chosen = option || env.CONTAINER_ENGINE || 'docker';
  if (!ENGINES.includes(chosen)) {
    throw new InvalidEngineError(
      option ? 'engine' : 'CONTAINER_ENGINE',
      `must be "docker" or "podman", got "${chosen}"`,
    );
  }
  return /** @type {EngineName} */ (chosen);
}

class CliEngine {
  /** @param {EngineName} name @param {NodeJS.ProcessEnv} env */
  constructor(name, env) {
    this.name = name;
    /** The environment every command of this engine runs with. */
    this.env = env;
  }
  /** @param {string[]} args @returns {Command} */
  command(args) {
    return { command: this.name, args, env: this.env };
  }
  version() {
    return this.command(['version', '--format', '{{.Client.Version}}']);
  }
  /** Answers the image id (see readImageId) or fails when `ref` is not in the engine. */
  imageId(ref) {
    return this.command(['image', 'inspect', '--format', '{{.Id}}', ref]);
  }
  /** @param {string} stdout of a successful imageId command @returns {string} sha256:… */
  readImageId(stdout) {
    const id = stdout.trim().split('\n')[0];
    return id.startsWith('sha256:') ? id : `sha256:${id}`;
  }
  save(ref, archive) {
    return this.command(['save', '-o', archive, ref]);
  }
  tag(source, target) {
    return this.command(['tag', source, target]);
  }
  push(ref) {
    return this.command(['push', ref]);
  }
  /** Removes one name of an image (the image stays while other names point at it). */
  untag(ref) {
    return this.command(['rmi', ref]);
  }
  remoteImageExists(ref) {
    return this.command(['manifest', 'inspect', ref]);
  }
}

class DockerEngine extends CliEngine {
  constructor(env = process.env) {
    super('docker', env);
  }
  buildxVersion() {
    return this.command(['buildx', 'version']);
  }
}

class PodmanEngine extends CliEngine {
  constructor(env = process.env) {
    super('podman', { ...env, CONTAINERS_CONF: env.CONTAINERS_CONF || WORKSPACE_CONTAINERS_CONF });
  }
}

/** @param {EngineName} name @returns {DockerEngine|PodmanEngine} */
function createEngine(name, env = process.env) {
  return name === 'podman' ? new PodmanEngine(env) : new DockerEngine(env);
}

/** The environment for commands of any engine (the podman one is a superset of docker's). */
function engineEnv(env = process.env) {
  return new PodmanEngine(env).env;
}

/** Runs a command synchronously: exit code 127 when it cannot start. @param {Command} cmd */
function runSync(cmd, options = {}) {
  const res = spawnSync(cmd.command, cmd.args, { encoding: 'utf8', env: cmd.env, ...options });
  return {
    exitCode: res.error ? 127 : (res.status ?? 1),
    stdout: res.stdout ?? '',
    stderr: res.error ? String(res.error.message) : (res.stderr ?? ''),
  };
}

/** The image id (sha256:…) of `ref` in the engine, or undefined when it is not there. */
function imageId(engine, ref) {
  const res = runSync(engine.imageId(ref));
  return res.exitCode === 0 ? engine.readImageId(res.stdout) : undefined;
}

/** @param {string} workspaceRoot @param {string} project */
function imageManifestPath(workspaceRoot, project) {
  return path.join(workspaceRoot, IMAGE_MANIFEST_DIR, `${project}.json`);
}

module.exports = {
  InvalidEngineError,
  resolveEngine,
  createEngine,
  engineEnv,
  runSync,
  imageId,
  imageManifestPath,
};
