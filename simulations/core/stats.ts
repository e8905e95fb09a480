/**
 * Small descriptive statistics used by engines for metrics, and by widgets for measured results.
 *
 * Percentile definition (one, used everywhere on the site): d3-array's `quantileSorted`, linear
 * interpolation between closest ranks, the default of numpy.percentile and R's type 7. For sorted
 * values x[0..n-1] and p in [0, 100]:
 *   h = (n - 1) * p / 100,  percentile = x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)])
 * so p = 0 is the minimum, p = 100 the maximum, p = 50 the usual median.
 * Empty input gives NaN. (The exercises' own runtime, content/exercises/_runtime/stats.js, runs in
 * the learner's sandbox without the site's packages and reports nearest-rank percentiles, as its
 * README documents.)
 */
import { quantileSorted } from 'd3-array';

function isSortedAscending(values: ArrayLike<number>): boolean {
  for (let i = 1; i < values.length; i++) if (values[i - 1] > values[i]) return false;
  return true;
}

function sortedCopy(values: ArrayLike<number>): Float64Array {
  const a = Float64Array.from(values as ArrayLike<number>);
  a.sort();
  return a;
}

/** Percentile `p` (0..100) of values already sorted ascending; see the module comment. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  if (!(p >= 0 && p <= 100)) throw new Error(`percentile: p must be between 0 and 100, got ${p}.`);
  // d3 reads only length and indices, so typed arrays work; its types ask for an Array
  return quantileSorted(sorted as unknown as number[], p / 100) ?? NaN;
}

/**
 * Percentile `p` (0..100) of values in any order (sorted input is detected and not copied).
 * Linear interpolation between closest ranks (numpy's default). NaN for empty input.
 */
export function percentile(values: ArrayLike<number>, p: number): number {
  return percentileSorted(isSortedAscending(values) ? values : sortedCopy(values), p);
}

export interface Summary {
  count: number;
  mean: number;
  min: number;
  max: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Count, mean, min, max and the 50th/95th/99th percentiles. All but `count` are NaN when empty. */
export function summary(values: ArrayLike<number>): Summary {
  const n = values.length;
  if (n === 0) return { count: 0, mean: NaN, min: NaN, max: NaN, p50: NaN, p95: NaN, p99: NaN };
  const sorted = isSortedAscending(values) ? values : sortedCopy(values);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  return {
    count: n,
    mean: sum / n,
    min: sorted[0],
    max: sorted[n - 1],
    p50: percentileSorted(sorted, 50),
    p95: percentileSorted(sorted, 95),
    p99: percentileSorted(sorted, 99),
  };
}

export interface Bin {
  /** Lower edge, included. */
  x0: number;
  /** Upper edge, excluded except for the last bin, which includes it. */
  x1: number;
  count: number;
}

/**
 * Equal-width histogram. `bins` is the number of bins (>= 1). The range is [min, max] of the
 * values unless `domain` is given; values outside a given domain are not counted. When all values
 * are equal (zero-width range) there is one bin [v, v] holding them all. Empty input gives [].
 */
export function histogram(values: ArrayLike<number>, bins: number, domain?: [number, number]): Bin[] {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`histogram: bins must be a whole number >= 1, got ${bins}.`);
  const n = values.length;
  if (n === 0) return [];
  let lo: number;
  let hi: number;
  if (domain) {
    [lo, hi] = domain;
  } else {
    lo = Infinity;
    hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!(hi >= lo)) throw new Error(`histogram: domain [${lo}, ${hi}] is empty.`);
  if (hi === lo) {
    let count = 0;
    for (let i = 0; i < n; i++) if (values[i] === lo) count++;
    return [{ x0: lo, x1: hi, count }];
  }
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!(v >= lo && v <= hi)) continue;
    let b = Math.floor((v - lo) / width);
    if (b >= bins) b = bins - 1;
    counts[b]++;
  }
  const out: Bin[] = [];
  for (let b = 0; b < bins; b++) {
    out.push({ x0: lo + b * width, x1: b === bins - 1 ? hi : lo + (b + 1) * width, count: counts[b] });
  }
  return out;
}

/** Arithmetic mean; NaN when empty. */
export function mean(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return NaN;
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i];
  return s / n;
}
