/**
 * Percentiles without sorting: the same definition as core/stats `percentileSorted` (linear
 * interpolation between closest ranks, numpy's default), found by quickselect in O(n) on average.
 * `percentilesInPlace` reorders a[lo, hi) (it is only a scratch copy of latencies here).
 */

/** Moves the k-th smallest of a[lo, hi) (k absolute) to a[k], smaller ones before, larger after. */
function select(a: Float64Array, lo: number, hi: number, k: number): void {
  let l = lo;
  let r = hi - 1;
  while (r > l) {
    // median of three as the pivot
    const m = (l + r) >>> 1;
    let x = a[l];
    let y = a[m];
    let z = a[r];
    if (x > y) [x, y] = [y, x];
    if (y > z) [y, z] = [z, y];
    if (x > y) [x, y] = [y, x];
    const pivot = y;
    let i = l;
    let j = r;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const tmp = a[i];
        a[i] = a[j];
        a[j] = tmp;
        i++;
        j--;
      }
    }
    if (k <= j) r = j;
    else if (k >= i) l = i;
    else return;
  }
}

/**
 * Percentiles `ps` (ascending, 0..100) of a[lo, hi), reordering that stretch. NaN each when empty.
 */
export function percentilesInPlace(a: Float64Array, lo: number, hi: number, ps: readonly number[]): number[] {
  const n = hi - lo;
  const out: number[] = [];
  if (n <= 0) return ps.map(() => NaN);
  let from = lo;
  for (const p of ps) {
    const h = ((n - 1) * p) / 100;
    const k = lo + Math.floor(h);
    select(a, from, hi, k);
    let v = a[k];
    const frac = h - Math.floor(h);
    if (frac > 0 && k + 1 < hi) {
      let next = Infinity;
      for (let i = k + 1; i < hi; i++) if (a[i] < next) next = a[i];
      v = v + frac * (next - v);
    }
    out.push(v);
    from = k;
  }
  return out;
}
