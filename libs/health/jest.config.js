module.exports = {
  displayName: 'health',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/libs/health',
};
