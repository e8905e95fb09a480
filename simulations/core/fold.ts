/**
 * State at step i: how every lab implements step back and scrubbing.
 *
 * A lab's state is a left fold of its trace: start from `init()`, `apply` each event in order.
 * Step i means "after applying events 0..i-1": `at(0)` is the initial state and
 * `at(trace.length)` the state after the last recorded event.
 *
 * Replaying from the start on every scrub would be O(i). Instead the fold keeps a snapshot of the
 * state every `every` events (default 256): snapshot k is the state at step k * every. `at(i)`
 * clones the nearest snapshot at or before i and applies at most `every - 1` events, so it costs
 * O(every) applies plus one clone, wherever i is.
 *
 * Snapshots are built lazily, forward from the last one built, the first time a step beyond them
 * is asked for (`eager: true` builds them all up front). Memory is one state per `every` events:
 * keep states small (counts and indices into precomputed arrays rather than growing lists) when
 * traces are long. See simulations/scheduler/fold.ts for that pattern.
 *
 * Contract for the three functions:
 * - `init()` returns a fresh initial state;
 * - `apply(state, event, index)` mutates `state` in place (it may ignore `index`);
 * - `clone(state)` returns a copy that later `apply` calls on either copy cannot affect.
 * `at(i)` returns a fresh clone each call: the caller may keep or mutate it.
 */

export interface FoldOps<E, S> {
  init: () => S;
  apply: (state: S, event: E, index: number) => void;
  clone: (state: S) => S;
}

export interface FoldOptions {
  /** Snapshot interval in events. Default 256. */
  every?: number;
  /** Build every snapshot now instead of on demand. Default false. */
  eager?: boolean;
}

export interface Fold<S> {
  /** Number of steps after the initial state: the trace length. Valid steps are 0..length. */
  readonly length: number;
  /** The snapshot interval in use. */
  readonly every: number;
  /**
   * State after applying events 0..i-1. `i` is rounded down and clamped to [0, length], so a
   * scrubber can pass any number. Returns a fresh copy.
   */
  at(i: number): S;
  /** Snapshots built so far (for tests and memory budgeting). */
  snapshotCount(): number;
}

export const DEFAULT_FOLD_EVERY = 256;

export function createFold<E, S>(trace: readonly E[], ops: FoldOps<E, S>, options: FoldOptions = {}): Fold<S> {
  const every = options.every ?? DEFAULT_FOLD_EVERY;
  if (!Number.isInteger(every) || every < 1) throw new Error(`Fold: every must be a whole number >= 1, got ${every}.`);
  const n = trace.length;
  // snapshots[k] is the state at step k * every.
  const snapshots: S[] = [ops.init()];
  // Working state advanced past the last snapshot, to extend the list without re-cloning it.
  let frontier: S = ops.clone(snapshots[0]);
  let frontierStep = 0;

  function buildUpTo(k: number): void {
    while (snapshots.length <= k) {
      const target = snapshots.length * every;
      while (frontierStep < target) {
        ops.apply(frontier, trace[frontierStep], frontierStep);
        frontierStep++;
      }
      snapshots.push(ops.clone(frontier));
    }
  }

  const lastK = Math.floor(n / every);
  if (options.eager) buildUpTo(lastK);

  return {
    length: n,
    every,
    at(i: number): S {
      let step = Number.isFinite(i) ? Math.floor(i) : i > 0 ? n : 0;
      if (step < 0) step = 0;
      if (step > n) step = n;
      const k = Math.floor(step / every);
      buildUpTo(k);
      const s = ops.clone(snapshots[k]);
      for (let j = k * every; j < step; j++) ops.apply(s, trace[j], j);
      return s;
    },
    snapshotCount: () => snapshots.length,
  };
}

/** Folds a whole trace from scratch (reference implementation and convenience for small traces). */
export function foldAll<E, S>(trace: readonly E[], ops: Pick<FoldOps<E, S>, 'init' | 'apply'>, upTo = trace.length): S {
  const s = ops.init();
  const end = Math.min(upTo, trace.length);
  for (let j = 0; j < end; j++) ops.apply(s, trace[j], j);
  return s;
}
