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
    let seed = FUZZ_SEED;
    let rejected = 0;
    while (accepted.length < FUZZ_COUNT && seed < FUZZ_SEED + FUZZ_COUNT * 20) {
      const source = generateProgram(seed);
      const run = runProgramSync(source, { maxSteps: 100_000 });
      if (timingSafe(run)) accepted.push({ id: accepted.length, seed, source, engine: run.console });
      else rejected++;
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
});
