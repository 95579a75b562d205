// Shared state and logging for the recorded command shims (see README.md in this folder).
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const statePath = process.env.NX_DEPLOY_SHIM_STATE;
const logPath = process.env.NX_DEPLOY_SHIM_LOG;

function record(tool, args, extra) {
  if (logPath) fs.appendFileSync(logPath, JSON.stringify({ tool, args, ...extra }) + '\n');
}

function loadState() {
  if (!statePath) throw new Error('NX_DEPLOY_SHIM_STATE is not set');
  return JSON.parse(fs.readFileSync(statePath, 'utf8'));
}

/** Read-modify-write under a lock directory, so concurrent shim calls do not lose updates. */
function updateState(mutate) {
  const lock = `${statePath}.lock`;
  const until = Date.now() + 10000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > until) throw new Error('shim state lock timeout');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
  try {
    const state = loadState();
    const result = mutate(state);
    fs.writeFileSync(statePath, JSON.stringify(state, null, 2));
    return result;
  } finally {
    fs.rmdirSync(lock);
  }
}

function out(text) {
  if (text) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

function fail(text, code = 1) {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  process.exit(code);
}

/** `app:1` and `docker.io/library/app:1` name the same image (Podman's `localhost/app:1` does not). */
function canonical(ref) {
  let name = String(ref).trim();
  for (const prefix of ['docker.io/', 'library/']) {
    if (name.startsWith(prefix)) name = name.slice(prefix.length);
  }
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  return colon > slash ? name : `${name}:latest`;
}

function flagValue(args, ...names) {
  for (let i = 0; i < args.length; i++) {
    for (const name of names) {
      if (args[i] === name) return args[i + 1];
      if (args[i].startsWith(`${name}=`)) return args[i].slice(name.length + 1);
    }
  }
  return undefined;
}

/** Positional arguments once flags (and the values of flags that take one) are removed. */
function positionals(args, flagsWithValues) {
  const result = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg.startsWith('-')) {
      if (!arg.includes('=') && flagsWithValues.includes(arg)) i++;
      continue;
    }
    result.push(arg);
  }
  return result;
}

function realHelm(args, env = {}) {
  const bin = process.env.NX_DEPLOY_REAL_HELM;
  if (!bin) fail('NX_DEPLOY_REAL_HELM is not set', 2);
  return spawnSync(bin, args, { encoding: 'utf8', env: { ...process.env, ...env } });
}

function shortHash(text) {
  let h = 0;
  for (const c of String(text)) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h.toString(36).padStart(7, '0').slice(0, 10);
}

/**
 * The image an archive holds: the shims' own archives are JSON ({ref}); a real `podman save` /
 * `docker save` archive is a tar whose manifest.json lists RepoTags.
 */
function archiveRef(file) {
  const fd = fs.openSync(file, 'r');
  try {
    const read = (offset, length) => {
      const chunk = Buffer.alloc(length);
      return chunk.subarray(0, fs.readSync(fd, chunk, 0, length, offset));
    };
    const { size: fileSize } = fs.fstatSync(fd);
    if (read(0, 1).toString() === '{') return JSON.parse(read(0, fileSize).toString('utf8')).ref;
    // A tar archive: 512-byte headers, each followed by its padded content; only headers and the
    // manifest are read, as an image's layers can be hundreds of megabytes.
    const field = (header, from, to) =>
      header.subarray(from, to).toString('utf8').replace(/\0.*$/s, '');
    for (let offset = 0; offset + 512 <= fileSize;) {
      const header = read(offset, 512);
      const name = field(header, 0, 100);
      if (!name) break;
      const size = parseInt(field(header, 124, 136).trim() || '0', 8);
      if (name === 'manifest.json') {
        return JSON.parse(read(offset + 512, size).toString('utf8'))[0].RepoTags[0];
      }
      offset += 512 + Math.ceil(size / 512) * 512;
    }
  } finally {
    fs.closeSync(fd);
  }
  throw new Error(`${file}: no image in archive`);
}

module.exports = {
  archiveRef,
  record,
  loadState,
  updateState,
  out,
  fail,
  canonical,
  flagValue,
  positionals,
  realHelm,
  shortHash,
  path,
  fs,
};
