/**
 * An exhaustive search cut into parts that can run apart (one per Worker, several at once) and
 * merge into exactly what one depth-first search of the whole tree reports: the same counts, the
 * same histogram (in the same order, each final state with the same first schedule), the same
 * counterexample and first hit, and under a schedule cap the same first N schedules.
 *
 * - `splitTree` expands the tree breadth-first from the root until it has enough nodes, keeping
 *   them in depth-first order. Each node is a part: the subtree under its prefix of choices (a
 *   node where the run has ended is a part of one schedule).
 * - `explorePart` searches one part: the system started at the part's prefix (`rooted`), so its
 *   schedules are the whole tree's schedules under that prefix, in the whole search's order.
 * - `mergeParts` adds the parts up in depth-first order, putting each prefix back in front.
 * - `runParts` runs parts a few at a time through a caller's `run` (a Worker job in the lab),
 *   hands them out in order, and keeps a cap exact: the part that crosses it is searched again
 *   with what is left of the cap, and later parts are dropped.
 */
import { Explorer, runExplorer, type ExploreOptions, type ExploreResult, type OutcomeCount, type Schedule, type System } from './explore';
import { Rng, type Seed } from '../core/rng';

export interface Part<C = number> {
  prefix: C[];
  /** The share of the tree's leaves under it if every branch were the same size: the product of
   * 1/(choices) along the prefix (for a progress bar). */
  share: number;
}

export interface Split<C = number> {
  parts: Part<C>[];
  /** The widest choice set met while splitting (the merged `actors` must count it). */
  widest: number;
}

/** The system started at `prefix` (each schedule of the part replays it first). */
export function rooted<S, C>(sys: System<S, C>, prefix: readonly C[]): System<S, C> {
  return {
    ...sys,
    start: () => {
      let s = sys.start();
      for (const c of prefix) s = sys.step(s, c);
      return s;
    },
  };
}

/**
 * Breadth-first from the root, in depth-first order, until there are at least `want` parts (or
 * no node can be expanded, or `maxDepth` levels).
 */
export function splitTree<S, C>(sys: System<S, C>, want: number, maxDepth = 8): Split<C> {
  let level: (Part<C> & { open: boolean })[] = [{ prefix: [], share: 1, open: true }];
  let widest = 0;
  for (let d = 0; d < maxDepth && level.length < want && level.some((n) => n.open); d++) {
    const next: typeof level = [];
    for (const node of level) {
      if (!node.open) {
        next.push(node);
        continue;
      }
      let s = sys.start();
      for (const c of node.prefix) s = sys.step(s, c);
      const options = sys.status(s) === 'running' ? sys.enabled(s) : [];
      if (options.length === 0) {
        next.push({ ...node, open: false });
        continue;
      }
      widest = Math.max(widest, options.length);
      for (const c of options) next.push({ prefix: [...node.prefix, c], share: node.share / options.length, open: true });
    }
    level = next;
  }
  return { parts: level.map(({ prefix, share }) => ({ prefix, share })), widest };
}

/**
 * Knuth's estimator of a tree's size (Knuth 1975, "Estimating the efficiency of backtrack
 * programs"): walk from the root taking a random choice at each node; the product of the numbers
 * of choices met is an unbiased estimate of the number of leaves (schedules). The mean of `walks`
 * such walks, each one run (plus one per choice that leaves the natural order, on a replaying
 * system). Used to decide whether a search is worth several Workers, and into how many parts.
 */
export function estimateLeaves<S, C>(sys: System<S, C>, walks: number, seed: Seed = 'estimate', maxSteps = 10_000): number {
  const rng = new Rng(seed);
  let sum = 0;
  for (let w = 0; w < walks; w++) {
    let s = sys.start();
    let product = 1;
    for (let d = 0; d < maxSteps && sys.status(s) === 'running'; d++) {
      const options = sys.enabled(s);
      if (options.length === 0) break;
      product *= options.length;
      s = sys.step(s, options[rng.int(0, options.length - 1)]);
    }
    sum += product;
  }
  return sum / walks;
}

/** One part's search: its result (choices relative to the prefix) and its final states in the
 * order they were first reached. */
export interface PartResult<C = number> {
  prefix: C[];
  result: ExploreResult<C>;
  order: OutcomeCount<C>[];
}

export function explorePart<S, C>(
  sys: System<S, C>,
  prefix: C[],
  options: Pick<ExploreOptions, 'maxSchedules' | 'maxSteps' | 'signal' | 'onProgress' | 'progressEvery'> = {},
): PartResult<C> {
  const ex = runExplorer(new Explorer(rooted(sys, prefix), { ...options, maxSteps: Math.max(1, (options.maxSteps ?? 10_000) - prefix.length) }), options);
  return { prefix, result: ex.result(), order: ex.outcomesInOrder() };
}

/** The parts' results, in depth-first order, as one search's result. */
export function mergeParts<C>(parts: readonly PartResult<C>[], widest = 0): ExploreResult<C> {
  const hist = new Map<string, OutcomeCount<C>>();
  let schedules = 0;
  let failing = 0;
  let deadlocks = 0;
  let passing = 0;
  let cut = 0;
  let steps = 0;
  let actors = widest;
  let longest = 0;
  let firstHitAt: number | undefined;
  let counterexample: Schedule<C> | undefined;
  let exhaustive = true;
  let stopped = false;
  for (const { prefix, result: r, order } of parts) {
    if (firstHitAt === undefined && r.firstHitAt !== undefined) firstHitAt = schedules + r.firstHitAt;
    schedules += r.explored;
    failing += r.failing;
    deadlocks += r.deadlocks;
    passing += r.passing;
    cut += r.cut;
    steps += r.steps;
    actors = Math.max(actors, r.actors);
    if (r.explored > 0) longest = Math.max(longest, prefix.length + r.longest);
    exhaustive &&= r.exhaustive;
    stopped ||= r.stopped;
    const ce = r.counterexample;
    if (ce && (counterexample === undefined || prefix.length + ce.steps < counterexample.steps)) {
      counterexample = { choices: [...prefix, ...ce.choices], end: ce.end, outcome: ce.outcome, steps: prefix.length + ce.steps };
    }
    for (const h of order) {
      const key = h.end + '\u0000' + h.outcome;
      const had = hist.get(key);
      if (had) had.count += h.count;
      else hist.set(key, { end: h.end, outcome: h.outcome, count: h.count, example: [...prefix, ...h.example] });
    }
  }
  const out: ExploreResult<C> = {
    strategy: 'exhaustive',
    schedules,
    explored: schedules,
    reduction: 'none',
    pruned: 0,
    distinct: schedules,
    failing,
    deadlocks,
    passing,
    cut,
    exhaustive: exhaustive && cut === 0 && !stopped,
    stopped,
    histogram: [...hist.values()].sort((a, b) => b.count - a.count),
    steps,
    actors,
    longest,
  };
  if (counterexample) out.counterexample = counterexample;
  if (firstHitAt !== undefined) out.firstHitAt = firstHitAt;
  return out;
}

export interface PartsProgress {
  schedules: number;
  failing: number;
  deadlocks: number;
  fraction: number;
}

/**
 * Runs `split`'s parts through `run` (at most `concurrency` at once, handed out in order) and
 * merges them (the result, and the parts it is made of). With a cap: the parts are taken in order
 * until one would pass it; that one is run again with the rest of the cap (so the result holds
 * the search's first `cap` schedules, as one search would), the parts still running are aborted
 * (their `signal`) and the later ones dropped. `signal`: no new part starts; the result holds the
 * parts finished in order before the first unfinished one, and is marked stopped.
 */
export async function runParts<C, R extends PartResult<C> = PartResult<C>>(
  split: Split<C>,
  run: (part: Part<C>, cap: number, signal: AbortSignal) => Promise<R>,
  options: { cap: number; concurrency: number; signal?: { readonly aborted: boolean }; onProgress?: (p: PartsProgress) => void },
): Promise<{ result: ExploreResult<C>; parts: R[] }> {
  const { parts } = split;
  const results: (R | undefined)[] = new Array(parts.length);
  let nextPart = 0;
  /** Parts [0, committed) are merged in order; `total` is their schedule count. */
  let committed = 0;
  let total = 0;
  let capped = false;
  const running = new Set<AbortController>();
  const launch = (i: number, cap: number): Promise<R> => {
    const ac = new AbortController();
    running.add(ac);
    return run(parts[i], cap, ac.signal).finally(() => running.delete(ac));
  };
  const report = (): void => {
    if (!options.onProgress) return;
    let schedules = 0;
    let failing = 0;
    let deadlocks = 0;
    let fraction = 0;
    results.forEach((r, i) => {
      if (!r) return;
      schedules += r.result.explored;
      failing += r.result.failing;
      deadlocks += r.result.deadlocks;
      fraction += parts[i].share;
    });
    options.onProgress({ schedules, failing, deadlocks, fraction: Math.min(1, fraction) });
  };
  /** One of `concurrency` lanes: takes the next part while there is one. */
  const lane = async (): Promise<void> => {
    while (!capped && !options.signal?.aborted && nextPart < parts.length) {
      const i = nextPart++;
      let r: R;
      try {
        r = await launch(i, options.cap);
      } catch (e) {
        if (capped) return; // aborted: the cap was reached by the parts before it
        throw e;
      }
      results[i] = r;
      report();
      // Commit the finished parts in order, while the cap allows.
      while (!capped && committed < parts.length && results[committed]) {
        if (total >= options.cap) {
          capped = true;
          break;
        }
        const c = results[committed]!;
        if (total + c.result.explored > options.cap) {
          // This part passes the cap: the parts still running are of no use; search this one
          // again with what is left of the cap.
          capped = true;
          for (const ac of running) ac.abort();
          results[committed] = await launch(committed, options.cap - total);
          total += results[committed]!.result.explored;
          committed++;
          break;
        }
        total += c.result.explored;
        committed++;
      }
      if (capped) for (const ac of running) ac.abort();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, parts.length)) }, lane));
  const done = results.slice(0, committed) as R[];
  const merged = mergeParts(done, split.widest);
  // Capped (one search stops once it has `cap` schedules, even if that was the last one) or
  // stopped before the end: not the whole tree.
  if (capped || total >= options.cap) merged.exhaustive = false;
  else if (committed < parts.length) {
    merged.exhaustive = false;
    merged.stopped = true;
  }
  return { result: merged, parts: done };
}
