import { defineConfig } from '@playwright/test';
import { existsSync } from 'node:fs';
import { loadLabs } from './tests/e2e/labs';

/**
 * End-to-end tests against the built site (`astro build` + pagefind), served by scripts/serve.mjs
 * with the headers of dist/_headers, as a static host would.
 * Browser: Debian's Chromium when present (this machine and CI cannot download Playwright's own);
 * otherwise Playwright's bundled browser for people who have installed it.
 */
const systemChromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']
  .concat(process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : [])
  .reverse()
  .find((p) => existsSync(p));

// Every lab of src/widgets/registry.ts, once, for labs.spec.ts (left in E2E_LABS for the workers).
await loadLabs();

const PORT = Number(process.env.E2E_PORT ?? 4329);
/** The built site to serve; another folder lets a second build be tested beside dist/. */
const DIST = process.env.E2E_DIST ?? 'dist';

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: true,
  // Two workers everywhere: the machines this runs on have 2 cores, and Playwright's default
  // (half the cores) would be 1 and double the run.
  workers: 2,
  retries: 0, // a flaky test is a failing test
  timeout: 30_000,
  expect: { timeout: 7_000 },
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    browserName: 'chromium',
    launchOptions: {
      executablePath: systemChromium,
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
    trace: 'retain-on-failure',
    // The site's service worker stores the whole site on a first visit: only offline.spec.ts,
    // which tests it, lets it run (elsewhere it would only add load and cache between steps).
    serviceWorkers: 'block',
  },
  webServer: [
    {
      command: `node scripts/serve.mjs --host 127.0.0.1 --port ${PORT} --dir ${DIST}`,
      url: `http://127.0.0.1:${PORT}/`,
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
    },
    {
      // the same site from a host that sends no custom headers (offline.spec.ts)
      command: `node scripts/serve.mjs --host 127.0.0.1 --port ${PORT + 1} --dir ${DIST} --no-headers`,
      url: `http://127.0.0.1:${PORT + 1}/`,
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
    },
  ],
});
