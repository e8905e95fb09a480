/**
 * Runs learner programs in real headless Chromium (the system's, as the e2e tests use), for the
 * browser mode's differential tests (eventloop-html-model.test.ts, eventloop-differential.test.ts).
 *
 * Each program runs in a fresh page as a classic <script> (its own task, timer nesting level 0).
 * The page gets what the lab's sandbox has and the native Node runner gives: `console.log` (and
 * info/warn/error/debug) collecting one line per call, formatted by the engine's own
 * `formatLogArgs` (inspect.ts, bundled into the page: formatting is not what these tests compare,
 * ordering is), `delay(ms, v)`, and listeners writing the lines Chromium's console shows for
 * uncaught errors ("Uncaught Error: x") and unhandled rejections ("Uncaught (in promise) Error: x");
 * `rejectionhandled` events are written as "rejectionhandled <reason>".
 *
 * A program is given `settleMs` of real time, then its lines are read.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';

export const chromiumPath: string | undefined = [process.env.CHROMIUM_PATH ?? '', '/usr/bin/google-chrome', '/usr/bin/chromium-browser', '/usr/bin/chromium'].find(
  (p) => p && existsSync(p),
);

const here = path.dirname(fileURLToPath(import.meta.url));

async function formatterBundle(): Promise<string> {
  const r = await build({
    entryPoints: [path.join(here, '../../simulations/eventloop/inspect.ts')],
    bundle: true,
    format: 'iife',
    globalName: '__inspect',
    write: false,
    logLevel: 'error',
  });
  return r.outputFiles[0].text;
}

export interface ChromiumRunner {
  run(source: string, settleMs?: number): Promise<string[]>;
  close(): Promise<void>;
}

export async function openChromium(): Promise<ChromiumRunner> {
  if (!chromiumPath) throw new Error('No system Chromium found (set CHROMIUM_PATH).');
  const bundle = await formatterBundle();
  const setup = `${bundle}
(() => {
  const lines = (window.__lines = []);
  const fmt = (args) => __inspect.formatLogArgs(args);
  const isError = (e) => Object.prototype.toString.call(e) === '[object Error]';
  const show = (e) => (isError(e) ? e.name + ': ' + e.message : fmt([e]));
  for (const k of ['log', 'info', 'warn', 'error', 'debug']) console[k] = (...args) => void lines.push(fmt(args));
  window.delay = (ms, v) => new Promise((r) => setTimeout(r, ms, v));
  window.addEventListener('error', (e) => { lines.push('Uncaught ' + show(e.error)); e.preventDefault(); });
  window.addEventListener('unhandledrejection', (e) => { lines.push('Uncaught (in promise) ' + show(e.reason)); e.preventDefault(); });
  window.addEventListener('rejectionhandled', (e) => void lines.push('rejectionhandled ' + show(e.reason)));
})();`;
  const browser: Browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu'] });
  return {
    async run(source: string, settleMs = 250): Promise<string[]> {
      const page = await browser.newPage();
      try {
        await page.goto('about:blank');
        await page.addScriptTag({ content: setup });
        await page.addScriptTag({ content: source });
        await page.waitForTimeout(settleMs);
        return await page.evaluate(() => (window as unknown as { __lines: string[] }).__lines.slice());
      } finally {
        await page.close();
      }
    },
    close: () => browser.close(),
  };
}
