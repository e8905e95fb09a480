import { describe, expect, it } from 'vitest';
import { simulate } from '#sim/scheduler';

describe('scheduler determinism', () => {
  for (const mix of ['cpu', 'io', 'mixed'] as const) {
    for (const policy of ['timeslice', 'parallel', 'cooperative'] as const) {
      it(`same seed, same run (${mix}, ${policy})`, () => {
        const config = { cores: 3, policy, mix, taskCount: 12, jitter: 0.6, serialFraction: 0.2, quantum: 4 };
        const a = simulate(config, 42);
        const b = simulate({ ...config }, 42);
        expect(b.trace).toEqual(a.trace);
        expect(b.metrics).toEqual(a.metrics);
        expect(b.tasks).toEqual(a.tasks);
        // A different seed draws different lengths, so the lanes look different.
        const c = simulate(config, 43);
        expect(c.trace).not.toEqual(a.trace);
        expect(c.tasks).not.toEqual(a.tasks);
      });
    }
  }

  it('a seed typed as text is the same seed as the number', () => {
    const config = { mix: 'mixed' as const, jitter: 0.5 };
    expect(simulate(config, '7').trace).toEqual(simulate(config, 7).trace);
    expect(simulate(config, 'seven').trace).not.toEqual(simulate(config, 7).trace);
    expect(simulate(config, '7').seed).toBe(7);
  });

  it('without jitter the workload does not depend on the seed', () => {
    const config = { mix: 'mixed' as const, jitter: 0, taskCount: 10 };
    expect(simulate(config, 1).trace).toEqual(simulate(config, 999).trace);
  });
});

describe('trace cap', () => {
  it('a tiny cap truncates the trace but the metrics stay those of the whole run', () => {
    const config = { cores: 4, policy: 'timeslice' as const, mix: 'mixed' as const, taskCount: 40, jitter: 0.4, quantum: 5 };
    const full = simulate(config, 3);
    const capped = simulate(config, 3, { traceCap: 25 });
    expect(full.truncated).toBe(false);
    expect(full.trace.length).toBeGreaterThan(25);
    expect(capped.truncated).toBe(true);
    expect(capped.trace.length).toBe(25);
    expect(capped.trace).toEqual(full.trace.slice(0, 25));
    expect(capped.metrics).toEqual(full.metrics);
  });

  it('a cap equal to the trace length is not a truncation', () => {
    const full = simulate({ taskCount: 3 }, 1);
    const exact = simulate({ taskCount: 3 }, 1, { traceCap: full.trace.length });
    expect(exact.truncated).toBe(false);
    expect(exact.trace).toEqual(full.trace);
  });
});
