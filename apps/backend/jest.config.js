// `TEST_DB=postgres` runs the same suite against a PostgreSQL the global setup starts;
// the default is in-memory PGlite (see test/support/environment.cjs).
module.exports = {
  displayName: process.env.TEST_DB === 'postgres' ? 'backend (postgres)' : 'backend (pglite)',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testEnvironment: '<rootDir>/test/support/environment.cjs',
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30_000,
  coverageDirectory: '../../coverage/apps/backend',
};
