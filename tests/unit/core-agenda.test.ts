import { describe, expect, it } from 'vitest';
import { Agenda } from '#sim/core/agenda';
import { Rng } from '#sim/core/rng';

describe('Agenda', () => {
  it('pops in time order, and in push order for equal times', () => {
    const a = new Agenda<string>();
    a.push(5, 'x');
    a.push(2, 'y');
    a.push(5, 'z');
    a.push(2, 'w');
    a.push(0, 'v');
    const out: [number, string][] = [];
    while (a.size > 0) {
      const t = a.peekTime();
      out.push([t, a.pop() as string]);
    }
    expect(out).toEqual([
      [0, 'v'],
      [2, 'y'],
      [2, 'w'],
      [5, 'x'],
      [5, 'z'],
    ]);
    expect(a.pop()).toBeUndefined();
    expect(a.peek()).toBeUndefined();
    expect(a.peekTime()).toBe(Infinity);
  });

  it('matches a sorted reference under random interleaved pushes and pops (many ties)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const r = new Rng(seed);
      const a = new Agenda<number>(4); // small start: exercises growth
      const ref: { t: number; seq: number; item: number }[] = [];
      const got: number[][] = [];
      const want: number[][] = [];
      let seq = 0;
      for (let step = 0; step < 3000; step++) {
        if (ref.length === 0 || r.next() < 0.55) {
          const t = r.int(0, 30) / 2; // few distinct times: lots of ties
          a.push(t, seq);
          ref.push({ t, seq, item: seq });
          seq++;
        } else {
          let best = 0;
          for (let k = 1; k < ref.length; k++) {
            const x = ref[k];
            const b = ref[best];
            if (x.t < b.t || (x.t === b.t && x.seq < b.seq)) best = k;
          }
          const w = ref.splice(best, 1)[0];
          const peekT = a.peekTime();
          const peeked = a.peek() as number;
          const popped = a.pop() as number;
          got.push([peekT, peeked, popped, a.lastTime, a.size]);
          want.push([w.t, w.item, w.item, w.t, ref.length]);
        }
      }
      expect(got.length).toBeGreaterThan(1000);
      expect(got).toEqual(want);
    }
  });

  it('rejects NaN times and clears', () => {
    const a = new Agenda<number>();
    expect(() => a.push(Number.NaN, 1)).toThrow(/NaN/);
    a.push(1, 1);
    a.push(2, 2);
    a.clear();
    expect(a.size).toBe(0);
    a.push(3, 3);
    expect(a.pop()).toBe(3);
  });
});
