// Container contract suite: real images, real containers (podman unless CONTAINER_ENGINE=docker).
// Not part of `npm test` (it needs a container engine): run it with `npx nx e2e container-tests`.
// The global setup makes the local base image and builds both images through Nx when missing.
module.exports = {
  displayName: 'container-tests',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  globalSetup: '<rootDir>/src/support/global-setup.ts',
  // Containers start, restart and drain in these tests: seconds, not milliseconds.
  testTimeout: 120_000,
  maxWorkers: 1,
};
