import { describe, expect, it } from 'vitest';
import { histogram, mean, percentile, summary } from '#sim/core/stats';
import { Rng } from '#sim/core/rng';

/**
 * Independent reference for "linear interpolation between closest ranks" (numpy's default):
 * the value at fractional rank h = (n-1)p/100 of the sorted data.
 */
function refPercentile(values: number[], p: number): number {
  const s = values.slice().sort((a, b) => a - b);
  const h = ((s.length - 1) * p) / 100;
  const below = s[Math.floor(h)];
  const above = s[Math.ceil(h)];
  return below + (h - Math.floor(h)) * (above - below);
}

describe('percentile', () => {
  it('agrees with numpy.percentile on known cases', () => {
    // numpy.percentile([1, 2, 3, 4], [0, 25, 50, 75, 100]) -> 1, 1.75, 2.5, 3.25, 4
    expect([0, 25, 50, 75, 100].map((p) => percentile([4, 1, 3, 2], p))).toEqual([1, 1.75, 2.5, 3.25, 4]);
    // numpy.percentile(range(1, 101), 95) -> 95.05
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 95)).toBeCloseTo(95.05, 10);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('matches a sorted reference on random data, in any input order, without changing the input', () => {
    const r = new Rng(2024);
    for (let trial = 0; trial < 200; trial++) {
      const n = r.int(1, 60);
      const values = Array.from({ length: n }, () => Math.round(r.exponential(10) * 100) / 100);
      const before = values.slice();
      for (const p of [0, 1, 5, 25, 50, 75, 90, 95, 99, 100, r.uniform(0, 100)]) {
        const got = percentile(values, p);
        const want = refPercentile(values, p);
        expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
      }
      expect(values).toEqual(before);
      const sorted = values.slice().sort((a, b) => a - b);
      expect(percentile(sorted, 37)).toBe(percentile(values, 37));
      expect(percentile(values, 0)).toBe(sorted[0]);
      expect(percentile(values, 100)).toBe(sorted[n - 1]);
    }
  });

  it('rejects p outside 0..100', () => {
    expect(() => percentile([1, 2], 101)).toThrow(/between 0 and 100/);
    expect(() => percentile([1, 2], -1)).toThrow();
  });
});

describe('summary', () => {
  it('reports count, mean, extremes and tail percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    const s = summary(values);
    expect(s.count).toBe(100);
    expect(s.mean).toBe(50.5);
    expect(s.min).toBe(1);
    expect(s.max).toBe(100);
    expect(s.p50).toBe(50.5);
    expect(s.p95).toBeCloseTo(95.05, 10);
    expect(s.p99).toBeCloseTo(99.01, 10);
    expect(summary([]).count).toBe(0);
    expect(summary([]).mean).toBeNaN();
    expect(mean([1, 2, 6])).toBe(3);
  });
});

describe('histogram', () => {
  it('splits the range into equal bins that count every value once', () => {
    const values = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const bins = histogram(values, 5);
    expect(bins.map((b) => b.count)).toEqual([2, 2, 2, 2, 3]); // the last bin includes the maximum
    expect(bins[0].x0).toBe(0);
    expect(bins[4].x1).toBe(10);
    expect(bins[1].x0).toBe(2);
  });

  it('counts random data completely and puts each value in the bin whose edges contain it', () => {
    const r = new Rng(8);
    const values = Array.from({ length: 1000 }, () => r.normal(0, 3));
    const bins = histogram(values, 17);
    expect(bins.reduce((s, b) => s + b.count, 0)).toBe(1000);
    for (let k = 0; k < bins.length; k++) {
      const b = bins[k];
      const last = k === bins.length - 1;
      const inside = values.filter((v) => v >= b.x0 && (last ? v <= b.x1 : v < b.x1)).length;
      expect(inside).toBe(b.count);
    }
  });

  it('handles equal values, a fixed domain and empty input', () => {
    expect(histogram([3, 3, 3], 4)).toEqual([{ x0: 3, x1: 3, count: 3 }]);
    const bins = histogram([-5, 0, 1, 2, 50], 2, [0, 2]);
    expect(bins.map((b) => b.count)).toEqual([1, 2]);
    expect(histogram([], 3)).toEqual([]);
    expect(() => histogram([1], 0)).toThrow(/bins/);
  });
});
