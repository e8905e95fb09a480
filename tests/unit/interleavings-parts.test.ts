/**
 * A search cut into parts (simulations/interleavings/parts.ts) against one depth-first search of
 * the whole tree: every field a learner sees is the same (counts, exhaustive, histogram in its
 * order with each state's first schedule, counterexample, first hit, widest choice set, longest
 * run), for every level of both modes, for parts of many sizes, run several at a time in any
 * order of completion, and under caps that cut the tree anywhere.
 */
import { describe, expect, it } from 'vitest';
import { explore, type ExploreResult, type System } from '#sim/interleavings/explore';
import { explorePart, runParts, splitTree, type PartResult } from '#sim/interleavings/parts';
import { threadsSystem } from '#sim/interleavings/threads';
import { asyncSystem } from '#sim/interleavings/async';
import { asyncLevels, levelProgram, threadLevels } from '#sim/interleavings/levels';

/** Everything but `steps` (what the search cost: replays of the parts' prefixes add to it). */
function shown(r: ExploreResult<number>): unknown {
  const { steps: _steps, ...rest } = r;
  return rest;
}

/** The parts run "in Workers": each finishes after a delay that depends on its index, so they
 * complete out of order. */
async function inParts<S>(sys: System<S, number>, want: number, cap: number, concurrency = 3): Promise<ExploreResult<number>> {
  const split = splitTree(sys, want);
  const run = async (part: { prefix: number[] }, partCap: number, _cancel: AbortSignal): Promise<PartResult<number>> => {
    await new Promise((r) => setTimeout(r, (part.prefix.reduce((a, c) => a * 7 + c, 1) % 5) / 4));
    return explorePart(sys, part.prefix, { maxSchedules: partCap, maxSteps: 2_000 });
  };
  return (await runParts(split, run, { cap, concurrency })).result;
}

const systems: [string, () => System<unknown, number>][] = [
  ...threadLevels.flatMap((l) => [
    [`threads ${l.id} buggy`, () => threadsSystem(levelProgram(l, l.buggy)) as System<unknown, number>] as [string, () => System<unknown, number>],
    [`threads ${l.id} fixed`, () => threadsSystem(levelProgram(l, l.fixed)) as System<unknown, number>] as [string, () => System<unknown, number>],
  ]),
  ...asyncLevels.flatMap((l) => [
    [`async ${l.id} buggy`, () => asyncSystem(l.buggy, { fast: true }) as System<unknown, number>] as [string, () => System<unknown, number>],
    [`async ${l.id} fixed`, () => asyncSystem(l.fixed, { fast: true }) as System<unknown, number>] as [string, () => System<unknown, number>],
  ]),
  ['async 3 tasks x 3 delays', () => asyncSystem(`async function t(id) { for (let i = 0; i < 3; i++) await delay(10 * id, i); }\nt(1); t(2); t(3);`, { fast: true }) as System<unknown, number>],
];

describe('a search in parts gives what one search gives', () => {
  for (const [name, make] of systems) {
    it(name, async () => {
      const whole = explore(make(), { maxSteps: 2_000 });
      const total = whole.explored;
      for (const want of [3, 64]) {
        expect(shown(await inParts(make(), want, 1_000_000)), `${want} parts`).toEqual(shown(whole));
      }
      // caps that cut the tree: inside a part, at its very end, and one short of the whole
      for (const cap of new Set([1, Math.max(1, Math.floor(total / 3)), Math.max(1, total - 1), total])) {
        const one = explore(make(), { maxSteps: 2_000, maxSchedules: cap });
        expect(shown(await inParts(make(), 16, cap, 2)), `cap ${cap}`).toEqual(shown(one));
      }
    });
  }
});

describe('parts aborted once the cap is reached', () => {
  it('a run that honours its abort signal (as a Worker the lab stops) changes nothing', async () => {
    const sys = asyncSystem(`async function t(id) { for (let i = 0; i < 3; i++) await delay(10 * id, i); }\nt(1); t(2); t(3);`, { fast: true });
    let aborted = 0;
    const run = (part: { prefix: number[] }, cap: number, cancel: AbortSignal): Promise<PartResult<number>> =>
      new Promise((resolve, reject) => {
        // The part "runs" for a while; an abort in the meantime rejects it, as EngineHost does.
        const timer = setTimeout(() => resolve(explorePart(sys, part.prefix, { maxSchedules: cap, maxSteps: 2_000 })), 2 + (part.prefix.length % 3));
        cancel.addEventListener('abort', () => {
          clearTimeout(timer);
          aborted++;
          reject(new DOMException('aborted', 'AbortError'));
        });
      });
    for (const cap of [100, 700, 1_679, 1_680]) {
      const one = explore(sys, { maxSteps: 2_000, maxSchedules: cap });
      const { result } = await runParts(splitTree(sys, 40), run, { cap, concurrency: 4 });
      expect(shown(result), `cap ${cap}`).toEqual(shown(one));
    }
    expect(aborted).toBeGreaterThan(0);
  });

  it('a failure that is not an abort still fails the search', async () => {
    const sys = threadsSystem(levelProgram(threadLevels[0], threadLevels[0].buggy));
    await expect(runParts(splitTree(sys, 4), () => Promise.reject(new Error('the Worker crashed')), { cap: 1_000, concurrency: 2 })).rejects.toThrow('the Worker crashed');
  });
});

describe('the split', () => {
  it('covers the tree: the parts are disjoint, in depth-first order, and their shares add up to 1', () => {
    const level = threadLevels.find((l) => l.id === 'barrier')!;
    const sys = threadsSystem(levelProgram(level, level.buggy));
    const split = splitTree(sys, 40);
    expect(split.parts.length).toBeGreaterThanOrEqual(40);
    expect(split.parts.reduce((a, p) => a + p.share, 0)).toBeCloseTo(1, 12);
    const whole = explore(sys);
    const counts = split.parts.map((p) => explorePart(sys, p.prefix).result.explored);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(whole.explored);
    expect(counts.every((n) => n > 0)).toBe(true);
  });
});
