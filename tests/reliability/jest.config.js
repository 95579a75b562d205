// The part of the reliability suite that needs nothing but npm packages: the backend in process
// (app.inject) over the backend's shared per-worker in-memory PGlite. The PostgreSQL part
// (*.postgres.spec.ts) is the `test-postgres` target (jest.postgres.config.js).
const backendSupport = '<rootDir>/../../apps/backend/test/support';

module.exports = {
  displayName: 'reliability-tests',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testEnvironment: `${backendSupport}/environment.cjs`,
  testPathIgnorePatterns: ['/node_modules/', '\\.postgres\\.spec\\.ts$'],
  testTimeout: 60_000,
  coverageDirectory: '../../coverage/tests/reliability',
};
