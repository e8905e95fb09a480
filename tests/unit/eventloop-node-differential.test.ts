/**
 * Node-mode differential test: random Node programs (eventloop-node-fuzz.ts) run natively in real
 * Node 24 and through runProgram(source, { runtime: 'node' }) must print exactly the same lines.
 *
 * - Programs come from consecutive seeds from EVENTLOOP_NODE_FUZZ_SEED (default 20260101);
 *   EVENTLOOP_NODE_FUZZ_COUNT sets how many are compared (default 520). A program whose native
 *   order could depend on timing (`nodeTimingSafe`, judged on the engine's run, including its
 *   own `nondeterministic` notes) is skipped before running, so the count is of programs compared.
 * - The native side runs in ONE child process (eventloop-node-native-runner.mjs), programs in
 *   their own `vm` contexts, 8 at a time, with `data.txt` in a temp directory as its cwd (the
 *   lab's virtual file system has the same file). Programs whose timers fired more than
 *   NODE_MAX_DRIFT_MS late are re-run one at a time (up to twice) before they are compared.
 * - Replay a failure: `EVENTLOOP_NODE_FUZZ_SEED=<seed> EVENTLOOP_NODE_FUZZ_COUNT=1 npx vitest run tests/unit/eventloop-node-differential`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runProgramSync } from '#sim/eventloop/run';
import { NODE_DEFAULT_FILES } from '#sim/eventloop/engine';
import { generateNodeProgram, NODE_MAX_DRIFT_MS, nodeTimingSafe } from './eventloop-node-fuzz';

const here = path.dirname(fileURLToPath(import.meta.url));
const runner = path.join(here, 'eventloop-node-native-runner.mjs');
const FUZZ_SEED = Number(process.env.EVENTLOOP_NODE_FUZZ_SEED ?? 20260101);
const FUZZ_COUNT = Number(process.env.EVENTLOOP_NODE_FUZZ_COUNT ?? 520);

interface NativeResult {
  id: number;
  lines: string[];
  maxDrift: number;
  error?: string;
}

function runNative(dir: string, programs: { id: number; source: string }[], concurrency: number, tag: string): Map<number, NativeResult> {
  const inFile = path.join(dir, `programs-${tag}.json`);
  const outFile = path.join(dir, `results-${tag}.json`);
  writeFileSync(inFile, JSON.stringify(programs));
  const r = spawnSync(process.execPath, [runner, inFile, outFile, String(concurrency)], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`native runner failed (${r.status}): ${r.stderr}`);
  const results = JSON.parse(readFileSync(outFile, 'utf8')) as NativeResult[];
  return new Map(results.map((x) => [x.id, x]));
}

describe('differential: the Node mode agrees with real Node 24 on generated programs', () => {
  it(`prints the same as Node for ${FUZZ_COUNT} random Node programs`, () => {
    expect(Number(process.versions.node.split('.')[0])).toBe(24);
    const accepted: { id: number; seed: number; source: string; engine: string[]; exit: number | undefined }[] = [];
    let seed = FUZZ_SEED;
    while (accepted.length < FUZZ_COUNT && seed < FUZZ_SEED + FUZZ_COUNT * 20) {
      const source = generateNodeProgram(seed);
      const run = runProgramSync(source, { runtime: 'node', maxSteps: 100_000 });
      if (nodeTimingSafe(run)) accepted.push({ id: accepted.length, seed, source, engine: run.console, exit: run.exitCode });
      seed++;
    }
    expect(accepted.length).toBe(FUZZ_COUNT);
    // The programs exercise what they should: I/O callbacks, immediates, timers, ticks, and exits.
    const uses = (re: RegExp): number => accepted.filter((p) => re.test(p.source)).length;
    expect(uses(/fs\.readFile\('data/)).toBeGreaterThan(FUZZ_COUNT / 10);
    expect(uses(/setImmediate/)).toBeGreaterThan(FUZZ_COUNT / 4);
    expect(uses(/setTimeout/)).toBeGreaterThan(FUZZ_COUNT / 10);
    expect(uses(/process\.nextTick/)).toBeGreaterThan(FUZZ_COUNT / 4);
    expect(accepted.filter((p) => p.exit === 1).length).toBeGreaterThan(FUZZ_COUNT / 50);

    const dir = mkdtempSync(path.join(tmpdir(), 'eventloop-node-diff-'));
    try {
      for (const [name, text] of Object.entries(NODE_DEFAULT_FILES)) writeFileSync(path.join(dir, name), text);
      const native = runNative(dir, accepted.map(({ id, source }) => ({ id, source })), 8, 'all');
      for (let attempt = 0; attempt < 2; attempt++) {
        const retry = accepted.filter((p) => {
          const n = native.get(p.id)!;
          return n.maxDrift > NODE_MAX_DRIFT_MS || n.error !== undefined;
        });
        if (retry.length === 0) break;
        const again = runNative(dir, retry.map(({ id, source }) => ({ id, source })), 1, `retry${attempt}`);
        for (const [id, r] of again) native.set(id, r);
      }
      let compared = 0;
      let lateSkipped = 0;
      const failures: string[] = [];
      for (const p of accepted) {
        const n = native.get(p.id)!;
        const same = JSON.stringify(n.lines) === JSON.stringify(p.engine);
        if (n.maxDrift > NODE_MAX_DRIFT_MS && n.error === undefined) {
          // Still late after re-runs: a comparison would test the machine's load, not the engine.
          if (same) compared++;
          else lateSkipped++;
          continue;
        }
        compared++;
        if (n.error !== undefined || !same) {
          failures.push(`seed ${p.seed}${n.error ? ` (native: ${n.error})` : ''}\n--- program\n${p.source}\n--- node\n${n.lines.join('\n')}\n--- engine\n${p.engine.join('\n')}`);
        }
      }
      if (failures.length) throw new Error(`${failures.length} of ${compared} programs differ. First:\n${failures.slice(0, 2).join('\n\n')}`);
      expect(lateSkipped).toBeLessThanOrEqual(Math.ceil(FUZZ_COUNT * 0.02));
      expect(compared).toBeGreaterThanOrEqual(FUZZ_COUNT - lateSkipped);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
