import { defineConfig, defaultExclude } from 'vitest/config';
import { aliases } from './scripts/aliases.mjs';

/**
 * One rule for where tests are: a file named `*.test.ts` is a Vitest test, wherever it is; a
 * `*.spec.ts` under tests/e2e/ is a Playwright test. Unit tests live in tests/unit/ (shared
 * helpers in tests/support/); a test may sit beside the module it tests in src/ or simulations/
 * (src/runners/*.test.ts do), and is picked up all the same.
 *
 * Two groups, one after the other:
 *   1. "unit": every file not listed below, two at a time (the machines have two cores).
 *   2. "real-time": files that measure real time (throughput of real Node runs, native timer
 *      order against the engine's), one at a time with the machine to themselves, as before:
 *      beside a CPU-heavy file their figures would measure the neighbour. A new file that times
 *      real runs goes in REAL_TIME.
 */
const REAL_TIME = [
  'tests/unit/exercises.test.ts',
  'tests/unit/lesson-04-figures.test.ts',
  'tests/unit/sync-async-lab.test.ts',
  'tests/unit/eventloop-differential.test.ts',
  'tests/unit/eventloop-node-differential.test.ts',
  'tests/unit/eventloop-node-exit.test.ts',
  'tests/unit/eventloop-inspect.test.ts',
  'tests/unit/lesson-code.test.ts',
  'tests/unit/interleavings-async.test.ts',
  // compares with real Node's timers: not beside the parallel unit tests' load
  'tests/unit/eventloop-globals.test.ts',
  'tests/unit/eventloop-abort-differential.test.ts',
  'tests/unit/eventloop-tasktree-rows.test.ts',
  'tests/unit/lesson-08.test.ts',
];
const exclude = [...defaultExclude, 'dist/**', 'tests/e2e/**', 'tests/.fixtures/**'];

export default defineConfig({
  resolve: { alias: aliases },
  test: {
    environment: 'node',
    maxWorkers: 2,
    // Engine tests are CPU work (200 random configs, 500 generated programs): a few seconds alone,
    // several times that on a loaded 2-core machine. A timeout is for a test that hangs.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['**/*.test.ts'], exclude: [...exclude, ...REAL_TIME], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'real-time', include: REAL_TIME, exclude, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
