module.exports = {
  displayName: 'chart-tests',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/tests/chart',
  // Each file renders the chart with real Helm binaries (about 0.1-0.3 s per render).
  testTimeout: 60000,
};
