module.exports = {
  displayName: 'frontend',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  // Components render in jsdom; server-side files opt into `@jest-environment node` per file.
  testEnvironment: 'jsdom',
  setupFilesAfterEnv: ['<rootDir>/jest.setup.ts'],
  // Merged by Jest with the preset's @todo/* mappings.
  moduleNameMapper: { '\\.(css)$': '<rootDir>/jest.style-stub.js' },
  testPathIgnorePatterns: ['/node_modules/', '/.next/'],
  modulePathIgnorePatterns: ['<rootDir>/.next/'],
  coverageDirectory: '../../coverage/apps/frontend',
};
