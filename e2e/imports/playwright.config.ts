// Runs the import specs on their own until the main config's browser project matches them:
// npx playwright test -c e2e/imports/playwright.config.ts
import { defineConfig } from '@playwright/test'
import { CHROMIUM, CHROMIUM_ARGS } from '../../playwright.config'

export default defineConfig({
  testDir: '.',
  testMatch: ['**/*.spec.ts'],
  timeout: 60_000,
  reporter: [['list']],
  outputDir: '../../test-results/imports',
  use: { browserName: 'chromium', launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS } },
})
