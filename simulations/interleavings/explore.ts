/**
 * The interleaving explorer: runs a nondeterministic "system" under every schedule (exhaustive
 * depth-first search over the scheduler's choices), or under sampled schedules (uniform random
 * walk, or PCT), and counts how runs end.
 *
 * A system is anything that, from a start state, offers a set of enabled choices at each step
 * (which thread runs next, which pending I/O completes next) and advances deterministically once
 * a choice is made. Everything else (what a "thread" is, what an operation does) belongs to the
 * system: threads mode (threads.ts) is one; the async mode (learner JavaScript on the event-loop
 * engine, each pending completion a choice) plugs in through the same interface.
 *
 * States need not be copyable: by default the explorer is stateless in the CHESS sense, it
 * re-executes the system from `start()` following a prefix of choices for every schedule
 * (replay). A system whose state can be cloned cheaply may offer `clone`, and the explorer then
 * restarts from a saved state at the branching point instead of from the start.
 *
 * Pure: no clocks, no Math.random (sampling uses the seeded Rng), no DOM.
 */
import { Rng, type Seed } from '../core/rng';

/** How a state stands. `stuck`: not finished, nothing enabled (a deadlock). */
export type Status = 'running' | 'done' | 'failed' | 'stuck';

/** How one explored run ended. `cut`: still running after `maxSteps` steps (a livelock or an
 * unbounded loop); not counted as failing, but it makes an exhaustive search inexhaustive. */
export type RunEnd = 'done' | 'failed' | 'stuck' | 'cut';

export interface System<S, C = number> {
  /** A fresh initial state. Called once per schedule in replay mode, so it must be deterministic. */
  start(): S;
  /** The choices enabled in `s`, in a stable order (the order DFS tries them). Called only while
   * `status(s)` is 'running'. An empty list while running means stuck. */
  enabled(s: S): readonly C[];
  /** Takes one choice (which must be enabled). May mutate `s` and return it, or return a new state. */
  step(s: S, choice: C): S;
  status(s: S): Status;
  /** Optional deep copy; when given, DFS restarts from saved states instead of replaying. */
  clone?(s: S): S;
  /** Optional key of a final state, for the histogram of outcomes (e.g. the shared variables). */
  outcome?(s: S): string;
  /** Optional: which actor (thread, task) a choice belongs to. PCT gives priorities to actors.
   * Default: the choice itself. */
  actor?(s: S, choice: C): number | string;
  /** Optional, enables `reduction: 'sleep-sets'`: true when choices a and b, both enabled in s,
   * commute (taking them in either order reaches the same state) and neither enables or disables
   * the other. The answer must stay valid for a choice while it is not taken (threads mode: a
   * thread's pending operation changes only when that thread runs). */
  independent?(s: S, a: C, b: C): boolean;
}

export type Strategy = 'exhaustive' | 'random' | 'pct';

export interface ExploreProgress {
  /** Complete runs so far (the explored representatives under reduction). */
  schedules: number;
  failing: number;
  deadlocks: number;
  /** Exhaustive mode: an estimate in [0, 1] of the share of the tree covered (by the branch
   * fractions along the current path); sampling modes: schedules / maxSchedules. */
  fraction: number;
}

export interface ExploreOptions {
  strategy?: Strategy;
  /** Exhaustive: stop after this many schedules (then `exhaustive: false`); default 1,000,000.
   * Sampling: how many schedules to sample; default 10,000. */
  maxSchedules?: number;
  seed?: Seed;
  /** PCT bug depth d (>= 1); default 2. */
  depth?: number;
  /** PCT: the k (number of steps) used to place change points; default: the longest run seen so
   * far (1 for the first run, whose change points all fall on step 1). Give it when the longest
   * run is known (e.g. from an exhaustive search) to place change points as the paper does. */
  pctSteps?: number;
  /** A run still going after this many steps ends as 'cut'; default 10,000. */
  maxSteps?: number;
  /** Called every `progressEvery` schedules (default 10,000) and at the end. */
  onProgress?: (p: ExploreProgress) => void;
  progressEvery?: number;
  /** Checked between schedules; when aborted, exploration stops (`stopped: true`). */
  signal?: { readonly aborted: boolean };
  /** Stop at the first failing or stuck schedule (a "find the bug" check). */
  stopAtFirst?: boolean;
  /** Exhaustive only. 'sleep-sets' (Godefroid 1996) skips schedules that differ from an explored
   * one only by swapping adjacent independent steps (needs `System.independent`). It explores one
   * schedule per class of equivalent orders (plus pruned partial runs, counted in `pruned`), and
   * keeps every verdict: whether some schedule fails, whether some deadlocks, and the set of
   * final states of finished and stuck runs. Counts then count explored representatives, not all
   * schedules (`schedules` is then null), and the counterexample is the shortest explored one. */
  reduction?: 'none' | 'sleep-sets';
}

/** A schedule: the choices in order, and how it ends. Replay with `replay(system, choices)`. */
export interface Schedule<C = number> {
  choices: C[];
  end: RunEnd;
  outcome: string;
  /** Number of steps (= choices.length). */
  steps: number;
}

export interface OutcomeCount<C = number> {
  end: RunEnd;
  outcome: string;
  count: number;
  /** The first schedule found with this outcome. */
  example: C[];
}

export interface ExploreResult<C = number> {
  strategy: Strategy;
  /** Runs performed. Exhaustive: distinct schedules (each a distinct choice sequence), the plain
   * count. Sampling: samples drawn (may repeat a schedule). Null under reduction (the plain count
   * is not computed; see `explored`). */
  schedules: number | null;
  /** Complete runs the search executed: equals `schedules` without reduction; under reduction,
   * the representatives explored. `failing`, `deadlocks`, `passing`, `cut` and the histogram
   * count these runs. */
  explored: number;
  reduction: 'none' | 'sleep-sets';
  /** Under reduction: partial runs abandoned because every enabled choice was asleep. */
  pruned: number;
  /** Sampling modes: how many distinct choice sequences were drawn (exhaustive: = schedules). */
  distinct: number;
  failing: number;
  deadlocks: number;
  /** Runs ending 'done' without a failure. */
  passing: number;
  /** Runs cut at maxSteps. */
  cut: number;
  /** True only for an exhaustive search that finished the whole tree with no run cut. */
  exhaustive: boolean;
  /** True when stopped by the signal or by stopAtFirst. */
  stopped: boolean;
  /** The shortest failing or stuck schedule found (by steps; the first found among equals). */
  counterexample?: Schedule<C>;
  /** 1-based index of the first failing-or-stuck schedule (its hit time), if any. */
  firstHitAt?: number;
  /** Final states, most frequent first. */
  histogram: OutcomeCount<C>[];
  /** Total steps executed, including replayed prefixes (the cost). */
  steps: number;
  /** PCT's n and k: sampling modes, the most distinct actors seen in one run (exhaustive: the
   * widest set of enabled choices seen); the longest run in steps. */
  actors: number;
  longest: number;
  /** PCT only: d, and the guaranteed per-run probability bound 1/(n·k^(d-1)) for n = `actors`,
   * k = `longest`. */
  depth?: number;
  pctBound?: number;
}

/**
 * PCT's guarantee (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010, Theorem 9): for a
 * program with at most n threads and at most k steps, one PCT run finds a given bug of depth d
 * with probability at least 1/(n·k^(d-1)).
 */
export function pctBound(n: number, k: number, d: number): number {
  if (n < 1 || k < 1 || d < 1) throw new Error(`pctBound needs n, k, d >= 1, got ${n}, ${k}, ${d}.`);
  return 1 / (n * Math.pow(k, d - 1));
}

/** Probability that at least one of `runs` independent runs, each hitting with probability p, hits. */
export function atLeastOnce(p: number, runs: number): number {
  return 1 - Math.pow(1 - p, runs);
}

/** Re-executes a schedule from the start. `onStep(state, choice, index)` is called after each
 * step (the lab's step-by-step view). Throws if a choice is not enabled where it is taken. */
export function replay<S, C>(
  system: System<S, C>,
  choices: readonly C[],
  onStep?: (s: S, choice: C, index: number) => void,
): { state: S; status: Status } {
  let s = system.start();
  for (let i = 0; i < choices.length; i++) {
    if (system.status(s) !== 'running') throw new Error(`Replay: the run ended before step ${i + 1}.`);
    const en = system.enabled(s);
    if (!en.includes(choices[i])) throw new Error(`Replay: choice ${String(choices[i])} is not enabled at step ${i + 1}.`);
    s = system.step(s, choices[i]);
    onStep?.(s, choices[i], i);
  }
  let status = system.status(s);
  if (status === 'running' && system.enabled(s).length === 0) status = 'stuck';
  return { state: s, status };
}

interface Frame<C, S> {
  options: readonly C[];
  index: number;
  /** State before this frame's step (clone mode only). */
  saved?: S;
  /** Reduction: the sleep set on entering this node. */
  sleep?: C[];
}

/**
 * An explorer that runs one schedule per `next()` call, so a caller can slice the work (a Worker
 * posting progress, a Stop button). `explore` and `exploreAsync` are built on it.
 */
export class Explorer<S, C = number> {
  readonly strategy: Strategy;
  private readonly sys: System<S, C>;
  private readonly max: number;
  private readonly maxSteps: number;
  private readonly stopAtFirst: boolean;
  private readonly rng: Rng;
  private readonly d: number;
  private readonly fixedK: number | undefined;
  private readonly reduce: boolean;
  private frames: Frame<C, S>[] = [];
  private started = false;
  private finished = false;
  private truncated = false;
  private stoppedFlag = false;
  private seen = new Set<string>();
  private seenCapped = false;
  private hist = new Map<string, OutcomeCount<C>>();
  private r = {
    schedules: 0,
    failing: 0,
    deadlocks: 0,
    passing: 0,
    cut: 0,
    pruned: 0,
    steps: 0,
    actors: 0,
    longest: 0,
    firstHitAt: undefined as number | undefined,
    counterexample: undefined as Schedule<C> | undefined,
  };
  private path: C[] = [];

  constructor(system: System<S, C>, options: ExploreOptions = {}) {
    this.sys = system;
    this.strategy = options.strategy ?? 'exhaustive';
    this.max = options.maxSchedules ?? (this.strategy === 'exhaustive' ? 1_000_000 : 10_000);
    this.maxSteps = options.maxSteps ?? 10_000;
    this.stopAtFirst = options.stopAtFirst ?? false;
    this.rng = new Rng(options.seed ?? 1);
    this.d = options.depth ?? 2;
    if (!(this.d >= 1 && Number.isInteger(this.d))) throw new Error(`PCT depth must be an integer >= 1, got ${this.d}.`);
    this.fixedK = options.pctSteps;
    this.reduce = options.reduction === 'sleep-sets';
    if (this.reduce && this.strategy !== 'exhaustive') throw new Error('Reduction applies to the exhaustive strategy only.');
    if (this.reduce && !system.independent) throw new Error('Reduction needs System.independent.');
  }

  get done(): boolean {
    return this.finished;
  }

  /** Stops the search; `result()` then reports `stopped: true`. */
  stop(): void {
    if (!this.finished) {
      this.finished = true;
      this.stoppedFlag = true;
    }
  }

  /** Runs one schedule. Returns false when there is nothing left to run. */
  next(): boolean {
    if (this.finished) return false;
    if (this.r.schedules >= this.max) {
      this.finished = true;
      if (this.strategy === 'exhaustive') this.truncated = true;
      return false;
    }
    if (this.strategy === 'exhaustive') {
      if (!(this.reduce ? this.dfsRunReduced() : this.dfsRun())) {
        this.finished = true;
        return false;
      }
    } else {
      this.sampleRun();
    }
    if (this.stopAtFirst && this.r.firstHitAt !== undefined) this.stop();
    return true;
  }

  /** Progress so far. */
  progress(): ExploreProgress {
    let fraction: number;
    if (this.strategy === 'exhaustive') {
      if (this.finished && !this.stoppedFlag && !this.truncated) fraction = 1;
      else {
        // Share of the tree left of (and including) the current path, by branch fractions.
        fraction = 0;
        let w = 1;
        for (const f of this.frames) {
          fraction += (w * f.index) / f.options.length;
          w /= f.options.length;
        }
        fraction += w;
        fraction = Math.min(1, fraction);
      }
    } else fraction = Math.min(1, this.r.schedules / this.max);
    return { schedules: this.r.schedules, failing: this.r.failing, deadlocks: this.r.deadlocks, fraction };
  }

  result(): ExploreResult<C> {
    const r = this.r;
    const histogram = [...this.hist.values()].sort((a, b) => b.count - a.count);
    const exhaustiveDone = this.strategy === 'exhaustive' && this.finished && !this.truncated && !this.stoppedFlag && r.cut === 0;
    const out: ExploreResult<C> = {
      strategy: this.strategy,
      schedules: this.reduce ? null : r.schedules,
      explored: r.schedules,
      reduction: this.reduce ? 'sleep-sets' : 'none',
      pruned: r.pruned,
      distinct: this.strategy === 'exhaustive' ? r.schedules : this.seenCapped ? -1 : this.seen.size,
      failing: r.failing,
      deadlocks: r.deadlocks,
      passing: r.passing,
      cut: r.cut,
      exhaustive: exhaustiveDone,
      stopped: this.stoppedFlag,
      histogram,
      steps: r.steps,
      actors: r.actors,
      longest: r.longest,
    };
    if (r.counterexample) out.counterexample = r.counterexample;
    if (r.firstHitAt !== undefined) out.firstHitAt = r.firstHitAt;
    if (this.strategy === 'pct') {
      out.depth = this.d;
      out.pctBound = pctBound(Math.max(1, r.actors), Math.max(1, this.fixedK ?? r.longest), this.d);
    }
    return out;
  }

  // ---- exhaustive DFS ----

  /** One DFS leaf: backtrack to the deepest frame with an untried option, replay, extend. */
  private dfsRun(): boolean {
    const sys = this.sys;
    const frames = this.frames;
    let s: S;
    let depth: number;
    if (!this.started) {
      this.started = true;
      s = sys.start();
      depth = 0;
    } else {
      while (frames.length > 0 && frames[frames.length - 1].index === frames[frames.length - 1].options.length - 1) frames.pop();
      if (frames.length === 0) return false;
      const top = frames[frames.length - 1];
      top.index++;
      if (top.saved !== undefined) {
        s = sys.clone!(top.saved);
      } else {
        s = sys.start();
        for (let i = 0; i < frames.length - 1; i++) s = sys.step(s, frames[i].options[frames[i].index]);
        this.r.steps += frames.length - 1;
      }
      s = sys.step(s, top.options[top.index]);
      this.r.steps++;
      depth = frames.length;
    }
    const cloning = sys.clone !== undefined;
    let end: RunEnd;
    for (;;) {
      const st = sys.status(s);
      if (st !== 'running') {
        end = st;
        break;
      }
      if (depth >= this.maxSteps) {
        end = 'cut';
        break;
      }
      const options = sys.enabled(s);
      if (options.length === 0) {
        end = 'stuck';
        break;
      }
      if (options.length > this.r.actors) this.r.actors = options.length; // DFS: widest choice set seen
      const frame: Frame<C, S> = { options, index: 0 };
      if (cloning && options.length > 1) frame.saved = sys.clone!(s);
      frames.push(frame);
      s = sys.step(s, options[0]);
      this.r.steps++;
      depth++;
    }
    this.record(s, end, depth, () => frames.map((f) => f.options[f.index]));
    return true;
  }

  /** Sleep-set DFS: like dfsRun, but a choice asleep at a node is not taken there. Returns
   * false when the tree is done; a run that ends with every enabled choice asleep is pruned (not
   * recorded) and the next one is tried. */
  private dfsRunReduced(): boolean {
    const sys = this.sys;
    const frames = this.frames;
    const indep = sys.independent!;
    const nextAwake = (f: Frame<C, S>, from: number): number => {
      for (let i = from; i < f.options.length; i++) if (!f.sleep!.includes(f.options[i])) return i;
      return -1;
    };
    /** The sleep set of the child reached by f's current option, from state s at f. */
    const childSleep = (f: Frame<C, S>, s: S): C[] => {
      const c = f.options[f.index];
      const out: C[] = [];
      for (const z of f.sleep!) if (indep(s, z, c)) out.push(z);
      for (let i = 0; i < f.index; i++) {
        const o = f.options[i];
        if (!f.sleep!.includes(o) && indep(s, o, c)) out.push(o);
      }
      return out;
    };
    for (;;) {
      let s: S;
      let sleep: C[];
      if (!this.started) {
        this.started = true;
        s = sys.start();
        sleep = [];
      } else {
        let top: Frame<C, S> | undefined;
        let idx = -1;
        while (frames.length > 0) {
          top = frames[frames.length - 1];
          idx = nextAwake(top, top.index + 1);
          if (idx >= 0) break;
          frames.pop();
        }
        if (frames.length === 0) return false;
        top = top!;
        top.index = idx;
        if (top.saved !== undefined) s = sys.clone!(top.saved);
        else {
          s = sys.start();
          for (let i = 0; i < frames.length - 1; i++) s = sys.step(s, frames[i].options[frames[i].index]);
          this.r.steps += frames.length - 1;
        }
        sleep = childSleep(top, s);
        s = sys.step(s, top.options[top.index]);
        this.r.steps++;
      }
      let depth = frames.length;
      let end: RunEnd | 'pruned';
      for (;;) {
        const st = sys.status(s);
        if (st !== 'running') {
          end = st;
          break;
        }
        if (depth >= this.maxSteps) {
          end = 'cut';
          break;
        }
        const options = sys.enabled(s);
        if (options.length === 0) {
          end = 'stuck';
          break;
        }
        if (options.length > this.r.actors) this.r.actors = options.length;
        const frame: Frame<C, S> = { options, index: 0, sleep };
        const first = nextAwake(frame, 0);
        if (first < 0) {
          end = 'pruned';
          break;
        }
        frame.index = first;
        if (sys.clone && nextAwake(frame, first + 1) >= 0) frame.saved = sys.clone(s);
        frames.push(frame);
        sleep = childSleep(frame, s);
        s = sys.step(s, options[first]);
        this.r.steps++;
        depth++;
      }
      if (end === 'pruned') {
        this.r.pruned++;
        continue;
      }
      this.record(s, end, depth, () => frames.map((f) => f.options[f.index]));
      return true;
    }
  }

  // ---- sampling: random walk and PCT ----

  private sampleRun(): void {
    const sys = this.sys;
    const rng = this.rng;
    const path = this.path;
    path.length = 0;
    let s = sys.start();
    let end: RunEnd;
    const pct = this.strategy === 'pct';
    // PCT state: priorities by actor; initial priorities are d + a random fraction (distinct
    // with probability 1, random order), change point i lowers the running actor to priority i.
    let prio: Map<number | string, number> | undefined;
    let changeAt: number[] | undefined;
    const actorsSeen = new Set<number | string>();
    if (pct) {
      prio = new Map();
      const k = Math.max(1, this.fixedK ?? (this.r.longest || 1));
      changeAt = [];
      for (let i = 1; i < this.d; i++) changeAt.push(rng.int(1, k));
    }
    let stepNo = 0;
    for (;;) {
      const st = sys.status(s);
      if (st !== 'running') {
        end = st;
        break;
      }
      if (stepNo >= this.maxSteps) {
        end = 'cut';
        break;
      }
      const options = sys.enabled(s);
      if (options.length === 0) {
        end = 'stuck';
        break;
      }
      let choice: C;
      stepNo++;
      if (!pct) {
        choice = options.length === 1 ? options[0] : options[Math.floor(rng.next() * options.length)];
        if (sys.actor) actorsSeen.add(sys.actor(s, choice));
        else actorsSeen.add(choice as unknown as number);
      } else {
        const pick = (): C => {
          let best = options[0];
          let bestP = -Infinity;
          for (const c of options) {
            const a = sys.actor ? sys.actor(s, c) : (c as unknown as number);
            let p = prio!.get(a);
            if (p === undefined) {
              p = this.d + rng.next();
              prio!.set(a, p);
              actorsSeen.add(a);
            }
            if (p > bestP) {
              bestP = p;
              best = c;
            }
          }
          return best;
        };
        choice = pick();
        // Change points: at step k_i, the actor about to run drops to priority i, and the
        // highest-priority enabled actor runs instead.
        for (let i = 0; i < changeAt!.length; i++) {
          if (changeAt![i] === stepNo) {
            prio!.set(sys.actor ? sys.actor(s, choice) : (choice as unknown as number), i + 1);
            choice = pick();
          }
        }
      }
      path.push(choice);
      s = sys.step(s, choice);
      this.r.steps++;
    }
    if (actorsSeen.size > this.r.actors) this.r.actors = actorsSeen.size;
    if (this.seen.size < 200_000) this.seen.add(path.map(String).join(','));
    else if (!this.seen.has(path.map(String).join(','))) this.seenCapped = true;
    this.record(s, end, path.length, () => path.slice());
  }

  private record(s: S, end: RunEnd, steps: number, choices: () => C[]): void {
    const r = this.r;
    r.schedules++;
    if (steps > r.longest) r.longest = steps;
    const outcome = this.outcomeOf(s);
    if (end === 'failed') r.failing++;
    else if (end === 'stuck') r.deadlocks++;
    else if (end === 'done') r.passing++;
    else r.cut++;
    const bad = end === 'failed' || end === 'stuck';
    if (bad) {
      if (r.firstHitAt === undefined) r.firstHitAt = r.schedules;
      if (r.counterexample === undefined || steps < r.counterexample.steps) {
        r.counterexample = { choices: choices(), end, outcome, steps };
      }
    }
    const key = end + '\u0000' + outcome;
    const h = this.hist.get(key);
    if (h) h.count++;
    else this.hist.set(key, { end, outcome, count: 1, example: choices() });
  }

  /** The histogram in the order each final state was first reached (result() sorts it by count):
   * what merging the parts of a search needs to break ties as one search does (parts.ts). */
  outcomesInOrder(): OutcomeCount<C>[] {
    return [...this.hist.values()];
  }

  private outcomeOf(s: S): string {
    return this.sys.outcome ? this.sys.outcome(s) : '';
  }
}

/** Explores to the end (or maxSchedules / signal / stopAtFirst), synchronously. */
export function explore<S, C = number>(system: System<S, C>, options: ExploreOptions = {}): ExploreResult<C> {
  return runExplorer(new Explorer(system, options), options).result();
}

/** Runs an explorer to its end (or the signal), reporting progress as `explore` does. */
export function runExplorer<S, C>(ex: Explorer<S, C>, options: Pick<ExploreOptions, 'signal' | 'onProgress' | 'progressEvery'>): Explorer<S, C> {
  const every = options.progressEvery ?? 10_000;
  let n = 0;
  while (ex.next()) {
    if (options.signal?.aborted) {
      ex.stop();
      break;
    }
    if (options.onProgress && ++n % every === 0) options.onProgress(ex.progress());
  }
  options.onProgress?.(ex.progress());
  return ex;
}

/**
 * Like `explore`, but yields to the caller's event loop every `sliceSchedules` schedules (default
 * 20,000) through `pause` (default: a zero-delay timer), so a Worker can receive a Stop (set the
 * signal) and post progress while exploring.
 */
export async function exploreAsync<S, C = number>(
  system: System<S, C>,
  options: ExploreOptions & { sliceSchedules?: number; pause?: () => Promise<void> } = {},
): Promise<ExploreResult<C>> {
  const ex = new Explorer(system, options);
  const slice = options.sliceSchedules ?? 20_000;
  const pause = options.pause ?? (() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
  for (;;) {
    let more = true;
    for (let i = 0; i < slice && (more = ex.next()); i++);
    if (!more) break;
    options.onProgress?.(ex.progress());
    await pause();
    if (options.signal?.aborted) {
      ex.stop();
      break;
    }
  }
  options.onProgress?.(ex.progress());
  return ex.result();
}

/**
 * Playing the scheduler by hand: the learner picks one enabled choice at a time, and can undo or
 * jump back to any earlier step. The state at each step is kept when the system can clone
 * (`clone`), else rebuilt by replaying the choices from the start (async mode). `choices` is the
 * schedule so far: the permalink, and what `explore`'s counterexample is made of.
 */
export class ScheduleSession<S, C = number> {
  private readonly sys: System<S, C>;
  private states: S[];
  private path: C[] = [];

  constructor(system: System<S, C>, choices: readonly C[] = []) {
    this.sys = system;
    this.states = [system.start()];
    for (const c of choices) this.choose(c);
  }

  /** The current state (do not modify it). */
  get state(): S {
    return this.states[this.states.length - 1];
  }
  get choices(): readonly C[] {
    return this.path;
  }
  /** 'stuck' when running with nothing enabled. */
  get status(): Status {
    const st = this.sys.status(this.state);
    return st === 'running' && this.sys.enabled(this.state).length === 0 ? 'stuck' : st;
  }
  get enabled(): readonly C[] {
    return this.sys.status(this.state) === 'running' ? this.sys.enabled(this.state) : [];
  }

  /** Takes a choice; throws if it is not enabled now. */
  choose(choice: C): S {
    if (!this.enabled.includes(choice)) throw new Error(`Choice ${String(choice)} is not enabled now.`);
    const clone = this.sys.clone;
    let next: S;
    if (clone) next = this.sys.step(clone(this.state), choice);
    else {
      // Without clone, the current state object may be stepped in place: keep a replayed copy.
      next = replay(this.sys, [...this.path, choice]).state;
    }
    this.path.push(choice);
    this.states.push(next);
    return next;
  }

  /** Goes back to the state after `step` choices (0 = the start). */
  goto(step: number): S {
    if (!(step >= 0 && step <= this.path.length && Number.isInteger(step))) throw new Error(`No step ${step}.`);
    this.path.length = step;
    this.states.length = step + 1;
    return this.state;
  }

  undo(): S {
    return this.goto(Math.max(0, this.path.length - 1));
  }
}
