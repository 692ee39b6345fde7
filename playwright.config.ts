import { defineConfig } from '@playwright/test'

/** Debian's Chromium (CI installs it with apt); Playwright's own browser download is not reachable here. */
export const CHROMIUM = process.env.PRLAB_CHROMIUM ?? '/usr/bin/chromium'
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/global_setup.ts',
  timeout: 90_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: process.env.CI ? 1 : 2,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  projects: [
    {
      name: 'browser',
      testMatch: ['browser/**/*.spec.ts', 'ui/**/*.spec.ts', 'imports/**/*.spec.ts'],
      use: {
        browserName: 'chromium',
        launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS },
        viewport: { width: 1440, height: 900 },
        trace: 'retain-on-failure',
        screenshot: 'only-on-failure',
      },
    },
    { name: 'electron', testMatch: ['electron/**/*.spec.ts'] },
    // The built desktop shell (out/main) in Node against a fake electron: no binary needed.
    { name: 'desktop', testMatch: ['desktop/**/*.spec.ts'] },
  ],
})
