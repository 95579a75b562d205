import { defineConfig, devices } from '@playwright/test';
import path from 'node:path';

const artifacts = path.resolve(__dirname, '../../dist/.playwright/apps/frontend-e2e');

/**
 * Debian's Chromium, never a downloaded browser (no download works on the CI machine); these
 * flags keep it headless and quiet in a container running as root.
 */
const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

export default defineConfig({
  testDir: './src',
  outputDir: path.join(artifacts, 'test-output'),
  // One backend and one database for the whole run: the flows run one after another.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  // Builds what is missing, then starts the real backend (embedded PGlite, fresh DATA_DIR) and
  // the built frontend on free ports; its returned function stops both.
  globalSetup: './src/global-setup.ts',
  reporter: [
    ['list'],
    ['html', { outputFolder: path.join(artifacts, 'report'), open: 'never' }],
    ['./src/results-reporter.ts'],
  ],
  use: {
    ...devices['Desktop Chrome'],
    launchOptions: chromium,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [{ name: 'chromium' }],
});
