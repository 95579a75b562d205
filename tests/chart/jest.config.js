module.exports = {
  displayName: 'chart-tests',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/tests/chart',
  // Renders with the real Helm binaries only; the chart-in-containers suite needs built images
  // and a container engine, so it is its own target (test-containers, jest.containers.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/containers/'],
  testTimeout: 60000,
};
