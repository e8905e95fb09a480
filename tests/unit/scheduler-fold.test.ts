import { describe, expect, it } from 'vitest';
import { getPreset, schedulerFold, simulate } from '#sim/scheduler';

describe('schedulerFold', () => {
  const p = getPreset('io-one-core');
  const run = simulate(p.config, p.seed);
  const fold = schedulerFold(run);

  it('step 0 is the empty start', () => {
    expect(fold.at(0)).toEqual({ step: 0, t: 0, cores: [null], ready: [], io: [], finished: [], segments: [], ioSegments: [] });
  });

  it('shows who runs, who waits in the queue and who waits for I/O at a step', () => {
    // Events: 4 arrivals, dispatch A (0), A io-wait (2), dispatch B (2).
    const st = fold.at(7);
    expect(st.t).toBe(2);
    expect(st.cores).toEqual(['B']);
    expect(st.ready).toEqual(['C', 'D']);
    expect(st.io).toEqual([{ task: 'A', since: 2, until: 42 }]);
    expect(st.segments).toEqual([
      { task: 'A', core: 0, start: 0, end: 2, open: false },
      { task: 'B', core: 0, start: 2, end: 2, open: true },
    ]);
    expect(st.ioSegments).toEqual([{ task: 'A', start: 2, end: 2, until: 42, open: true }]);
  });

  it('the last step has every task finished, in finishing order, and all segments closed', () => {
    const end = fold.at(fold.length);
    expect(end.finished).toEqual(['A', 'B', 'C', 'D']);
    expect(end.t).toBe(92);
    expect(end.segments.length).toBe(12);
    expect(end.segments.every((s) => !s.open)).toBe(true);
    expect(end.ioSegments.map((s) => [s.task, s.start, s.end])).toEqual([
      ['A', 2, 42],
      ['B', 4, 44],
      ['C', 6, 46],
      ['D', 8, 48],
      ['A', 44, 84],
      ['B', 46, 86],
      ['C', 48, 88],
      ['D', 50, 90],
    ]);
  });

  it('stepAtTime finds the step after every event up to a time', () => {
    expect(fold.stepAtTime(-1)).toBe(0);
    expect(fold.stepAtTime(0)).toBe(5); // four arrivals and the first dispatch
    expect(fold.stepAtTime(1.5)).toBe(5);
    expect(fold.stepAtTime(2)).toBe(7);
    expect(fold.stepAtTime(1000)).toBe(run.trace.length);
  });

  it('on a long (10,000-task) run, agrees with the trace at any step', () => {
    const big = simulate({ cores: 16, policy: 'parallel', mix: 'mixed', taskCount: 10_000, jitter: 0.3 }, 1);
    const f = schedulerFold(big);
    for (const frac of [0.1, 0.5, 0.9]) {
      const i = Math.floor(big.trace.length * frac);
      const st = f.at(i);
      const running = new Map<string, number>();
      for (const e of big.trace.slice(0, i)) {
        if (e.kind === 'dispatch') running.set(e.task, e.core);
        else if (e.kind !== 'ready') running.delete(e.task);
      }
      expect(st.cores.filter((c) => c !== null).sort()).toEqual([...running.keys()].sort());
      expect(st.finished.length).toBe(big.trace.slice(0, i).filter((e) => e.kind === 'finish').length);
    }
  });
});
