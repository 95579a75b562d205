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
const { existsSync, readFileSync } = require('node:fs');
const path = require('node:path');
const { imageSettings } = require('../src/lib/normalize-options.cjs');
const { createEngine, imageId } = require('../src/lib/engine.cjs');

const workspaceRoot = path.resolve(__dirname, '../../../..');

/**
 * The project graph Nx cached for this run. Read as JSON because this runs once per docker-build
 * task on every Nx invocation and loading @nx/devkit alone takes longer than the rest; the devkit
 * (which may compute the graph) is the fallback when no cached graph exists.
 */
async function loadProjectGraph() {
  const dataDir = path.resolve(
    workspaceRoot,
    process.env.NX_WORKSPACE_DATA_DIRECTORY || '.nx/workspace-data',
  );
  const cached = path.join(dataDir, 'project-graph.json');
  if (existsSync(cached)) {
    const graph = JSON.parse(readFileSync(cached, 'utf8'));
    if (graph.nodes && graph.dependencies) return graph;
  }
  const { readCachedProjectGraph, createProjectGraphAsync } = require('@nx/devkit');
  try {
    return readCachedProjectGraph();
  } catch {
    return createProjectGraphAsync({ exitOnError: true });
  }
}

async function main() {
  const [projectName, flag] = process.argv.slice(2);
  if (!projectName) {
    console.error('usage: image-state.cjs <project> [--json]');
    process.exit(2);
  }
  const projectGraph = await loadProjectGraph();
  const options = imageSettings(projectGraph, projectName, workspaceRoot);
  const id = imageId(createEngine(options.engine), options.ref);
  if (flag === '--json') {
    const { engine, image, tag, ref } = options;
    console.log(
      JSON.stringify({
        project: projectName,
        engine,
        image,
        tag,
        ref,
        present: Boolean(id),
        id: id ?? null,
      }),
    );
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
