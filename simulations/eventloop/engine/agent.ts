/**
 * The agent record: the state every chapter of the engine reads and writes (queues, clock, trace
 * recorder, budgets, the realm's intrinsics), with the operations all of them share: recording
 * trace events, the modelled call stack, budgets and the virtual clock.
 *
 * The chapters are plain functions over this record (`fn(a, ...)`): promises.ts, iterators.ts,
 * async-functions.ts, generators.ts, console.ts, tasks.ts, globals.ts.
 */
import { formatCount } from '../../core/format';
import { Agenda } from '../../core/agenda';
import { TraceRecorder } from '../../core/recorder';
import { Rng } from '../../core/rng';
import type { FnInfo, SiteInfo, SourceLoc } from '../transform';
import type { BudgetKind, EventLoopEvent, NodePhase, PendingCompletion, ReactionVia, RunOptions, Runtime } from '../types';
import type { AsyncGenCtx } from './generators';

/** Virtual ms that one read of the clock costs (Date.now, performance.now, new Date()). */
export const CLOCK_READ_MS = 0.01;
/** What the sandbox's `Date.now` returns at virtual time 0: 2025-01-01T00:00:00Z. */
export const VIRTUAL_EPOCH_MS = 1735689600000;

/**
 * Call budget (function calls + microtask jobs + tasks). Large enough for ordinary programs (a
 * 3,000-element sort with a comparator makes about 35,000 calls); the trace cap, not this budget,
 * keeps long runs small.
 */
export const DEFAULT_MAX_STEPS = 1_000_000;
export const DEFAULT_MAX_LOOP_ITERATIONS = 1_000_000;
export const DEFAULT_MAX_VIRTUAL_MS = 10_000;
/** shouldStop is polled when the step or loop counter crosses a multiple of this. */
export const POLL_EVERY = 1024;

export const PENDING = 0;
export const FULFILLED = 1;
export const REJECTED = 2;

/** The internal record of one of the engine's promises. */
export interface PRec extends Cap {
  obj: object;
  id: number;
  state: 0 | 1 | 2;
  result: unknown;
  /**
   * Pending reactions (each holds both handlers; the spec's two lists always grow together);
   * null until the first one is added, and again once the promise is settled.
   */
  reactions: Reaction[] | null;
  handled: boolean;
  /** Where it was rejected (the statement running, else the last located event), for the report. */
  rejectedAt: SourceLoc | undefined;
}

/** Internal handler objects (await continuations and async-generator bookkeeping). */
export interface InternalHandler {
  hk: 1 | 2 | 3;
}

export interface Reaction {
  cap: Cap | undefined;
  f: unknown;
  r: unknown;
  via: ReactionVia;
}

/**
 * PromiseCapability record. For the intrinsic Promise the promise's own record is the capability
 * (`rec` points to itself, `done` is its alreadyResolved flag), so no extra object is allocated.
 */
export interface Cap {
  promise: object;
  rec: PRec | null;
  done: boolean;
  resolve: ((v: unknown) => unknown) | null;
  reject: ((v: unknown) => unknown) | null;
}

export const JOB_REACTION = 0;
export const JOB_THENABLE = 1;
export const JOB_CALLBACK = 2;

export interface Timer {
  id: number;
  callback: Function | null;
  /** For delay(): the promise to fulfil. */
  delayRec: PRec | null;
  delayValue: unknown;
  args: unknown[];
  requested: number;
  timeout: number;
  due: number;
  repeat: boolean;
  nesting: number;
  state: 'pending' | 'queued' | 'running' | 'done';
  api: 'setTimeout' | 'setInterval' | 'delay';
  /** Agenda generation: a cleared or rescheduled timer leaves stale agenda entries behind. */
  gen: number;
  name: string;
  /** Node runs: the loop turn the timer was (re)armed in (0: the main script), for race detection. */
  iteration: number;
  /** Node runs: an unref'd timer (AbortSignal.timeout's) does not keep the loop alive. */
  unref?: boolean;
  /** A simulated I/O (a 'delay' timer made by a lab helper): computes the value its promise is
   * fulfilled with when it completes (instead of `delayValue`). */
  complete?: () => unknown;
}

/** Node runs: a setImmediate entry. */
export interface Immediate {
  id: number;
  callback: Function;
  args: unknown[];
  name: string;
  cleared: boolean;
}

/** Node runs: an in-flight I/O request of the virtual file system. */
export interface IoRequest {
  id: number;
  callback: Function;
  args: unknown[];
  due: number;
  name: string;
  path: string;
  ok: boolean;
  iteration: number;
}

export interface Task {
  id: number;
  kind: 'script' | 'timer' | 'immediate' | 'io' | 'rejection';
  timer: Timer | null;
  /** Browser 'rejection' tasks: the promises HTML's "notify about rejected promises" looks at. */
  rejections?: PRec[];
  nesting: number;
  label: string;
}

/** Completion record passed into yield* helpers. */
export interface Completion {
  type: 0 | 1 | 2; // normal, throw, return
  value: unknown;
}

export interface IterRec {
  iterator: object;
  next: unknown;
  done: boolean;
}

/** Thrown through learner code when a budget runs out; never an Error, never catchable for long. */
export class StopSignal {
  constructor(
    readonly budget: BudgetKind,
    readonly message: string,
  ) {}
}

/** Node runs: thrown (through engine code only) when the process dies; the loop catches it. */
export class ExitSignal {
  constructor(readonly code: number) {}
}

export interface EngineProgram {
  locs: SourceLoc[];
  fns: FnInfo[];
  sites: SiteInfo[];
  programLoc: number;
  /** The learner's text of each function and class, by its transformed text (engine/host.ts). */
  sourceOf?: ReadonlyMap<string, string>;
}

export class Agent {
  readonly maxSteps: number;
  readonly maxLoops: number;
  readonly maxTime: number;
  readonly cap: number;
  readonly shouldStop: (() => boolean) | undefined;
  /** RunOptions.chooser (browser runs): which pending timer completes next. */
  readonly chooser: ((pending: readonly PendingCompletion[]) => number) | undefined;

  readonly rec: TraceRecorder<EventLoopEvent>;
  readonly consoleLines: string[] = [];
  clock = 0;
  steps = 0;
  loops = 0;
  tasksRun = 0;
  jobsRun = 0;
  stopped: StopSignal | null = null;

  readonly locs: SourceLoc[];
  readonly fns: FnInfo[];
  readonly sites: SiteInfo[];
  readonly programLoc: number;
  readonly sourceOf: ReadonlyMap<string, string>;
  /** Location registers written by the transformed code: p = current statement, w = last await site. */
  readonly L = { p: -1, w: -1 };

  /** The microtask queue, flat: [id, kind, a, b, c] per job (no object per job). */
  micro: unknown[] = [];
  microHead = 0;
  checkpointing = false;
  taskQueue: Task[] = [];
  readonly agenda = new Agenda<{ t: Timer; gen: number }>();
  readonly timers = new Map<number, Timer>();
  currentTask: Task | null = null;
  nextPromiseId = 1;
  nextJobId = 1;
  nextTaskId = 1;
  nextTimerId = 1;
  aboutToBeNotified: PRec[] = [];
  readonly outstanding = new Set<PRec>();
  /** Set while an await registers on a settled promise: its await event announces the job. */
  quietEnqueue = false;
  /** The microtask job whose run resumes a coroutine (named by the resume event). */
  resumeJob = 0;
  /** Location of the last recorded event that had one. */
  lastLoc: SourceLoc | undefined;
  /** Where the last `throw` of the current task or microtask was (reset when one starts). */
  throwLoc: SourceLoc | undefined;
  /** The record of the promise the intrinsic constructor made last (read by intrinsicCap). */
  lastRec: PRec | null = null;
  /** The exception PromiseResolve threw in the last failed awaitValue. */
  awaitError: unknown = undefined;
  /** Label for the next reaction registered by the intrinsic `then` (set around Invoke calls). */
  viaNext: ReactionVia = 'then';
  /** Label for the next promise created through the intrinsic constructor fast path. */
  byNext = 'then';
  readonly rng: Rng;
  consoleIndent = 0;
  readonly counts = new Map<string, number>();
  readonly timersByLabel = new Map<string, number>();

  // Node runs (runtime 'node', engine/node.ts).
  readonly runtime: Runtime;
  readonly files: Record<string, string> | undefined;
  /** The next-tick queue, flat: [id, callback, args] per tick. */
  ticks: unknown[] = [];
  tickHead = 0;
  nextTickId = 1;
  immediates: Immediate[] = [];
  readonly immediateById = new Map<number, Immediate>();
  nextImmediateId = 1;
  ios: IoRequest[] = [];
  nextIoId = 1;
  /** Loop turn (0 while the main script and its ticks and microtasks run). */
  iteration = 0;
  phase: NodePhase | null = null;
  exitCode: number | undefined = undefined;
  readonly notes: string[] = [];

  // The realm (installed by promises.ts and generators.ts).
  PromiseCtor!: new (executor: unknown) => object;
  slots!: (p: unknown) => PRec | undefined;
  readonly INTERNAL = {};
  intrinsicThen!: Function;
  agSlots!: (o: unknown) => AsyncGenCtx | undefined;
  makeAsyncGen!: (ctx: AsyncGenCtx) => object;
  makeGenWrapper!: (gen: Generator, fid: number) => object;
  /** The prototypes generator objects share (what a generator function's `prototype` inherits from). */
  genProto!: object;
  asyncGenProto!: object;
  makeAsyncFromSync!: (rec: IterRec) => object;
  /** State and result of one of our promises, for console formatting. */
  promiseDetails!: (v: object) => ['pending' | 'fulfilled' | 'rejected', unknown] | undefined;
  readonly fakeGlobal: Record<string, unknown> = {};

  /** Function ids of the frames on the modelled call stack (-1: main script). */
  readonly stack: number[] = [];

  constructor(program: EngineProgram, options: RunOptions = {}) {
    this.maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
    this.maxLoops = options.maxLoopIterations ?? DEFAULT_MAX_LOOP_ITERATIONS;
    this.maxTime = options.maxVirtualMs ?? DEFAULT_MAX_VIRTUAL_MS;
    this.shouldStop = options.shouldStop;
    this.chooser = options.chooser;
    this.rec = new TraceRecorder<EventLoopEvent>(options.traceCap);
    this.cap = this.rec.cap;
    this.rng = new Rng(options.seed ?? 1);
    this.runtime = options.runtime ?? 'browser';
    this.files = options.files;
    this.locs = program.locs;
    this.fns = program.fns;
    this.sites = program.sites;
    this.programLoc = program.programLoc;
    this.sourceOf = program.sourceOf ?? new Map();
  }

  // ------------------------------------------------------------------ trace

  /** True when an event may be recorded now (not stopped, trace not full). */
  live(): boolean {
    if (this.stopped) return false;
    if (this.rec.events.length < this.cap) return true;
    this.rec.truncated = true;
    this.rec.emitted++;
    return false;
  }

  /**
   * Records an event. Call only when `live()` said yes: literals carry their own `seq`
   * (`this.rec.events.length`, what TraceRecorder.emit would assign), so no property is added to
   * an event after it is built (events of a dozen shapes pass through here).
   */
  emit(e: EventLoopEvent): void {
    this.rec.emitted++;
    this.rec.events.push(e);
    if (e.loc) this.lastLoc = e.loc;
  }

  here(): SourceLoc | undefined {
    const p = this.L.p;
    return p >= 0 ? this.locs[p] : undefined;
  }

  pushFrame(fid: number, loc: number): void {
    // Emit before pushing: if the host stack overflows here, neither happens.
    if (this.live()) {
      const name = fid >= 0 ? this.fns[fid].name : '(main script)';
      this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'push', name, fn: fid, loc: loc >= 0 ? this.locs[loc] : undefined } as EventLoopEvent);
    }
    this.stack.push(fid);
  }

  popFrame(): void {
    const fid = this.stack.pop() ?? -1;
    if (this.live()) {
      const name = fid >= 0 ? this.fns[fid].name : '(main script)';
      this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'pop', name, fn: fid, loc: this.here() } as EventLoopEvent);
    }
  }

  nativeFrame<T>(name: string, body: () => T): T {
    if (this.live()) this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'push', name, fn: -2, native: true, loc: this.here() } as EventLoopEvent);
    try {
      return body();
    } finally {
      if (this.live()) this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'pop', name, fn: -2, loc: this.here() } as EventLoopEvent);
    }
  }

  // ------------------------------------------------------------------ budgets

  stop(budget: BudgetKind): never {
    if (!this.stopped) {
      const message = budgetMessage(budget, this);
      const signal = new StopSignal(budget, message);
      if (this.rec.events.length < this.cap) this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'budget', budget, message, loc: this.here() } as EventLoopEvent);
      this.stopped = signal;
    }
    throw this.stopped;
  }

  /**
   * Rethrows the stop signal if the run is stopping; call in every catch of learner exceptions.
   * A caught host error's message loses the runtime's helper names (`__$T(...).f is not a
   * function` reads `this.f is not a function`), so the learner sees V8's words for their code.
   */
  guard(e?: unknown): void {
    if (this.stopped) throw this.stopped;
    if (e !== undefined) cleanError(e);
  }

  countStep(): void {
    if (this.stopped) throw this.stopped;
    if (++this.steps > this.maxSteps) this.stop('steps');
    if ((this.steps & (POLL_EVERY - 1)) === 0 && this.shouldStop?.()) this.stop('host');
  }

  countLoop(): void {
    if (this.stopped) throw this.stopped;
    if (++this.loops > this.maxLoops) this.stop('loops');
    if ((this.loops & (POLL_EVERY - 1)) === 0 && this.shouldStop?.()) this.stop('host');
  }

  /** Reads the clock (advancing it by CLOCK_READ_MS). */
  readClock(): number {
    this.clock = Math.round((this.clock + CLOCK_READ_MS) * 1e6) / 1e6;
    if (this.clock > this.maxTime) this.stop('time');
    return this.clock;
  }
}


/** V8's text for an expression the transform rewrote: the learner's expression. */
export function cleanMessage(m: string): string {
  return m
    .replace(/\(0 , __\$N\.([^\s()]+)\)/g, '$1')
    .replace(/__\$N\./g, '')
    .replace(/__\$T\(\.\.\.\)/g, 'this')
    .replace(/__\$sup\(\.\.\.\)/g, '(intermediate value)');
}

/** Rewrites a host error's own `message` when it names a runtime helper (see cleanMessage). */
export function cleanError(e: unknown): void {
  if (typeof e !== 'object' || e === null || !(e instanceof Error)) return;
  const d = Object.getOwnPropertyDescriptor(e, 'message');
  if (!d || typeof d.value !== 'string' || !d.writable || !d.value.includes('__$')) return;
  d.value = cleanMessage(d.value);
  Object.defineProperty(e, 'message', d);
}

export function budgetMessage(budget: BudgetKind, e: { maxSteps: number; maxLoops: number; maxTime: number }): string {
  switch (budget) {
    case 'steps':
      // "calls", not "steps": the lab counts its trace events as steps.
      return (
        `Stopped after ${formatCount(e.maxSteps)} calls: the call budget ran out ` +
        '(function calls, microtasks and tasks all count). Is there an infinite loop: an endless recursion, or a chain of microtasks that never ends?'
      );
    case 'loops':
      return `Stopped after ${formatCount(e.maxLoops)} loop iterations: the loop budget ran out. Is there an infinite loop?`;
    case 'time':
      return (
        `Stopped at ${formatCount(e.maxTime)} ms of virtual time: the time budget ran out. ` +
        'Is there a setInterval that is never cleared, or a timer that keeps setting itself again?'
      );
    case 'host':
      return 'Stopped by the lab before the program finished: it ran too long in real time.';
  }
}
