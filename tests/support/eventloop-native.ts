/**
 * Run programs natively in Node 24 (one child process, each program in its own vm context, see
 * tests/unit/eventloop-native-runner.mjs) and compare them with the event-loop engine.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runProgramSync } from '#sim/eventloop';

export interface NativeResult {
  id: number;
  lines: string[];
  maxDrift: number;
  error?: string;
}

const runner = path.resolve(__dirname, '../unit/eventloop-native-runner.mjs');

export function runNative(programs: string[]): NativeResult[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'eventloop-native-'));
  try {
    const inFile = path.join(dir, 'programs.json');
    const outFile = path.join(dir, 'results.json');
    writeFileSync(inFile, JSON.stringify(programs.map((source, id) => ({ id, source }))));
    const r = spawnSync(process.execPath, [runner, inFile, outFile, '1'], { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`native runner failed: ${r.stderr}`);
    return (JSON.parse(readFileSync(outFile, 'utf8')) as NativeResult[]).sort((x, y) => x.id - y.id);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One test per named program: the engine prints exactly what native Node prints (and something). */
export function describeAgreesWithNode(title: string, programs: Record<string, string>): void {
  describe(title, () => {
    const names = Object.keys(programs);
    let native: NativeResult[] | undefined;
    const nativeFor = (i: number): NativeResult => {
      native ??= runNative(names.map((n) => programs[n]));
      return native[i];
    };
    names.forEach((name, i) => {
      it(name, () => {
        const engine = runProgramSync(programs[name]);
        expect(engine.error).toBeUndefined();
        const n = nativeFor(i);
        expect(n.error).toBeUndefined();
        expect(engine.console).toEqual(n.lines);
        expect(engine.console.length).toBeGreaterThan(0);
      }, 60_000);
    });
  });
}

/**
 * Runs `file` in real Node until it prints `expected` (at most `tries` runs; stderr must stay
 * empty) and returns the last run's lines. For programs whose real timers are 10-20 ms apart: on a
 * loaded machine one run may fire a timer late, and a program the engine gets wrong misses all.
 */
export function nativeLinesMatching(file: string, expected: string[], tries = 3): string[] {
  let lines: string[] = [];
  for (let i = 0; i < tries; i++) {
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000 });
    expect(r.stderr).toBe('');
    lines = r.stdout.split('\n').filter((l) => l !== '');
    if (JSON.stringify(lines) === JSON.stringify(expected)) break;
  }
  return lines;
}
