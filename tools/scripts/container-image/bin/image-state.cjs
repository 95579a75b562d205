#!/usr/bin/env node
// Where a project's image stands in the container engine, by its content tag.
//   node tools/scripts/container-image/bin/image-state.cjs <project>          → "present <id>" | "absent <nonce>"
//   node tools/scripts/container-image/bin/image-state.cjs <project> --json   → {project, engine, image, tag, ref, present, id}
// The first form is a runtime input of the docker-build targets: Nx hashes its output, so a cached
// result is replayed only while the very image it names is in the engine (same id); when it is
// missing the output is unique, the hash never matches a cache entry, and the executor rebuilds.
// The --json form is for deploy tooling that needs the tag without building anything.
'use strict';
const { randomBytes } = require('node:crypto');
const { readCachedProjectGraph, createProjectGraphAsync, workspaceRoot } = require('@nx/devkit');
const { normalizeOptions } = require('../src/lib/normalize-options.cjs');
const { imageId } = require('../src/lib/engine.cjs');

async function main() {
  const [projectName, flag] = process.argv.slice(2);
  if (!projectName) {
    console.error('usage: image-state.cjs <project> [--json]');
    process.exit(2);
  }
  let projectGraph;
  try {
    projectGraph = readCachedProjectGraph();
  } catch {
    projectGraph = await createProjectGraphAsync({ exitOnError: true });
  }
  const target = projectGraph.nodes[projectName]?.data.targets?.['docker-build'];
  if (!target) throw new Error(`Project "${projectName}" has no docker-build target`);
  const options = normalizeOptions(target.options ?? {}, { workspaceRoot, projectName, projectGraph });
  const id = imageId(options.engine, options.ref);
  if (flag === '--json') {
    const { engine, image, tag, ref } = options;
    console.log(JSON.stringify({ project: projectName, engine, image, tag, ref, present: Boolean(id), id: id ?? null }));
  } else {
    console.log(id ? `present ${id}` : `absent ${randomBytes(8).toString('hex')}`);
  }
}

main().catch((error) => {
  console.error(`image-state: ${error.message}`);
  // As a hash input it must not stop Nx: a unique line makes the task run, and the executor
  // then reports the same error where the user sees it.
  if (!process.argv.includes('--json')) console.log(`error ${randomBytes(8).toString('hex')}`);
  process.exit(process.argv.includes('--json') ? 1 : 0);
});
