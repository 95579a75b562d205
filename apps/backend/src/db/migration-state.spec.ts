import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newestMigration } from './migration-state';

// A restart skips drizzle's migrate when the journal table is at the newest migration already
// (client.ts). Real PGlite on real folders, in processes of their own (it cannot start inside
// Jest's sandbox), opened as the backend opens DATA_DIR: what must hold is that a folder behind
// the migrations the process ships is still brought up to date.
const workspaceRoot = join(__dirname, '../../../..');
const tsx = join(workspaceRoot, 'node_modules/tsx/dist/cli.mjs');
const shipped = join(__dirname, 'migrations');
let work: string;

interface JournalFile {
  entries: { idx: number; when: number; tag: string }[];
}

/** Opens `dataDir` with `migrationsFolder` (no template: an empty folder gets initdb); runs `sql`. */
function query(dataDir: string, migrationsFolder: string, sql: string): unknown[][] {
  const output = execFileSync(
    process.execPath,
    [
      tsx,
      '--tsconfig',
      'tsconfig.base.json',
      'apps/backend/test/support/data-dir-probe.ts',
      dataDir,
      join(work, 'no-template'),
      sql,
      migrationsFolder,
    ],
    { cwd: workspaceRoot, encoding: 'utf8' },
  );
  return JSON.parse(output);
}

/** A copy of the shipped migrations, its journal edited by `change`. */
function migrationsFolder(name: string, change: (journal: JournalFile) => void): string {
  const folder = join(work, name);
  cpSync(shipped, folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as JournalFile;
  change(journal);
  writeFileSync(journalPath, JSON.stringify(journal, null, 2));
  return folder;
}

/** What a migrated folder holds: migrations recorded, the newest one's time, the shared-limits table, users. */
const STATE = `SELECT
  (SELECT count(*)::int FROM drizzle.__drizzle_migrations),
  (SELECT max(created_at)::text FROM drizzle.__drizzle_migrations),
  to_regclass('public.login_failures')::text,
  (SELECT string_agg(email, ',' ORDER BY email) FROM users)`;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'migration-state-'));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

test('the newest migration is the journal entry with the latest time', () => {
  const folder = migrationsFolder('reordered', (journal) => journal.entries.reverse());
  const times = (
    JSON.parse(readFileSync(join(shipped, 'meta', '_journal.json'), 'utf8')) as JournalFile
  ).entries.map((entry) => entry.when);
  expect(newestMigration(folder)).toBe(Math.max(...times));
});

test('a restart over a folder one migration behind applies the one it lacks, then none again; the data stays', () => {
  const dataDir = join(work, 'one-behind');
  const firstOnly = migrationsFolder('first-only', (journal) => journal.entries.splice(1));
  const first = (
    JSON.parse(readFileSync(join(firstOnly, 'meta', '_journal.json'), 'utf8')) as JournalFile
  ).entries[0];

  // As an older release left it: the first migration applied, a user stored.
  query(
    dataDir,
    firstOnly,
    "INSERT INTO users (name, email, password_hash) VALUES ('Ada', 'ada@example.com', 'x')",
  );
  expect(query(dataDir, firstOnly, STATE)).toEqual([
    [1, String(first.when), null, 'ada@example.com'],
  ]);

  // This release: the second migration is applied at start.
  const upToDate = [2, String(newestMigration(shipped)), 'login_failures', 'ada@example.com'];
  expect(query(dataDir, shipped, STATE)).toEqual([upToDate]);
  // And the next start finds nothing to apply: nothing recorded twice.
  expect(query(dataDir, shipped, STATE)).toEqual([upToDate]);
}, 120_000);

test('a migration that ships after the folder was last migrated is applied at the next start', () => {
  const dataDir = join(work, 'new-release');
  query(dataDir, shipped, 'SELECT 1');

  const newest = newestMigration(shipped);
  const next = migrationsFolder('next-release', (journal) => {
    journal.entries.push({
      ...journal.entries[0],
      idx: journal.entries.length,
      when: newest + 1,
      tag: '9999_next',
    });
  });
  writeFileSync(join(next, '9999_next.sql'), 'CREATE TABLE next_release (id integer);');

  expect(
    query(
      dataDir,
      next,
      `SELECT (SELECT count(*)::int FROM drizzle.__drizzle_migrations), to_regclass('public.next_release')::text`,
    ),
  ).toEqual([[3, 'next_release']]);
}, 120_000);
