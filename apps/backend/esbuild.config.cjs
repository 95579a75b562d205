// esbuild settings of `nx build backend` (one CommonJS bundle that runs with no node_modules).
const { cpSync, mkdirSync } = require('node:fs');
const { dirname, join } = require('node:path');

const root = join(__dirname, '../..');

/**
 * Files the bundle reads from disk at run time, copied beside main.js: PGlite's Postgres
 * (wasm + data, located relative to the bundle) and swagger-ui's page assets. Nx's `assets`
 * skip git-ignored folders such as node_modules, hence this small plugin.
 */
const runtimeFiles = {
  name: 'copy-runtime-files',
  setup(build) {
    build.onEnd((result) => {
      if (result.errors.length > 0) return;
      const outDir = build.initialOptions.outdir ?? dirname(build.initialOptions.outfile);
      // The package's `exports` hide package.json; its CommonJS entry sits in dist/ with the files.
      const pgliteDist = dirname(require.resolve('@electric-sql/pglite', { paths: [root] }));
      for (const file of ['pglite.wasm', 'pglite.data', 'initdb.wasm']) {
        cpSync(join(pgliteDist, file), join(outDir, file));
      }
      const swaggerUi = dirname(
        require.resolve('@fastify/swagger-ui/package.json', { paths: [root] }),
      );
      mkdirSync(join(outDir, 'static'), { recursive: true });
      cpSync(join(swaggerUi, 'static'), join(outDir, 'static'), { recursive: true });
    });
  },
};

module.exports = {
  // ESM-only code in the bundle (PGlite) finds its files through import.meta.url; in a CommonJS
  // bundle that is the bundle's own URL.
  define: { 'import.meta.url': '__bundleFileUrl' },
  banner: { js: "const __bundleFileUrl = require('node:url').pathToFileURL(__filename).href;" },
  outExtension: { '.js': '.js' },
  // One non-ASCII character anywhere makes V8 hold the whole 2.6 MB source as a two-byte string
  // (5.5 MB); with every one escaped it takes 2.9 MB. Regex literals and String.raw templates are
  // left as written, so the source must escape those itself (verify-bundle checks).
  charset: 'ascii',
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [runtimeFiles],
};
