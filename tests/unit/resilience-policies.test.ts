/**
 * The failure policies on their own, step by step against their definitions: Brooker's backoff
 * formulas, the AWS SDK retry quota, gRPC retry throttling, and the resilience4j and Polly v8
 * circuit breakers with their default settings.
 */
import { describe, expect, test } from 'vitest';
import {
  AwsRetryQuota,
  GrpcRetryThrottle,
  PollyBreaker,
  Resilience4jBreaker,
  backoffWait,
  AWS_QUOTA_DEFAULTS,
  POLLY_DEFAULTS,
  RESILIENCE4J_DEFAULTS,
} from '#sim/resilience';

/** A random source that replays the given numbers. */
const script = (...xs: number[]) => {
  let i = 0;
  return () => xs[i++];
};

describe('backoff waits (Brooker 2015)', () => {
  const base = 5;
  const cap = 2000;
  test('exponential is min(cap, base × 2^n) and draws nothing', () => {
    const none = () => {
      throw new Error('drew a random number');
    };
    expect([0, 1, 2, 3, 8, 9, 20].map((n) => backoffWait('exponential', n, base, cap, base, none))).toEqual([5, 10, 20, 40, 1280, 2000, 2000]);
    expect(backoffWait('immediate', 4, base, cap, base, none)).toBe(0);
    expect(backoffWait('none', 4, base, cap, base, none)).toBe(0);
  });
  test('full jitter is random(0, expo), equal is expo/2 + random(0, expo/2)', () => {
    expect(backoffWait('full', 3, base, cap, base, script(0.25))).toBe(0.25 * 40);
    expect(backoffWait('full', 12, base, cap, base, script(0.5))).toBe(1000);
    expect(backoffWait('equal', 3, base, cap, base, script(0.25))).toBe(20 + 0.25 * 20);
    expect(backoffWait('equal', 12, base, cap, base, script(0.999))).toBeCloseTo(1000 + 999, 6);
  });
  test('decorrelated is min(cap, random(base, prev × 3))', () => {
    const r = script(0.5, 0.5, 1 - 1e-12);
    let prev = base;
    prev = backoffWait('decorrelated', 1, base, cap, prev, r);
    expect(prev).toBe(5 + 0.5 * (15 - 5));
    prev = backoffWait('decorrelated', 2, base, cap, prev, r);
    expect(prev).toBe(5 + 0.5 * (30 - 5));
    expect(backoffWait('decorrelated', 3, base, 50, 1000, r)).toBe(50);
  });
});

describe('AWS SDK retry quota', () => {
  test('defaults are the SDK constants', () => {
    expect(AWS_QUOTA_DEFAULTS).toEqual({ tokens: 500, cost: 5, timeoutCost: 10, increment: 1 });
  });
  test('a recorded sequence, step by step', () => {
    const q = new AwsRetryQuota();
    const steps: [string, () => number | void, number, number | undefined][] = [
      // what happened, call, tokens after, returned
      ['error, retry', () => q.failed(false), 495, 5],
      ['timeout, retry', () => q.failed(true), 485, 10],
      ['the timeout retry succeeds: its 10 come back', () => q.succeeded(10), 495, undefined],
      ['a first attempt succeeds: +1', () => q.succeeded(0), 496, undefined],
      ['another', () => q.succeeded(0), 497, undefined],
      ['error, attempts used up: costs nothing', () => q.failedFinal(), 497, undefined],
    ];
    for (const [what, f, tokens, ret] of steps) {
      const r = f();
      expect(q.tokens, what).toBe(tokens);
      if (ret !== undefined) expect(r, what).toBe(ret);
    }
    // Never above the maximum.
    for (let k = 0; k < 10; k++) q.succeeded(0);
    expect(q.tokens).toBe(500);
  });
  test('retries stop when the bucket holds less than their cost', () => {
    const q = new AwsRetryQuota();
    let granted = 0;
    while (q.failed(true) >= 0) granted++;
    expect(granted).toBe(50); // 500 / 10
    expect(q.tokens).toBe(0);
    const q2 = new AwsRetryQuota({ tokens: 12 });
    expect(q2.failed(false)).toBe(5);
    expect(q2.failed(true)).toBe(-1); // 7 < 10
    expect(q2.tokens).toBe(7);
    expect(q2.failed(false)).toBe(5);
    expect(q2.failed(false)).toBe(-1); // 2 < 5
  });
});

describe('gRPC retry throttling (A6)', () => {
  test('a recorded sequence, step by step', () => {
    const g = new GrpcRetryThrottle({ maxTokens: 10, tokenRatio: 0.1 });
    expect(g.tokens).toBe(10);
    // Failures: 10 → 9 → ... ; a retry is allowed while tokens > 5 after the decrement.
    const allowed: boolean[] = [];
    for (let k = 0; k < 6; k++) allowed.push(g.failed() >= 0);
    expect(allowed).toEqual([true, true, true, true, false, false]); // 9, 8, 7, 6 > 5; 5, 4 are not
    expect(g.tokens).toBe(4);
    // Successes add tokenRatio: 11 of them bring 4 to 5.1 (> 5: retries again).
    for (let k = 0; k < 10; k++) g.succeeded();
    expect(g.tokens).toBeCloseTo(5, 9);
    expect(g.allowsRetry).toBe(false);
    g.succeeded();
    expect(g.allowsRetry).toBe(true);
    // Bounded in [0, maxTokens].
    for (let k = 0; k < 100; k++) g.failedFinal();
    expect(g.tokens).toBe(0);
    for (let k = 0; k < 1000; k++) g.succeeded();
    expect(g.tokens).toBe(10);
  });
});

describe('resilience4j breaker, default settings', () => {
  test('defaults', () => {
    expect(RESILIENCE4J_DEFAULTS).toEqual({ failureRate: 50, window: 100, minCalls: 100, openMs: 60_000, halfOpenCalls: 10 });
  });
  test('opens only once 100 calls are recorded and ≥ 50 % failed', () => {
    const b = new Resilience4jBreaker();
    for (let k = 0; k < 99; k++) b.record(k, false);
    expect(b.state).toBe('closed'); // 99 failures, but fewer than minimumNumberOfCalls
    b.record(99, false);
    expect(b.state).toBe('open');
    expect(b.transitions).toEqual([{ t: 99, from: 'closed', to: 'open' }]);
  });
  test('49 % failures keep it closed; the 50th failure in the last 100 opens it', () => {
    const b = new Resilience4jBreaker();
    for (let k = 0; k < 100; k++) b.record(k, k < 51); // 51 successes then 49 failures
    expect(b.state).toBe('closed');
    b.record(100, false); // the window drops the oldest success: 50 failures of 100
    expect(b.state).toBe('open');
  });
  test('open 60 s, then 10 trial calls in half-open decide', () => {
    const b = new Resilience4jBreaker();
    for (let k = 0; k < 100; k++) b.record(0, false);
    expect(b.allow(59_999)).toBe(false);
    expect(b.state).toBe('open');
    for (let k = 0; k < 10; k++) expect(b.allow(60_000)).toBe(true);
    expect(b.state).toBe('half-open');
    expect(b.allow(60_000)).toBe(false); // the 11th is refused
    for (let k = 0; k < 5; k++) b.record(60_100, true);
    for (let k = 0; k < 4; k++) b.record(60_100, false);
    expect(b.state).toBe('half-open');
    b.record(60_100, false); // 5 of 10 failed: 50 % ≥ 50 %
    expect(b.state).toBe('open');
    for (let k = 0; k < 10; k++) b.allow(120_100);
    for (let k = 0; k < 10; k++) b.record(120_200, k < 6); // 4 of 10 failed
    expect(b.state).toBe('closed');
    // Closing empties the window: 99 new failures do not open it.
    for (let k = 0; k < 99; k++) b.record(120_300, false);
    expect(b.state).toBe('closed');
    expect(b.transitions.map((x) => x.to)).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });
});

describe('Polly v8 breaker, default settings', () => {
  test('defaults', () => {
    expect(POLLY_DEFAULTS).toEqual({ failureRatio: 0.1, minThroughput: 100, samplingMs: 30_000, breakMs: 5_000 });
  });
  test('breaks on a failure once 100 calls in 30 s have ≥ 10 % failures', () => {
    const b = new PollyBreaker();
    for (let k = 0; k < 90; k++) b.record(k * 10, true);
    for (let k = 0; k < 9; k++) b.record(1000 + k, false);
    expect(b.state).toBe('closed'); // 99 calls
    b.record(1010, true);
    expect(b.state).toBe('closed'); // 100 calls, 9 %: and a success never breaks
    b.record(1020, false);
    expect(b.state).toBe('closed'); // 101 calls, 10 failures: 9.9 %
    b.record(1030, false);
    expect(b.state).toBe('open'); // 102 calls, 11 failures: 10.8 %
  });
  test('the ratio test is failures / throughput ≥ FailureRatio', () => {
    const b = new PollyBreaker();
    for (let k = 0; k < 91; k++) b.record(k, true);
    for (let k = 0; k < 9; k++) b.record(100 + k, false);
    expect(b.state).toBe('closed'); // 9 / 100 < 0.1
    const c = new PollyBreaker();
    for (let k = 0; k < 90; k++) c.record(k, true);
    for (let k = 0; k < 10; k++) c.record(100 + k, false);
    expect(c.state).toBe('open'); // 10 / 100 ≥ 0.1
  });
  test('outcomes older than the sampling duration (10 windows of 3 s) drop out', () => {
    const b = new PollyBreaker();
    for (let k = 0; k < 50; k++) b.record(0, false); // window starting at 0
    expect(b.health(29_999)).toEqual([0, 50]);
    expect(b.health(30_000)).toEqual([0, 0]);
    for (let k = 0; k < 99; k++) b.record(30_000, true);
    b.record(30_001, false);
    expect(b.state).toBe('closed'); // 1 / 100: the 50 old failures no longer count
  });
  test('break 5 s, one probe: failure breaks again, success closes and resets', () => {
    const b = new PollyBreaker();
    for (let k = 0; k < 100; k++) b.record(0, false);
    expect(b.state).toBe('open');
    expect(b.allow(4_999)).toBe(false);
    expect(b.allow(5_000)).toBe(true);
    expect(b.state).toBe('half-open');
    expect(b.allow(5_001)).toBe(false); // one probe at a time
    b.record(5_100, false);
    expect(b.state).toBe('open');
    expect(b.allow(10_099)).toBe(false);
    expect(b.allow(10_100)).toBe(true);
    b.record(10_200, true);
    expect(b.state).toBe('closed');
    expect(b.health(10_200)).toEqual([0, 0]);
    expect(b.transitions.map((x) => `${x.from}>${x.to}@${x.t}`)).toEqual([
      'closed>open@0',
      'open>half-open@5000',
      'half-open>open@5100',
      'open>half-open@10100',
      'half-open>closed@10200',
    ]);
  });
});
