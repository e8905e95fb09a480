/** The queueing engine's rules on small runs a reader can check by hand, and its config errors. */
import { describe, expect, test } from 'vitest';
import { simulate, ConfigError, type QueueingConfig, type QueueingEvent } from '#sim/queueing';

const det = (mean: number) => ({ dist: 'deterministic' as const, mean });
const kinds = (trace: QueueingEvent[], req: number) => trace.filter((e) => 'req' in e && e.req === req).map((e) => e.kind);

describe('requests, queue and servers', () => {
  test('fixed arrivals every 10 ms into one 15 ms server: each request arrives, waits, starts, finishes', () => {
    // arrivals at 0, 10, 20; starts at 0, 15, 30; finishes at 15, 30, 45
    const run = simulate({ clients: { kind: 'open', arrival: 'fixed', rate: 100 }, service: { servers: 1, time: det(15) }, requests: 3 }, 1);
    expect(kinds(run.trace, 0)).toEqual(['arrive', 'start', 'finish']);
    expect(kinds(run.trace, 1)).toEqual(['arrive', 'queue', 'start', 'finish']);
    const finishes = run.trace.filter((e) => e.kind === 'finish').map((e) => [e.t, e.kind === 'finish' && e.response]);
    expect(finishes).toEqual([[15, 15], [30, 20], [45, 25]]);
    expect(run.metrics.meanWait).toBe(5); // (0 + 5 + 10) / 3
    expect(run.metrics.meanInSystem).toBeCloseTo(60 / 45, 12); // 15 + 20 + 25 request-ms over 45 ms
    expect(run.metrics.utilization).toBe(1);
  });

  test('LIFO serves the newest waiting request first', () => {
    // a burst of 4 at t = 0 into one server: 0 starts, then 3, 2, 1
    const run = simulate({ clients: { kind: 'open', arrival: 'bursts', burst: 4, rate: 1 }, service: { servers: 1, time: det(10), queue: { discipline: 'lifo' } }, requests: 4 }, 1);
    expect(run.trace.filter((e) => e.kind === 'start').map((e) => e.kind === 'start' && e.req)).toEqual([0, 3, 2, 1]);
  });

  test('a full bounded queue rejects the newcomer, or evicts the oldest waiting one', () => {
    const base = (overflow: 'reject' | 'drop-oldest'): QueueingConfig => ({
      clients: { kind: 'open', arrival: 'bursts', burst: 5, rate: 1 },
      service: { servers: 1, time: det(10), queue: { capacity: 2, overflow } },
      requests: 5,
    });
    const rej = simulate(base('reject'), 1);
    expect(rej.trace.filter((e) => e.kind === 'reject').map((e) => e.kind === 'reject' && [e.req, e.reason])).toEqual([[3, 'full'], [4, 'full']]);
    expect(rej.metrics.completed).toBe(3);
    const drop = simulate(base('drop-oldest'), 1);
    // 0 in service, 1 and 2 wait; 3 evicts 1, 4 evicts 2: served 0, 3, 4
    expect(drop.trace.filter((e) => e.kind === 'drop').map((e) => e.kind === 'drop' && e.req)).toEqual([1, 2]);
    expect(drop.trace.filter((e) => e.kind === 'start').map((e) => e.kind === 'start' && e.req)).toEqual([0, 3, 4]);
  });

  test('contention: a request starting with n in service takes time × (1 + α(n − 1))', () => {
    const run = simulate({ clients: { kind: 'open', arrival: 'bursts', burst: 3, rate: 1 }, service: { servers: 3, time: det(10), contention: 0.5 }, requests: 3 }, 1);
    expect(run.trace.filter((e) => e.kind === 'start').map((e) => e.kind === 'start' && e.service)).toEqual([10, 15, 20]);
  });

  test('faults: a slow downstream multiplies service times, a capacity drop holds new work', () => {
    const slow = simulate({ clients: { kind: 'open', arrival: 'fixed', rate: 100 }, service: { servers: 1, time: det(5) }, faults: [{ kind: 'slow', at: 15, duration: 10, factor: 3 }], requests: 4 }, 1);
    expect(slow.trace.filter((e) => e.kind === 'start').map((e) => e.kind === 'start' && e.service)).toEqual([5, 5, 15, 5]);
    const cap = simulate({ clients: { kind: 'open', arrival: 'bursts', burst: 2, rate: 1 }, service: { servers: 2, time: det(10) }, faults: [{ kind: 'capacity', at: 0, duration: 30, servers: 1 }], requests: 2 }, 1);
    expect(cap.trace.filter((e) => e.kind === 'start').map((e) => e.t)).toEqual([0, 10]);
  });

  test('load shedding drops a request that waited too long when a server reaches it', () => {
    const run = simulate({ clients: { kind: 'open', arrival: 'bursts', burst: 4, rate: 1 }, service: { servers: 1, time: det(10), maxQueueWait: 15 }, requests: 4 }, 1);
    // 1 starts at 10 (waited 10), 2 would start at 20 (waited 20 > 15): shed, 3 too
    expect(run.trace.filter((e) => e.kind === 'shed').map((e) => e.kind === 'shed' && e.req)).toEqual([2, 3]);
    expect(run.metrics.completed).toBe(2);
  });
});

describe('a limiter in front of a full queue', () => {
  test('a request the limiter admits and the full queue rejects is a drop for the limiter (as a 429 is for a client-side limiter)', () => {
    // one server of 10 ms with no waiting room; bursts of 6 every 60 ms: 5 of each burst are turned away
    const config: QueueingConfig = {
      clients: { kind: 'open', arrival: 'bursts', burst: 6, rate: 100 },
      service: { servers: 1, time: { dist: 'deterministic', mean: 10 }, queue: { capacity: 0 } },
      limiter: { kind: 'aimd', initial: 20, min: 1, max: 200 },
      requests: 6,
    };
    const r = simulate(config, 1);
    const full = r.trace.filter((e) => e.kind === 'reject' && e.reason === 'full').length;
    expect(full).toBe(5);
    // five drops: 20 → 18 → 16 → 14 → 12 → 10; the one answer had 1 in flight (1 × 2 < 10), so no increase
    expect(r.series.limit.at(-1)).toBe(10);
    const none = simulate({ ...config, service: { ...config.service, queue: undefined } }, 1);
    expect(none.series.limit.at(-1)).toBe(20); // an unbounded queue refuses nothing: no drop
  });
});

describe('timeouts and retries', () => {
  const cfg = (cancelOnTimeout: boolean): QueueingConfig => ({
    clients: { kind: 'open', arrival: 'bursts', burst: 3, rate: 1, timeout: 25 },
    service: { servers: 1, time: det(10), cancelOnTimeout },
    requests: 3,
  });

  test('without cancellation timed-out work still uses the server (wasted work)', () => {
    const run = simulate(cfg(false), 1);
    // 0: 0-10, 1: 10-20, 2: 20-30 but its client left at 25 -> a late finish, 10 ms wasted
    expect(run.metrics.timedOut).toBe(1);
    expect(run.metrics.completed).toBe(3);
    expect(run.metrics.succeeded).toBe(2);
    expect(run.metrics.wastedWork).toBe(10);
    expect(run.trace.find((e) => e.kind === 'finish' && e.req === 2)).toMatchObject({ t: 30, late: true });
  });

  test('with cancellation the server is freed at the timeout', () => {
    const run = simulate(cfg(true), 1);
    expect(run.metrics.completed).toBe(2);
    expect(run.metrics.wastedWork).toBe(0);
    expect(run.metrics.elapsed).toBe(25);
  });

  test('a rejected call is retried after its backoff, doubled per attempt', () => {
    const run = simulate(
      {
        clients: { kind: 'open', arrival: 'bursts', burst: 2, rate: 1, retry: { attempts: 3, backoff: 4, exponential: true } },
        service: { servers: 1, time: det(10), queue: { capacity: 0 } },
        requests: 2,
      },
      1,
    );
    // call 2 (request 1) rejected at 0, retried at 4 (rejected), at 4 + 8 = 12 (served)
    expect(run.trace.filter((e) => e.kind === 'arrive').map((e) => e.kind === 'arrive' && [e.t, e.attempt])).toEqual([[0, 1], [0, 1], [4, 2], [12, 3]]);
    expect(run.metrics.failedCalls).toBe(0);
    expect(run.metrics.succeeded).toBe(2);
  });
});

describe('closed loop', () => {
  test('the interactive response time law: N = X (R + Z)', () => {
    const run = simulate(
      { clients: { kind: 'closed', clients: 10, think: { dist: 'exponential', mean: 50 } }, service: { servers: 2, time: { dist: 'exponential', mean: 10 } }, requests: 40_000, traceCap: 0 },
      3,
    );
    const m = run.metrics;
    const X = m.throughput / 1000; // per ms
    expect(X * (m.meanResponse + 50)).toBeGreaterThan(10 * 0.97);
    expect(X * (m.meanResponse + 50)).toBeLessThan(10 * 1.03);
    expect(m.meanInSystem).toBeLessThan(10);
  });
});

describe('runs and configs', () => {
  const mm1: QueueingConfig = { clients: { kind: 'open', arrival: 'poisson', rate: 50 }, service: { servers: 1, time: { dist: 'exponential', mean: 10 } }, requests: 2000 };

  test('same seed, same run; another seed, another run', () => {
    expect(simulate(mm1, 7)).toEqual(simulate(mm1, 7));
    expect(simulate(mm1, 8).metrics.meanResponse).not.toBe(simulate(mm1, 7).metrics.meanResponse);
  });

  test('the trace cap keeps the metrics exact', () => {
    const capped = simulate({ ...mm1, traceCap: 100 }, 7);
    expect(capped.trace).toHaveLength(100);
    expect(capped.truncated).toBe(true);
    expect(capped.metrics).toEqual(simulate(mm1, 7).metrics);
  });

  test('time series: offered and throughput agree with the counts', () => {
    const run = simulate({ ...mm1, bucket: 100 }, 7);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / 10; // per second over 100 ms buckets
    expect(sum(run.series.offered)).toBeCloseTo(2000, 6);
    expect(sum(run.series.throughput)).toBeCloseTo(2000, 6);
    expect(run.series.t.length).toBe(Math.ceil(run.metrics.elapsed / 100));
  });

  test('config errors name the field', () => {
    expect(() => simulate({ ...mm1, service: { servers: 0, time: { dist: 'exponential', mean: 10 } } })).toThrow(ConfigError);
    expect(() => simulate({ ...mm1, service: { servers: 0, time: { dist: 'exponential', mean: 10 } } })).toThrow(/service\.servers must be a whole number from 1/);
    expect(() => simulate({ clients: mm1.clients, service: mm1.service } as QueueingConfig)).toThrow(/requests .* or duration/);
    expect(() => simulate({ ...mm1, limiter: { kind: 'aimdd' } } as unknown as QueueingConfig)).toThrow(/Did you mean "aimd"/);
  });
});

describe('percentiles by selection', () => {
  test('match the site-wide sorted definition', async () => {
    const { percentilesInPlace } = await import('#sim/queueing/select');
    const { percentile, Rng } = await import('#sim/core');
    const rng = new Rng(5);
    for (const n of [1, 2, 3, 10, 101, 5000]) {
      const xs = Float64Array.from({ length: n }, () => Math.round(rng.exponential(10) * 4) / 4); // ties included
      const want = [0, 50, 95, 99, 100].map((p) => percentile(xs, p));
      const got = percentilesInPlace(Float64Array.from([7, ...xs, 7]), 1, n + 1, [0, 50, 95, 99, 100]);
      got.forEach((g, i) => expect(g).toBeCloseTo(want[i], 10));
    }
  });
});

test('Vegas is not given the zero RTT of a request evicted the instant it arrived', () => {
  const run = simulate(
    { clients: { kind: 'open', arrival: 'bursts', burst: 6, rate: 10 }, service: { servers: 1, time: det(10), queue: { capacity: 1, overflow: 'drop-oldest' } }, limiter: { kind: 'vegas' }, requests: 12 },
    1,
  );
  expect(run.metrics.dropped).toBe(8); // per burst: 1 served, 1 waits, 4 evicted on arrival
});
