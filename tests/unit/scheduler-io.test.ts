import { describe, expect, it } from 'vitest';
import { simulate, type SchedulerRun } from '#sim/scheduler';

function taskDuration(run: SchedulerRun, id: string): number {
  const t = run.tasks.find((x) => x.id === id)!;
  return t.steps.reduce((s, st) => s + (st.kind === 'yield' ? 0 : st.ms), 0);
}

describe('scheduler: I/O-bound tasks overlap on one core', () => {
  for (const policy of ['timeslice', 'cooperative'] as const) {
    for (const taskCount of [4, 5, 6]) {
      for (const jitter of [0, 0.2]) {
        it(`${policy}, ${taskCount} io tasks, jitter ${jitter}: makespan is about the longest task, far below the sum`, () => {
          for (const seed of [1, 2, 3]) {
            const run = simulate({ cores: 1, policy, mix: 'io', taskCount, jitter, serialFraction: 0, quantum: 10 }, seed);
            const durations = run.tasks.map((t) => taskDuration(run, t.id));
            const longest = Math.max(...durations);
            const sum = durations.reduce((a, b) => a + b, 0);
            const bound = Math.max(run.metrics.totalCpu, longest);
            expect(run.metrics.makespan).toBeGreaterThanOrEqual(bound - 1e-9);
            expect(run.metrics.makespan).toBeLessThanOrEqual(bound * 1.15);
            expect(run.metrics.makespan).toBeLessThan(0.5 * sum);
          }
        });
      }
    }
  }

  it('four io tasks on one core: 92 ms, where back to back they would take 344 ms', () => {
    const run = simulate({ cores: 1, policy: 'timeslice', mix: 'io', taskCount: 4, jitter: 0, serialFraction: 0 }, 1);
    expect(run.metrics.makespan).toBe(92);
    expect(run.tasks.map((t) => taskDuration(run, t.id))).toEqual([86, 86, 86, 86]);
    // The core is busy only for the CPU bursts: 24 of 92 ms.
    expect(run.metrics.utilization[0]).toBeCloseTo(24 / 92, 12);
  });

  it('with many io tasks the single core saturates and the makespan approaches the total CPU', () => {
    const run = simulate({ cores: 1, policy: 'timeslice', mix: 'io', taskCount: 200, jitter: 0, serialFraction: 0 }, 1);
    expect(run.metrics.totalCpu).toBe(1200);
    expect(run.metrics.makespan).toBeGreaterThanOrEqual(1200);
    expect(run.metrics.makespan).toBeLessThan(1200 + 86);
    expect(run.metrics.utilization[0]).toBeGreaterThan(0.93);
  });
});
