// Shared Jest settings: every project transpiles TypeScript with SWC (type checking is the
// separate `typecheck` target), and the ESM-only packages the workspace uses are transformed too
// so CommonJS test modules can load them.
const esmOnly = [
  'execa',
  'is-plain-obj',
  'figures',
  'unicorn-magic',
  'npm-run-path',
  'path-key',
  'pretty-ms',
  'parse-ms',
  'strip-final-newline',
  'is-stream',
  'get-stream',
  '@sec-ant',
  'human-signals',
  'yoctocolors',
  'is-unicode-supported',
  '@sindresorhus',
  'jose',
  // fastify.inject → light-my-request → ESM-only cookie 2.x, installed nested under it.
  'cookie',
  'light-my-request/node_modules/cookie',
  // @fastify/swagger-ui → @fastify/static → ESM-only content-disposition 1.x.
  'content-disposition',
];

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j|mj)sx?$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', tsx: true },
          transform: { react: { runtime: 'automatic' } },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'mjs', 'cjs', 'jsx', 'json'],
  testMatch: ['**/?(*.)+(spec|test).[jt]s?(x)'],
  moduleNameMapper: {
    '^@todo/api-contract$': '<rootDir>/../../libs/api-contract/src/index.ts',
    '^@todo/config$': '<rootDir>/../../libs/config/src/index.ts',
    '^@todo/health$': '<rootDir>/../../libs/health/src/index.ts',
    '^@todo/health/next$': '<rootDir>/../../libs/health/src/next.ts',
    '^@todo/test-support$': '<rootDir>/../../libs/test-support/src/index.ts',
  },
};

if (process.env.TEST_RESULTS_DIR) {
  module.exports.reporters = [
    'default',
    require.resolve('./tools/scripts/jest-results-reporter.cjs'),
  ];
}
