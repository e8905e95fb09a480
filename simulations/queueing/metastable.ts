/**
 * Metastable failure (Bronson et al. 2021): a trigger pushes the system into a bad state that
 * sustains itself after the trigger ends. Here the sustaining effect is retries: once waits pass
 * the client timeout, every call becomes `attempts` requests, all of which the servers still
 * serve (no cancellation), so the load stays above capacity with no trigger left.
 *
 * `recovery` reads one run: goodput in the last `window` ms against the rate calls were made.
 * `sweepLoad` runs a config at several base loads and finds the lowest load that stays stuck.
 */
import { simulate } from './simulate';
import type { QueueingConfig, QueueingRun } from './types';

export type Outcome = 'recovered' | 'stuck' | 'between';

export interface Recovery {
  outcome: Outcome;
  /** Good responses per second in the window, over calls per second. */
  goodShare: number;
}

/**
 * The outcome of a run: `recovered` when goodput over the last `window` ms is at least 90% of the
 * call rate, `stuck` below 50%, `between` otherwise. `callRate` is first attempts per second.
 */
export function recovery(run: QueueingRun, callRate: number, window: number): Recovery {
  const s = run.series;
  const end = run.metrics.elapsed;
  let good = 0;
  let span = 0;
  for (let i = 0; i < s.t.length; i++) {
    if (s.t[i] < end - window) continue;
    good += s.goodput[i] * s.bucket;
    span += s.bucket;
  }
  const goodShare = span > 0 ? good / span / callRate : NaN;
  const outcome: Outcome = goodShare >= 0.9 ? 'recovered' : goodShare < 0.5 ? 'stuck' : 'between';
  return { outcome, goodShare };
}

export interface LoadPoint {
  /** Base load: call rate × mean service time / servers. */
  load: number;
  outcome: Outcome;
  goodShare: number;
}

/**
 * Runs `configAt(load)` for each load (ascending) and classifies each with `recovery`; the
 * threshold is the lowest load from which every higher load in the sweep is stuck (NaN if the
 * highest is not stuck).
 */
export function sweepLoad(
  loads: readonly number[],
  configAt: (load: number) => { config: QueueingConfig; callRate: number; window: number },
  seed: number,
): { points: LoadPoint[]; threshold: number } {
  const points: LoadPoint[] = [];
  for (const load of loads) {
    const { config, callRate, window } = configAt(load);
    const r = recovery(simulate(config, seed), callRate, window);
    points.push({ load, ...r });
  }
  let threshold = NaN;
  for (let i = points.length - 1; i >= 0 && points[i].outcome === 'stuck'; i--) threshold = points[i].load;
  return { points, threshold };
}

/**
 * The lab's sweep grid: for each trigger length (rows) and base load (columns), the outcome of
 * `configAt(load, trigger)`. `onCell` reports progress (a Worker can post it and stop early by
 * returning false).
 */
export function sweepGrid(
  loads: readonly number[],
  triggers: readonly number[],
  configAt: (load: number, trigger: number) => { config: QueueingConfig; callRate: number; window: number },
  seed: number,
  onCell?: (done: number, total: number) => boolean | void,
): { loads: number[]; triggers: number[]; cells: Recovery[][]; complete: boolean } {
  const cells: Recovery[][] = [];
  const total = loads.length * triggers.length;
  let done = 0;
  for (const trigger of triggers) {
    const row: Recovery[] = [];
    cells.push(row);
    for (const load of loads) {
      const { config, callRate, window } = configAt(load, trigger);
      row.push(recovery(simulate(config, seed), callRate, window));
      done++;
      if (onCell && onCell(done, total) === false) return { loads: [...loads], triggers: [...triggers], cells, complete: false };
    }
  }
  return { loads: [...loads], triggers: [...triggers], cells, complete: true };
}
