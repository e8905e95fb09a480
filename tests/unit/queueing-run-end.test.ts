/**
 * A run without a set length ends with its last request, not with a fault that ends long after:
 * the fault's end once stretched the run (and filled its series with empty buckets) to it.
 */
import { describe, expect, test } from 'vitest';
import { simulate, type QueueingConfig } from '#sim/queueing';

const config = (faultFor: number, at = 200): QueueingConfig => ({
  clients: { kind: 'open', arrival: 'poisson', rate: 100, timeout: 100, retry: { attempts: 3, strategy: 'exponential', base: 20, cap: 500 } },
  service: { servers: 2, time: { dist: 'exponential', mean: 10 } },
  faults: [{ kind: 'errors', at, duration: faultFor, share: 1 }],
  requests: 100,
  bucket: 10,
});

describe('the end of a run with a request count', () => {
  test('a fault ending long after the last request does not stretch the run or its series', () => {
    const long = simulate(config(1e9), 3);
    const lastEvent = long.trace[long.trace.length - 1];
    // The run ends at its last request's last event (a give-up or finish), about a second in.
    expect(long.metrics.elapsed).toBeLessThan(5000);
    expect(long.metrics.elapsed).toBe(lastEvent.t);
    expect(long.series.t.length).toBe(Math.ceil(long.metrics.elapsed / 10));
    // Every call made during the fault failed for good.
    expect(long.metrics.failedCalls).toBeGreaterThan(50);
  });

  test('how long the fault lasts after the last request changes nothing', () => {
    const a = simulate(config(1e9), 3);
    const b = simulate(config(5e4), 3);
    expect(b.metrics).toEqual(a.metrics);
    expect(b.series).toEqual(a.series);
  });

  test('a fault that ends while requests remain still ends inside the run', () => {
    const r = simulate(config(300), 3);
    expect(r.trace.some((e) => e.kind === 'fault' && !e.on)).toBe(true);
    expect(r.metrics.elapsed).toBeGreaterThan(500);
    expect(r.metrics.succeeded).toBeGreaterThan(0);
  });

  test('a fault that begins after the last request never shows in the trace', () => {
    const r = simulate(config(100, 1e8), 3);
    expect(r.trace.some((e) => e.kind === 'fault')).toBe(false);
    expect(r.metrics.elapsed).toBeLessThan(5000);
    expect(r.metrics.errors).toBe(0);
  });
});
