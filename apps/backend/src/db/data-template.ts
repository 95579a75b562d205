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
  mkdirSync(location, { recursive: true, mode: 0o700 });
  for (const { path, isDirectory } of walk(template)) {
    if (isDirectory) mkdirSync(join(location, path), { recursive: true, mode: 0o700 });
    else if (path !== VERSION_FILE) copyFile(join(template, path), join(location, path));
  }
  copyFile(join(template, VERSION_FILE), join(location, VERSION_FILE));
  return true;
}

function copyFile(from: string, to: string) {
  copyFileSync(from, to);
  chmodSync(to, 0o600);
}

/** Every folder and file below `root`, as paths relative to it; a folder comes before its contents. */
function* walk(root: string, folder = ''): Generator<{ path: string; isDirectory: boolean }> {
  for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
    const path = join(folder, entry.name);
    yield { path, isDirectory: entry.isDirectory() };
    if (entry.isDirectory()) yield* walk(root, path);
  }
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
  // Readable to every user: the image's app user copies it on a first start.
  chmodSync(target, 0o755);
  for (const { path, isDirectory } of walk(target)) {
    if (!isDirectory && /_(fsm|vm)$/.test(path)) rmSync(join(target, path));
    else chmodSync(join(target, path), isDirectory ? 0o755 : 0o644);
  }
}
