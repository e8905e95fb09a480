// The async explorer's speed where the lab runs it: dedicated Workers in Chromium (issue 14's
// target: at least 100,000 schedules a second for small programs in a Worker, and 1,000,000
// schedules in well under 10 s). bench/worker-explore.ts is bundled for the browser with esbuild
// and started from a blob in a blank page; each one-Worker figure is the median of the timed
// explorations. The last figures are explorations in parts over several Workers, driven by
// bench/explore-parts-page.ts as the lab's runner drives its part hosts.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const here = dirname(fileURLToPath(import.meta.url));

const tasks = (k, m) => `async function task(id) {\n  for (let i = 0; i < ${m}; i++) await delay(10 * id, i);\n}\n${Array.from({ length: k }, (_, i) => `task(${i + 1});`).join('\n')}\n`;

/** [name, source, maxSchedules, warm, repeat] */
const JOBS = [
  ['3 tasks x 3 awaits of delay (9!/(3!)^3 = 1,680 schedules)', tasks(3, 3), 1_000_000, 20, 15],
  ['3 tasks x 4 awaits (12!/(4!)^3 = 34,650 schedules)', tasks(3, 4), 1_000_000, 2, 5],
  ['4 tasks x 4 awaits, the first 1,000,000 of 63,063,000 schedules', tasks(4, 4), 1_000_000, 0, 1],
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** [name, source, cap]: explorations in parts over several Workers, as the lab's runner makes
 * them for a program estimated at 200,000 schedules or more. */
const PART_JOBS = [
  ['3 tasks x 5 awaits (15!/(5!)^3 = 756,756 schedules)', tasks(3, 5), 1_000_000],
  ['4 tasks x 4 awaits, the first 1,000,000 of 63,063,000 schedules', tasks(4, 4), 1_000_000],
];

const bundleOf = async (file) =>
  (await build({ entryPoints: [join(here, file)], bundle: true, format: 'iife', platform: 'browser', write: false, logLevel: 'error', tsconfig: join(here, '..', 'tsconfig.json') })).outputFiles[0].text;

export async function measureExploreInWorker() {
  const code = await bundleOf('worker-explore.ts');
  const pageCode = await bundleOf('explore-parts-page.ts');
  const browser = await chromium.launch({
    executablePath: existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const figures = [];
  try {
    const page = await browser.newPage();
    await page.goto('about:blank');
    for (const [name, source, maxSchedules, warm, repeat] of JOBS) {
      const out = await page.evaluate(
        ({ code, job }) =>
          new Promise((resolve, reject) => {
            const w = new Worker(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
            w.onmessage = (e) => {
              w.terminate();
              resolve(e.data);
            };
            w.onerror = (e) => reject(new Error(e.message));
            w.postMessage(job);
          }),
        { code, job: { source, maxSchedules, warm, repeat } },
      );
      const ms = median(out.times);
      figures.push({
        name: `Chromium Worker, async mode, ${name}: schedules per second`,
        value: Math.round(out.schedules / (ms / 1000)),
        unit: 'schedules/s',
        note: `${out.schedules.toLocaleString('en')} schedules in ${ms.toFixed(ms < 100 ? 1 : 0)} ms (median of ${repeat}, wall); ${out.runs.fast} runs on the fast runtime, ${out.runs.engine} on the engine; target >= 100,000/s`,
      });
      if (out.schedules >= 1_000_000) {
        figures.push({ name: 'Chromium Worker, async mode, 1,000,000 schedules in one Worker: wall time', value: ms / 1000, unit: 's', note: `${name}; the lab searches a program estimated at 200,000 schedules or more in parts over several Workers (below)` });
      }
    }
    // In parts over several Workers, as the lab's runner (one fewer than the cores, 2 to 4).
    const workers = await page.evaluate(() => Math.min(4, Math.max(2, (navigator.hardwareConcurrency || 2) - 1)));
    await page.addScriptTag({ content: pageCode });
    for (const [name, source, cap] of PART_JOBS) {
      const out = await page.evaluate(({ code, source, cap, workers }) => globalThis.exploreInParts(code, source, cap, workers), { code, source, cap, workers });
      figures.push({
        name: `Chromium, ${workers} Workers at once, async mode, ${name}: wall time`,
        value: out.ms / 1000,
        unit: 's',
        budget: 10,
        note: `${out.schedules.toLocaleString('en')} schedules (${out.exhaustive ? 'every one' : 'capped'}; estimated ${Math.round(out.estimate).toLocaleString('en')}) in ${out.parts.toLocaleString('en')} parts, ${Math.round(out.schedules / (out.ms / 1000)).toLocaleString('en')} a second; target: 1,000,000 in well under 10 s`,
      });
    }
  } finally {
    await browser.close();
  }
  return figures;
}
