// The reliability checks that need a real PostgreSQL server: the concurrency suite again on
// PostgreSQL, and the outage (server killed and restarted under load). The backend's global
// setup starts a throwaway cluster (PostgreSQL server binaries must be installed).
const backendSupport = '<rootDir>/../../apps/backend/test/support';

process.env.TEST_DB = 'postgres';

module.exports = {
  displayName: 'reliability-tests (postgres)',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testEnvironment: `${backendSupport}/environment.cjs`,
  globalSetup: `${backendSupport}/global-setup.ts`,
  globalTeardown: `${backendSupport}/global-teardown.ts`,
  testMatch: ['<rootDir>/src/**/concurrency.spec.ts', '<rootDir>/src/**/*.postgres.spec.ts'],
  testTimeout: 120_000,
  coverageDirectory: '../../coverage/tests/reliability-postgres',
};
