import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedFromTemplate } from './data-template';

// Real PGlite throughout, in processes of their own (it cannot start inside Jest's sandbox): the
// template is written by the build's own script, then opened as a first start opens it.
const workspaceRoot = join(__dirname, '../../../..');
const tsx = join(workspaceRoot, 'node_modules/tsx/dist/cli.mjs');
let work: string;
let template: string;

function runTs(script: string, args: string[]): string {
  return execFileSync(
    process.execPath,
    [tsx, '--tsconfig', 'tsconfig.base.json', script, ...args],
    {
      cwd: workspaceRoot,
      encoding: 'utf8',
    },
  );
}

/** Opens `dataDir` as the backend does (seeding it from the template when empty); runs `sql`. */
function query(dataDir: string, sql: string): unknown[][] {
  return JSON.parse(runTs('apps/backend/test/support/data-dir-probe.ts', [dataDir, template, sql]));
}

function allFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' }).map((name) =>
    join(folder, name),
  );
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'data-template-'));
  // Below a folder that does not exist yet, as dist/apps on a fresh clone.
  template = join(work, 'dist', 'apps', 'template');
  runTs('apps/backend/scripts/make-data-template.ts', [template]);
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

test('the template holds one migrated database and no free-space or visibility maps', () => {
  expect(readdirSync(join(template, 'base'))).toHaveLength(1);
  expect(allFiles(template).filter((path) => /_(fsm|vm)$/.test(path))).toEqual([]);
});

test('a first start copies the template and finds the schema in place; the data stays', () => {
  const dataDir = join(work, 'first-start');
  query(
    dataDir,
    "INSERT INTO users (name, email, password_hash) VALUES ('Ada', 'ada@example.com', 'x')",
  );
  expect(readdirSync(join(dataDir, 'base'))).toHaveLength(1);
  expect(query(dataDir, 'SELECT email FROM users')).toEqual([['ada@example.com']]);
}, 60_000);

test("the copy is private to the app user, whatever the template's modes are", () => {
  const dataDir = join(work, 'modes');
  expect(seedFromTemplate(dataDir, template)).toBe(true);
  for (const copied of allFiles(template).map((path) => path.replace(template, dataDir))) {
    expect([copied, statSync(copied).mode & 0o777]).toEqual([
      copied,
      statSync(copied).isDirectory() ? 0o700 : 0o600,
    ]);
  }
});

test('a folder that holds a database is never seeded again', () => {
  const dataDir = join(work, 'existing');
  query(
    dataDir,
    "INSERT INTO users (name, email, password_hash) VALUES ('Bo', 'bo@example.com', 'x')",
  );
  expect(seedFromTemplate(dataDir, template)).toBe(false);
  expect(query(dataDir, 'SELECT email FROM users')).toEqual([['bo@example.com']]);
}, 60_000);

test('a copy that stopped half-way is made again, since PG_VERSION is written last', () => {
  const dataDir = join(work, 'half-copied');
  mkdirSync(dataDir);
  expect(seedFromTemplate(dataDir, template)).toBe(true);
  rmSync(join(dataDir, 'PG_VERSION'));
  rmSync(join(dataDir, 'global'), { recursive: true });

  expect(query(dataDir, 'SELECT count(*)::int FROM users')).toEqual([[0]]);
  expect(existsSync(join(dataDir, 'global'))).toBe(true);
}, 60_000);

test('without a template (run from source) the folder is left to initdb', () => {
  const dataDir = join(work, 'no-template');
  expect(seedFromTemplate(dataDir, join(work, 'missing'))).toBe(false);
  expect(existsSync(dataDir)).toBe(false);
});
