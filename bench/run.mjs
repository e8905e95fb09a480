// `npm run bench`: prints figures against each budget. Never fails on timing (exit code 0 unless
// a bench itself crashes).
//
// - Engine benches: every bench/*.bench.ts exports `run(): Promise<Figure[]>`; they are bundled
//   with esbuild (so the engines' extensionless TypeScript imports resolve) and run in this process.
// - Page weight: bench/page-weight.mjs measures the built site in Chromium.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];

/** @typedef {{ name: string, value: number, unit: string, budget?: number, note?: string }} Figure */

/** @param {Figure} f */
function print(f) {
  const verdict = f.budget === undefined ? '' : f.value <= f.budget ? `  within budget (${f.budget} ${f.unit})` : `  OVER budget (${f.budget} ${f.unit})`;
  console.log(`  ${f.name}: ${f.value.toFixed(f.value < 10 ? 2 : 1)} ${f.unit}${verdict}${f.note ? `  [${f.note}]` : ''}`);
}

const out = mkdtempSync(join(tmpdir(), 'bench-'));
const files = readdirSync(here).filter((f) => f.endsWith('.bench.ts') && (!only || f.includes(only)));
for (const file of files) {
  console.log(`\n${file}`);
  const result = await build({ entryPoints: [join(here, file)], bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'error' });
  const target = join(out, file.replace(/\.ts$/, '.mjs'));
  writeFileSync(target, result.outputFiles[0].text);
  const mod = await import(pathToFileURL(target).href);
  for (const f of await mod.run()) print(f);
}

if (!only || 'interleavings'.includes(only) || 'explore-in-worker'.includes(only)) {
  console.log('\nexplore-in-worker');
  const { measureExploreInWorker } = await import('./explore-in-worker.mjs');
  for (const f of await measureExploreInWorker()) print(f);
}

if (!only || 'page-weight'.includes(only)) {
  console.log('\npage-weight');
  const { measurePageWeight } = await import('./page-weight.mjs');
  for (const f of await measurePageWeight()) print(f);
}
