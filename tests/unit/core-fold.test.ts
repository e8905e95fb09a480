import { describe, expect, it } from 'vitest';
import { createFold, foldAll, type FoldOps } from '#sim/core/fold';
import { Rng } from '#sim/core/rng';

type Ev = { v: number };
type St = { sum: number; count: number; last: number[] };

const ops: FoldOps<Ev, St> = {
  init: () => ({ sum: 0, count: 0, last: [] }),
  apply: (s, e) => {
    s.sum += e.v;
    s.count++;
    s.last.push(e.v);
    if (s.last.length > 3) s.last.shift();
  },
  clone: (s) => ({ sum: s.sum, count: s.count, last: s.last.slice() }),
};

function randomTrace(seed: number, n: number): Ev[] {
  const r = new Rng(seed);
  return Array.from({ length: n }, () => ({ v: r.int(-50, 50) }));
}

describe('createFold', () => {
  it('at(i) is the state after events 0..i-1, for any i and snapshot interval', () => {
    const trace = randomTrace(1, 1000);
    const r = new Rng(2);
    for (const every of [1, 3, 64, 256, 5000]) {
      const fold = createFold(trace, ops, { every });
      expect(fold.at(0)).toEqual(ops.init());
      expect(fold.at(trace.length)).toEqual(foldAll(trace, ops));
      for (let k = 0; k < 60; k++) {
        const i = r.int(0, trace.length);
        expect(fold.at(i)).toEqual(foldAll(trace, ops, i));
      }
    }
  });

  it('clamps out-of-range steps and rounds fractional ones down', () => {
    const trace = randomTrace(3, 50);
    const fold = createFold(trace, ops, { every: 8 });
    expect(fold.at(-5)).toEqual(ops.init());
    expect(fold.at(1e9)).toEqual(foldAll(trace, ops));
    expect(fold.at(Infinity)).toEqual(foldAll(trace, ops));
    expect(fold.at(7.9)).toEqual(foldAll(trace, ops, 7));
    expect(fold.length).toBe(50);
  });

  it('builds snapshots lazily, only as far as asked, or all at once when eager', () => {
    const trace = randomTrace(4, 1000);
    const lazy = createFold(trace, ops, { every: 100 });
    expect(lazy.snapshotCount()).toBe(1);
    lazy.at(250);
    expect(lazy.snapshotCount()).toBe(3); // steps 0, 100, 200
    lazy.at(120);
    expect(lazy.snapshotCount()).toBe(3);
    const eager = createFold(trace, ops, { every: 100, eager: true });
    expect(eager.snapshotCount()).toBe(11); // steps 0, 100, ..., 1000
  });

  it('replays fewer than `every` events per call once the snapshots exist', () => {
    const trace = randomTrace(6, 2000);
    let applies = 0;
    const counting: FoldOps<Ev, St> = { ...ops, apply: (s, e, i) => (applies++, ops.apply(s, e, i)) };
    const fold = createFold(trace, counting, { every: 50, eager: true });
    const r = new Rng(7);
    for (let k = 0; k < 100; k++) {
      applies = 0;
      fold.at(r.int(0, trace.length));
      expect(applies).toBeLessThan(50);
    }
  });

  it('hands out independent copies: mutating a result does not change later answers', () => {
    const trace = randomTrace(5, 300);
    const fold = createFold(trace, ops, { every: 16 });
    const a = fold.at(40);
    a.sum = 123456;
    a.last.push(99);
    expect(fold.at(40)).toEqual(foldAll(trace, ops, 40));
    expect(fold.at(32)).toEqual(foldAll(trace, ops, 32)); // the snapshot itself is untouched
  });

  it('rejects a bad snapshot interval', () => {
    expect(() => createFold([], ops, { every: 0 })).toThrow(/every/);
  });
});
