module.exports = {
  displayName: 'test-support',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/libs/test-support',
  // initdb and server starts take seconds on these machines.
  testTimeout: 60_000,
};
