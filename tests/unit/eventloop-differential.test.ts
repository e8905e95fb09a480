/**
 * Differential test: random programs (eventloop-fuzz.ts) run natively in real Node 24 and through
 * runProgram must print exactly the same console lines.
 *
 * - Programs are generated from consecutive seeds starting at FUZZ_SEED (env EVENTLOOP_FUZZ_SEED,
 *   default 20250101); EVENTLOOP_FUZZ_COUNT sets how many (default 520). A program whose timer
 *   order could depend on native jitter is skipped before running (`timingSafe`, judged on the
 *   engine's run), so the count is of programs actually compared.
 * - The native side runs in ONE child process (eventloop-native-runner.mjs), programs in their own
 *   `vm` contexts, several at a time; programs whose timers fired more than MAX_DRIFT_MS late are
 *   re-run one at a time (up to twice) before they are compared.
 * - Unhandled rejections are where Node and browsers differ: Node reports one right after the
 *   microtasks, HTML (and Chromium) from a task queued then, which checks again for a handler. A
 *   program whose engine run queued such a report task is compared with real headless Chromium
 *   instead (tests/support/eventloop-chromium.ts; skipped when no system Chromium is installed).
 * - A failure prints the seed and the program; replay it with
 *   `EVENTLOOP_FUZZ_SEED=<seed> EVENTLOOP_FUZZ_COUNT=1 npx vitest run tests/unit/eventloop-differential`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runProgramSync } from '#sim/eventloop/run';
import { generateProgram, MAX_DRIFT_MS, timingSafe } from './eventloop-fuzz';
import { chromiumPath, openChromium } from '../support/eventloop-chromium';
import type { EventLoopRun } from '#sim/eventloop/types';

/** True when the run queued HTML's unhandled-rejection report task (Node reports at another moment). */
function reportsInATask(run: EventLoopRun): boolean {
  return run.trace.some((e) => e.kind === 'task-enqueue' && e.source === 'rejection');
}

const here = path.dirname(fileURLToPath(import.meta.url));
const runner = path.join(here, 'eventloop-native-runner.mjs');
const FUZZ_SEED = Number(process.env.EVENTLOOP_FUZZ_SEED ?? 20250101);
const FUZZ_COUNT = Number(process.env.EVENTLOOP_FUZZ_COUNT ?? 520);

interface NativeResult {
  id: number;
  lines: string[];
  maxDrift: number;
  error?: string;
}

function runNative(dir: string, programs: { id: number; source: string }[], concurrency: number): Map<number, NativeResult> {
  const inFile = path.join(dir, `programs-${concurrency}-${programs[0]?.id ?? 0}.json`);
  const outFile = path.join(dir, `results-${concurrency}-${programs[0]?.id ?? 0}.json`);
  writeFileSync(inFile, JSON.stringify(programs));
  const r = spawnSync(process.execPath, [runner, inFile, outFile, String(concurrency)], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`native runner failed (${r.status}): ${r.stderr}`);
  const results = JSON.parse(readFileSync(outFile, 'utf8')) as NativeResult[];
  return new Map(results.map((x) => [x.id, x]));
}

describe('differential: runProgram agrees with native Node on generated programs', () => {
  it(`prints the same as Node for ${FUZZ_COUNT} random programs`, () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
    const accepted: { id: number; seed: number; source: string; engine: string[] }[] = [];
    const inBrowser: { seed: number; source: string; engine: string[]; endTime: number }[] = [];
    let seed = FUZZ_SEED;
    let rejected = 0;
    while (accepted.length < FUZZ_COUNT && seed < FUZZ_SEED + FUZZ_COUNT * 20) {
      const source = generateProgram(seed);
      const run = runProgramSync(source, { maxSteps: 100_000 });
      if (!timingSafe(run)) rejected++;
      else if (reportsInATask(run)) inBrowser.push({ seed, source, engine: run.console, endTime: run.stats.endTime });
      else accepted.push({ id: accepted.length, seed, source, engine: run.console });
      seed++;
    }
    expect(accepted.length).toBe(FUZZ_COUNT);

    const dir = mkdtempSync(path.join(tmpdir(), 'eventloop-diff-'));
    try {
      const native = runNative(dir, accepted.map(({ id, source }) => ({ id, source })), 16);
      // Re-run, one at a time, the programs whose native timers ran late (or that timed out).
      for (let attempt = 0; attempt < 2; attempt++) {
        const retry = accepted.filter((p) => {
          const n = native.get(p.id)!;
          return n.maxDrift > MAX_DRIFT_MS || n.error !== undefined;
        });
        if (retry.length === 0) break;
        const again = runNative(dir, retry.map(({ id, source }) => ({ id, source })), 1);
        for (const [id, r] of again) native.set(id, r);
      }
      let compared = 0;
      let lateSkipped = 0;
      const failures: string[] = [];
      for (const p of accepted) {
        const n = native.get(p.id)!;
        if (n.maxDrift > MAX_DRIFT_MS && n.error === undefined) {
          // Still late after re-runs: a comparison would test the machine's load, not the engine.
          if (JSON.stringify(n.lines) !== JSON.stringify(p.engine)) lateSkipped++;
          else compared++;
          continue;
        }
        compared++;
        if (n.error !== undefined || JSON.stringify(n.lines) !== JSON.stringify(p.engine)) {
          failures.push(
            `seed ${p.seed}${n.error ? ` (native: ${n.error})` : ''}\n--- program\n${p.source}\n--- node\n${n.lines.join('\n')}\n--- engine\n${p.engine.join('\n')}`,
          );
        }
      }
      if (failures.length) {
        throw new Error(`${failures.length} of ${compared} programs differ. First:\n${failures.slice(0, 2).join('\n\n')}`);
      }
      // Programs skipped for lateness must stay rare, or the test would not test much.
      expect(lateSkipped).toBeLessThanOrEqual(Math.ceil(FUZZ_COUNT * 0.02));
      expect(compared).toBeGreaterThanOrEqual(FUZZ_COUNT - lateSkipped);
      void rejected;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it.skipIf(!chromiumPath)('prints the same as Chromium for the generated programs that leave a rejection unhandled', async () => {
    const programs: { seed: number; source: string; engine: string[]; endTime: number }[] = [];
    for (let seed = FUZZ_SEED; seed < FUZZ_SEED + FUZZ_COUNT * 20 && programs.length < 12; seed++) {
      const source = generateProgram(seed);
      const run = runProgramSync(source, { maxSteps: 100_000 });
      if (timingSafe(run) && reportsInATask(run)) programs.push({ seed, source, engine: run.console, endTime: run.stats.endTime });
    }
    expect(programs.length).toBeGreaterThanOrEqual(Math.min(12, Math.floor(FUZZ_COUNT / 100)));
    const browser = await openChromium();
    try {
      const failures: string[] = [];
      for (const p of programs) {
        let lines = await browser.run(p.source, p.endTime + 250);
        if (JSON.stringify(lines) !== JSON.stringify(p.engine)) lines = await browser.run(p.source, p.endTime * 2 + 500); // a loaded machine
        if (JSON.stringify(lines) !== JSON.stringify(p.engine)) {
          failures.push(`seed ${p.seed}\n--- program\n${p.source}\n--- chromium\n${lines.join('\n')}\n--- engine\n${p.engine.join('\n')}`);
        }
      }
      if (failures.length) throw new Error(`${failures.length} of ${programs.length} programs differ from Chromium. First:\n${failures[0]}`);
    } finally {
      await browser.close();
    }
  }, 180_000);
});
