module.exports = {
  displayName: 'backend',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/apps/backend',
};
