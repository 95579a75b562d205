// Opens DATA_DIR the way the backend does (seeding it from the template given, if empty), runs one
// SQL statement and prints its rows as JSON. PGlite cannot start inside Jest's module sandbox, so
// data-template.spec.ts runs this in a process of its own.
import { createDatabase } from '../../src/db/client';

const [dataDir, dataTemplateFolder, statement] = process.argv.slice(2);

async function main() {
  const database = await createDatabase(
    { DATA_DIR: dataDir, DATABASE_URL: undefined, DATABASE_POOL_SIZE: 1 },
    { dataTemplateFolder },
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
