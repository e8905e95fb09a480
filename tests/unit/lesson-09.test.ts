/**
 * Lesson 9 (content/lessons/09-when-things-fail.mdx): every figure the lesson states, measured
 * from the queueing engine (#sim/queueing) and the resilience models (#sim/resilience) with fixed
 * seeds, and found in the lesson's text as it is formatted there. When the engine changes, this
 * test names the sentence to fix.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceArticle } from '../support/sources';
import { simulate, type BreakerSpec, type QueueingConfig, type RetryBudgetSpec } from '#sim/queueing';
import { simulateConsistency, simulateContention, type ContentionStrategy } from '#sim/resilience';
import { getPreset, presetSettings, toConfig, type QueueingSettings } from '#widgets/QueueingLab/lab';

const lesson = readFileSync(resolve(__dirname, '../../content/lessons/09-when-things-fail.mdx'), 'utf8').replace(/\s+/g, ' ');
const says = (text: string) => expect(lesson.includes(text), `the lesson says "${text}"`).toBe(true);
const n = (x: number) => Math.round(x).toLocaleString('en-US');
const s1 = (ms: number) => (ms / 1000).toFixed(1);
const s2 = (ms: number) => (ms / 1000).toFixed(2);

describe('retries multiply load', () => {
  // 2,000 calls at 100/s, four servers, an errors fault over the whole run, immediate retries.
  const cfg = (attempts: number, share: number): QueueingConfig => ({
    clients: { kind: 'open', arrival: 'poisson', rate: 100, retry: { attempts, strategy: 'immediate' } },
    service: { servers: 4, time: { dist: 'exponential', mean: 5 } },
    faults: [{ kind: 'errors', at: 0, duration: 60_000, share }],
    requests: 2000,
    traceCap: 0,
  });
  it('N retries: exactly N + 1 times the requests when all fail; fewer failed calls when half fail', () => {
    for (const retries of [0, 1, 2, 3]) {
      const all = simulate(cfg(retries + 1, 1), 3).metrics;
      const half = simulate(cfg(retries + 1, 0.5), 3).metrics;
      expect(all.calls).toBe(2000);
      expect(all.arrived).toBe((retries + 1) * 2000);
      expect(all.failedCalls).toBe(2000);
      says(`| ${retries} | ${n(all.arrived)} (${(all.arrived / all.calls).toFixed(2)}×) | ${n(half.arrived)} (${(half.arrived / half.calls).toFixed(2)}×) | ${n(half.failedCalls)} |`);
    }
    says('**6,000 requests**, three per call, and no call succeeds');
    // "each retry halves the number of calls that fail" (half the requests failing)
    for (let retries = 1; retries <= 3; retries++) {
      const ratio = simulate(cfg(retries + 1, 0.5), 3).metrics.failedCalls / simulate(cfg(retries, 0.5), 3).metrics.failedCalls;
      expect(ratio).toBeGreaterThan(0.45);
      expect(ratio).toBeLessThan(0.56);
    }
  });
});

describe('backoff and jitter: Brooker’s contention experiment', () => {
  const STRATEGIES: [ContentionStrategy, string][] = [
    ['none', 'none'],
    ['exponential', 'exponential'],
    ['full', 'full jitter'],
    ['equal', 'equal jitter'],
    ['decorrelated', 'decorrelated jitter'],
  ];
  const avg = (strategy: ContentionStrategy) => {
    let calls = 0;
    let time = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const r = simulateContention({ clients: 100, strategy, baseMs: 5, capMs: 2000, network: { meanMs: 10, sdMs: 2 } }, seed);
      calls += r.calls;
      time += r.completionMs;
    }
    return { calls: calls / 20, time: time / 20 };
  };
  it('calls and completion time per strategy, 100 clients, 20 seeds', () => {
    const got = Object.fromEntries(STRATEGIES.map(([s]) => [s, avg(s)]));
    for (const [s, label] of STRATEGIES) says(`| ${label} | ${n(got[s].calls)} | ${n(got[s].time)} ms |`);
    // what the prose says about the table
    expect(got.exponential.time).toBe(Math.max(...Object.values(got).map((g) => g.time)));
    expect(got.full.calls).toBe(Math.min(...Object.values(got).map((g) => g.calls)));
    expect(Math.round((got.none.calls / got.full.calls) * 10) / 10).toBeCloseTo(3, 0);
    expect(got.none.time).toBe(Math.min(...Object.values(got).map((g) => g.time)));
    says('full jitter needs a third of the writes of retrying at once');
    says('the price is three times the writes');
  });
});

describe('retry budgets', () => {
  const cfg = (budget: RetryBudgetSpec | undefined, share: number): QueueingConfig => ({
    clients: { kind: 'open', arrival: 'poisson', rate: 200, retry: { attempts: 3, strategy: 'full', base: 50, cap: 1000, budget } },
    service: { servers: 4, time: { dist: 'exponential', mean: 5 } },
    faults: [{ kind: 'errors', at: 10_000, duration: 20_000, share }],
    duration: 60_000,
    bucket: 1000,
    traceCap: 0,
  });
  const AWS: RetryBudgetSpec = { kind: 'aws' };
  const GRPC: RetryBudgetSpec = { kind: 'grpc', maxTokens: 10, tokenRatio: 0.1 };
  it('a full outage: retries sent and refused, requests per second during it', () => {
    const rows: [RetryBudgetSpec | undefined, string][] = [
      [undefined, 'none'],
      [AWS, 'AWS SDK quota'],
      [GRPC, 'gRPC throttling'],
    ];
    const failed: number[] = [];
    const perSecond: number[] = [];
    for (const [budget, label] of rows) {
      const r = simulate(cfg(budget, 1), 1);
      const during = r.series.offered.slice(11, 30); // whole buckets inside 10 s .. 30 s
      const perSec = during.reduce((a, x) => a + x, 0) / during.length;
      says(`| ${label} | ${n(r.metrics.retries)} | ${n(r.metrics.budgetDenied)} | ${n(perSec)} |`);
      failed.push(r.metrics.failedCalls);
      perSecond.push(perSec);
    }
    expect(perSecond[0] / perSecond[1]).toBeCloseTo(3, 0); // "the outage triples the load"
    expect(simulate(cfg(AWS, 1), 1).metrics.retries).toBe(500 / 5);
    says('The AWS quota pays for 100 retries (500 tokens ÷ 5)');
    says(`gRPC stops after ${simulate(cfg(GRPC, 1), 1).metrics.retries}`);
    says(`(${n(failed[0])} without a budget, ${n(failed[2])} with gRPC’s)`);
  });
  it('when it hurts: gRPC at 20% errors, AWS at 70%', () => {
    const failed = (b: RetryBudgetSpec | undefined, share: number) => simulate(cfg(b, share), 1).metrics.failedCalls;
    expect(failed(GRPC, 0.2)).toBeGreaterThan(10 * failed(undefined, 0.2));
    says(`**${n(failed(GRPC, 0.2))} calls** fail, against ${n(failed(undefined, 0.2))} with no budget`);
    expect(simulate(cfg(AWS, 0.2), 1).metrics.budgetDenied).toBe(0); // "copes with 20%"
    says(`then ${n(failed(AWS, 0.7))} calls fail, against ${n(failed(undefined, 0.7))} without a budget`);
  });
});

describe('circuit breakers', () => {
  const quiet = (breaker: BreakerSpec, rate: number): QueueingConfig => ({
    clients: { kind: 'open', arrival: 'poisson', rate, breaker },
    service: { servers: 4, time: { dist: 'exponential', mean: 5 } },
    faults: [{ kind: 'errors', at: 0, duration: 300_000, share: 1 }],
    duration: 300_000,
    bucket: 1000,
    traceCap: 0,
  });
  const opensAt = (breaker: BreakerSpec, rate: number) => simulate(quiet(breaker, rate), 1).breaker.find((x) => x.to === 'open')?.t;
  it('a quiet service: resilience4j needs 100 calls, Polly 100 calls within 30 s', () => {
    const r4j2 = opensAt({ kind: 'resilience4j' }, 2)!;
    const r4j1 = opensAt({ kind: 'resilience4j' }, 1)!;
    const polly3 = opensAt({ kind: 'polly' }, 3)!;
    expect(opensAt({ kind: 'polly' }, 2)).toBeUndefined();
    expect(opensAt({ kind: 'polly' }, 1)).toBeUndefined();
    // about 100 calls' worth of time at each rate
    expect(r4j2).toBeGreaterThan(45_000);
    expect(r4j2).toBeLessThan(55_000);
    says(`resilience4j opens after **${s1(r4j2)} s**`);
    says(`(at 1 call a second, ${s1(r4j1)} s)`);
    says('**Polly never opens**');
    says(`puts 100 calls in the window: here after ${s1(polly3)} s`);
    // the quiz answer
    says(`about 100 seconds (${s1(r4j1)} s in the simulation)`);
  });

  const outage = (breaker: BreakerSpec | undefined, rate: number, traceCap = 0): QueueingConfig => ({
    clients: { kind: 'open', arrival: 'poisson', rate, retry: { attempts: 1, strategy: 'none' }, breaker },
    service: { servers: 4, time: { dist: 'exponential', mean: 5 } },
    faults: [{ kind: 'errors', at: 10_000, duration: 20_000, share: 1 }],
    duration: 120_000,
    bucket: 1000,
    traceCap,
  });
  it('a busy service: opening, closing, refused and failed calls', () => {
    const none = simulate(outage(undefined, 200), 1).metrics;
    const cells: string[][] = [];
    for (const kind of ['resilience4j', 'polly'] as const) {
      const r = simulate(outage({ kind }, 200, 1_000_000), 1);
      expect(r.truncated).toBe(false);
      const open = r.breaker.find((x) => x.to === 'open')!.t;
      const close = r.breaker.find((x) => x.to === 'closed')!.t;
      expect(close).toBeGreaterThan(30_000);
      const errorsBeforeOpen = r.trace.filter((e) => e.kind === 'error' && e.t <= open).length;
      cells.push([s2(open - 10_000), s1(close), n(r.metrics.shortCircuited), n(r.metrics.failedCalls), String(errorsBeforeOpen), String(close - 30_000)]);
      if (kind === 'resilience4j') {
        expect(errorsBeforeOpen).toBe(50);
        expect(r.metrics.failedCalls / none.failedCalls).toBeCloseTo(3, 0);
        says(`refuses calls for ${Math.round((close - 30_000) / 1000)} s after the service has recovered`);
      } else {
        says(`needs failures to make up 10% of that: ${errorsBeforeOpen} failures`);
        expect(close - 30_000).toBeLessThan(2000); // "a moment after the outage ends"
        // it probes every 5 s while the outage lasts
        const reopen = r.breaker.filter((x) => x.from === 'half-open' && x.to === 'open');
        expect(reopen.length).toBeGreaterThanOrEqual(3);
      }
    }
    says(`| Opens after the outage starts | ${cells[0][0]} s | ${cells[1][0]} s |`);
    says(`| Closes again at | ${cells[0][1]} s | ${cells[1][1]} s |`);
    says(`| Calls refused by the breaker | ${cells[0][2]} | ${cells[1][2]} |`);
    says(`| Calls that fail in all | ${cells[0][3]} | ${cells[1][3]} |`);
    says(`no breaker at all (${n(none.failedCalls)})`);
  });
  it('at 2 calls a second neither breaker opens during the 20-second outage', () => {
    for (const kind of ['resilience4j', 'polly'] as const) {
      const r = simulate(outage({ kind }, 2), 1);
      expect(r.breaker).toEqual([]);
      expect(r.metrics.shortCircuited).toBe(0);
      says(`(${r.metrics.failedCalls} calls fail, none is refused)`);
    }
  });
});

describe('timeouts 50-100% over the p99', () => {
  const cfg = (timeout: number | undefined, slow: boolean): QueueingConfig => ({
    clients: { kind: 'open', arrival: 'poisson', rate: 100, timeout, retry: { attempts: 3, strategy: 'full', base: 50, cap: 1000 } },
    service: { servers: 4, time: { dist: 'lognormal', mean: 20, cv: 1 } },
    faults: slow ? [{ kind: 'slow', at: 20_000, duration: 10_000, factor: 2 }] : [],
    duration: 60_000,
    traceCap: 0,
  });
  it('fine on a good day, an outage on a slow one', () => {
    const base = simulate(cfg(undefined, false), 1).metrics;
    expect(base.utilization).toBeCloseTo(0.5, 1);
    says(`Without timeouts the p99 is **${n(base.p99)} ms**`);
    const t15 = Math.round(base.p99 * 1.5);
    const t20 = Math.round(base.p99 * 2);
    says(`the advice gives ${t15} ms to ${t20} ms`);
    const good15 = simulate(cfg(t15, false), 1).metrics;
    const good20 = simulate(cfg(t20, false), 1).metrics;
    expect(good15.failedCalls).toBe(0);
    expect(good20.failedCalls).toBe(0);
    says(`with a ${t15} ms timeout, ${good15.timedOut} requests out of ${n(good15.calls)} calls time out (${good20.timedOut} with ${t20} ms), and no call fails`);
    const bad15 = simulate(cfg(t15, true), 1).metrics;
    const bad20 = simulate(cfg(t20, true), 1).metrics;
    const bad = simulate(cfg(undefined, true), 1).metrics;
    says(`With the ${t15} ms timeout, **${n(bad15.failedCalls)} calls fail**, ${n(bad15.arrived)} requests arrive for the ${n(bad15.calls)} calls, and ${n(bad15.wastedWork / 1000)} s of server time`);
    says(`With ${t20} ms, ${n(bad20.failedCalls)} calls fail`);
    expect(bad.failedCalls).toBe(0);
    says(`the p99 rises to ${n(bad.p99)} ms`);
  });
});

describe('dead letters', () => {
  it('half the requests failing, 3 immediate attempts: about 0.5³ of the calls', () => {
    const r = simulate(
      {
        clients: { kind: 'open', arrival: 'poisson', rate: 100, retry: { attempts: 3, strategy: 'immediate' }, deadLetter: true },
        service: { servers: 4, time: { dist: 'exponential', mean: 5 } },
        faults: [{ kind: 'errors', at: 0, duration: 60_000, share: 0.5 }],
        requests: 5000,
        traceCap: 0,
      },
      5,
    ).metrics;
    expect(r.deadLetters).toBe(r.failedCalls);
    expect(r.deadLetters / r.calls).toBeCloseTo(0.125, 1);
    says(`${n(r.deadLetters)} of ${n(r.calls)} calls (${Math.round((100 * r.deadLetters) / r.calls)}%) end in the dead-letter queue`);
  });
});

describe('idempotency keys', () => {
  const cfg = (idempotencyKeys: boolean): QueueingConfig => ({
    clients: { kind: 'open', arrival: 'poisson', rate: 100, timeout: 40, retry: { attempts: 3, strategy: 'full', base: 10, cap: 200 }, idempotencyKeys },
    service: { servers: 4, time: { dist: 'bimodal', fast: 5, slow: 60, slowShare: 0.05 } },
    requests: 5000,
    traceCap: 0,
  });
  it('duplicates without keys, none with', () => {
    const without = simulate(cfg(false), 4).metrics;
    const withKeys = simulate(cfg(true), 4).metrics;
    expect(without.duplicates).toBeGreaterThan(0);
    expect(withKeys.duplicates).toBe(0);
    expect(withKeys.charges).toBe(withKeys.calls);
    says(`Of the **${n(without.timedOut)}** requests that time out, **${n(without.duplicates)}** had in fact been done`);
    says(`${n(without.charges)} charges for ${n(without.calls)} calls`);
    says(`**0 duplicates**, ${n(withKeys.deduplicated)} retries answered from the stored result, exactly ${n(withKeys.charges)} charges`);
  });
});

describe('read-your-writes', () => {
  const run = (strategy: 'replica' | 'writer' | 'version') => simulateConsistency({ writes: 10_000, ratePerSec: 30, applyMs: 20, readAfterMs: 100, strategy }, 1);
  it('stale reads from the replica, none from the writer or with a version token', () => {
    const replica = run('replica');
    const writer = run('writer');
    const version = run('version');
    says(`| the replica | ${n(replica.staleReads)} (${(replica.staleShare * 100).toFixed(1)}%) | none |`);
    expect(writer.staleReads).toBe(0);
    expect(writer.writerReads).toBe(10_000);
    expect(version.staleReads).toBe(0);
    expect(version.writerReads).toBe(0);
    says(`| the replica, with a version token | 0 | reads wait ${version.meanWaitMs.toFixed(1)} ms on average |`);
    // the M/M/1 closed form the lesson quotes
    const mu = 1000 / 20;
    const lambda = 30;
    says(`1 ÷ (μ − λ) = ${1000 / (mu - lambda)} ms`);
    says(`e<sup>−2</sup> = ${(Math.exp(-((mu - lambda) * 100) / 1000) * 100).toFixed(1)}%`);
    says(`the simulation gives ${(replica.staleShare * 100).toFixed(1)}%`);
    expect(replica.meanLagMs).toBeCloseTo(1000 / (mu - lambda), -1);
  });
});

const SOURCE = sourceArticle('002_97156856d6d2843e.txt');

describe('sources', () => {
  it.skipIf(!SOURCE)('quotes the source article verbatim', () => {
    const src = readFileSync(SOURCE!, 'utf8');
    const quotes = [...lesson.matchAll(/“([^”]+)”/g)].map((m) => m[1]).filter((q) => q.length > 30);
    expect(quotes.length).toBeGreaterThanOrEqual(3);
    for (const q of quotes) if (!q.startsWith('Exponential Backoff')) expect(src, q).toContain(q);
  });
});

describe('the lab presets it embeds do what the text around them says', () => {
  const EMBED = /<QueueingLab\b[^>]*\bpreset="([\w-]+)"[^>]*\/>/g;
  const runPreset = (id: string, patch: Partial<QueueingSettings> = {}) => {
    const s = { ...presetSettings(id), ...patch };
    return simulate({ ...toConfig(s), traceCap: 0 }, s.seed);
  };
  /** Mean offered requests per second over [from, to) ms. */
  const offered = (r: ReturnType<typeof simulate>, from: number, to: number) => {
    const { bucket, offered: o } = r.series;
    const xs = o.slice(Math.ceil(from / bucket), Math.floor(to / bucket));
    return xs.reduce((a, x) => a + x, 0) / xs.length;
  };
  it('embeds every lesson-9 preset, once each', () => {
    const ids = [...lesson.matchAll(EMBED)].map((m) => m[1]);
    expect(ids.sort()).toEqual(
      ['retry-amplification', 'retry-immediate-storm', 'backoff-jitter', 'retry-budget-aws', 'retry-budget-grpc', 'breaker-resilience4j', 'breaker-polly', 'timeout-p99', 'duplicates-no-keys', 'duplicates-keys', 'dead-letters'].sort(),
    );
    for (const id of ids) expect(() => getPreset(id)).not.toThrow();
  });
  it('retry-amplification: 4 requests per call during the outage, 1 with one attempt', () => {
    const s = presetSettings('retry-amplification');
    expect(s.attempts).toBe(4);
    expect([s.faultAt, s.faultAt + s.faultFor]).toEqual([2000, 5000]);
    says('from 2 s to 5 s');
    const r = runPreset('retry-amplification');
    expect(offered(r, 2200, 4800) / s.rate).toBeCloseTo(4, 0);
    const one = runPreset('retry-amplification', { attempts: 1 });
    expect(offered(one, 2200, 4800) / s.rate).toBeCloseTo(1, 0);
  });
  it('retry-immediate-storm: a one-second spell, timeouts, and retries of timed-out attempts', () => {
    const s = presetSettings('retry-immediate-storm');
    expect([s.rate, s.servers * (1000 / s.mean), s.attempts, s.strategy, s.faultFor]).toEqual([300, 400, 5, 'immediate', 1000]);
    const r = runPreset('retry-immediate-storm');
    expect(r.metrics.timedOut).toBeGreaterThan(0);
    expect(Math.max(...r.series.p99.filter((x) => !Number.isNaN(x)))).toBeGreaterThan(s.timeout);
  });
  it('retry budgets: both refuse retries the same outage would otherwise get', () => {
    const none = runPreset('retry-budget-aws', { budget: 'none' }).metrics;
    for (const id of ['retry-budget-aws', 'retry-budget-grpc']) {
      const m = runPreset(id).metrics;
      expect(m.budgetDenied).toBeGreaterThan(0);
      expect(m.retries).toBeLessThan(none.retries / 2);
    }
    expect(presetSettings('retry-budget-grpc').budget).toBe('grpc');
  });
  it('breakers: a 10-second outage; resilience4j stays open a minute, Polly probes', () => {
    for (const id of ['breaker-resilience4j', 'breaker-polly']) expect(presetSettings(id).faultFor).toBe(10_000);
    const r4j = runPreset('breaker-resilience4j').breaker;
    expect(r4j[0].to).toBe('open');
    expect(r4j[1].t - r4j[0].t).toBeGreaterThanOrEqual(60_000);
    const polly = runPreset('breaker-polly').breaker;
    expect(polly.filter((x) => x.to === 'half-open').length).toBeGreaterThanOrEqual(2);
  });
  it('timeout-p99: the timeout is above the p99 of the same run without one', () => {
    const s = presetSettings('timeout-p99');
    expect(runPreset('timeout-p99', { timeout: 0 }).metrics.p99).toBeLessThan(s.timeout);
    expect(runPreset('timeout-p99', { timeout: 30 }).metrics.timedOut).toBeGreaterThan(10 * runPreset('timeout-p99').metrics.timedOut);
  });
  it('dead-letters: 60% errors for 3 s, calls that failed all 3 attempts', () => {
    const s = presetSettings('dead-letters');
    expect([s.faultSize, s.faultFor, s.attempts]).toEqual([60, 3000, 3]);
    const m = runPreset('dead-letters').metrics;
    expect(m.deadLetters).toBeGreaterThan(0);
    expect(m.deadLetters).toBe(m.failedCalls);
  });
  it('duplicates: charged twice without keys, never with', () => {
    expect(runPreset('duplicates-no-keys').metrics.duplicates).toBeGreaterThan(0);
    const k = runPreset('duplicates-keys').metrics;
    expect(k.duplicates).toBe(0);
    expect(k.deduplicated).toBeGreaterThan(0);
  });
});
