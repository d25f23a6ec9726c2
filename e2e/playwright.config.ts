import { existsSync } from 'node:fs'
import { defineConfig } from '@playwright/test'
import { TEST_HOSTS } from './hosts'

/** A system Chromium when there is one (Playwright cannot download browsers here). */
const SYSTEM_CHROMIUM = '/usr/bin/chromium'
const asRoot = process.getuid?.() === 0
/**
 * A visitor's browser: the collector stores nothing from bots, and headless Chromium's
 * user agent (HeadlessChrome) is one. Set for the whole browser, not with `use.userAgent`:
 * that DevTools override does not reach keepalive requests sent while a page unloads.
 */
const VISITOR_USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36'

const args = [
  `--user-agent=${VISITOR_USER_AGENT}`,
  `--host-resolver-rules=${TEST_HOSTS.map((host) => `MAP ${host} 127.0.0.1`).join(', ')}`,
  ...(asRoot
    ? [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ]
    : []),
]

export default defineConfig({
  testDir: './tests',
  workers: 1,
  retries: 0,
  reporter: 'list',
  timeout: 60_000,
  use: {
    browserName: 'chromium',
    launchOptions: {
      args,
      ...(existsSync(SYSTEM_CHROMIUM) ? { executablePath: SYSTEM_CHROMIUM } : {}),
    },
  },
})
