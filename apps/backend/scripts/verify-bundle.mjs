#!/usr/bin/env node
// `nx verify-bundle backend`: proves the build output stands alone. Copies dist/apps/backend to a
// temp folder with no node_modules anywhere above it, runs `node main.js` on a fresh embedded
// database, drives a short session over HTTP, then sends SIGTERM and expects exit 0. Writes a
// result file into $TEST_RESULTS_DIR like the Jest suites do.
import { randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { postJson, startBundle, waitForReady } from './bundle-server.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const dist = join(root, 'dist/apps/backend');
// Where main.js looks for the data folder a first start copies (src/db/data-template.ts).
const dataTemplate = join(root, 'dist/apps/backend-data-template');
const results = { passed: 0, failed: 0, failures: [] };

function check(name, ok, detail = '') {
  if (ok) results.passed += 1;
  else {
    results.failed += 1;
    results.failures.push(`${name} ${detail}`.trim());
  }
  console.log(`${ok ? '✓' : '✕'} ${name}${ok || !detail ? '' : ` — ${detail}`}`);
}

function hasNodeModulesAbove(folder) {
  for (let dir = folder; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) return true;
    if (dirname(dir) === dir) return false;
  }
}

async function main() {
  if (!existsSync(join(dist, 'main.js')))
    throw new Error(`${dist}/main.js is missing: run nx build backend`);
  const workDir = mkdtempSync(join(tmpdir(), 'backend-bundle-'));
  const app = join(workDir, 'app');
  cpSync(dist, app, { recursive: true });
  cpSync(dataTemplate, join(workDir, 'backend-data-template'), { recursive: true });
  check('no node_modules beside or above the copied bundle', !hasNodeModulesAbove(app));
  // One non-ASCII character makes V8 hold the whole source two bytes a character (+2.6 MB RSS).
  check('main.js is ASCII', !readFileSync(join(app, 'main.js')).some((byte) => byte > 0x7f));

  const server = await startBundle({
    main: 'main.js',
    cwd: app,
    capture: true,
    env: {
      NODE_ENV: 'production',
      DATA_DIR: join(workDir, 'data'),
      JWT_SECRET_KEY: randomBytes(32).toString('base64url'),
      LOG_LEVEL: 'info',
    },
  });
  const { base, child, exited } = server;

  try {
    const ready = await waitForReady(server, 90_000);
    check(
      'starts on the embedded database and reports ready',
      ready,
      ready ? '' : server.output().slice(-2000),
    );
    if (!ready) return;
    // initdb would have made template0 and template1 beside the app's database.
    const databases = readdirSync(join(workDir, 'data', 'base'));
    check(
      "the first start copied the build's data template instead of running initdb",
      databases.length === 1,
      `base/ holds ${databases.length} databases`,
    );

    const get = (path) => fetch(`${base}${path}`);
    check('serves the interactive docs', (await get('/docs')).status === 200);
    check(
      'serves swagger-ui assets from beside the bundle',
      (await get('/docs/static/swagger-ui-bundle.js')).status === 200,
    );
    const spec = await (await get('/openapi.json')).json();
    check('serves the OpenAPI document', Boolean(spec.paths?.['/api/{user_id}/tasks']));

    const post = (path, body, token) => postJson(base, path, body, token);
    const registered = await post('/api/auth/register', {
      name: 'Bundle',
      email: 'bundle@example.com',
      password: 'bundle-password',
    });
    check('registers a user (migrations applied)', registered.status === 201);
    const user = await registered.json();
    const login = await (
      await post('/api/auth/login', { email: 'bundle@example.com', password: 'bundle-password' })
    ).json();
    const created = await post(
      `/api/${user.id}/tasks`,
      { title: 'from the bundle' },
      login.access_token,
    );
    check('creates a task', created.status === 201);
    const list = await (
      await fetch(`${base}/api/${user.id}/tasks`, {
        headers: { authorization: `Bearer ${login.access_token}` },
      })
    ).json();
    check('lists the task back', list.tasks?.[0]?.title === 'from the bundle');
    // The MCP SDK loads on the first /mcp request; this proves the bundle holds it.
    const mcp = await fetch(`${base}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${login.access_token}`,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    const tools = mcp.ok ? (await mcp.json()).result?.tools?.map((tool) => tool.name) : [];
    check('lists the MCP tools', tools?.includes('add_task'), `${mcp.status} ${tools}`);
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    const code = await exited;
    check('exits 0 on SIGTERM', code === 0, `exit code ${code}`);
    rmSync(workDir, { recursive: true, force: true });
  }
}

main()
  .catch((error) => check('bundle verification ran', false, error.message))
  .finally(() => {
    if (process.env.TEST_RESULTS_DIR) {
      mkdirSync(process.env.TEST_RESULTS_DIR, { recursive: true });
      writeFileSync(
        join(process.env.TEST_RESULTS_DIR, `verify-bundle-backend-${process.pid}.json`),
        JSON.stringify({
          runner: 'verify-bundle',
          project: 'backend',
          passed: results.passed,
          failed: results.failed,
          skipped: 0,
          failedSuites: results.failures.map((error) => ({
            file: 'apps/backend/scripts/verify-bundle.mjs',
            error,
          })),
        }),
      );
    }
    console.log(`${results.passed} passed, ${results.failed} failed`);
    process.exitCode = results.failed > 0 ? 1 : 0;
  });
