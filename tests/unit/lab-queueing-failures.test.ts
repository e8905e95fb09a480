/**
 * The queueing lab's Failures view and Backoff experiment: what simulations/queueing/failures.ts
 * derives from a run (breaker strip, retry amplification, budget tokens, counters and the calls
 * behind them), checked against the engine's metrics and the policies' documented rules, and the
 * lesson-9 presets doing what their descriptions say.
 */
import { describe, expect, it } from 'vitest';
import { simulate, POLLY_DEFAULTS, RESILIENCE4J_DEFAULTS } from '#sim/queueing';
import { attemptsSummary, backoffExperiment, breakerStrip, breakerTimes, budgetSeries, callsFor, describeAttempt, failureCounters } from '#sim/queueing/failures';
import { fmtMs } from '#sim/queueing/lab';
import { clampSettings, presetSettings, toConfig, type QueueingSettings } from '#widgets/QueueingLab/lab';
import { queueingModel, runSettings } from '#widgets/QueueingLab/model';
import { readLink } from '#widgets/shared/labModel';
import { writeNamespace } from '#lib/permalink';
import { runQueueingJob } from '#runners/queueingSweepEngine';

const runPreset = (id: string, patch: Partial<QueueingSettings> = {}) => {
  const s = { ...presetSettings(id), ...patch };
  const config = toConfig(s);
  return { run: simulate(config, s.seed), config, s };
};

describe('retry amplification', () => {
  it('the histogram adds up to the calls that ended, and their attempts to every attempt made', () => {
    const { config } = runPreset('retry-amplification');
    // 600 calls and no set length: the run drains, so every call ends and every attempt is counted.
    const run = simulate({ ...config, duration: undefined, requests: 600 }, 1);
    const a = attemptsSummary(run);
    const m = run.metrics;
    expect(a.calls).toBe(m.succeeded + m.failedCalls);
    expect(a.calls).toBe(600);
    expect(a.attempts).toBe(m.arrived + m.shortCircuited);
    expect(a.maxAttempts).toBe(4);
  });

  it('a downstream failing every request: calls made during the outage use all 4 attempts, up to 4× the load', () => {
    const { run } = runPreset('retry-amplification');
    const a = attemptsSummary(run);
    expect(a.rows.map((r) => r.attempts)).toEqual([1, 2, 3, 4]);
    const four = a.rows.find((r) => r.attempts === 4)!;
    // 3 s of the 8 s run at 100 calls/s: about 300 calls failed all four attempts.
    expect(four.calls).toBeGreaterThan(250);
    // During the outage the service sees about 4 times the calls' rate.
    const s = run.series;
    const mid = s.t.findIndex((t) => t >= 3500);
    const during = s.offered.slice(mid, mid + 20).reduce((x, y) => x + y, 0) / 20;
    expect(during).toBeGreaterThan(3.3 * 100);
    expect(during).toBeLessThan(4.5 * 100);
  });

  it('the calls behind a bar are the calls with that many attempts, each attempt named', () => {
    const { run } = runPreset('retry-amplification');
    const a = attemptsSummary(run);
    for (const row of a.rows) {
      const picked = callsFor(run, { kind: 'attempts', attempts: row.attempts }, 3);
      expect(picked.total).toBe(row.calls);
      for (const c of picked.calls) {
        expect(c.attempts.map((x) => x.attempt)).toEqual(Array.from({ length: row.attempts }, (_, i) => i + 1));
        // attempts before the last failed; the call ends with its last attempt's outcome
        for (const x of c.attempts.slice(0, -1)) expect(x.outcome).toBe('error');
        expect(c.end!.ok).toBe(c.attempts[c.attempts.length - 1].outcome === 'ok');
      }
    }
    const failed = callsFor(run, { kind: 'attempts', attempts: 4 }, 1).calls[0];
    expect(describeAttempt(failed.attempts[0], fmtMs)).toMatch(/^request \d+ at .+: error$/);
  });
});

describe('budgets', () => {
  it('AWS: 500 tokens at most, 5 per retry; the outage empties the quota and later retries are refused', () => {
    const { run, config } = runPreset('retry-budget-aws');
    const b = budgetSeries(run, config)!;
    expect(b.kind).toBe('aws');
    expect(b.max).toBe(500);
    expect(Math.max(...b.tokens)).toBeLessThanOrEqual(500);
    expect(Math.min(...b.tokens)).toBeLessThan(5);
    expect(run.metrics.retries).toBe(100); // 500 / 5
    const denied = callsFor(run, { kind: 'budget' }, 2);
    expect(denied.total).toBe(run.metrics.budgetDenied);
    expect(failureCounters(run).budget).toBe(run.metrics.budgetDenied);
    // the load stays near 1×: far fewer attempts than the retry-amplification preset
    expect(attemptsSummary(run).amplification).toBeLessThan(1.2);
  });

  it('gRPC: retries stop at half the tokens (10 → 5) and the tokens never leave [0, 10]', () => {
    const { run, config } = runPreset('retry-budget-grpc');
    const b = budgetSeries(run, config)!;
    expect(b).toMatchObject({ kind: 'grpc', max: 10, floor: 5 });
    for (const v of b.tokens) expect(v >= 0 && v <= 10).toBe(true);
    expect(Math.min(...b.tokens)).toBeLessThanOrEqual(5);
    expect(run.metrics.retries).toBeLessThan(20);
  });

  it('no budget, no token line', () => {
    const { run, config } = runPreset('retry-amplification');
    expect(budgetSeries(run, config)).toBeNull();
  });
});

describe('breakers', () => {
  it('the strip covers the run without gaps, neighbours differ, and it names each state change', () => {
    for (const id of ['breaker-resilience4j', 'breaker-polly']) {
      const { run, config } = runPreset(id);
      const strip = breakerStrip(run, config)!;
      expect(strip[0].from).toBe(0);
      expect(strip[strip.length - 1].to).toBe(run.metrics.elapsed);
      for (let i = 1; i < strip.length; i++) {
        expect(strip[i].from).toBe(strip[i - 1].to);
        expect(strip[i].state).not.toBe(strip[i - 1].state);
      }
      expect(strip.map((x) => x.state)).toContain('open');
    }
  });

  it('resilience4j stays open its 60 s; Polly breaks for 5 s and probes again', () => {
    const r4j = runPreset('breaker-resilience4j');
    const s1 = breakerStrip(r4j.run, r4j.config)!;
    const open1 = s1.find((x) => x.state === 'open')!;
    expect(open1.to - open1.from).toBeGreaterThanOrEqual(RESILIENCE4J_DEFAULTS.openMs);
    expect(open1.to - open1.from).toBeLessThan(RESILIENCE4J_DEFAULTS.openMs + 100);
    const polly = runPreset('breaker-polly');
    const s2 = breakerStrip(polly.run, polly.config)!;
    const opens = s2.filter((x) => x.state === 'open');
    expect(opens.length).toBeGreaterThanOrEqual(2); // the first probe falls inside the outage
    for (const o of opens) expect(o.to - o.from).toBeGreaterThanOrEqual(POLLY_DEFAULTS.breakMs);
    expect(s2[s2.length - 1].state).toBe('closed');
    const times = breakerTimes(s2);
    expect(times.closed + times.open + times['half-open']).toBeCloseTo(polly.run.metrics.elapsed, 6);
    // the calls refused while open are listed with their refused attempt
    const sc = callsFor(polly.run, { kind: 'short-circuit' }, 3);
    expect(sc.total).toBe(polly.run.metrics.shortCircuited);
    for (const c of sc.calls) expect(c.attempts[0]).toMatchObject({ req: null, outcome: 'short-circuited' });
  });

  it('no breaker, no strip', () => {
    const { run, config } = runPreset('retry-amplification');
    expect(breakerStrip(run, config)).toBeNull();
  });
});

describe('duplicates and dead letters', () => {
  it('without keys a timed-out attempt whose work finished charges again; with keys it is deduplicated', () => {
    const off = runPreset('duplicates-no-keys');
    const on = runPreset('duplicates-keys');
    expect(off.run.metrics.duplicates).toBeGreaterThan(100);
    expect(on.run.metrics.duplicates).toBe(0);
    // The same runs otherwise: keys change only what the side effect does.
    expect(on.run.metrics.deduplicated).toBe(off.run.metrics.duplicates);
    const d = callsFor(off.run, { kind: 'duplicate' }, 4);
    const all = callsFor(off.run, { kind: 'duplicate' }, 1e9).calls;
    expect(all.reduce((x, c) => x + c.duplicates, 0)).toBe(off.run.metrics.duplicates);
    expect(d.calls.length).toBe(4);
    for (const c of d.calls) {
      expect(c.attempts.length).toBeGreaterThanOrEqual(2);
      expect(c.attempts.some((a) => a.outcome === 'timed-out' && a.late)).toBe(true);
    }
    expect(callsFor(on.run, { kind: 'deduplicated' }).total).toBeGreaterThan(100);
    expect(callsFor(on.run, { kind: 'duplicate' }).total).toBe(0);
  });

  it('a call that fails all its attempts is a dead letter, with every attempt listed', () => {
    const { run } = runPreset('dead-letters');
    expect(run.metrics.deadLetters).toBe(run.metrics.failedCalls);
    const dl = callsFor(run, { kind: 'dead-letter' }, 3);
    expect(dl.total).toBe(run.metrics.deadLetters);
    expect(dl.total).toBeGreaterThan(20);
    for (const c of dl.calls) {
      expect(c.end).toMatchObject({ ok: false, reason: 'attempts', deadLetter: true });
      expect(c.attempts.map((a) => a.outcome)).toEqual(['error', 'error', 'error']);
    }
  });
});

describe('timeouts against the p99', () => {
  it('a timeout over the p99 retries almost nothing; a tight one retries a fifth of the calls', () => {
    const wide = runPreset('timeout-p99');
    // 50% to 100% over the run's p99
    expect(wide.s.timeout).toBeGreaterThan(1.5 * wide.run.metrics.p99);
    expect(wide.s.timeout).toBeLessThan(2 * wide.run.metrics.p99);
    expect(attemptsSummary(wide.run).amplification).toBeLessThan(1.01);
    const tight = runPreset('timeout-p99', { timeout: 30 });
    expect(attemptsSummary(tight.run).amplification).toBeGreaterThan(1.15);
  });
});

describe('the Backoff experiment (Brooker 2015)', () => {
  const r = backoffExperiment({ base: 5, cap: 2000, seed: 1, clients: [1, 20, 50], runs: 4 });
  const at = (s: string) => r.strategies.indexOf(s as never);
  it('one client writes once, whatever the strategy', () => {
    for (let s = 0; s < r.strategies.length; s++) expect(r.calls[s][0]).toBe(1);
  });
  it('jitter makes fewer calls than no jitter, and finishes far sooner than exponential backoff alone', () => {
    const i = 2; // 50 clients
    expect(r.calls[at('full')][i]).toBeLessThan(0.7 * r.calls[at('exponential')][i]);
    expect(r.calls[at('full')][i]).toBeLessThan(0.7 * r.calls[at('none')][i]);
    expect(r.completion[at('full')][i]).toBeLessThan(0.3 * r.completion[at('exponential')][i]);
    expect(r.completion[at('decorrelated')][i]).toBeLessThan(0.3 * r.completion[at('exponential')][i]);
  });
  it('stops when asked, leaving later points empty', () => {
    const part = backoffExperiment({ base: 5, cap: 2000, seed: 1, clients: [1, 20], runs: 1 }, (done) => done < 3);
    expect(part.complete).toBe(false);
    expect(part.done).toBe(3);
    expect(part.calls.flat().filter(Number.isNaN).length).toBe(2 * 5 - 3);
  });
});

describe('settings', () => {
  it('the failure settings go into links and come back', async () => {
    const s = { ...presetSettings('retry-amplification'), strategy: 'decorrelated' as const, cap: 900, budget: 'grpc' as const, breaker: 'polly' as const, keys: true };
    const fields = queueingModel.url.encode(s, presetSettings('retry-amplification')) as Record<string, string | number | boolean>;
    const back = await readLink(queueingModel, '?' + writeNamespace(new URLSearchParams(), 'q', fields).toString(), 'q', presetSettings('knee-80'), false);
    expect(back.settings).toEqual(s);
    expect(back.clampNotes).toEqual([]);
  });

  it('an error share over 100% or a negative cap is pulled back, with a note', () => {
    const { settings, notes } = clampSettings({ ...presetSettings('retry-amplification'), faultSize: 250, cap: -5 });
    expect(settings.faultSize).toBe(100);
    expect(settings.cap).toBe(0);
    expect(notes.join(' ')).toMatch(/Share of requests failing/);
    expect(notes.join(' ')).toMatch(/Largest wait/);
  });

  it('the engine config carries the policies the settings name', () => {
    const c = toConfig({ ...presetSettings('retry-amplification'), strategy: 'equal', backoff: 30, cap: 700, budget: 'aws', breaker: 'resilience4j', keys: true });
    expect(c.clients.retry).toMatchObject({ attempts: 4, strategy: 'equal', base: 30, cap: 700, budget: { kind: 'aws' } });
    expect(c.clients.breaker).toEqual({ kind: 'resilience4j' });
    expect(c.clients.idempotencyKeys).toBe(true);
    expect(c.faults).toEqual([{ kind: 'errors', at: 2000, duration: 3000, share: 1 }]);
    expect(toConfig({ ...presetSettings('retry-amplification'), strategy: 'none' }).clients.retry).toBeUndefined();
  });

  it('every lesson-9 preset runs in well under the page budget', () => {
    for (const id of ['retry-amplification', 'retry-immediate-storm', 'backoff-jitter', 'retry-budget-aws', 'retry-budget-grpc', 'breaker-resilience4j', 'breaker-polly', 'timeout-p99', 'duplicates-no-keys', 'duplicates-keys', 'dead-letters']) {
      const s = presetSettings(id);
      expect(clampSettings(s).notes).toEqual([]);
      const r = runSettings(s);
      expect(r.run.truncated).toBe(false);
    }
  });
});

describe('the Backoff experiment in the lab\'s Worker', () => {
  it('the Worker\'s engine tells the experiment from a sweep, reports progress and stops on its budget', () => {
    const seen: unknown[] = [];
    const done = runQueueingJob({ experiment: { base: 5, cap: 2000, seed: 2, clients: [1, 10], runs: 1 } }, { wallMs: 1000, shouldStop: () => false, progress: (p) => seen.push(p) });
    expect('strategies' in done && done.complete).toBe(true);
    expect(seen).toHaveLength(10);
    expect(seen[9]).toEqual({ done: 10, total: 10 });
    let n = 0;
    const stopped = runQueueingJob({ experiment: { base: 5, cap: 2000, seed: 2, clients: [1, 10], runs: 1 } }, { wallMs: 1, shouldStop: () => ++n > 2, progress: () => {} });
    expect(stopped.complete).toBe(false);
    expect(stopped.error).toMatch(/Stopped after .* with 3 of the points done/);
  });
});
