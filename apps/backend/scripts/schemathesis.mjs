#!/usr/bin/env node
// Runs schemathesis 4 (`--checks all`, signed in) with the backend's own OpenAPI document against
// the built bundle on an in-memory database, on loopback. schemathesis comes from PyPI into a
// virtualenv under node_modules/.cache. Each operation (and the stateful phase) counts as one
// test; with TEST_RESULTS_DIR set the counts land there for CI's closing line.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { postJson, startBundle, waitForReady } from './bundle-server.mjs';

const SCHEMATHESIS = 'schemathesis==4.32.5';
const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const venv = join(root, 'node_modules/.cache/schemathesis');
const st = join(venv, 'bin/st');
const reportDir = join(root, 'tmp/schemathesis');
const junit = join(reportDir, 'junit.xml');

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed`);
}

if (
  !existsSync(st) ||
  !spawnSync(st, ['--version']).stdout?.includes(SCHEMATHESIS.split('==')[1])
) {
  console.log(`installing ${SCHEMATHESIS} from PyPI into ${venv}`);
  run('python3', ['-m', 'venv', venv]);
  run(join(venv, 'bin/pip'), ['install', '--quiet', '--disable-pip-version-check', SCHEMATHESIS]);
}

const server = await startBundle({
  main: join(root, 'dist/apps/backend/main.js'),
  env: {
    NODE_ENV: 'production',
    DATA_DIR: 'memory://',
    JWT_SECRET_KEY: randomBytes(32).toString('base64url'),
    LOG_LEVEL: 'error',
    // Each operation gets its examples from one address within a minute: at the production
    // limits most sign-ups and logins would be answered 429 (a documented answer, so no check
    // fails) and never reach the validators. The limits have tests of their own
    // (src/http/hardening.spec.ts, src/replicas.spec.ts), the lockout too (src/auth/auth.spec.ts).
    LOGIN_RATE_LIMIT: '100000',
    REGISTER_RATE_LIMIT: '100000',
    CHAT_RATE_LIMIT: '100000',
    MAX_LOGIN_ATTEMPTS: '1000',
  },
});
const { base } = server;

async function post(path, body) {
  const response = await postJson(base, path, body);
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return response.json();
}

let status = 1;
try {
  if (!(await waitForReady(server, 60_000))) throw new Error('the backend did not become ready');
  const account = { email: 'schemathesis@example.com', password: 'schemathesis-password' };
  await post('/api/auth/register', { name: 'Schemathesis', ...account });
  const { access_token: token } = await post('/api/auth/login', account);

  mkdirSync(reportDir, { recursive: true });
  const args = [
    '--config-file',
    join(dirname(fileURLToPath(import.meta.url)), 'schemathesis.toml'),
    'run',
    `${base}/openapi.json`,
    '--checks',
    'all',
    '--header',
    `Authorization: Bearer ${token}`,
    '--max-examples',
    process.env.SCHEMATHESIS_MAX_EXAMPLES ?? '50',
    '--report',
    'junit',
    '--report-junit-path',
    junit,
  ];
  // Its working folder: schemathesis keeps its example database there.
  status = spawnSync(st, args, { stdio: 'inherit', cwd: reportDir }).status ?? 1;
} finally {
  server.child.kill('SIGTERM');
  await server.exited;
}

if (process.env.TEST_RESULTS_DIR && existsSync(junit)) {
  const suites = /<testsuites ([^>]*)>/.exec(readFileSync(junit, 'utf8'))?.[1] ?? '';
  const count = (name) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(suites)?.[1] ?? 0);
  const failed = count('failures') + count('errors');
  const skipped = count('skipped');
  mkdirSync(process.env.TEST_RESULTS_DIR, { recursive: true });
  writeFileSync(
    join(process.env.TEST_RESULTS_DIR, 'schemathesis.json'),
    JSON.stringify({ passed: count('tests') - failed - skipped, failed, skipped }),
  );
}
process.exit(status);
