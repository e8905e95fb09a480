import { describe, expect, it } from 'vitest';
import { IO_WAIT_MS, simulate, taskLabel, type TaskSpec } from '#sim/scheduler';

const cpuOf = (t: TaskSpec) => t.steps.reduce((s, st) => s + (st.kind === 'cpu' ? st.ms : 0), 0);
const ioOf = (t: TaskSpec) => t.steps.reduce((s, st) => s + (st.kind === 'io' ? st.ms : 0), 0);

describe('generated workloads', () => {
  it('names tasks A..Z without S (the serial task), then AA, AB, ...', () => {
    expect([0, 1, 17, 18, 24, 25, 26, 27].map(taskLabel)).toEqual(['A', 'B', 'R', 'T', 'Z', 'AA', 'AB', 'AC']);
    const ids = Array.from({ length: 10_000 }, (_, i) => taskLabel(i));
    expect(new Set(ids).size).toBe(10_000);
    expect(ids.includes('S')).toBe(false);
    expect(Math.max(...ids.map((s) => s.length))).toBe(3);
  });

  it('puts a serial task S first, with every other task waiting for it, only when serialFraction > 0', () => {
    const run = simulate({ mix: 'cpu', taskCount: 5, serialFraction: 0.3 }, 1);
    expect(run.tasks.map((t) => t.id)).toEqual(['S', 'A', 'B', 'C', 'D', 'E']);
    expect(run.tasks.slice(1).every((t) => t.after?.[0] === 'S')).toBe(true);
    expect(run.tasks[0].steps).toEqual([{ kind: 'cpu', ms: 300 }]);
    const none = simulate({ mix: 'cpu', taskCount: 5, serialFraction: 0 }, 1);
    expect(none.tasks.map((t) => t.id)).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(none.tasks.every((t) => t.after === undefined)).toBe(true);
  });

  it('cpu mix: 1000 ms of CPU in all, whatever the seed, jitter and task count; chunks separated by yields', () => {
    for (const [taskCount, jitter, seed] of [
      [1, 0, 1],
      [7, 0.5, 2],
      [64, 1, 3],
      [500, 0.3, 4],
    ]) {
      const run = simulate({ mix: 'cpu', taskCount, jitter, serialFraction: 0.25 }, seed);
      expect(run.metrics.totalCpu).toBeCloseTo(1000, 6);
      expect(cpuOf(run.tasks[0])).toBeCloseTo(250, 9);
      for (const t of run.tasks.slice(1)) {
        expect(t.steps.map((s) => s.kind)).toEqual(['cpu', 'yield', 'cpu', 'yield', 'cpu', 'yield', 'cpu']);
        expect(cpuOf(t)).toBeGreaterThan(0);
      }
      const lengths = run.tasks.slice(1).map(cpuOf);
      if (jitter === 0) expect(new Set(lengths.map((x) => x.toFixed(9))).size).toBe(1);
      else if (taskCount > 1) expect(new Set(lengths).size).toBeGreaterThan(1);
    }
  });

  it('io mix: cpu 2, io 40, cpu 2, io 40, cpu 2 per task without jitter, spread by jitter', () => {
    const run = simulate({ mix: 'io', taskCount: 3, jitter: 0, serialFraction: 0 }, 1);
    for (const t of run.tasks) {
      expect(t.steps).toEqual([
        { kind: 'cpu', ms: 2 },
        { kind: 'io', ms: 40 },
        { kind: 'cpu', ms: 2 },
        { kind: 'io', ms: 40 },
        { kind: 'cpu', ms: 2 },
      ]);
    }
    const j = simulate({ mix: 'io', taskCount: 50, jitter: 0.5, serialFraction: 0 }, 1);
    const waits = j.tasks.flatMap((t) => t.steps.filter((s) => s.kind === 'io').map((s) => (s as { ms: number }).ms));
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(IO_WAIT_MS * 0.5);
    expect(Math.max(...waits)).toBeLessThanOrEqual(IO_WAIT_MS * 1.5);
    expect(Math.max(...waits) - Math.min(...waits)).toBeGreaterThan(IO_WAIT_MS * 0.5);
  });

  it('mixed: A, C, E... are CPU-bound (40 ms), B, D, F... I/O-bound; S is the serial share of all CPU', () => {
    const run = simulate({ mix: 'mixed', taskCount: 6, jitter: 0, serialFraction: 0.2 }, 1);
    const [s, ...rest] = run.tasks;
    expect(rest.map((t) => [t.id, cpuOf(t), ioOf(t)])).toEqual([
      ['A', 40, 0],
      ['B', 6, 80],
      ['C', 40, 0],
      ['D', 6, 80],
      ['E', 40, 0],
      ['F', 6, 80],
    ]);
    expect(cpuOf(s) / run.metrics.totalCpu).toBeCloseTo(0.2, 12);
  });
});
