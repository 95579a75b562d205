// Turns the docker-build target's options and the environment into one complete, typed set of
// build settings. Shared by the executor and by bin/image-state.cjs (Nx's runtime input and the
// deploy tooling's way to learn a tag), so both always agree on the engine, image and tag.
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const path = require('node:path');
const { contentTag } = require('./content-tag.cjs');
const { imageManifestPath, resolveEngine } = require('./engine.cjs');

const DEFAULT_MOVING_TAG = 'dev';

/** The default of `ARG BASE_IMAGE=…` in the Dockerfile. */
function dockerfileBaseImage(dockerfileText, dockerfile) {
  const match = /^\s*ARG\s+BASE_IMAGE\s*=\s*("?)([^\s"]+)\1\s*$/m.exec(dockerfileText);
  if (!match) {
    throw new Error(`${dockerfile} must declare its base as "ARG BASE_IMAGE=<default image>"`);
  }
  return match[2];
}

/**
 * @typedef {object} DockerBuildOptions  the target's options (schema.json)
 * @property {string} image
 * @property {'docker'|'podman'} [engine]
 * @property {string} [file]
 * @property {string} [base-image]
 * @property {string} [moving-tag]
 * @property {string[]} [build-args]
 * @property {boolean} [force]
 * @property {boolean} [quiet]
 *
 * @param {DockerBuildOptions} options
 * @param {{workspaceRoot: string, projectName: string, projectGraph: any}} context
 */
function normalizeOptions(options, { workspaceRoot, projectName, projectGraph }) {
  const node = projectGraph.nodes[projectName];
  if (!node) throw new Error(`Project "${projectName}" is not in the project graph`);
  const projectRoot = node.data.root;
  if (!options.image || !/^[a-z0-9]+([._/-][a-z0-9]+)*$/.test(options.image)) {
    throw new Error(
      `docker-build option "image" must be an image name without a tag (lower case, e.g. localhost/todo/${projectName}); got "${options.image ?? ''}"`,
    );
  }
  const file = options.file ?? path.posix.join(projectRoot, 'Dockerfile');
  const dockerfilePath = path.join(workspaceRoot, file);
  if (!existsSync(dockerfilePath))
    throw new Error(`docker-build option "file": ${file} does not exist`);
  const baseImageFrom = options['base-image']
    ? 'the target\'s "base-image" option'
    : process.env.BASE_IMAGE
      ? 'BASE_IMAGE'
      : `${file}'s default (BASE_IMAGE is not set)`;
  const baseImage =
    options['base-image'] ||
    process.env.BASE_IMAGE ||
    dockerfileBaseImage(readFileSync(dockerfilePath, 'utf8'), file);
  const engine = resolveEngine(options.engine);
  const movingTag = options['moving-tag'] ?? DEFAULT_MOVING_TAG;
  const { tag } = contentTag({
    workspaceRoot,
    projectGraph,
    projectName,
    dockerfile: file,
    baseImage,
  });
  return {
    projectName,
    projectRoot,
    engine,
    image: options.image,
    tag,
    ref: `${options.image}:${tag}`,
    movingRef: movingTag ? `${options.image}:${movingTag}` : undefined,
    file,
    baseImage,
    baseImageFrom,
    buildArgs: options['build-args'] ?? [],
    force: options.force ?? false,
    quiet: options.quiet ?? true,
    manifestPath: imageManifestPath(workspaceRoot, projectName),
  };
}

/**
 * The settings of a project's docker-build target (engine, image, content tag, ref), computed
 * without building: what bin/image-state.cjs prints and what the deploy plugin calls.
 */
function imageSettings(projectGraph, projectName, workspaceRoot, targetName = 'docker-build') {
  const target = projectGraph.nodes[projectName]?.data.targets?.[targetName];
  if (!target) throw new Error(`Project "${projectName}" has no ${targetName} target`);
  return normalizeOptions(target.options ?? {}, { workspaceRoot, projectName, projectGraph });
}

/** True for a target that runs this executor (as project.json names it: a path to this folder). */
function isImageTarget(target) {
  return /(^|\/)container-image:build$/.test(target?.executor ?? '');
}

module.exports = {
  normalizeOptions,
  imageSettings,
  isImageTarget,
  dockerfileBaseImage,
  DEFAULT_MOVING_TAG,
};
