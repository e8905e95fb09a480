/**
 * Brooker's contention claims on his own setup (5 ms base, 2 s cap, network N(10 ms, 2 ms)), and
 * read-your-writes behind a queue against the M/M/1 formulas.
 */
import { describe, expect, test } from 'vitest';
import { simulateContention, simulateConsistency, type ContentionStrategy } from '#sim/resilience';

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
function blog(clients: number, strategy: ContentionStrategy) {
  const runs = SEEDS.map((seed) => simulateContention({ clients, strategy, baseMs: 5, capMs: 2000, network: { meanMs: 10, sdMs: 2 } }, seed));
  return { calls: mean(runs.map((r) => r.calls)), time: mean(runs.map((r) => r.completionMs)), runs };
}

describe('optimistic concurrency under contention (Brooker 2015)', () => {
  const at100 = Object.fromEntries((['none', 'exponential', 'full', 'equal', 'decorrelated'] as const).map((s) => [s, blog(100, s)]));
  test('every client writes exactly once successfully', () => {
    for (const r of at100.full.runs) {
      expect(r.calls - r.conflicts).toBe(100);
      expect(r.attempts.length).toBe(100);
      expect(r.attempts.every((a) => a >= 1)).toBe(true);
    }
  });
  test('full jitter needs less than half the calls of exponential backoff without jitter (100 clients)', () => {
    expect(at100.full.calls).toBeLessThan(at100.exponential.calls / 2);
    for (let i = 0; i < SEEDS.length; i++) expect(at100.full.runs[i].calls).toBeLessThan(at100.exponential.runs[i].calls / 2);
  });
  test('full and equal jitter make about the same number of calls; equal takes longer', () => {
    expect(Math.abs(at100.equal.calls - at100.full.calls) / at100.full.calls).toBeLessThan(0.1);
    expect(at100.equal.time).toBeGreaterThan(at100.full.time * 1.15);
  });
  test('no backoff at all is the worst for calls; exponential without jitter the slowest', () => {
    expect(at100.none.calls).toBeGreaterThan(at100.exponential.calls);
    for (const s of ['none', 'full', 'equal', 'decorrelated']) expect(at100.exponential.time).toBeGreaterThan(at100[s].time * 5);
  });
  test('the gap grows with the number of clients', () => {
    const r10 = blog(10, 'exponential').calls / blog(10, 'full').calls;
    const r150 = blog(150, 'exponential').calls / blog(150, 'full').calls;
    expect(r150).toBeGreaterThan(r10);
  });
  test('write times: one per call, in order, the last no later than the end', () => {
    const r = at100.equal.runs[0];
    expect(r.writeTimes.length).toBe(r.calls);
    for (let i = 1; i < r.writeTimes.length; i++) expect(r.writeTimes[i]).toBeGreaterThanOrEqual(r.writeTimes[i - 1]);
    expect(r.writeTimes[r.writeTimes.length - 1]).toBeLessThan(r.completionMs);
  });
  test('seeded: the same seed gives the same run', () => {
    const cfg = { clients: 30, strategy: 'decorrelated' as const, baseMs: 5, capMs: 2000, network: { meanMs: 10, sdMs: 2 } };
    expect(simulateContention(cfg, 9)).toEqual(simulateContention(cfg, 9));
  });
});

describe('read-your-writes behind an asynchronous queue', () => {
  // λ = 50 /s, μ = 1 / 10 ms = 100 /s: lag ~ Exp(μ − λ = 0.05 /ms), mean 20 ms.
  const base = { writes: 40_000, ratePerSec: 50, applyMs: 10, readAfterMs: 15 };
  const theta = 0.1 - 0.05;
  test('reading from the replica misses the own write exp(−(μ − λ)·d) of the time', () => {
    const r = simulateConsistency({ ...base, strategy: 'replica' }, 1);
    expect(r.meanLagMs).toBeCloseTo(1 / theta, -0.5);
    expect(r.staleShare).toBeCloseTo(Math.exp(-theta * 15), 1);
    expect(r.staleReads).toBe(r.events.filter((e) => e.readAt < e.appliedAt).length);
    expect(r.writerReads).toBe(0);
  });
  test('reading later helps but never fixes it', () => {
    const late = simulateConsistency({ ...base, readAfterMs: 60, strategy: 'replica' }, 1);
    expect(late.staleShare).toBeCloseTo(Math.exp(-theta * 60), 1);
    expect(late.staleReads).toBeGreaterThan(0);
  });
  test('reading from the writer: never stale, every read on the writer', () => {
    const r = simulateConsistency({ ...base, strategy: 'writer' }, 1);
    expect(r.staleReads).toBe(0);
    expect(r.writerReads).toBe(r.reads);
  });
  test('version tokens: never stale; reads wait E[(lag − d)+] = exp(−θd)/θ; a wait limit falls back to the writer', () => {
    const r = simulateConsistency({ ...base, strategy: 'version' }, 1);
    expect(r.staleReads).toBe(0);
    expect(r.writerReads).toBe(0);
    expect(r.meanWaitMs / (Math.exp(-theta * 15) / theta)).toBeCloseTo(1, 1);
    const capped = simulateConsistency({ ...base, strategy: 'version', maxWaitMs: 10 }, 1);
    expect(capped.staleReads).toBe(0);
    // Falls back when the lag exceeds d + 10: exp(−θ·25) of the reads.
    expect(capped.writerReads / capped.reads).toBeCloseTo(Math.exp(-theta * 25), 1);
    expect(capped.meanWaitMs).toBeLessThan(r.meanWaitMs);
  });
});
