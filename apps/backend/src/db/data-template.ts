import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The embedded database's first start. PGlite's initdb takes seconds and leaves a second
 * Postgres resident (hundreds of MB) until a restart, so the build initialises and migrates one
 * data folder, and a first start copies it: a few hundred small files.
 *
 * Where the template sits, relative to the bundle: in the workspace the `data-template` target
 * writes dist/apps/backend-data-template beside dist/apps/backend; the image copies it to
 * /backend-data-template beside /app. Run from source (jest, tsx) there is none, and PGlite runs
 * initdb as before.
 */
export function defaultTemplateFolder(): string {
  return join(__dirname, '..', 'backend-data-template');
}

/** Written last when seeding: a folder without it is not a database yet, even half-copied. */
const VERSION_FILE = 'PG_VERSION';

/**
 * Copies the template into `location` when that holds no database yet; returns whether it did.
 * Modes are Postgres's own (0700 folders, 0600 files), whatever the template's are: the image
 * keeps the template readable to the app user, the copy keeps the data private to it.
 */
export function seedFromTemplate(location: string, template: string): boolean {
  if (existsSync(join(location, VERSION_FILE)) || !existsSync(join(template, VERSION_FILE))) {
    return false;
  }
  copyTree(template, location, (name) => name !== VERSION_FILE);
  copyFile(join(template, VERSION_FILE), join(location, VERSION_FILE));
  return true;
}

function copyTree(from: string, to: string, include: (name: string) => boolean = () => true) {
  mkdirSync(to, { recursive: true, mode: 0o700 });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (!include(entry.name)) continue;
    if (entry.isDirectory()) copyTree(join(from, entry.name), join(to, entry.name));
    else copyFile(join(from, entry.name), join(to, entry.name));
  }
}

function copyFile(from: string, to: string) {
  copyFileSync(from, to);
  chmodSync(to, 0o600);
}

/**
 * Build time: an initialised data folder with every migration applied, holding one database.
 * initdb also makes template0 and template1, which only CREATE DATABASE reads and the backend
 * never runs; without them, and without the free-space and visibility map forks (Postgres
 * recreates those when it needs them), a first start copies about 300 files instead of 1,000.
 */
export async function writeDataTemplate(target: string, migrationsFolder: string): Promise<void> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');

  rmSync(target, { recursive: true, force: true });
  // PGlite makes the folder itself, but not its parents (dist/apps on a fresh clone).
  mkdirSync(dirname(target), { recursive: true });
  const client = await PGlite.create(target);
  try {
    await migrate(drizzle({ client }), { migrationsFolder });
    // One statement per call: DROP DATABASE refuses to run inside the implicit transaction.
    for (const statement of [
      'ALTER DATABASE template1 IS_TEMPLATE false',
      'DROP DATABASE template1',
      'ALTER DATABASE template0 IS_TEMPLATE false',
      'DROP DATABASE template0',
    ]) {
      await client.exec(statement);
    }
  } finally {
    await client.close();
  }
  removeMapForks(target);
  makeReadable(target);
}

function removeMapForks(folder: string) {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) removeMapForks(path);
    else if (/_(fsm|vm)$/.test(entry.name)) rmSync(path);
  }
}

function makeReadable(folder: string) {
  chmodSync(folder, 0o755);
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) makeReadable(path);
    else chmodSync(path, 0o644);
  }
}
