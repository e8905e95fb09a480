/**
 * The failure policies inside the queueing engine: retry amplification, backoff waits seen in the
 * trace, the budgets' token series replayed from the trace, breaker transitions and series,
 * duplicate side effects with and without idempotency keys, dead letters.
 */
import { describe, expect, test } from 'vitest';
import { simulate, validateConfig, ConfigError, type QueueingConfig, type QueueingEvent, type QueueingRun } from '#sim/queueing';

const failing = (retry: QueueingConfig['clients'] extends infer C ? (C extends { retry?: infer R } ? R : never) : never, share = 1): QueueingConfig => ({
  clients: { kind: 'open', arrival: 'poisson', rate: 100, retry },
  service: { servers: 4, time: { dist: 'exponential', mean: 5 } },
  faults: [{ kind: 'errors', at: 0, duration: 60_000, share }], // outlasts the ~20 s of calls
  requests: 2000,
  traceCap: 1_000_000,
});

describe('retry amplification', () => {
  test.each([0, 1, 2, 4])('%i retries, every attempt failing: N + 1 times the load', (n) => {
    const r = simulate(failing({ attempts: n + 1, strategy: 'immediate' }), 3);
    expect(r.metrics.calls).toBe(2000);
    expect(r.metrics.arrived).toBe((n + 1) * 2000);
    expect(r.metrics.retries).toBe(n * 2000);
    expect(r.metrics.failedCalls).toBe(2000);
    expect(r.metrics.errors).toBe((n + 1) * 2000);
    expect(r.metrics.attemptsHistogram[n + 1]).toBe(2000);
    expect(r.metrics.charges).toBe(0); // an error response has no side effect
  });
  test("strategy 'none' never retries, whatever attempts says", () => {
    const r = simulate(failing({ attempts: 5, strategy: 'none' }), 3);
    expect(r.metrics.arrived).toBe(2000);
  });
  test('at 50 % failure the load is 1 + p + p² (three attempts)', () => {
    const r = simulate(failing({ attempts: 3, strategy: 'immediate' }, 0.5), 3);
    expect(r.metrics.arrived / r.metrics.calls).toBeCloseTo(1.75, 1);
  });
});

describe('backoff waits in the trace', () => {
  const waits = (run: QueueingRun) => run.trace.filter((e): e is Extract<QueueingEvent, { kind: 'retry' }> => e.kind === 'retry');
  test('exponential: min(cap, base × 2^(k−1)) before retry k', () => {
    const r = simulate(failing({ attempts: 6, strategy: 'exponential', base: 10, cap: 100 }), 1);
    const ws = waits(r);
    expect(ws.length).toBe(5 * 2000);
    for (const w of ws.slice(0, 50)) expect(w.wait).toBe(Math.min(100, 10 * 2 ** (w.attempt - 2)));
  });
  test('full, equal, decorrelated stay in their ranges and full averages half the ceiling', () => {
    const full = waits(simulate(failing({ attempts: 4, strategy: 'full', base: 10, cap: 1000 }), 1));
    for (const w of full) expect(w.wait).toBeGreaterThanOrEqual(0), expect(w.wait).toBeLessThan(10 * 2 ** (w.attempt - 2));
    const first = full.filter((w) => w.attempt === 2).map((w) => w.wait);
    expect(first.reduce((a, b) => a + b, 0) / first.length).toBeCloseTo(5, 0);
    const equal = waits(simulate(failing({ attempts: 4, strategy: 'equal', base: 10, cap: 1000 }), 1));
    for (const w of equal) {
      const v = 10 * 2 ** (w.attempt - 2);
      expect(w.wait).toBeGreaterThanOrEqual(v / 2);
      expect(w.wait).toBeLessThan(v);
    }
    const dec = waits(simulate(failing({ attempts: 5, strategy: 'decorrelated', base: 10, cap: 60 }), 1));
    const prev = new Map<number, number>();
    for (const w of dec) {
      const p = prev.get(w.call) ?? 10;
      expect(w.wait).toBeGreaterThanOrEqual(10);
      expect(w.wait).toBeLessThanOrEqual(Math.min(60, 3 * p));
      prev.set(w.call, w.wait);
    }
    expect(Math.max(...dec.map((w) => w.wait))).toBe(60);
  });
  test('the older retry form is unchanged (backoff × 2^(k−1))', () => {
    const r = simulate(failing({ attempts: 3, backoff: 7, exponential: true }), 1);
    for (const w of waits(r).slice(0, 20)) expect(w.wait).toBe(7 * 2 ** (w.attempt - 2));
  });
});

/**
 * Replays the budget from the trace by its definition and returns the tokens at each bucket end.
 * Failures: a timeout, or an error after a finish the client still waited for.
 */
function replayBudget(run: QueueingRun, kind: 'aws' | 'grpc', max: number, ratio = 0): number[] {
  let tokens = max;
  let calls = 0;
  const callOf = new Map<number, number>(); // request → call (first attempts are numbered in arrival order)
  const lastFailureWasTimeout = new Map<number, boolean>(); // by call
  const held = new Map<number, number>(); // by request
  const out: number[] = [];
  const tr = run.trace;
  const bucket = run.series.bucket;
  let b = 1;
  const problems: string[] = [];
  for (let i = 0; i < tr.length; i++) {
    const e = tr[i];
    while (e.t >= b * bucket) {
      out.push(tokens);
      b++;
    }
    if (e.kind === 'arrive' && e.attempt === 1) callOf.set(e.req, calls++);
    else if (e.kind === 'retry') {
      callOf.set(e.next, e.call);
      if (kind === 'aws') {
        const c = lastFailureWasTimeout.get(e.call) ? 10 : 5;
        if (tokens < c) problems.push(`retry at ${e.t} with ${tokens} tokens`);
        tokens -= c;
        held.set(e.next, c);
      } else if (!(tokens > max / 2)) problems.push(`retry at ${e.t} with ${tokens} tokens`);
    } else if (e.kind === 'giveup' && e.reason === 'budget') {
      const c = lastFailureWasTimeout.get(e.call) ? 10 : 5;
      if (kind === 'aws' ? tokens >= c : tokens > max / 2) problems.push(`refused at ${e.t} with ${tokens} tokens`);
    } else if (e.kind === 'timeout' || (e.kind === 'finish' && !e.late)) {
      const next = tr[i + 1];
      const failed = e.kind === 'timeout' || (next?.kind === 'error' && next.req === e.req);
      if (failed) {
        lastFailureWasTimeout.set(callOf.get(e.req)!, e.kind === 'timeout');
        if (kind === 'grpc') tokens = Math.max(0, tokens - 1);
      } else if (kind === 'aws') tokens = Math.min(max, tokens + (held.get(e.req) ?? 1));
      else tokens = Math.min(max, tokens + ratio);
    }
  }
  expect(problems.slice(0, 5)).toEqual([]);
  return out;
}

describe('retry budgets in the engine, replayed from the trace', () => {
  const cfg = (budget: NonNullable<NonNullable<QueueingConfig['clients']['retry']>['budget']>): QueueingConfig => ({
    clients: { kind: 'open', arrival: 'poisson', rate: 400, timeout: 30, retry: { attempts: 3, strategy: 'full', base: 5, cap: 200, budget } },
    service: { servers: 2, time: { dist: 'exponential', mean: 4 } },
    faults: [
      { kind: 'errors', at: 1000, duration: 1500, share: 0.6 },
      { kind: 'capacity', at: 3000, duration: 800, servers: 1 },
    ],
    duration: 6000,
    bucket: 50,
    traceCap: 2_000_000,
  });
  test('AWS quota: 500 tokens, 5 per retry, 10 per timeout retry, refunds and +1', () => {
    const r = simulate(cfg({ kind: 'aws' }), 2);
    expect(r.truncated).toBe(false);
    expect(r.metrics.budgetDenied).toBeGreaterThan(0); // the fault drains it
    const replay = replayBudget(r, 'aws', 500);
    expect(r.series.tokens.slice(0, replay.length)).toEqual(replay);
    expect(Math.min(...r.series.tokens)).toBeLessThan(10);
    expect(r.series.tokens[0]).toBe(500);
  });
  test('gRPC throttling: −1 per failure, +tokenRatio per success, retries only above half', () => {
    const r = simulate(cfg({ kind: 'grpc', maxTokens: 10, tokenRatio: 0.1 }), 2);
    expect(r.metrics.budgetDenied).toBeGreaterThan(0);
    const replay = replayBudget(r, 'grpc', 10, 0.1);
    const got = r.series.tokens.slice(0, replay.length);
    for (let i = 0; i < replay.length; i++) expect(got[i]).toBeCloseTo(replay[i], 9);
    const denied = simulate(cfg({ kind: 'grpc', maxTokens: 10, tokenRatio: 0.1 }), 2);
    const none = simulate({ ...cfg({ kind: 'grpc', maxTokens: 10, tokenRatio: 0.1 }), clients: { ...cfg({ kind: 'aws' }).clients, retry: { attempts: 3, strategy: 'full', base: 5, cap: 200 } } }, 2);
    expect(denied.metrics.retries).toBeLessThan(none.metrics.retries / 2); // the budget cuts retries during the outage
  });
});

describe('circuit breakers in the engine', () => {
  const outage = (breaker: NonNullable<QueueingConfig['clients']['breaker']>): QueueingConfig => ({
    clients: { kind: 'open', arrival: 'poisson', rate: 200, retry: { attempts: 2, strategy: 'exponential', base: 20, cap: 1000 }, breaker },
    service: { servers: 4, time: { dist: 'exponential', mean: 5 } },
    faults: [{ kind: 'errors', at: 10_000, duration: 20_000, share: 1 }],
    duration: 120_000,
    bucket: 1000,
    traceCap: 0,
  });
  test('resilience4j defaults: opens within the outage, half-open after 60 s, closes once healthy', () => {
    const r = simulate(outage({ kind: 'resilience4j' }), 1);
    const tr = r.breaker;
    expect(tr[0].from).toBe('closed');
    expect(tr[0].to).toBe('open');
    expect(tr[0].t).toBeGreaterThan(10_000);
    expect(tr[0].t).toBeLessThan(12_000); // 100 failed calls at ~200/s plus retries
    expect(tr[1]).toMatchObject({ from: 'open', to: 'half-open' });
    expect(tr[1].t - tr[0].t).toBeGreaterThanOrEqual(60_000);
    expect(tr[1].t - tr[0].t).toBeLessThan(60_100);
    expect(tr[tr.length - 1].to).toBe('closed');
    expect(r.metrics.shortCircuited).toBeGreaterThan(10_000);
    // The series: open (1) through the minute after the outage began, closed at the end.
    const at = (ms: number) => r.series.breaker[Math.floor(ms / 1000)];
    expect(at(5_000)).toBe(0);
    expect(at(40_000)).toBe(1);
    expect(at(110_000)).toBe(0);
  });
  test('Polly defaults: breaks fast, probes every 5 s while the outage lasts, closes after it', () => {
    const r = simulate(outage({ kind: 'polly' }), 1);
    const tr = r.breaker;
    expect(tr[0]).toMatchObject({ from: 'closed', to: 'open' });
    const reopen = tr.filter((x) => x.from === 'half-open' && x.to === 'open');
    expect(reopen.length).toBeGreaterThanOrEqual(3); // outage of 20 s, breaks of 5 s
    const close = tr.find((x) => x.to === 'closed')!;
    expect(close.t).toBeGreaterThan(30_000);
    expect(close.t).toBeLessThan(36_000);
    for (let i = 1; i < tr.length; i++) expect(tr[i].from).toBe(tr[i - 1].to);
  });
  test('transitions are trace events too', () => {
    const cfg = { ...outage({ kind: 'polly' }), traceCap: 10_000_000 };
    const r = simulate(cfg, 1);
    const evs = r.trace.filter((e) => e.kind === 'breaker').map((e) => e.kind === 'breaker' && `${e.from}>${e.to}@${e.t}`);
    expect(evs).toEqual(r.breaker.map((x) => `${x.from}>${x.to}@${x.t}`));
  });
});

describe('idempotency keys and dead letters', () => {
  // Timeouts shorter than a slow tail: some timed-out requests still finish (and charge).
  const cfg = (idempotencyKeys: boolean): QueueingConfig => ({
    clients: { kind: 'open', arrival: 'poisson', rate: 150, timeout: 40, retry: { attempts: 3, strategy: 'full', base: 10, cap: 200 }, idempotencyKeys },
    service: { servers: 2, time: { dist: 'bimodal', fast: 5, slow: 60, slowShare: 0.1 } },
    requests: 5000,
    traceCap: 1_000_000,
  });
  test('without keys a timed-out request that succeeded is charged again when retried; with keys never', () => {
    const without = simulate(cfg(false), 4);
    const withKeys = simulate(cfg(true), 4);
    expect(without.metrics.duplicates).toBeGreaterThan(0);
    expect(without.trace.filter((e) => e.kind === 'charge' && e.duplicate).length).toBe(without.metrics.duplicates);
    expect(withKeys.metrics.duplicates).toBe(0);
    expect(withKeys.metrics.deduplicated).toBe(without.metrics.duplicates); // same seed, same runs
    expect(withKeys.metrics.charges).toBe(without.metrics.charges - without.metrics.duplicates);
    // Each call is charged at most once with keys: the calls with a finished, error-free request.
    expect(withKeys.metrics.charges).toBeLessThanOrEqual(withKeys.metrics.calls);
  });
  test('duplicates happen only when the timed-out work was not cancelled', () => {
    const c = cfg(false);
    const r = simulate({ ...c, service: { ...c.service, cancelOnTimeout: true } }, 4);
    expect(r.metrics.duplicates).toBe(0);
  });
  test('dead letters: calls whose every attempt failed, p^N of them', () => {
    const c = failing({ attempts: 3, strategy: 'immediate' }, 0.5);
    const r = simulate({ ...c, clients: { ...c.clients, deadLetter: true }, requests: 5000 }, 5); // 50 s of calls, inside the fault
    expect(r.metrics.deadLetters).toBe(r.metrics.failedCalls);
    expect(r.metrics.deadLetters / r.metrics.calls).toBeCloseTo(0.125, 1);
    const gave = r.trace.filter((e) => e.kind === 'giveup');
    expect(gave.length).toBe(r.metrics.deadLetters);
    expect(gave.every((e) => e.kind === 'giveup' && e.deadLetter && e.attempts === 3)).toBe(true);
    const off = simulate({ ...c, requests: 5000 }, 5);
    expect(off.metrics.deadLetters).toBe(0);
    expect(off.metrics.failedCalls).toBe(r.metrics.failedCalls);
  });
  test('attempts per call series: all 3 at 100 % failure', () => {
    const r = simulate(failing({ attempts: 3, strategy: 'immediate' }), 1);
    const seen = r.series.attempts.filter((x) => !Number.isNaN(x));
    expect(seen.length).toBeGreaterThan(100);
    expect(seen.every((x) => x === 3)).toBe(true);
    expect(r.series.breaker.every(Number.isNaN)).toBe(true);
    expect(r.series.tokens.every(Number.isNaN)).toBe(true);
  });
});

describe('config', () => {
  test('new fields validate; mistakes are named', () => {
    const ok = failing({ attempts: 3, strategy: 'decorrelated', base: 5, cap: 100, budget: { kind: 'grpc', maxTokens: 10, tokenRatio: 0.1 } });
    expect(() => validateConfig({ ...ok, clients: { ...ok.clients, breaker: { kind: 'polly' }, idempotencyKeys: true, deadLetter: true } })).not.toThrow();
    expect(() => validateConfig(failing({ attempts: 3, strategy: 'fancy' as 'full' }))).toThrow(ConfigError);
    expect(() => validateConfig(failing({ attempts: 3, budget: { kind: 'grpc', maxTokens: 10 } as never }))).toThrow(ConfigError);
  });
});
