/**
 * Scheduler engine benchmark: simulate() for 10,000 tasks on 16 cores, mixed workload.
 * The figure includes everything simulate does: validation, generating the workload, the
 * recorded run (trace capped at 100k events) and the unrecorded one-core reference run that
 * `speedup` needs. Budget (ARCHITECTURE.md, "Engines"): well under 100 ms.
 *
 * Run it with `npm run bench -- scheduler` (bench/run.mjs bundles bench/scheduler.bench.ts, which
 * calls `benchScheduler`). Prints figures, never fails on timing.
 */
import { simulate } from '#sim/scheduler/simulate';
import type { Policy } from '#sim/scheduler/types';

export interface SchedulerBenchResult {
  name: string;
  /** Median wall time of the timed runs, ms. */
  medianMs: number;
  /** Each timed run, ms, in order. */
  runsMs: number[];
  /** Events recorded in the trace (of the last run) and whether it hit the cap. */
  events: number;
  truncated: boolean;
  budgetMs: number;
}

export const BENCH_CONFIG = { cores: 16, taskCount: 10_000, mix: 'mixed', jitter: 0.3, serialFraction: 0.05, quantum: 10 } as const;

export function benchScheduler(options: { runs?: number; warmup?: number; policies?: Policy[] } = {}): SchedulerBenchResult[] {
  const runs = options.runs ?? 7;
  const warmup = options.warmup ?? 2;
  const policies = options.policies ?? ['timeslice', 'parallel', 'cooperative'];
  return policies.map((policy) => {
    const config = { ...BENCH_CONFIG, policy };
    for (let k = 0; k < warmup; k++) simulate(config, 1000 + k);
    const runsMs: number[] = [];
    let events = 0;
    let truncated = false;
    for (let k = 0; k < runs; k++) {
      const t0 = performance.now();
      const run = simulate(config, k + 1);
      runsMs.push(performance.now() - t0);
      events = run.trace.length;
      truncated = run.truncated;
    }
    const sorted = runsMs.slice().sort((a, b) => a - b);
    const medianMs = sorted.length % 2 ? sorted[sorted.length >> 1] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    return { name: `scheduler simulate: 10,000 tasks, 16 cores, mixed, ${policy}`, medianMs, runsMs, events, truncated, budgetMs: 100 };
  });
}

export function formatSchedulerBench(results: SchedulerBenchResult[]): string {
  return results
    .map(
      (r) =>
        `${r.name}: median ${r.medianMs.toFixed(1)} ms over ${r.runsMs.length} runs ` +
        `(budget ${r.budgetMs} ms${r.medianMs > r.budgetMs ? ', OVER' : ''}; ${r.events} events${r.truncated ? ', trace capped' : ''})`,
    )
    .join('\n');
}
