// Opens DATA_DIR the way the backend does (seeding it from the template given, if empty, and
// migrating it with the migrations folder given, by default the app's own), runs one SQL statement
// and prints its rows as JSON. PGlite cannot start inside Jest's module sandbox, so
// data-template.spec.ts and migration-state.spec.ts run this in a process of its own.
import { createDatabase } from '../../src/db/client';

const [dataDir, dataTemplateFolder, statement, migrationsFolder] = process.argv.slice(2);

async function main() {
  const database = await createDatabase(
    { DATA_DIR: dataDir, DATABASE_URL: undefined, DATABASE_POOL_SIZE: 1 },
    { dataTemplateFolder, ...(migrationsFolder && { migrationsFolder }) },
  );
  try {
    const rows = await database.rows({ name: 'probe', text: statement }, []);
    process.stdout.write(JSON.stringify(rows));
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
  process.exit(1);
});
