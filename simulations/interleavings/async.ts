/**
 * Async mode (issue 14): the learner's JavaScript on the event-loop engine (simulations/eventloop),
 * with one change: every pending completion (a `delay(ms, value)`, a `db.get`/`db.set` round trip,
 * a timer) is a scheduler choice. Any pending completion may come next; durations only say which
 * order is "natural" (the first enabled choice, which DFS tries first). Microtask order is exactly
 * the engine's (the language's): the hook is `RunOptions.chooser`, consulted only when the loop
 * has no task left and would fire the next timer.
 *
 * - A choice is the completion's id: its timer id, i.e. the order completions were issued in
 *   (stable across runs that made the same choices before it).
 * - The engine cannot copy its state, so the system replays: a state is a prefix of choices, and
 *   its run (made on demand) follows the prefix, then takes the natural choice at every later
 *   point, recording what was enabled at each. Stepping along that natural path reuses the run,
 *   so a depth-first leaf costs one engine run.
 * - Lab globals: `assert(condition, message)` (a failed assert fails the run, even if the error
 *   it throws is caught), and `db`, a key-value store whose `db.get(key)` and `db.set(key, value)`
 *   each cost one round trip of DB_LATENCY_MS: the operation takes effect at the store when its
 *   completion comes, and its promise is fulfilled then (with the value read, or undefined).
 * - A run fails on a failed assert, an uncaught error, an unhandled rejection, or a budget stop.
 *   It is stuck when it ends (nothing queued, no timer or I/O pending) with an async function
 *   suspended at an `await` whose promise never settled: the trace has that await and no
 *   settlement of its promise.
 *
 * Explorations run each schedule on the fast runtime (fast.ts) where it models the program, on
 * the engine otherwise; a large one can run in parts over several Workers (parts.ts, driven by
 * the lab's runner through splitProgram, exploreProgramPart and programResult). Plays, traces
 * and counterexample runs are always the engine's.
 *
 * Pure and deterministic: same source and choices, same run.
 */
import { Engine } from '../eventloop/engine';
import { setTimer } from '../eventloop/engine/tasks';
import { intrinsicCap } from '../eventloop/engine/promises';
import { preview } from '../eventloop/engine/values';
import { ProgramError, transformProgram, type Transformed } from '../eventloop/transform';
import type { EventLoopEvent, Loc, PendingCompletion } from '../eventloop/types';
import { explore, type ExploreResult, type Status, type Strategy, type System } from './explore';
import { estimateLeaves, explorePart, splitTree, type PartResult, type Split } from './parts';
import type { Seed } from '../core/rng';
import { DB_LATENCY_MS, fastProgram, fastRun, fastSupported, type FastProgram } from './fast';

export { DB_LATENCY_MS };

/** A pending completion, as the lab shows it (a card to click). */
export interface AsyncCompletion {
  /** Its id (the choice): issue order. */
  id: number;
  /** `delay(10)`, `db.get("count")`, a timer callback's name. */
  name: string;
  api: PendingCompletion['api'];
  /** Virtual time it would complete at if nothing were reordered. */
  due: number;
  /** The innermost function running when it was issued ('(main script)' at top level). */
  issuer: string;
  /** The async function call(s) suspended at an `await` of exactly this completion's promise
   * (`book #2`: see AsyncTask.name), if any; played runs only. */
  awaitedBy?: string[];
  /** The source line of that await (of the first call, when several await it). */
  awaitedAt?: number;
}

/** An async function call, as the lab's lanes show it (played runs only). */
export interface AsyncTask {
  /** The function's name, with `#n` (its calls numbered in start order) when the run calls it more than once. */
  name: string;
  /** Suspended at an await, or finished (its promise fulfilled or rejected). At a choice point no call is running. */
  state: 'suspended' | 'done' | 'failed';
  /** Where it is suspended: the await's source line and the awaited expression's text. */
  line?: number;
  text?: string;
}

export interface AsyncFailure {
  kind: 'assert' | 'uncaught' | 'unhandled-rejection' | 'budget';
  message: string;
  line?: number;
}

/** An async function suspended forever at the end of a stuck run. */
export interface SuspendedAwait {
  fn: string;
  /** The awaited expression's text. */
  text: string;
  line?: number;
  promise: number;
}

export interface AsyncRunEnd {
  status: 'done' | 'failed' | 'stuck';
  /** The first failure (failed runs). */
  failure?: AsyncFailure;
  /** Awaits never resumed (non-empty exactly for stuck runs, may be non-empty for failed ones). */
  suspended: SuspendedAwait[];
  /** Final contents of the db, keys sorted. */
  db: Record<string, unknown>;
  console: string[];
}

interface Point {
  pending: AsyncCompletion[];
  taken: number;
  /** The async calls at this choice point (traced runs only). */
  tasks?: AsyncTask[];
  /** The db (values previewed) and console at this choice point (traced runs only). */
  db?: Record<string, string>;
  console?: string[];
}

interface RunRecord {
  /** The engine's choice points (empty for a run of the fast runtime, which records only `ids`). */
  points: Point[];
  /** Per choice point, the pending completions' ids (natural order first), and the one taken. */
  ids: number[][];
  taken: number[];
  end: AsyncRunEnd;
  /** The engine's trace (null for a run of the fast runtime, whose points carry only ids). */
  trace: EventLoopEvent[] | null;
  /** Trace length at each choice point (the trace before choice i is trace.slice(0, marks[i])). */
  marks: number[];
}

/** A state of the async system: a prefix of choices, and the run that follows it (made lazily). */
export interface AsyncState {
  /** The state before the last choice (null at the start): the prefix is kept as a chain, so a
   * step costs no copy of it. */
  readonly parent: AsyncState | null;
  readonly choice: number;
  /** Position in the run's choice points this state stands at (= the prefix's length). */
  readonly pos: number;
  run: RunRecord | null;
}

/** The prefix of choices that leads to `s`. */
export function asyncChoices(s: AsyncState): number[] {
  const out: number[] = new Array(s.pos);
  for (let x: AsyncState | null = s; x !== null && x.pos > 0; x = x.parent) out[x.pos - 1] = x.choice;
  return out;
}

interface Compiled {
  source: string;
  transformed: Transformed;
  program: Function | null;
  names: string[] | null;
  /** The program for the fast runtime (fast.ts), made on first use; null if it may not run there. */
  fast?: FastProgram | null;
  /** How its natural-order runs on both runtimes compared (see fastCheck). */
  fastCheck?: FastCheck;
}

/** The last few programs compiled (an exploration, its counterexample's replay and the lab's
 * plays of one program share one transform and one Function; a run only reads them). */
const compiled = new Map<string, Compiled>();
const COMPILED_KEEP = 8;

function compile(source: string): Compiled {
  const hit = compiled.get(source);
  if (hit) {
    compiled.delete(source);
    compiled.set(source, hit);
    return hit;
  }
  const c: Compiled = { source, transformed: transformProgram(source), program: null, names: null };
  compiled.set(source, c);
  if (compiled.size > COMPILED_KEEP) compiled.delete(compiled.keys().next().value!);
  return c;
}

function dbText(db: Record<string, unknown>): string {
  const keys = Object.keys(db);
  if (keys.length === 0) return 'db {}';
  return `db { ${keys.map((k) => `${k}: ${preview(db[k])}`).join(', ')} }`;
}

/** The histogram key of a final state: the db, then how it ended. */
export function asyncOutcomeOf(end: AsyncRunEnd): string {
  let s = dbText(end.db);
  if (end.failure) s += ` · ${end.failure.message}`;
  else if (end.status === 'stuck') s += ` · stuck: ${end.suspended.map((w) => `${w.fn} at ${w.text || 'await'}`).join(', ')}`;
  return s;
}

interface Activation {
  promise: number;
  fn: string;
  /** 1-based among the calls of the same function, in start order. */
  n: number;
  awaiting?: number;
  line?: number;
  text?: string;
  settled?: 'fulfilled' | 'rejected';
}

/**
 * Follows the async function calls through the event-loop trace: a call starts with the
 * `promise-create` of its promise (`async name`), suspends at an `await` (which names it by that
 * promise, `by`) and ends when its promise settles. Fed the trace incrementally.
 */
class CallTracker {
  readonly calls: Activation[] = [];
  private readonly byPromise = new Map<number, Activation>();
  private readonly perName = new Map<string, number>();
  private seen = 0;

  advance(trace: readonly EventLoopEvent[]): void {
    for (; this.seen < trace.length; this.seen++) {
      const e = trace[this.seen];
      if (e.kind === 'promise-create' && e.by.startsWith('async ')) {
        const fn = e.by.slice('async '.length);
        const n = (this.perName.get(fn) ?? 0) + 1;
        this.perName.set(fn, n);
        const a: Activation = { promise: e.promise, fn, n };
        this.calls.push(a);
        this.byPromise.set(e.promise, a);
      } else if (e.kind === 'await' && e.by !== undefined) {
        const a = this.byPromise.get(e.by);
        if (a) {
          a.awaiting = e.promise;
          a.line = e.loc?.line;
          a.text = e.text;
        }
      } else if (e.kind === 'promise-settle') {
        const a = this.byPromise.get(e.promise);
        if (a) a.settled = e.state;
      }
    }
  }

  /** The calls' lab names (`book #2` when the run calls book more than once). */
  label(a: Activation): string {
    return (this.perName.get(a.fn) ?? 0) > 1 ? `${a.fn} #${a.n}` : a.fn;
  }

  /** The calls awaiting exactly `promise` now (raw, labelled later). */
  awaiting(promise: number | undefined): Activation[] {
    return promise === undefined ? [] : this.calls.filter((a) => !a.settled && a.awaiting === promise);
  }

  snapshot(): { a: Activation; state: AsyncTask['state']; line?: number; text?: string }[] {
    return this.calls.map((a) => ({ a, state: a.settled === 'fulfilled' ? 'done' : a.settled === 'rejected' ? 'failed' : 'suspended', ...(a.settled ? {} : { line: a.line, text: a.text }) }));
  }
}

/** Runs the program once: follows `prefix` at the first choice points, then the natural order. */
function runOnce(c: Compiled, prefix: readonly number[], traceCap = 200_000, opts: { byIndex?: boolean; snapshots?: boolean } = {}): RunRecord & { trace: EventLoopEvent[]; cutAt?: number; endTasks?: AsyncTask[] } {
  const points: Point[] = [];
  let cutAt: number | undefined;
  const marks: number[] = [];
  const issuers = new Map<number, string>();
  /** Completion id → the id of the promise it settles (to find who awaits it). */
  const promiseOf = new Map<number, number>();
  const tracker = opts.snapshots ? new CallTracker() : null;
  /** Per choice point, the raw task snapshot and each pending completion's awaiting calls (labelled after the run). */
  const raw: { tasks: ReturnType<CallTracker['snapshot']>; waits: { a: Activation; line?: number }[][] }[] = [];
  let engine: Engine;
  const chooser = (pending: readonly PendingCompletion[]): number => {
    const k = points.length;
    let idx = 0;
    if (k < prefix.length && cutAt === undefined) {
      idx = opts.byIndex ? (Number.isInteger(prefix[k]) && prefix[k] >= 0 && prefix[k] < pending.length ? prefix[k] : -1) : pending.findIndex((p) => p.timer === prefix[k]);
      if (idx < 0) {
        if (!opts.byIndex) throw new Error(`Completion ${prefix[k]} is not pending at step ${k + 1}.`);
        cutAt = k;
        idx = 0;
      }
    }
    const point: Point = {
      pending: pending.map((p) => ({ id: p.timer, name: p.name, api: p.api, due: p.due, issuer: issuers.get(p.timer) ?? '(main script)' })),
      taken: pending[idx].timer,
    };
    if (opts.snapshots) {
      point.db = Object.fromEntries([...store.keys()].sort().map((key) => [key, preview(store.get(key))]));
      point.console = engine.consoleLines.slice();
      tracker!.advance(engine.rec.events);
      raw.push({ tasks: tracker!.snapshot(), waits: pending.map((p) => tracker!.awaiting(promiseOf.get(p.timer)).map((a) => ({ a, line: a.line }))) });
    }
    points.push(point);
    marks.push(engine.rec.events.length);
    return idx;
  };
  engine = new Engine(c.transformed, { chooser, traceCap });
  const ag = engine;
  const { names, values } = engine.globals();
  const issuerNow = (): string => {
    const fid = ag.stack.length > 0 ? ag.stack[ag.stack.length - 1] : -1;
    return fid >= 0 ? ag.fns[fid].name : '(main script)';
  };
  // Lab globals. `delay` keeps the engine's own; only its issuer is noted.
  const injected = values[names.indexOf('__$H')] as Record<string, unknown>;
  const engineDelay = injected.delay as (ms?: unknown, value?: unknown) => object;
  const delay = function delay(ms?: unknown, value?: unknown): object {
    const id = ag.nextTimerId;
    const who = issuerNow();
    const p = engineDelay(ms, value);
    if (ag.timers.has(id)) {
      issuers.set(id, who);
      const rec = ag.slots(p);
      if (rec) promiseOf.set(id, rec.id);
    }
    return p;
  };
  injected.delay = delay;
  const store = new Map<string, unknown>();
  const failures: AsyncFailure[] = [];
  const roundTrip = (name: string, complete: () => unknown): object =>
    ag.nativeFrame(name, () => {
      const cap = intrinsicCap(ag, name);
      const who = issuerNow();
      const id = setTimer(ag, 'delay', null, DB_LATENCY_MS, [], cap.rec, undefined, { name, complete });
      issuers.set(id, who);
      if (cap.rec) promiseOf.set(id, cap.rec.id);
      return cap.promise;
    });
  const db = {
    get: function get(key: unknown): object {
      const k = String(key);
      return roundTrip(`db.get(${preview(k)})`, () => store.get(k));
    },
    set: function set(key: unknown, value: unknown): object {
      const k = String(key);
      return roundTrip(`db.set(${preview(k)}, ${preview(value)})`, () => {
        store.set(k, value);
        return undefined;
      });
    },
  };
  const assert = function assert(condition: unknown, message?: unknown): void {
    if (condition) return;
    const text = message === undefined ? 'assertion failed' : String(message);
    const loc = ag.here();
    failures.push({ kind: 'assert', message: text, ...(loc ? { line: loc.line } : {}) });
    throw new Error(`Assertion failed: ${text}`);
  };
  for (const [name, value] of [
    ['assert', assert],
    ['db', db],
  ] as const) {
    Object.defineProperty(ag.fakeGlobal, name, { value, writable: true, configurable: true, enumerable: false });
  }
  if (c.program === null || c.names === null || c.names.join() !== names.join()) {
    c.program = new Function(...names, c.transformed.code);
    c.names = names;
  }
  engine.run(c.program, values);

  const trace = engine.rec.events;
  const end = judge(engine, trace, failures, store);
  let endTasks: AsyncTask[] | undefined;
  if (tracker) {
    // Labels need the whole run (how many times each function was called), so they come last.
    tracker.advance(trace);
    const task = (t: ReturnType<CallTracker['snapshot']>[number]): AsyncTask => ({ name: tracker.label(t.a), state: t.state, ...(t.line !== undefined ? { line: t.line } : {}), ...(t.text !== undefined ? { text: t.text } : {}) });
    raw.forEach((r, k) => {
      points[k].tasks = r.tasks.map(task);
      r.waits.forEach((w, j) => {
        if (w.length > 0) points[k].pending[j] = { ...points[k].pending[j], awaitedBy: w.map((x) => tracker.label(x.a)), ...(w[0].line !== undefined ? { awaitedAt: w[0].line } : {}) };
      });
    });
    endTasks = tracker.snapshot().map(task);
  }
  return { points, ids: points.map((p) => p.pending.map((x) => x.id)), taken: points.map((p) => p.taken), end, trace, marks, ...(endTasks ? { endTasks } : {}), ...(cutAt !== undefined ? { cutAt } : {}) };
}

function judge(engine: Engine, trace: EventLoopEvent[], asserts: AsyncFailure[], store: Map<string, unknown>): AsyncRunEnd {
  const settled = new Set<number>();
  const awaits: (SuspendedAwait & { seq: number })[] = [];
  let other: AsyncFailure | undefined;
  for (const e of trace) {
    if (e.kind === 'promise-settle') settled.add(e.promise);
    else if (e.kind === 'await' && e.site === 'await') awaits.push({ fn: e.fn, text: e.text, promise: e.promise, seq: e.seq, ...(e.loc ? { line: e.loc.line } : {}) });
    else if (other === undefined && (e.kind === 'uncaught' || e.kind === 'unhandled-rejection')) {
      other = { kind: e.kind, message: e.text, ...(e.loc ? { line: (e.loc as Loc).line } : {}) };
    }
  }
  const suspended = awaits.filter((a) => !settled.has(a.promise)).map(({ seq: _seq, ...w }) => w);
  const keys = [...store.keys()].sort();
  const db: Record<string, unknown> = {};
  for (const k of keys) db[k] = store.get(k);
  let failure: AsyncFailure | undefined;
  if (engine.stopped) failure = { kind: 'budget', message: engine.stopped.message };
  else if (asserts.length > 0) failure = asserts[0];
  else if (other) failure = other;
  if (engine.rec.truncated && !failure) failure = { kind: 'budget', message: 'The trace ran past its cap: the run is too long for the lab.' };
  const status = failure ? 'failed' : suspended.length > 0 ? 'stuck' : 'done';
  return { status, ...(failure ? { failure } : {}), suspended, db, console: engine.consoleLines.slice() };
}

/** How many schedules each runtime ran in an exploration (the fast one declines what it does not model). */
export interface RuntimeCounts {
  fast: number;
  engine: number;
  /**
   * The check made before an exploration (once per program): the natural-order run on both
   * runtimes 'agreed', the fast one 'declined' it, the program is 'not supported' there
   * (fastSupported), the fast runtime is 'off' (asked for the engine), or they 'disagreed' (a
   * bug of the fast runtime: the engine then runs everything).
   */
  check?: FastCheck;
}

export type FastCheck = 'agreed' | 'declined' | 'disagreed' | 'not supported' | 'off';

function fastOf(c: Compiled): FastProgram | null {
  if (c.fast === undefined) c.fast = fastSupported(c.source) ? fastProgram(c.transformed) : null;
  return c.fast;
}

/** A run of the fast runtime as the explorer's record (ids only; null when it declined). */
function fastRecord(p: FastProgram, choices: readonly number[]): RunRecord | null {
  const r = fastRun(p, choices);
  if (r === null) return null;
  return {
    points: [],
    ids: r.ids,
    taken: r.taken,
    end: { status: r.status, ...(r.failure ? { failure: r.failure } : {}), suspended: r.suspended, db: r.db, console: [] },
    trace: null,
    marks: [],
  };
}

/** The async system of a program (throws a ProgramError for a syntax error). */
export function asyncSystem(source: string, options: { fast?: boolean; counts?: RuntimeCounts } = {}): System<AsyncState, number> & { pending(s: AsyncState): AsyncCompletion[]; end(s: AsyncState): AsyncRunEnd | null } {
  const c = compile(source);
  const fast = options.fast ? fastOf(c) : null;
  const counts = options.counts ?? { fast: 0, engine: 0 };
  const ensure = (s: AsyncState): RunRecord => {
    if (s.run === null) {
      const choices = asyncChoices(s);
      const r = fast ? fastRecord(fast, choices) : null;
      if (r) counts.fast++;
      else counts.engine++;
      s.run = r ?? runOnce(c, choices);
    }
    return s.run;
  };
  const sys = {
    start: (): AsyncState => ({ parent: null, choice: -1, pos: 0, run: null }),
    status(s: AsyncState): Status {
      const r = ensure(s);
      if (s.pos < r.ids.length) return 'running';
      return r.end.status;
    },
    enabled(s: AsyncState): readonly number[] {
      const r = ensure(s);
      return r.ids[s.pos] ?? [];
    },
    step(s: AsyncState, choice: number): AsyncState {
      const r = s.run;
      const keep = r !== null && s.pos < r.taken.length && r.taken[s.pos] === choice;
      return { parent: s, choice, pos: s.pos + 1, run: keep ? r : null };
    },
    outcome(s: AsyncState): string {
      return asyncOutcomeOf(ensure(s).end);
    },
    // The issuing task cannot be told apart from another running the same function, so each
    // completion is its own actor for PCT.
    actor: (_s: AsyncState, choice: number): number => choice,
    /** The pending completions at `s` (empty once the run ended). */
    pending(s: AsyncState): AsyncCompletion[] {
      let r = ensure(s);
      // A fast run knows only the completions' ids: the engine's run names them.
      if (r.trace === null) r = s.run = runOnce(c, asyncChoices(s));
      return r.points[s.pos]?.pending ?? [];
    },
    /** How the run ended, once `s` is at its end (null while completions are pending). */
    end(s: AsyncState): AsyncRunEnd | null {
      const r = ensure(s);
      return s.pos < r.ids.length ? null : r.end;
    },
  };
  return sys;
}

export interface AsyncScheduleTrace {
  /** The event-loop trace of the whole run (fold it with eventLoopFold for the lab's view). */
  trace: EventLoopEvent[];
  /** Per choice point i: trace.slice(0, marks[i]) is the run up to the moment choice i is made. */
  marks: number[];
  /** Per choice point: the pending completions, and the one taken. */
  points: { pending: AsyncCompletion[]; taken: number }[];
  end: AsyncRunEnd;
}

/**
 * The event-loop trace of one schedule: the program run with `choices` as the first completion
 * orders, then natural order to the end. Throws if a choice is not pending where it is taken.
 */
export function asyncScheduleTrace(source: string, choices: readonly number[]): AsyncScheduleTrace {
  const r = runOnce(compile(source), choices);
  return { trace: r.trace, marks: r.marks, points: r.points, end: r.end };
}

/** The state the lab shows at a choice point or at the end: what is pending, the db, the console. */
export interface AsyncView {
  status: 'running' | 'done' | 'failed' | 'stuck';
  /** The completions the learner may pick (issue order); empty once the run ended. */
  pending: AsyncCompletion[];
  /** The db, keys sorted, values previewed as the console would show them. */
  db: Record<string, string>;
  console: string[];
  /** Every async function call so far: where it is suspended, or that it finished. */
  tasks: AsyncTask[];
  failure?: AsyncFailure;
  suspended?: SuspendedAwait[];
}

/** One step of a played schedule: the completion taken, what the loop did until the next choice, and the state there. */
export interface AsyncTraceStep {
  /** The index of the completion in the previous view's `pending` (what the learner picked). */
  index: number;
  completion: AsyncCompletion;
  /** The event loop from this completion to the next choice point (or the end), one short line per event. */
  events: string[];
  after: AsyncView;
}

export interface AsyncPlay {
  initial: AsyncView;
  /** The main script's run up to the first choice point. */
  startEvents: string[];
  steps: AsyncTraceStep[];
  /** The completion ids taken, one per step (what checkFound and the explorer take). */
  ids: number[];
  /** Set when the picks were cut at this index (no pending completion with that index there). */
  cutAt?: number;
}

const MAX_EVENTS_PER_STEP = 40;

/** A short line for the events the lab lists (the rest are left out). */
function eventLine(e: EventLoopEvent): string | null {
  switch (e.kind) {
    case 'task-start':
      return e.source === 'script' ? 'main script runs' : `task: ${e.label}`;
    case 'await':
      return e.site === 'await' ? `${e.fn} awaits ${e.text || 'a value'}` : null;
    case 'resume':
      return `${e.name} resumes (${e.how})`;
    case 'console':
      return `console: ${e.text}`;
    case 'uncaught':
      return `uncaught: ${e.text}`;
    case 'unhandled-rejection':
      return `unhandled rejection: ${e.text}`;
    default:
      return null;
  }
}

function eventLines(trace: readonly EventLoopEvent[], from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i < to; i++) {
    const line = eventLine(trace[i]);
    if (line === null) continue;
    if (out.length === MAX_EVENTS_PER_STEP) {
      out.push('…');
      break;
    }
    out.push(line);
  }
  return out;
}

/**
 * Plays a schedule the lab's way: `picks` are indices into the pending completions at each choice
 * point (the card the learner clicked), kept while they exist (then cut). The steps end at the last
 * pick, whose view is the next choice point (or the end). Throws a ProgramError for a syntax error.
 */
export function playAsync(source: string, picks: readonly number[]): AsyncPlay {
  const r = runOnce(compile(source), picks, 200_000, { byIndex: true, snapshots: true });
  const n = r.cutAt ?? Math.min(picks.length, r.points.length);
  const view = (k: number): AsyncView => {
    const p = r.points[k];
    if (p) return { status: 'running', pending: p.pending, db: p.db ?? {}, console: p.console ?? [], tasks: p.tasks ?? [] };
    const end = r.end;
    const db = Object.fromEntries(Object.entries(end.db).map(([key, v]) => [key, preview(v)]));
    return { status: end.status, pending: [], db, console: end.console, tasks: r.endTasks ?? [], ...(end.failure ? { failure: end.failure } : {}), ...(end.suspended.length ? { suspended: end.suspended } : {}) };
  };
  const mark = (k: number) => (k < r.marks.length ? r.marks[k] : r.trace.length);
  const steps: AsyncTraceStep[] = [];
  for (let k = 0; k < n; k++) {
    const p = r.points[k];
    const index = p.pending.findIndex((x) => x.id === p.taken);
    steps.push({ index, completion: p.pending[index], events: eventLines(r.trace, mark(k), mark(k + 1)), after: view(k + 1) });
  }
  return {
    initial: view(0),
    startEvents: eventLines(r.trace, 0, mark(0)),
    steps,
    ids: r.points.slice(0, n).map((p) => p.taken),
    ...(r.cutAt !== undefined ? { cutAt: r.cutAt } : {}),
  };
}

/** The pending-list indices of a schedule given as completion ids (a counterexample, for the lab to replay). */
export function asyncPickIndices(source: string, ids: readonly number[]): number[] {
  const r = runOnce(compile(source), ids);
  return ids.map((id, k) => r.points[k].pending.findIndex((p) => p.id === id));
}

export interface ExploreProgramOptions {
  maxSchedules?: number;
  strategy?: Strategy;
  seed?: Seed;
  /** 'fast' (default): the fast runtime (fast.ts) wherever it models the program, else the engine. */
  runtime?: 'fast' | 'engine';
  /** PCT depth (default 2). */
  depth?: number;
  signal?: { readonly aborted: boolean };
  onProgress?: (p: { schedules: number; failing: number; deadlocks: number; fraction: number }) => void;
  stopAtFirst?: boolean;
}

export interface ExploreProgramResult {
  /** Runs performed (exhaustive: distinct completion orders). */
  schedules: number;
  failing: number;
  deadlocks: number;
  exhaustive: boolean;
  /** The shortest failing or stuck schedule: completion ids in the order they complete. */
  counterexample?: { choices: number[]; end: 'failed' | 'stuck'; outcome: string; steps: number; run: AsyncRunEnd };
  /** A syntax error: nothing ran. */
  error?: { message: string; line?: number; column?: number };
  /** The explorer's full result (histogram, PCT bound...). */
  result?: ExploreResult<number>;
  /** How many runs the fast runtime made, and how many the engine made (what the fast one declined). */
  runs?: RuntimeCounts;
}

/** Explores the completion orders of a program (see the module comment). */
export async function exploreProgram(source: string, options: ExploreProgramOptions = {}): Promise<ExploreProgramResult> {
  return exploreProgramSync(source, options);
}

/**
 * Whether the fast runtime may explore this program: it supports it, and its natural-order run
 * agrees with the engine's (the same choice points, the same end). Checked once per program.
 */
function fastCheck(c: Compiled): FastCheck {
  if (c.fastCheck !== undefined) return c.fastCheck;
  const p = fastOf(c);
  let check: FastCheck = 'not supported';
  if (p) {
    const f = fastRun(p, []);
    if (f === null) check = 'declined';
    else {
      const e = runOnce(c, []);
      const fe: AsyncRunEnd = { status: f.status, ...(f.failure ? { failure: f.failure } : {}), suspended: f.suspended, db: f.db, console: [] };
      const same = f.status === e.end.status && asyncOutcomeOf(fe) === asyncOutcomeOf(e.end) && JSON.stringify([f.ids, f.taken]) === JSON.stringify([e.ids, e.taken]);
      check = same ? 'agreed' : 'disagreed';
    }
  }
  c.fastCheck = check;
  return check;
}

/** A run still going after this many choice points is cut (as the explorer's maxSteps). */
const MAX_CHOICES = 2_000;

/** The system an exploration of `source` searches (the fast runtime where it agrees), or the
 * syntax error that stops it. */
function programSystem(source: string, runtime: ExploreProgramOptions['runtime'], runs: RuntimeCounts): ReturnType<typeof asyncSystem> | { error: NonNullable<ExploreProgramResult['error']> } {
  try {
    const check = runtime === 'engine' ? 'off' : fastCheck(compile(source));
    runs.check = check;
    // 'declined': its natural run left the fast runtime's model; other runs may stay in it.
    return asyncSystem(source, { fast: check === 'agreed' || check === 'declined', counts: runs });
  } catch (e) {
    if (e instanceof ProgramError) return { error: { message: e.message, line: e.line, column: e.column } };
    throw e;
  }
}

/** An exploration's result as the lab takes it, with its counterexample run in full on the engine. */
export function programResult(source: string, result: ExploreResult<number>, runs: RuntimeCounts): ExploreProgramResult {
  const out: ExploreProgramResult = {
    schedules: result.explored,
    failing: result.failing,
    deadlocks: result.deadlocks,
    exhaustive: result.exhaustive,
    result,
    runs,
  };
  const ce = result.counterexample;
  if (ce && (ce.end === 'failed' || ce.end === 'stuck')) {
    const run = runOnce(compile(source), ce.choices).end;
    out.counterexample = { choices: ce.choices, end: ce.end, outcome: ce.outcome, steps: ce.steps, run };
  }
  return out;
}

export function exploreProgramSync(source: string, options: ExploreProgramOptions = {}): ExploreProgramResult {
  const runs: RuntimeCounts = { fast: 0, engine: 0 };
  const sys = programSystem(source, options.runtime, runs);
  if ('error' in sys) return { schedules: 0, failing: 0, deadlocks: 0, exhaustive: false, error: sys.error };
  const strategy = options.strategy ?? 'exhaustive';
  const result = explore(sys, {
    strategy,
    maxSchedules: options.maxSchedules ?? (strategy === 'exhaustive' ? 100_000 : 1_000),
    seed: options.seed,
    depth: options.depth,
    signal: options.signal,
    onProgress: options.onProgress,
    progressEvery: 200,
    stopAtFirst: options.stopAtFirst,
    maxSteps: MAX_CHOICES,
  });
  return programResult(source, result, runs);
}

/**
 * An exhaustive exploration in parts (parts.ts), for several Workers: the split of the program's
 * schedule tree into at least `want` parts (or its syntax error).
 */
export function splitProgram(source: string, want: number): Split<number> | { error: NonNullable<ExploreProgramResult['error']> } {
  const sys = programSystem(source, 'fast', { fast: 0, engine: 0 });
  if ('error' in sys) return sys;
  return splitTree(sys, want);
}

/** Knuth's estimate of how many schedules `source` has (parts.ts's estimateLeaves, 64 walks), or its syntax error. */
export function estimateSchedules(source: string): number | { error: NonNullable<ExploreProgramResult['error']> } {
  const sys = programSystem(source, 'fast', { fast: 0, engine: 0 });
  if ('error' in sys) return sys;
  return estimateLeaves(sys, 64, 'estimate', MAX_CHOICES);
}

/** One part of an exploration in parts, and how many runs each runtime made for it. */
export function exploreProgramPart(
  source: string,
  prefix: number[],
  options: { maxSchedules: number; signal?: { readonly aborted: boolean }; onProgress?: ExploreProgramOptions['onProgress'] },
): PartResult<number> & { runs: RuntimeCounts } {
  const runs: RuntimeCounts = { fast: 0, engine: 0 };
  const sys = programSystem(source, 'fast', runs);
  if ('error' in sys) throw new Error(sys.error.message);
  return { ...explorePart(sys, prefix, { maxSchedules: options.maxSchedules, maxSteps: MAX_CHOICES, signal: options.signal, onProgress: options.onProgress, progressEvery: 200 }), runs };
}
