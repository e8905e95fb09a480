// The async explorer's speed where the lab runs it: a dedicated Worker in Chromium (issue 14's
// target: at least 100,000 schedules a second for small programs in a Worker, and 1,000,000
// schedules in well under 10 s). bench/worker-explore.ts is bundled for the browser with esbuild
// and started from a blob in a blank page; each figure is the median of the timed explorations.
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

export async function measureExploreInWorker() {
  const bundle = await build({ entryPoints: [join(here, 'worker-explore.ts')], bundle: true, format: 'iife', platform: 'browser', write: false, logLevel: 'error', tsconfig: join(here, '..', 'tsconfig.json') });
  const code = bundle.outputFiles[0].text;
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
        figures.push({ name: 'Chromium Worker, async mode, 1,000,000 schedules: wall time', value: ms / 1000, unit: 's', budget: 10, note: name });
      }
    }
  } finally {
    await browser.close();
  }
  return figures;
}
