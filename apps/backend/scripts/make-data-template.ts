// `nx data-template backend`: writes the initialised, migrated data folder that a first embedded
// start copies (see src/db/data-template.ts). Nx caches it on the migrations and PGlite's version.
import { join, resolve } from 'node:path';
import { writeDataTemplate } from '../src/db/data-template';

const root = join(__dirname, '../../..');
const target = resolve(root, process.argv[2] ?? 'dist/apps/backend-data-template');

writeDataTemplate(target, join(__dirname, '../src/db/migrations')).then(
  () => console.log(`data template written to ${target}`),
  (error: unknown) => {
    console.error(`data template failed: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);
