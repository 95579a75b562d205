const fs = require('node:fs');
const path = require('node:path');

// execa 9's dependency unicorn-magic exports only an `import` condition, which Jest's CommonJS
// resolver cannot see; point Jest at its Node entry wherever npm placed it (jest.preset.js
// transforms it to CommonJS).
const unicornMagic = [
  '../../node_modules/unicorn-magic',
  '../../node_modules/execa/node_modules/unicorn-magic',
]
  .map((dir) => path.join(__dirname, dir, 'node.js'))
  .find((file) => fs.existsSync(file));

module.exports = {
  displayName: 'nx-deploy',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/tools/nx-deploy',
  // Integration tests spawn real Helm and the recorded shims; give them room on a 2-core machine.
  testTimeout: 60_000,
  moduleNameMapper: {
    ...require(path.join(__dirname, '../../jest.preset.js')).moduleNameMapper,
    ...(unicornMagic ? { '^unicorn-magic$': unicornMagic } : {}),
  },
};
