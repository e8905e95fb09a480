/**
 * Every puzzle in shared/puzzles/eventloop prints exactly its .expected output through runProgram
 * (Chromium and Node print the same for all of them: see the puzzles' README).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runProgram } from '#sim/eventloop';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const puzzleDir = path.resolve(repoRoot, '../shared/puzzles/eventloop');
const puzzles = readdirSync(puzzleDir)
  .filter((f) => f.endsWith('.js'))
  .sort();

describe('event-loop puzzles', () => {
  it('finds the puzzles', () => {
    expect(puzzles.length).toBeGreaterThanOrEqual(20);
  });

  for (const file of puzzles) {
    it(`${file} prints its .expected output`, async () => {
      const source = readFileSync(path.join(puzzleDir, file), 'utf8');
      const expected = readFileSync(path.join(puzzleDir, file.replace(/\.js$/, '.expected')), 'utf8')
        .replace(/\r\n/g, '\n')
        .replace(/\n$/, '')
        .split('\n');
      const run = await runProgram(source);
      expect(run.error).toBeUndefined();
      expect(run.truncated).toBe(false);
      expect(run.console).toEqual(expected);
    });
  }
});
