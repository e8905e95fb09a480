import { describe, expect, it } from 'vitest';
import { TraceRecorder } from '#sim/core/recorder';
import { DEFAULT_TRACE_CAP } from '#sim/core/trace';

type Ev = { seq: number; t: number; kind: 'tick'; n: number };

describe('TraceRecorder', () => {
  it('numbers events by position', () => {
    const r = new TraceRecorder<Ev>();
    for (let n = 0; n < 5; n++) r.emit({ t: n * 2, kind: 'tick', n });
    expect(r.events.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(r.events[3]).toEqual({ seq: 3, t: 6, kind: 'tick', n: 3 });
    expect(r.truncated).toBe(false);
    expect(r.cap).toBe(DEFAULT_TRACE_CAP);
  });

  it('keeps the first `cap` events, then drops the rest and says so', () => {
    const r = new TraceRecorder<Ev>(3);
    for (let n = 0; n < 3; n++) r.emit({ t: n, kind: 'tick', n });
    expect(r.truncated).toBe(false);
    for (let n = 3; n < 10; n++) r.emit({ t: n, kind: 'tick', n });
    expect(r.events.map((e) => e.n)).toEqual([0, 1, 2]);
    expect(r.length).toBe(3);
    expect(r.truncated).toBe(true);
    expect(r.emitted).toBe(10);
  });

  it('rejects a negative or fractional cap', () => {
    expect(() => new TraceRecorder<Ev>(-1)).toThrow(/cap/);
    expect(() => new TraceRecorder<Ev>(1.5)).toThrow(/cap/);
  });
});
