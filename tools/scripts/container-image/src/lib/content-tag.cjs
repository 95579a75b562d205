// The content tag of an app image: a hash of everything that decides what goes into the image,
// computed from sources (not from the build output, which embeds absolute paths and Next's
// random build ids), so the same sources give the same tag on any machine and an unchanged app
// keeps its tag. Inputs, all by path relative to the workspace root:
//   - the Dockerfile, .dockerignore and tsconfig.base.json;
//   - the production files of the project and of every workspace project it depends on
//     (nx.json's `production` named input: spec/test files, jest and eslint configs left out);
//   - the lock file's entries (version and integrity, as Nx's project graph holds them) of every
//     npm package those projects and their targets' executors depend on, transitively — so a
//     lock file change that only another app uses leaves this app's tag alone (the whole
//     package-lock.json when the graph has no npm nodes);
//   - the base image reference (a different base is a different image).
// Files come from git (tracked plus untracked-but-not-ignored), so ignored build output, caches
// and local .env files never change the tag; without git the project folders are walked instead.
'use strict';
const { createHash } = require('node:crypto');
const { execFileSync } = require('node:child_process');
const { existsSync, readFileSync, readdirSync, realpathSync } = require('node:fs');
const path = require('node:path');

const TAG_SCHEME = 'todo-image-tag/v2';
const TAG_LENGTH = 16;
const ROOT_INPUTS = ['.dockerignore', 'tsconfig.base.json'];
const LOCK_FILE = 'package-lock.json';
const NOT_PRODUCTION = [
  /(^|\/)[^/]*\.(spec|test)\.[cm]?[jt]sx?(\.snap)?$/,
  /(^|\/)tsconfig\.spec\.json$/,
  /(^|\/)jest\.config\.[cm]?[jt]s$/,
  /(^|\/)src\/test-setup\.[jt]s$/,
  /(^|\/)test\//,
  /(^|\/)eslint\.config\.mjs$/,
  /(^|\/)\.eslintrc\.json$/,
];
const NEVER_WALKED = new Set(['node_modules', '.next', 'dist', 'coverage', '.nx', 'tmp', '.git']);

/** The project and every workspace project it depends on, transitively. */
function workspaceClosure(projectGraph, projectName) {
  const names = new Set();
  const pending = [projectName];
  while (pending.length) {
    const name = pending.pop();
    if (names.has(name) || !projectGraph.nodes[name]) continue;
    names.add(name);
    for (const dep of projectGraph.dependencies[name] ?? []) pending.push(dep.target);
  }
  if (!names.size) throw new Error(`Project "${projectName}" is not in the project graph`);
  return names;
}

/** Roots of the project and of every workspace project it depends on, transitively, sorted. */
function projectRoots(projectGraph, projectName) {
  const names = workspaceClosure(projectGraph, projectName);
  return [...new Set([...names].map((name) => projectGraph.nodes[name].data.root))].sort();
}

/**
 * `name@version integrity` of every npm package the projects import or run their targets'
 * executors from, with their dependencies, sorted; undefined when the graph has no npm nodes.
 */
function lockEntries(projectGraph, projectNames) {
  const external = projectGraph.externalNodes;
  if (!external || Object.keys(external).length === 0) return undefined;
  const pending = [];
  for (const name of projectNames) {
    for (const dep of projectGraph.dependencies[name] ?? []) pending.push(dep.target);
    for (const target of Object.values(projectGraph.nodes[name].data.targets ?? {})) {
      const match = /^((?:@[^/]+\/)?[^:]+):/.exec(target.executor ?? '');
      if (match) pending.push(`npm:${match[1]}`);
    }
  }
  const seen = new Set();
  while (pending.length) {
    const name = pending.pop();
    if (seen.has(name) || !external[name]) continue;
    seen.add(name);
    for (const dep of projectGraph.dependencies[name] ?? []) pending.push(dep.target);
  }
  return [...seen]
    .map((name) => `${name}@${external[name].data.version} ${external[name].data.hash ?? ''}`)
    .sort();
}

/** True when git's work tree is this workspace (not a parent repository it sits in, ignored). */
function isGitWorkspace(workspaceRoot) {
  try {
    const top = execFileSync('git', ['rev-parse', '--show-toplevel'], {
      cwd: workspaceRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return realpathSync(top) === realpathSync(workspaceRoot);
  } catch {
    return false;
  }
}

function listFiles(workspaceRoot, roots) {
  try {
    if (!isGitWorkspace(workspaceRoot)) throw new Error('not a git work tree');
    const out = execFileSync(
      'git',
      ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ...roots],
      { cwd: workspaceRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    // A deleted-but-still-indexed file is listed by --cached: only what exists goes in.
    return out.split('\0').filter((f) => f && existsSync(path.join(workspaceRoot, f)));
  } catch {
    const files = [];
    const walk = (dir) => {
      for (const entry of readdirSync(path.join(workspaceRoot, dir), { withFileTypes: true })) {
        if (NEVER_WALKED.has(entry.name)) continue;
        const rel = path.posix.join(dir, entry.name);
        if (entry.isDirectory()) walk(rel);
        else if (entry.isFile()) files.push(rel);
      }
    };
    roots.forEach(walk);
    return files;
  }
}

const isProductionFile = (file) => !NOT_PRODUCTION.some((pattern) => pattern.test(file));

/**
 * @param {{workspaceRoot: string, projectGraph: any, projectName: string, dockerfile: string, baseImage: string}} input
 *   dockerfile: path relative to the workspace root.
 * @returns {{tag: string, files: string[]}}
 */
function contentTag({ workspaceRoot, projectGraph, projectName, dockerfile, baseImage }) {
  const files = new Set(
    listFiles(workspaceRoot, projectRoots(projectGraph, projectName)).filter(isProductionFile),
  );
  const packages = lockEntries(projectGraph, workspaceClosure(projectGraph, projectName));
  for (const file of [...ROOT_INPUTS, ...(packages ? [] : [LOCK_FILE]), dockerfile]) {
    if (existsSync(path.join(workspaceRoot, file))) files.add(file);
  }
  const sorted = [...files].sort();
  const hash = createHash('sha256').update(`${TAG_SCHEME}\nbase ${baseImage}\n`);
  for (const file of sorted) {
    const fileHash = createHash('sha256')
      .update(readFileSync(path.join(workspaceRoot, file)))
      .digest('hex');
    hash.update(`${file}\0${fileHash}\n`);
  }
  for (const entry of packages ?? []) hash.update(`package ${entry}\n`);
  return { tag: hash.digest('hex').slice(0, TAG_LENGTH), files: sorted, packages };
}

module.exports = { contentTag, projectRoots, isProductionFile, TAG_SCHEME };
