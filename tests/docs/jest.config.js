module.exports = {
  displayName: 'docs-tests',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/tests/docs',
  // The runnable blocks start Nx and Helm: seconds each, not milliseconds.
  testTimeout: 180000,
};
