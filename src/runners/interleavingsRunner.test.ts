import { describe, expect, it } from 'vitest';
import { exploreSchedules } from './interleavingsRunner';
import { exploreProgramSync } from '#sim/interleavings/async';
import { asyncLevels } from '#sim/interleavings/levels';

/**
 * The lab's Explore as the runner drives it, here with no Worker (the hosts fall back to the
 * engine on this thread; EngineHost's own logic is tested in engineHost.test.ts): an async
 * program estimated past the threshold is searched in parts over the part hosts, merged, and
 * judged, and the learner sees what one search in one Worker shows.
 */

const shown = (r: Awaited<ReturnType<typeof exploreSchedules>>) => ({
  error: r.error,
  histogram: r.result?.histogram,
  counts: r.result && [r.result.explored, r.result.failing, r.result.deadlocks, r.result.passing, r.result.exhaustive],
  counterexample: r.result?.counterexample,
  verdict: r.verdict,
  picks: r.picks,
  labels: r.labels,
});

describe('exploreSchedules: a search in parts shows what one search shows', () => {
  const level = asyncLevels.find((l) => l.id === 'lost-update')!;
  const threeByThree = `async function task(id) {\n  for (let i = 0; i < 3; i++) await delay(10 * id, i);\n}\ntask(1);\ntask(2);\ntask(3);\n`;

  for (const [name, source, maxSchedules] of [
    ['the buggy level (a counterexample, replayed as cards)', level.buggy, undefined],
    ['its fix (proved)', level.fixed, undefined],
    ['3 tasks x 3 awaits (1,680 schedules)', threeByThree, undefined],
    ['3 tasks x 3 awaits, capped at 700', threeByThree, 700],
  ] as const) {
    it(name, async () => {
      const job = { mode: 'async' as const, level: level.id, source, ...(maxSchedules ? { maxSchedules } : {}) };
      const parts = await exploreSchedules(job, undefined, undefined, { parallelMin: 1 });
      const one = await exploreSchedules(job, undefined, undefined, { parallelMin: Infinity });
      expect(parts.workers).toBeGreaterThanOrEqual(2);
      expect(one.workers).toBeUndefined();
      expect(shown(parts)).toEqual(shown(one));
      expect(parts.result!.explored).toBe(exploreProgramSync(source, maxSchedules ? { maxSchedules } : {}).schedules);
      expect(parts.runs!.fast + parts.runs!.engine).toBe(parts.result!.explored);
    });
  }
});
