// The content tag of an app image: a hash of everything that decides what goes into the image,
// computed from sources (not from the build output, which embeds absolute paths and Next's
// random build ids), so the same sources give the same tag on any machine and an unchanged app
// keeps its tag. Inputs, all by path relative to the workspace root:
//   - the Dockerfile, .dockerignore, package-lock.json and tsconfig.base.json;
//   - the production files of the project and of every workspace project it depends on
//     (nx.json's `production` named input: spec/test files, jest and eslint configs left out);
//   - the base image reference (a different base is a different image).
// Files come from git (tracked plus untracked-but-not-ignored), so ignored build output, caches
// and local .env files never change the tag; without git the project folders are walked instead.
'use strict';
const { createHash } = require('node:crypto');
const { execFileSync } = require('node:child_process');
const { existsSync, readFileSync, readdirSync, realpathSync } = require('node:fs');
const path = require('node:path');

const TAG_SCHEME = 'todo-image-tag/v1';
const TAG_LENGTH = 16;
const ROOT_INPUTS = ['.dockerignore', 'package-lock.json', 'tsconfig.base.json'];
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

/** Roots of the project and of every workspace project it depends on, transitively, sorted. */
function projectRoots(projectGraph, projectName) {
  const roots = new Set();
  const pending = [projectName];
  const seen = new Set();
  while (pending.length) {
    const name = pending.pop();
    if (seen.has(name)) continue;
    seen.add(name);
    const node = projectGraph.nodes[name];
    if (!node) continue;
    roots.add(node.data.root);
    for (const dep of projectGraph.dependencies[name] ?? []) {
      if (projectGraph.nodes[dep.target]) pending.push(dep.target);
    }
  }
  if (!roots.size) throw new Error(`Project "${projectName}" is not in the project graph`);
  return [...roots].sort();
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
  for (const file of [...ROOT_INPUTS, dockerfile]) {
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
  return { tag: hash.digest('hex').slice(0, TAG_LENGTH), files: sorted };
}

module.exports = { contentTag, projectRoots, isProductionFile, TAG_SCHEME };
