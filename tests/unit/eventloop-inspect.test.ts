/**
 * Console formatting differential test: every program of eventloop-inspect-cases.ts prints the
 * same lines through the lab's engine (runProgram, both runtimes) as through real Node 24's
 * console.log (util.format), run by eventloop-inspect-native-runner.mjs in a child process.
 *
 * Node prints an Error's stack frames; the lab prints the same text without them (frames of the
 * transformed program would be noise), so Node's frame lines are removed before comparing, for
 * the error programs only. Everything else must be identical, character for character.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runProgramSync } from '#sim/eventloop/run';
import { INSPECT_CASES, INSPECT_ERROR_CASES, INSPECT_GAPS } from './eventloop-inspect-cases';

const here = path.dirname(fileURLToPath(import.meta.url));
const runner = path.join(here, 'eventloop-inspect-native-runner.mjs');

interface NativeResult {
  id: number;
  lines: string[];
  error?: string;
}

function runNative(sources: string[]): NativeResult[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'el-inspect-'));
  try {
    const inFile = path.join(dir, 'cases.json');
    const outFile = path.join(dir, 'results.json');
    writeFileSync(inFile, JSON.stringify(sources.map((source, id) => ({ id, source }))));
    const r = spawnSync(process.execPath, [runner, inFile, outFile], { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`native runner failed (${r.status}): ${r.stderr}`);
    return JSON.parse(readFileSync(outFile, 'utf8')) as NativeResult[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Node's stack-frame lines (and its "... N lines matching cause stack trace ..." lines) removed. */
function withoutFrames(line: string): string {
  // A frame line may end with the ` {` that opens the error's own properties: it stays.
  return line.replace(/\n +(?:at |\.\.\. \d+ lines? matching cause stack trace \.\.\.)[^\n]*?( \{)?(?=\n|$)/g, '$1');
}

function compare(sources: string[], stripFrames: boolean): void {
  const native = runNative(sources);
  const failures: string[] = [];
  for (const { id, lines, error } of native) {
    const source = sources[id];
    if (error) {
      failures.push(`#${id} ${source}\n  Node threw: ${error}`);
      continue;
    }
    const expected = stripFrames ? lines.map(withoutFrames) : lines;
    for (const runtime of ['browser', 'node'] as const) {
      const run = runProgramSync(source, { runtime });
      const got = run.error ? [...run.console, `(error) ${run.error.message}`] : run.console;
      if (JSON.stringify(got) !== JSON.stringify(expected)) {
        failures.push(`#${id} [${runtime}] ${source}\n  node:   ${JSON.stringify(expected)}\n  engine: ${JSON.stringify(got)}`);
        break;
      }
    }
  }
  if (process.env.INSPECT_DUMP) writeFileSync(process.env.INSPECT_DUMP + (stripFrames ? '.errors' : ''), failures.join('\n\n'));
  expect(failures.join('\n\n')).toBe('');
}

describe("console.log formatting matches real Node 24's util.inspect", () => {
  it('runs on Node 24', () => {
    expect(Number(process.versions.node.split('.')[0])).toBe(24);
  });
  it(`prints ${INSPECT_CASES.length} programs exactly as Node does`, () => {
    expect(INSPECT_CASES.length).toBeGreaterThanOrEqual(150);
    compare(INSPECT_CASES, false);
  });
  it(`prints ${INSPECT_ERROR_CASES.length} programs with real errors as Node does, without the stack frames`, () => {
    compare(INSPECT_ERROR_CASES, true);
  });
  it('prints the documented text where it cannot match Node (and Node still prints something else)', () => {
    const native = runNative(INSPECT_GAPS.map(([source]) => source));
    INSPECT_GAPS.forEach(([source, text], i) => {
      expect(runProgramSync(source).console, source).toEqual([text]);
      expect(native[i].lines, source).not.toEqual([text]);
    });
  });
});
