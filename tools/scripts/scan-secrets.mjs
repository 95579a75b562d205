#!/usr/bin/env node
// Looks for secret-looking values in every git-tracked file and in every layer (and the
// config: ENV, history) of the app images. Exit 1 when something is found, or when images are
// required and none can be scanned; every skipped part is said out loud.
//
//   node tools/scripts/scan-secrets.mjs                  tracked files + the images of dist/images/*.json if present
//   node tools/scripts/scan-secrets.mjs --require-images   the same, but no image = failure
//   node tools/scripts/scan-secrets.mjs --files-only       tracked files only
//   node tools/scripts/scan-secrets.mjs --image REF ...    these images (engine: CONTAINER_ENGINE, else podman, else docker)
//   node tools/scripts/scan-secrets.mjs --image-tar FILE   a saved image (`docker save` / `podman image save`)
//
// Deliberate fakes (test fixtures) are listed in tools/scripts/scan-secrets.allow.json by file
// and SHA-256 of the flagged value (the list itself holds no value), each with a reason; a line
// may also carry `scan-secrets: allow <why>`. `--hash VALUE` prints the digest for a new entry.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  lstatSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { engineEnv } from './container-image/src/lib/engine.cjs';

const rootArg = process.argv.indexOf('--root');
const root = rootArg > 0 ? process.argv[rootArg + 1] : join(import.meta.dirname, '../..');
const MAX_TEXT_BYTES = 64 * 1024 * 1024;
const ALLOWED = JSON.parse(
  readFileSync(join(import.meta.dirname, 'scan-secrets.allow.json'), 'utf8'),
).allow;

/** A deliberate fake: its file and the SHA-256 of the flagged value are in the allow list. */
function allowed(file, value) {
  const digest = createHash('sha256').update(value).digest('hex');
  return ALLOWED.some((entry) => entry.file === file && entry.sha256 === digest);
}

/** Named patterns of credentials with a recognisable shape. */
const PATTERNS = [
  [
    'private key',
    /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----/,
  ],
  ['AWS access key id', /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/],
  ['OpenAI/OpenRouter API key', /\bsk-(?:proj-|or-v1-|ant-)?[A-Za-z0-9_-]{32,}\b/],
  ['GitHub token', /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{60,}\b/],
  ['npm token', /\bnpm_[A-Za-z0-9]{36}\b/],
  ['Slack token', /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/],
  ['Google API key', /\bAIza[0-9A-Za-z_-]{35}\b/],
  ['Stripe live key', /\b[sr]k_live_[0-9A-Za-z]{20,}\b/],
  ['JSON Web Token', /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{20,}\b/],
  ['npm auth token in .npmrc', /_authToken\s*=\s*[^\s$][^\s]{8,}/],
  [
    'password in a connection URL',
    /\b(?:postgres(?:ql)?|mysql|mongodb(?:\+srv)?|redis|amqp):\/\/[^\s:/@'"`]+:([^\s@'"`$]{6,})@/,
  ],
];

/** `NAME = "value"` where NAME says secret and the value looks random enough to be one. */
const ASSIGNMENT =
  /\b([A-Za-z0-9_]*(?:SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|TOKEN)[A-Za-z0-9_]*)["']?\s*[:=]\s*["'`]([^"'`\s$]{20,})["'`]/i;
/** Values that are obviously not real: placeholders, references, examples. */
const PLACEHOLDER =
  /^(?:change[-_]?me|example|placeholder|dummy|fake|test|your[-_]|x{6,}|\*{6,}|<|\{\{|\$\{|process\.env)/i;

/** Bits of entropy per character (Shannon), to tell random keys from words. */
function entropy(text) {
  const counts = new Map();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** Paths that are secrets by name, whatever they hold. */
const SECRET_FILE =
  /(?:^|\/)(?:\.env(?:\.[^/]*)?|id_(?:rsa|dsa|ecdsa|ed25519)|[^/]*\.(?:pem|key|p12|pfx|keystore|jks)|\.pgpass|credentials\.json|\.git-credentials)$/;
const SECRET_FILE_ALLOWED = /(?:^|\/)\.env\.(?:example|sample|template)$/;

function findingsIn(text, where) {
  const findings = [];
  const lines = text.split('\n');
  lines.forEach((wholeLine, index) => {
    if (/scan-secrets: allow/.test(wholeLine)) return;
    // Minified bundles are one huge line: look at it in overlapping windows.
    for (let start = 0; start < wholeLine.length || start === 0; start += 3800) {
      scanLine(wholeLine.slice(start, start + 4000), index);
      if (wholeLine.length <= 4000) break;
    }
  });
  return findings;

  function scanLine(line, index) {
    for (const [name, pattern] of PATTERNS) {
      const match = pattern.exec(line);
      if (match && !allowed(where, match[0])) {
        findings.push({ where: `${where}:${index + 1}`, what: name, sample: mask(match[0]) });
      }
    }
    const assignment = ASSIGNMENT.exec(line);
    if (assignment) {
      const value = assignment[2];
      if (
        !PLACEHOLDER.test(value) &&
        !allowed(where, value) &&
        entropy(value) >= 4.0 &&
        /\d/.test(value) &&
        /[A-Za-z]/.test(value)
      ) {
        findings.push({
          where: `${where}:${index + 1}`,
          what: `secret-looking value assigned to ${assignment[1]}`,
          sample: mask(value),
        });
      }
    }
  }
}

function mask(value) {
  return value.length <= 8
    ? '****'
    : `${value.slice(0, 4)}…${value.slice(-2)} (${value.length} chars)`;
}

function isText(buffer) {
  return !buffer.subarray(0, 8000).includes(0);
}

// ── Tracked files ─────────────────────────────────────────────────────────────────────────────
function scanTrackedFiles() {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: root, maxBuffer: 64 * 1024 * 1024 })
    .toString('utf8')
    .split('\0')
    .filter(Boolean);
  const findings = [];
  let scanned = 0;
  for (const file of files) {
    const path = join(root, file);
    if (SECRET_FILE.test(file) && !SECRET_FILE_ALLOWED.test(file)) {
      findings.push({ where: file, what: 'a secret file is tracked by git', sample: '' });
    }
    let stats;
    try {
      stats = lstatSync(path);
    } catch {
      continue; // deleted in the working tree
    }
    if (!stats.isFile() || stats.size > MAX_TEXT_BYTES) continue;
    const buffer = readFileSync(path);
    if (!isText(buffer)) continue;
    scanned += 1;
    findings.push(...findingsIn(buffer.toString('utf8'), file));
  }
  return { findings, summary: `${scanned} tracked text files of ${files.length}` };
}

// ── Images ────────────────────────────────────────────────────────────────────────────────────
function engine() {
  if (process.env.CONTAINER_ENGINE) return process.env.CONTAINER_ENGINE;
  for (const candidate of ['podman', 'docker']) {
    if (spawnSync(candidate, ['--version'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return undefined;
}

/** The images docker-build made (dist/images/<project>.json), as `name:tag`. */
function builtImageRefs() {
  const folder = join(root, 'dist/images');
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(join(folder, name), 'utf8')))
    .filter((manifest) => manifest.image && manifest.tag)
    .map((manifest) => `${manifest.image}:${manifest.tag}`);
}

function imagePresent(tool, ref) {
  return (
    spawnSync(tool, ['image', 'inspect', ref], { stdio: 'ignore', env: engineEnv() }).status === 0
  );
}

function saveImage(tool, ref, folder) {
  const file = join(folder, 'image.tar');
  const saved = spawnSync(tool, ['save', '-o', file, ref], { env: engineEnv(), encoding: 'utf8' });
  if (saved.status !== 0) throw new Error(`${tool} save ${ref} failed: ${saved.stderr.trim()}`);
  return file;
}

function untar(archive, into) {
  // GNU tar recognises gzip/zstd-compressed layers by itself when reading a file.
  const result = spawnSync(
    'tar',
    ['-xf', archive, '-C', into, '--no-same-owner', '--no-same-permissions'],
    {
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) throw new Error(`tar -xf ${archive}: ${result.stderr.trim()}`);
}

function* walk(folder) {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

function scanImageTar(archive, label) {
  const work = mkdtempSync(join(tmpdir(), 'scan-secrets-'));
  try {
    const outer = join(work, 'archive');
    spawnSync('mkdir', ['-p', outer]);
    untar(archive, outer);
    const manifestPath = join(outer, 'manifest.json');
    if (!existsSync(manifestPath))
      throw new Error(`${label}: not a docker-archive (no manifest.json)`);
    const [manifest] = JSON.parse(readFileSync(manifestPath, 'utf8'));
    const findings = [];
    // The image config: ENV values and build history (build args leak there).
    const config = readFileSync(join(outer, manifest.Config), 'utf8');
    const parsed = JSON.parse(config);
    for (const variable of parsed.config?.Env ?? []) {
      findings.push(...findingsIn(variable.replace(/^([^=]+)=(.*)$/, '$1="$2"'), `${label} ENV`));
      const [name, value = ''] = variable.split(/=(.*)/s);
      if (/SECRET|PASSWORD|TOKEN|API_?KEY/i.test(name) && value) {
        findings.push({
          where: `${label} ENV`,
          what: `${name} has a value baked into the image`,
          sample: mask(value),
        });
      }
    }
    for (const step of parsed.history ?? []) {
      findings.push(...findingsIn(step.created_by ?? '', `${label} history`));
    }
    let files = 0;
    let binaries = 0;
    manifest.Layers.forEach((layer, index) => {
      const into = join(work, `layer-${index}`);
      spawnSync('mkdir', ['-p', into]);
      untar(join(outer, layer), into);
      for (const path of walk(into)) {
        const inImage = `/${relative(into, path)}`;
        const where = `${label} layer ${index + 1}/${manifest.Layers.length} ${inImage}`;
        if (
          SECRET_FILE.test(inImage) &&
          !SECRET_FILE_ALLOWED.test(inImage) &&
          !inImage.startsWith('/etc/ssl/')
        ) {
          findings.push({ where, what: 'a secret file is in the image', sample: '' });
        }
        const size = statSync(path).size;
        if (size > MAX_TEXT_BYTES) continue;
        const buffer = readFileSync(path);
        if (!isText(buffer)) {
          binaries += 1;
          continue;
        }
        files += 1;
        findings.push(...findingsIn(buffer.toString('utf8'), where));
      }
    });
    return {
      findings,
      summary: `${label}: config, ${manifest.Layers.length} layers, ${files} text files (${binaries} binary files checked by name only)`,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// ── Main ──────────────────────────────────────────────────────────────────────────────────────
const args = process.argv.slice(2);
if (args[0] === '--hash') {
  console.log(
    createHash('sha256')
      .update(args[1] ?? '')
      .digest('hex'),
  );
  process.exit(0);
}
const requireImages = args.includes('--require-images');
const filesOnly = args.includes('--files-only');
const imageRefs = args.flatMap((arg, i) => (arg === '--image' ? [args[i + 1]] : []));
const imageTars = args.flatMap((arg, i) => (arg === '--image-tar' ? [args[i + 1]] : []));

const findings = [];
const report = [];

if (imageRefs.length === 0 && imageTars.length === 0) {
  const files = scanTrackedFiles();
  findings.push(...files.findings);
  report.push(`scanned ${files.summary}`);
}

if (!filesOnly) {
  const tool = engine();
  let refs = imageRefs;
  if (refs.length === 0 && imageTars.length === 0) {
    refs = builtImageRefs();
    if (refs.length === 0)
      report.push('no image manifests in dist/images: image layers NOT scanned');
  }
  const present = tool ? refs.filter((ref) => imagePresent(tool, ref)) : [];
  for (const ref of refs.filter((r) => !present.includes(r))) {
    report.push(`image ${ref} is not in ${tool ?? 'any container engine'}: NOT scanned`);
  }
  for (const ref of present) {
    const work = mkdtempSync(join(tmpdir(), 'scan-secrets-save-'));
    try {
      const result = scanImageTar(saveImage(tool, ref, work), ref);
      findings.push(...result.findings);
      report.push(`scanned ${result.summary}`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  for (const archive of imageTars) {
    const result = scanImageTar(archive, archive);
    findings.push(...result.findings);
    report.push(`scanned ${result.summary}`);
  }
  const scannedImages = present.length + imageTars.length;
  if (requireImages && scannedImages === 0) {
    for (const line of report) console.log(line);
    console.error(
      'scan-secrets: --require-images, but no image could be scanned (build them: npx nx run-many -t docker-build)',
    );
    process.exit(1);
  }
  if (scannedImages < refs.length + imageTars.length && requireImages) {
    for (const line of report) console.log(line);
    console.error('scan-secrets: some required images could not be scanned');
    process.exit(1);
  }
}

for (const line of report) console.log(line);
const unique = [...new Map(findings.map((f) => [`${f.where}|${f.what}|${f.sample}`, f])).values()];
findings.length = 0;
findings.push(...unique);
if (findings.length > 0) {
  console.error(`\n${findings.length} secret-looking value(s) found:`);
  for (const finding of findings) {
    console.error(
      `  ${finding.where}: ${finding.what}${finding.sample ? ` [${finding.sample}]` : ''}`,
    );
  }
  console.error(
    '\nRemove them (and rotate them if real); a deliberate fake goes in tools/scripts/scan-secrets.allow.json with a reason.',
  );
  process.exit(1);
}
console.log('no secret-looking values found');
