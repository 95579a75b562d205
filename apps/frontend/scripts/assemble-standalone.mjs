#!/usr/bin/env node
// Copies Next's standalone server into dist/apps/frontend together with what `server.js` serves
// but Next leaves out of the standalone folder (`.next/static` and `public/`), so that
// `node dist/apps/frontend/apps/frontend/server.js` runs on its own, e.g. inside an image.
// That `server.js` is src/server/standalone-entry.ts (graceful shutdown) bundled by esbuild; it
// starts Next's generated server, kept beside it as `next-server.js`.
import { build } from 'esbuild';
import { cpSync, existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';

const appRoot = path.resolve(import.meta.dirname, '..');
const workspaceRoot = path.resolve(appRoot, '../..');
const standalone = path.join(appRoot, '.next/standalone');
const dist = path.join(workspaceRoot, 'dist/apps/frontend');
// Next mirrors the app's place in the workspace inside the standalone folder.
const appInDist = path.join(dist, path.relative(workspaceRoot, appRoot));

if (!existsSync(path.join(standalone, path.relative(workspaceRoot, appRoot), 'server.js'))) {
  console.error(
    `No standalone server in ${standalone}: is output: 'standalone' set in next.config.mjs?`,
  );
  process.exit(1);
}

rmSync(dist, { recursive: true, force: true });
cpSync(standalone, dist, { recursive: true, verbatimSymlinks: true });
// Next's server trace always lists the image optimiser's native library (sharp + libvips, ~20 MB),
// but next.config.mjs turns the optimiser off, so it is never loaded.
for (const unused of ['node_modules/sharp', 'node_modules/@img']) {
  rmSync(path.join(dist, unused), { recursive: true, force: true });
}
cpSync(path.join(appRoot, '.next/static'), path.join(appInDist, '.next/static'), {
  recursive: true,
});
if (existsSync(path.join(appRoot, 'public'))) {
  cpSync(path.join(appRoot, 'public'), path.join(appInDist, 'public'), { recursive: true });
}
renameSync(path.join(appInDist, 'server.js'), path.join(appInDist, 'next-server.js'));
await build({
  entryPoints: [path.join(appRoot, 'src/server/standalone-entry.ts')],
  outfile: path.join(appInDist, 'server.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  tsconfig: path.join(appRoot, 'tsconfig.json'),
  logLevel: 'warning',
  legalComments: 'none',
});
console.log(
  `Standalone frontend: node ${path.relative(workspaceRoot, path.join(appInDist, 'server.js'))}`,
);
