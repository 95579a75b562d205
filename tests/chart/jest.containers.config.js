// The chart-in-containers suite: real images started from the rendered pod specs. Needs podman (or
// CONTAINER_ENGINE=docker), PostgreSQL server binaries and the images of `nx run-many -t docker-build`.
module.exports = {
  displayName: 'chart-containers',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/containers/**/*.spec.ts'],
  testTimeout: 120000,
};
