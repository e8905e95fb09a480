/**
 * Read-your-writes behind an asynchronous queue.
 *
 * A user's write is acknowledged as soon as it is accepted (stored by the writer and put on a
 * queue); one worker takes the queue in order and applies each write to the read side (a
 * replica, a search index, a cache) — an M/M/1 queue: Poisson writes at `ratePerSec`, exponential
 * apply times of mean `applyMs`. The user reads back what they wrote `readAfterMs` after the
 * acknowledgement. Strategies:
 *
 * - `replica`: read from the read side. Stale when the write is not applied yet (read-your-writes
 *   broken). For an M/M/1 queue the lag is exponential with rate μ − λ, so the stale share is
 *   exp(−(μ − λ) × readAfterMs).
 * - `writer`: read from the writer, which always has the write: never stale; every read loads
 *   the writer.
 * - `version`: the acknowledgement carries a version token (the write's position in the queue);
 *   the read sends it and the read side answers only once it has applied that version, waiting
 *   up to `maxWaitMs`, then falling back to the writer. Never stale; reads wait instead, mean
 *   E[(lag − readAfterMs)⁺] = exp(−(μ − λ) × readAfterMs) / (μ − λ) without the fallback.
 */
import { Rng, type Seed } from '../core/rng';

export type ConsistencyStrategy = 'replica' | 'writer' | 'version';

export interface ConsistencyConfig {
  writes: number;
  /** Writes per second. */
  ratePerSec: number;
  /** Mean time to apply one write on the read side, ms. */
  applyMs: number;
  /** The user reads this long after the acknowledgement, ms. */
  readAfterMs: number;
  strategy: ConsistencyStrategy;
  /** `version`: longest wait for the read side before reading from the writer (default Infinity). */
  maxWaitMs?: number;
}

export interface ConsistencyEvent {
  write: number;
  /** When the write was acknowledged, applied on the read side, and read back (ms). */
  ackAt: number;
  appliedAt: number;
  readAt: number;
  /** Where the read was served, and whether it missed the user's own write. */
  servedBy: 'replica' | 'writer';
  stale: boolean;
  /** Time the read waited for the read side (`version`), ms. */
  waited: number;
}

export interface ConsistencyResult {
  reads: number;
  staleReads: number;
  staleShare: number;
  /** Reads the writer served (load moved back to it). */
  writerReads: number;
  meanWaitMs: number;
  /** Mean lag between acknowledgement and visibility on the read side, ms. */
  meanLagMs: number;
  events: ConsistencyEvent[];
}

export function simulateConsistency(config: ConsistencyConfig, seed: Seed = 1): ConsistencyResult {
  const { writes, ratePerSec, applyMs, readAfterMs, strategy } = config;
  const maxWait = config.maxWaitMs ?? Infinity;
  if (!(Number.isInteger(writes) && writes >= 1)) throw new Error(`writes must be a whole number ≥ 1, got ${writes}.`);
  if (!(ratePerSec > 0 && applyMs > 0 && readAfterMs >= 0)) throw new Error('ratePerSec and applyMs must be > 0, readAfterMs ≥ 0.');
  const arrRng = new Rng(seed);
  const svcRng = new Rng((new Rng(seed).seed + 0x6a09e667) >>> 0);
  const gap = 1000 / ratePerSec;
  let t = 0;
  let workerFree = 0;
  let stale = 0;
  let writerReads = 0;
  let sumWait = 0;
  let sumLag = 0;
  const events: ConsistencyEvent[] = [];
  for (let w = 0; w < writes; w++) {
    t += arrRng.exponential(gap);
    const ackAt = t;
    // FIFO worker: starts when both the write is queued and the worker is free.
    const appliedAt = Math.max(ackAt, workerFree) + svcRng.exponential(applyMs);
    workerFree = appliedAt;
    sumLag += appliedAt - ackAt;
    const readAt = ackAt + readAfterMs;
    let servedBy: 'replica' | 'writer' = 'replica';
    let isStale = false;
    let waited = 0;
    if (strategy === 'writer') servedBy = 'writer';
    else if (strategy === 'replica') isStale = readAt < appliedAt;
    else if (readAt < appliedAt) {
      if (appliedAt - readAt <= maxWait) waited = appliedAt - readAt;
      else {
        waited = maxWait;
        servedBy = 'writer';
      }
    }
    if (isStale) stale++;
    if (servedBy === 'writer') writerReads++;
    sumWait += waited;
    events.push({ write: w, ackAt, appliedAt, readAt, servedBy, stale: isStale, waited });
  }
  return {
    reads: writes,
    staleReads: stale,
    staleShare: stale / writes,
    writerReads,
    meanWaitMs: sumWait / writes,
    meanLagMs: sumLag / writes,
    events,
  };
}
