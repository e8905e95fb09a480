import { describe, expect, it } from 'vitest';
import { simulate } from '#sim/scheduler';

const amdahl = (s: number, n: number): number => 1 / (s + (1 - s) / n);

describe("scheduler: Amdahl's law", () => {
  for (const s of [0.05, 0.1, 0.5]) {
    for (const cores of [1, 2, 4, 8, 16]) {
      it(`speedup matches 1/(s + (1-s)/N) within 2% for s=${s}, N=${cores}`, () => {
        const run = simulate({ cores, policy: 'parallel', mix: 'cpu', serialFraction: s, jitter: 0, taskCount: 64 }, 1);
        const predicted = amdahl(s, cores);
        expect(run.metrics.amdahl).toBeCloseTo(predicted, 12);
        expect(Math.abs(run.metrics.speedup / predicted - 1)).toBeLessThan(0.02);
        // One core always needs the whole 1000 ms of CPU work.
        expect(run.metrics.makespanOneCore).toBeCloseTo(1000, 9);
        // And N cores need the serial part plus the parallel part divided by N.
        expect(run.metrics.makespan).toBeCloseTo(1000 * s + (1000 * (1 - s)) / cores, 6);
      });
    }
  }

  it('with uneven (jittered) tasks the speedup never beats the Amdahl bound', () => {
    let checked = 0;
    let below = 0;
    for (const s of [0, 0.05, 0.2, 0.5]) {
      for (const cores of [2, 3, 4, 8, 16]) {
        for (const taskCount of [5, 16, 33]) {
          for (const policy of ['parallel', 'timeslice', 'cooperative'] as const) {
            for (const seed of [1, 2, 3]) {
              const run = simulate({ cores, policy, mix: 'cpu', serialFraction: s, jitter: 0.8, taskCount, quantum: 7 }, seed);
              expect(run.metrics.speedup).toBeLessThanOrEqual(run.metrics.amdahl * (1 + 1e-9));
              if (run.metrics.speedup < run.metrics.amdahl * 0.98) below++;
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBe(4 * 5 * 3 * 3 * 3);
    // Uneven tasks leave cores idle at the end, so some runs fall visibly short of the bound.
    expect(below).toBeGreaterThan(0);
  });

  it('adding cores to a fixed serial fraction gives diminishing returns', () => {
    const speedups = [1, 2, 4, 8, 16, 32, 64].map(
      (cores) => simulate({ cores, policy: 'parallel', mix: 'cpu', serialFraction: 0.1, jitter: 0, taskCount: 64 }, 1).metrics.speedup,
    );
    for (let k = 1; k < speedups.length; k++) expect(speedups[k]).toBeGreaterThan(speedups[k - 1]);
    expect(speedups[speedups.length - 1]).toBeLessThan(10); // 1 / 0.1
  });
});
