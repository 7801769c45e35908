import { defineConfig } from '@playwright/test';

// Debian's Chromium, never a downloaded one (our machines cannot download browsers).
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  // The screenshot walk (screens.spec.ts) is a tool for looking at every view, not a test: it runs only when
  // asked for with SCREENS=1, and is not listed (as skipped) in npm test otherwise.
  testIgnore: process.env.SCREENS ? [] : ['screens.spec.ts'],
  outputDir: '../test-results',
  timeout: 5 * 60_000,
  expect: { timeout: 60_000 },
  workers: 1,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1360, height: 880 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
