/** Summary statistics of a run's request records (times in ms). */

/** Nearest-rank percentile of an ascending array; null when empty. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/**
 * Little's law, L = λW, measured over the middle 80% of a run (from 10% to 90% of the time between
 * the first start and the last end: the ramp-up and the drain at the ends are not steady).
 *
 *   L       time-average number of requests in the system over the window (exact integral of the
 *           in-flight count, from every request's start and end)
 *   lambda  completions per second inside the window
 *   W       mean latency (ms) of the requests completing inside the window
 *
 * L and λW are measured independently: requests that straddle an edge of the window count only
 * in part in L and wholly (or not at all) in λW. They agree when the system is in a steady state
 * over a window long compared with W, and disagree when it is not (an open loop above capacity,
 * whose queue grows without bound, or a run too short to have a steady part).
 */
export function littlesLaw(records) {
  if (records.length < 10) return null;
  let first = Infinity;
  let last = -Infinity;
  for (const r of records) {
    if (r.start < first) first = r.start;
    if (r.end > last) last = r.end;
  }
  const a = first + 0.1 * (last - first);
  const b = last - 0.1 * (last - first);
  const span = b - a;
  if (!(span > 0)) return null;
  let area = 0;
  let completed = 0;
  let latencySum = 0;
  for (const r of records) {
    area += Math.max(0, Math.min(r.end, b) - Math.max(r.start, a));
    if (r.end > a && r.end <= b) {
      completed++;
      latencySum += r.latency;
    }
  }
  if (completed === 0) return null;
  const L = area / span;
  const lambda = (completed / span) * 1000;
  const W = latencySum / completed;
  const lambdaW = (lambda * W) / 1000;
  return { window: [a, b], completed, L, lambda, W, lambdaW, relError: Math.abs(L - lambdaW) / Math.max(L, lambdaW) };
}

const r3 = (x) => (x === null || x === undefined || !Number.isFinite(x) ? x : Math.round(x * 1000) / 1000);

/** Round every number in a plain object tree to 3 decimals (for printing). */
export function roundDeep(value) {
  if (typeof value === 'number') return r3(value);
  if (Array.isArray(value)) return value.map(roundDeep);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, roundDeep(v)]));
  return value;
}

/** The numbers every run reports. */
export function summarize(records) {
  const n = records.length;
  const latencies = records.map((r) => r.latency).sort((a, b) => a - b);
  let firstStart = Infinity;
  let lastEnd = -Infinity;
  for (const r of records) {
    if (r.start < firstStart) firstStart = r.start;
    if (r.end > lastEnd) lastEnd = r.end;
  }
  if (n === 0) firstStart = lastEnd = 0;
  const durationMs = lastEnd - firstStart;
  const ok = records.filter((r) => r.ok).length;
  const sum = latencies.reduce((s, x) => s + x, 0);
  const little = littlesLaw(records);
  return {
    completed: n,
    ok,
    errors: n - ok,
    durationMs,
    throughput: durationMs > 0 ? (n / durationMs) * 1000 : null,
    goodput: durationMs > 0 ? (ok / durationMs) * 1000 : null,
    mean: n ? sum / n : null,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    min: n ? latencies[0] : null,
    max: n ? latencies[n - 1] : null,
    L: little?.L ?? null,
    lambdaW: little?.lambdaW ?? null,
    little,
  };
}
