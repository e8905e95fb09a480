/**
 * The event-loop engine: a modelled JavaScript agent (ECMAScript jobs and promises) inside a
 * modelled HTML event loop (tasks, timers, microtask checkpoints), on a virtual clock.
 *
 * Learner code, transformed by transform.ts, runs as real JavaScript in this realm, but every
 * asynchronous mechanism it can reach is this file's:
 *
 * - `Promise` is a class written here from the ECMAScript spec (27.2): promise records with
 *   reactions, CreateResolvingFunctions, NewPromiseReactionJob, NewPromiseResolveThenableJob,
 *   PerformPromiseThen, NewPromiseCapability (species-aware), PromiseResolve, the statics
 *   (resolve, reject, all, allSettled, any, race, withResolvers, try) and
 *   HostPromiseRejectionTracker with HTML's "about-to-be-notified rejected promises" list.
 * - `await v` is the spec's Await: PromiseResolve(%Promise%, v) then PerformPromiseThen with
 *   the coroutine as both handlers, so `await promise` costs one tick, `await thenable` costs a
 *   thenable job first, and an async function returning a promise resolves its own promise
 *   through a thenable job (two extra ticks), as in ES2022+ engines.
 * - Async generators follow AsyncGeneratorStart/Enqueue/Resume/Yield/AwaitReturn/DrainQueue and
 *   AsyncGeneratorUnwrapYieldResumption; `for await` and `yield*` use GetIterator(obj, async),
 *   CreateAsyncFromSyncIterator (with ES2025's closing of the sync iterator on rejection) and
 *   AsyncIteratorClose.
 * - Tasks: the script is the first task; a timer queues a task when its due time is reached
 *   (timers in due-time order, ties in the order they were set); after every task the microtask
 *   queue is drained completely, then rejected promises nobody handled are reported
 *   ("Uncaught (in promise) ..."), then the next task runs. When no task is queued, the clock
 *   jumps to the next timer.
 * - Timers follow HTML's timer initialization steps: the timeout is converted like a WebIDL
 *   `long`, negative becomes 0, and when the timer nesting level is above 5 a timeout below 4 ms
 *   becomes 4 ms. setInterval reschedules after its callback and its microtasks have run.
 * - Virtual time only moves between tasks (to the next timer) and when code reads the clock:
 *   each read of `Date.now`, `performance.now` or `new Date` costs CLOCK_READ_MS, so a busy-wait
 *   loop on the clock advances time and ends, and a timer it delays fires late.
 *
 * Every push, pop, enqueue, dequeue, settle, timer and console line is a trace event.
 */
import { Agenda } from '../core/agenda';
import { TraceRecorder } from '../core/recorder';
import { formatCount } from '../core/format';
import { Rng } from '../core/rng';
import { formatLogArgs, inspect } from './inspect';
import type { FnInfo, SiteInfo, SourceLoc } from './transform';
import { ALLOWED_HOST_GLOBALS, INJECTED_GLOBALS } from './transform';
import type { BudgetKind, ConsoleLevel, EventLoopEvent, JobSource, ReactionVia, RunOptions } from './types';

/** Virtual ms that one read of the clock costs (Date.now, performance.now, new Date()). */
export const CLOCK_READ_MS = 0.01;
/** What the sandbox's `Date.now` returns at virtual time 0: 2025-01-01T00:00:00Z. */
export const VIRTUAL_EPOCH_MS = 1735689600000;

export const DEFAULT_MAX_STEPS = 10_000;
export const DEFAULT_MAX_LOOP_ITERATIONS = 1_000_000;
export const DEFAULT_MAX_VIRTUAL_MS = 10_000;
/** shouldStop is polled when the step or loop counter crosses a multiple of this. */
export const POLL_EVERY = 1024;

const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;

/** The internal record of one of the engine's promises. */
interface PRec extends Cap {
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
interface InternalHandler {
  hk: 1 | 2 | 3;
}

interface Reaction {
  cap: Cap | undefined;
  f: unknown;
  r: unknown;
  via: ReactionVia;
}

/**
 * PromiseCapability record. For the intrinsic Promise the promise's own record is the capability
 * (`rec` points to itself, `done` is its alreadyResolved flag), so no extra object is allocated.
 */
interface Cap {
  promise: object;
  rec: PRec | null;
  done: boolean;
  resolve: ((v: unknown) => unknown) | null;
  reject: ((v: unknown) => unknown) | null;
}

const JOB_REACTION = 0;
const JOB_THENABLE = 1;
const JOB_CALLBACK = 2;


interface Timer {
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
}

interface Task {
  id: number;
  kind: 'script' | 'timer';
  timer: Timer | null;
  nesting: number;
  label: string;
}

/** Thrown through learner code when a budget runs out; never an Error, never catchable for long. */
export class StopSignal {
  constructor(
    readonly budget: BudgetKind,
    readonly message: string,
  ) {}
}

/** Completion record passed into yield* helpers. */
interface Completion {
  type: 0 | 1 | 2; // normal, throw, return
  value: unknown;
}

class YieldInstr {
  constructor(
    readonly value: unknown,
    readonly site: number,
  ) {}
}
class RawYield {
  constructor(readonly value: unknown) {}
}
class ReturnNow {
  constructor(readonly value: unknown) {}
}

/** Coroutine state of an async function. */
class AsyncFnCtx implements InternalHandler {
  readonly hk = 1 as const;
  gen: Generator | null = null;
  resumeLoc = -1;
  constructor(
    readonly cap: Cap,
    readonly fid: number,
  ) {}
}

interface AGRequest {
  completion: Completion;
  cap: Cap;
}

/** Coroutine state of an async generator. */
class AsyncGenCtx implements InternalHandler {
  readonly hk = 2 as const;
  gen: Generator | null = null;
  state: 'suspendedStart' | 'suspendedYield' | 'executing' | 'awaiting-return' | 'completed' = 'suspendedStart';
  queue: AGRequest[] = [];
  resumeLoc = -1;
  /** Which await is pending: 0 body await, 1 the await of `yield v`, 2 the await of a return resumption. */
  awaitKind = 0;
  /** The current yield came from a yield* helper (completions are passed as records). */
  raw = false;
  constructor(readonly fid: number) {}
}

class AwaitReturnHandler implements InternalHandler {
  readonly hk = 3 as const;
  constructor(readonly ctx: AsyncGenCtx) {}
}

interface IterRec {
  iterator: object;
  next: unknown;
  done: boolean;
}

const DONE = Symbol('done');
/** Trace name of a built-in closure (Promise.all element functions, finally thunks...). */
const BUILTIN_NAME = Symbol('builtin name');

function isObject(v: unknown): v is object {
  return (typeof v === 'object' && v !== null) || typeof v === 'function';
}

/** WebIDL `long` conversion (ToNumber, truncate, modulo 2^32, signed). */
function toLong(v: unknown): number {
  let n = Number(v);
  if (!Number.isFinite(n)) return 0;
  n = Math.trunc(n) % 4294967296;
  if (n < 0) n += 4294967296;
  if (n >= 2147483648) n -= 4294967296;
  return n;
}

function fnName(f: unknown): string {
  if (typeof f !== 'function') return '(anonymous)';
  try {
    const n = (f as { name?: unknown }).name;
    return typeof n === 'string' && n !== '' ? n : '(anonymous)';
  } catch {
    return '(anonymous)';
  }
}

/** Short preview of a value for trace events (never calls learner code). */
export function preview(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v.length > 40 ? JSON.stringify(v.slice(0, 39) + '…') : JSON.stringify(v);
    case 'number':
      return Object.is(v, -0) ? '-0' : String(v);
    case 'bigint':
      return `${v}n`;
    case 'boolean':
    case 'undefined':
      return String(v);
    case 'symbol':
      return v.toString();
    case 'function':
      return `[Function: ${fnName(v)}]`;
    default: {
      if (v === null) return 'null';
      if (Array.isArray(v)) return `Array(${v.length})`;
      if (v instanceof Error) {
        const d = Object.getOwnPropertyDescriptor(v, 'message');
        const msg = d && typeof d.value === 'string' ? d.value : '';
        let name = 'Error';
        for (let o: object | null = v; o; o = Object.getPrototypeOf(o)) {
          const nd = Object.getOwnPropertyDescriptor(o, 'name');
          if (nd) {
            if (typeof nd.value === 'string') name = nd.value;
            break;
          }
        }
        return msg ? `${name}: ${msg}` : name;
      }
      let o: object | null = v as object;
      for (let i = 0; o && i < 50; i++) {
        const d = Object.getOwnPropertyDescriptor(o, 'constructor');
        if (d && typeof d.value === 'function' && d.value.name) return d.value.name === 'Object' ? '{…}' : `${d.value.name} {…}`;
        o = Object.getPrototypeOf(o);
      }
      return '{…}';
    }
  }
}

export interface EngineProgram {
  locs: SourceLoc[];
  fns: FnInfo[];
  sites: SiteInfo[];
  programLoc: number;
}

export class Engine {
  readonly maxSteps: number;
  readonly maxLoops: number;
  readonly maxTime: number;
  readonly cap: number;
  private readonly shouldStop: (() => boolean) | undefined;

  readonly rec: TraceRecorder<EventLoopEvent>;
  readonly consoleLines: string[] = [];
  clock = 0;
  steps = 0;
  loops = 0;
  tasksRun = 0;
  jobsRun = 0;
  stopped: StopSignal | null = null;

  private readonly locs: SourceLoc[];
  private readonly fns: FnInfo[];
  private readonly sites: SiteInfo[];
  private readonly programLoc: number;
  /** Location registers written by the transformed code: p = current statement, w = last await site. */
  readonly L = { p: -1, w: -1 };

  /** The microtask queue, flat: [id, kind, a, b, c] per job (no object per job). */
  private micro: unknown[] = [];
  private microHead = 0;
  private checkpointing = false;
  private taskQueue: Task[] = [];
  private readonly agenda = new Agenda<{ t: Timer; gen: number }>();
  private readonly timers = new Map<number, Timer>();
  private currentTask: Task | null = null;
  private nextPromiseId = 1;
  private nextJobId = 1;
  private nextTaskId = 1;
  private nextTimerId = 1;
  private aboutToBeNotified: PRec[] = [];
  private readonly outstanding = new Set<PRec>();
  /** Set while an await registers on a settled promise: its await event announces the job. */
  private quietEnqueue = false;
  /** The microtask job whose run resumes a coroutine (named by the resume event). */
  private resumeJob = 0;
  /** Location of the last recorded event that had one. */
  private lastLoc: SourceLoc | undefined;
  /** Where the last `throw` of the current task or microtask was (reset when one starts). */
  private throwLoc: SourceLoc | undefined;
  /** The record of the promise the intrinsic constructor made last (read by intrinsicCap). */
  lastRec: PRec | null = null;
  /** The exception PromiseResolve threw in the last failed awaitValue. */
  private awaitError: unknown = undefined;
  /** Label for the next reaction registered by the intrinsic `then` (set around Invoke calls). */
  private viaNext: ReactionVia = 'then';
  /** Label for the next promise created through the intrinsic constructor fast path. */
  private byNext = 'then';
  private readonly rng: Rng;
  private consoleIndent = 0;
  private readonly counts = new Map<string, number>();
  private readonly timersByLabel = new Map<string, number>();

  // The realm.
  readonly PromiseCtor: new (executor: unknown) => object;
  private slots!: (p: unknown) => PRec | undefined;
  private readonly INTERNAL = {};
  private readonly intrinsicThen: Function;
  private agSlots!: (o: unknown) => AsyncGenCtx | undefined;
  private makeAsyncGen!: (ctx: AsyncGenCtx) => object;
  private makeGenWrapper!: (gen: Generator, fid: number) => object;
  private makeAsyncFromSync!: (rec: IterRec) => object;
  readonly fakeGlobal: Record<string, unknown>;

  constructor(program: EngineProgram, options: RunOptions = {}) {
    this.maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
    this.maxLoops = options.maxLoopIterations ?? DEFAULT_MAX_LOOP_ITERATIONS;
    this.maxTime = options.maxVirtualMs ?? DEFAULT_MAX_VIRTUAL_MS;
    this.shouldStop = options.shouldStop;
    this.rec = new TraceRecorder<EventLoopEvent>(options.traceCap);
    this.cap = this.rec.cap;
    this.rng = new Rng(options.seed ?? 1);
    this.locs = program.locs;
    this.fns = program.fns;
    this.sites = program.sites;
    this.programLoc = program.programLoc;
    this.PromiseCtor = this.createPromiseClass();
    this.intrinsicThen = (this.PromiseCtor.prototype as { then: Function }).then;
    this.createAsyncGeneratorClass();
    this.createGeneratorWrapperClass();
    this.createAsyncFromSyncIteratorClass();
    this.fakeGlobal = {};
  }

  // ------------------------------------------------------------------ trace

  /** True when an event may be recorded now (not stopped, trace not full). */
  private live(): boolean {
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
  private emit(e: EventLoopEvent): void {
    this.rec.emitted++;
    this.rec.events.push(e);
    if (e.loc) this.lastLoc = e.loc;
  }

  private here(): SourceLoc | undefined {
    const p = this.L.p;
    return p >= 0 ? this.locs[p] : undefined;
  }

  /** Function ids of the frames on the modelled call stack (-1: main script). */
  private readonly stack: number[] = [];

  private pushFrame(fid: number, loc: number): void {
    // Emit before pushing: if the host stack overflows here, neither happens.
    if (this.live()) {
      const name = fid >= 0 ? this.fns[fid].name : '(main script)';
      this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'push', name, fn: fid, loc: loc >= 0 ? this.locs[loc] : undefined } as EventLoopEvent);
    }
    this.stack.push(fid);
  }

  private popFrame(): void {
    const fid = this.stack.pop() ?? -1;
    if (this.live()) {
      const name = fid >= 0 ? this.fns[fid].name : '(main script)';
      this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'pop', name, fn: fid, loc: this.here() } as EventLoopEvent);
    }
  }

  private nativeFrame<T>(name: string, body: () => T): T {
    if (this.live()) this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'push', name, fn: -2, native: true, loc: this.here() } as EventLoopEvent);
    try {
      return body();
    } finally {
      if (this.live()) this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'pop', name, fn: -2, loc: this.here() } as EventLoopEvent);
    }
  }

  // ------------------------------------------------------------------ budgets

  private stop(budget: BudgetKind): never {
    if (!this.stopped) {
      const message = budgetMessage(budget, this);
      const signal = new StopSignal(budget, message);
      if (this.rec.events.length < this.cap) this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'budget', budget, message, loc: this.here() } as EventLoopEvent);
      this.stopped = signal;
    }
    throw this.stopped;
  }

  /** Rethrows the stop signal if the run is stopping; call in every catch of learner exceptions. */
  guard(): void {
    if (this.stopped) throw this.stopped;
  }

  private countStep(): void {
    if (this.stopped) throw this.stopped;
    if (++this.steps > this.maxSteps) this.stop('steps');
    if ((this.steps & (POLL_EVERY - 1)) === 0 && this.shouldStop?.()) this.stop('host');
  }

  private countLoop(): void {
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

  // ------------------------------------------------------------------ promises: records and jobs

  private newRec(obj: object, by: string): PRec {
    const rec = {
      obj,
      id: this.nextPromiseId++,
      state: PENDING,
      result: undefined,
      reactions: null,
      handled: false,
      rejectedAt: undefined,
      promise: obj,
      rec: null,
      done: false,
      resolve: null,
      reject: null,
    } as unknown as PRec;
    rec.rec = rec;
    // Promises made by then/catch/finally and await are announced by their promise-then / await
    // events, and those of Promise.resolve/reject by the settle or follow event that comes
    // right after; a separate creation step would only slow learners (and the engine) down.
    if (by !== 'then' && by !== 'catch' && by !== 'finally' && by !== 'await' && by !== 'Promise.resolve' && by !== 'Promise.reject' && this.live()) this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'promise-create', promise: rec.id, by, loc: this.here() } as EventLoopEvent);
    return rec;
  }

  /** A fresh intrinsic promise and its capability (no resolving functions allocated). */
  private intrinsicCap(by: string): Cap {
    this.byNext = by;
    new this.PromiseCtor(this.INTERNAL);
    return this.lastRec!;
  }

  private isConstructor(C: unknown): boolean {
    if (typeof C !== 'function') return false;
    try {
      // Constructing a proxy with a construct trap checks [[Construct]] without running C.
      const probe = new Proxy(C, { construct: () => ({}) });
      new (probe as new () => object)();
      return true;
    } catch {
      return false;
    }
  }

  /** NewPromiseCapability(C). */
  private newCap(C: unknown, by: string): Cap {
    if (C === this.PromiseCtor) return this.intrinsicCap(by);
    if (!this.isConstructor(C)) throw new TypeError(`${preview(C)} is not a constructor`);
    const cap: Cap = { promise: undefined as unknown as object, rec: null, done: false, resolve: null, reject: null };
    let resolve: unknown;
    let reject: unknown;
    const executor = (res: unknown, rej: unknown): void => {
      if (resolve !== undefined || reject !== undefined) throw new TypeError('Promise executor has already been invoked with non-undefined arguments');
      resolve = res;
      reject = rej;
    };
    const promise = Reflect.construct(C as Function, [executor]) as object;
    if (typeof resolve !== 'function' || typeof reject !== 'function') throw new TypeError('Promise resolve or reject function is not callable');
    cap.promise = promise;
    cap.resolve = resolve as (v: unknown) => unknown;
    cap.reject = reject as (v: unknown) => unknown;
    return cap;
  }

  private capResolve(cap: Cap, v: unknown): void {
    if (cap.rec) {
      if (cap.done) return;
      cap.done = true;
      this.resolveWith(cap.rec, v);
    } else {
      cap.resolve!(v);
    }
  }

  private capReject(cap: Cap, r: unknown): void {
    if (cap.rec) {
      if (cap.done) return;
      cap.done = true;
      this.rejectRec(cap.rec, r);
    } else {
      cap.reject!(r);
    }
  }

  /** capability.[[Reject]] as a function (materialised on demand for the intrinsic fast path). */
  private capRejectFn(cap: Cap): (r: unknown) => void {
    if (!cap.reject) cap.reject = (r: unknown) => this.capReject(cap, r);
    return cap.reject as (r: unknown) => void;
  }

  private capResolveFn(cap: Cap): (v: unknown) => void {
    if (!cap.resolve) cap.resolve = (v: unknown) => this.capResolve(cap, v);
    return cap.resolve as (v: unknown) => void;
  }

  /** CreateResolvingFunctions(promise). */
  private resolvingFunctions(rec: PRec): { resolve: (v?: unknown) => void; reject: (r?: unknown) => void } {
    let already = false;
    const resolve = (resolution?: unknown): void => {
      if (already) return;
      already = true;
      this.resolveWith(rec, resolution);
    };
    const reject = (reason?: unknown): void => {
      if (already) return;
      already = true;
      this.rejectRec(rec, reason);
    };
    return { resolve, reject };
  }

  /** The steps of a promise resolve function once alreadyResolved has been checked. */
  private resolveWith(rec: PRec, resolution: unknown): void {
    if (resolution === rec.obj) {
      this.rejectRec(rec, new TypeError('Chaining cycle detected for promise #<Promise>'));
      return;
    }
    if (!isObject(resolution)) {
      this.fulfillRec(rec, resolution);
      return;
    }
    let then: unknown;
    try {
      then = (resolution as { then?: unknown }).then;
    } catch (e) {
      this.guard();
      this.rejectRec(rec, e);
      return;
    }
    if (typeof then !== 'function') {
      this.fulfillRec(rec, resolution);
      return;
    }
    if (this.live()) {
      const other = this.slots(resolution);
      this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'promise-follow', promise: rec.id, thenable: other?.id, loc: this.here() } as EventLoopEvent);
    }
    this.enqueueJob(JOB_THENABLE, rec, resolution, then);
  }

  private fulfillRec(rec: PRec, value: unknown): void {
    const reactions = rec.reactions;
    rec.reactions = null;
    rec.result = value;
    rec.state = FULFILLED;
    if (this.live()) this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'promise-settle', promise: rec.id, state: 'fulfilled', value: preview(value), loc: this.here() } as EventLoopEvent);
    if (reactions) for (let i = 0; i < reactions.length; i++) this.enqueueReaction(reactions[i], 0, value, rec);
  }

  private rejectRec(rec: PRec, reason: unknown): void {
    const reactions = rec.reactions;
    rec.reactions = null;
    rec.result = reason;
    rec.state = REJECTED;
    if (this.live()) {
      rec.rejectedAt = this.here() ?? this.lastLoc;
      this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'promise-settle', promise: rec.id, state: 'rejected', value: preview(reason), loc: this.here() } as EventLoopEvent);
    }
    if (!rec.handled) this.rejectionTracker(rec, 'reject');
    if (reactions) for (let i = 0; i < reactions.length; i++) this.enqueueReaction(reactions[i], 1, reason, rec);
  }

  /** HostPromiseRejectionTracker (HTML). */
  private rejectionTracker(rec: PRec, op: 'reject' | 'handle'): void {
    if (op === 'reject') {
      this.aboutToBeNotified.push(rec);
      return;
    }
    const i = this.aboutToBeNotified.indexOf(rec);
    if (i >= 0) {
      this.aboutToBeNotified.splice(i, 1);
      return;
    }
    if (this.outstanding.delete(rec) && this.live()) {
      this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'rejection-handled', promise: rec.id, loc: this.here() } as EventLoopEvent);
    }
  }

  /** PerformPromiseThen(promise, onFulfilled, onRejected, resultCapability). */
  private performThen(rec: PRec, f: unknown, r: unknown, cap: Cap | undefined, via: ReactionVia): void {
    // Callers pass functions, internal handlers or undefined (the user-facing `then` filters).
    const reaction: Reaction = { cap, f, r, via };
    if (via !== 'await' && this.live()) this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'promise-then', promise: rec.id, via, result: cap?.rec?.id, loc: this.here() } as EventLoopEvent);
    if (rec.state === PENDING) {
      if (rec.reactions) rec.reactions.push(reaction);
      else rec.reactions = [reaction];
    } else if (rec.state === FULFILLED) {
      this.enqueueReaction(reaction, 0, rec.result, rec);
    } else {
      if (!rec.handled) this.rejectionTracker(rec, 'handle');
      this.enqueueReaction(reaction, 1, rec.result, rec);
    }
    rec.handled = true;
  }

  private enqueueReaction(reaction: Reaction, type: 0 | 1, arg: unknown, settled: PRec): void {
    const id = this.nextJobId++;
    if (!this.quietEnqueue && this.live()) {
      // Labels for the queue view are derived from these fields by jobLabel (labels.ts).
      const handler = type === 0 ? reaction.f : reaction.r;
      let source: JobSource = 'reaction';
      let name: string | undefined;
      if (handler === undefined) {
        name = undefined;
      } else if (typeof handler !== 'function') {
        const h = handler as InternalHandler;
        if (h.hk === 3) name = this.fns[(h as AwaitReturnHandler).ctx.fid].name;
        else {
          source = 'await';
          name = this.fns[(h as AsyncFnCtx | AsyncGenCtx).fid].name;
        }
      } else {
        name = (handler as { [BUILTIN_NAME]?: string })[BUILTIN_NAME] ?? fnName(handler);
      }
      this.emit({
        seq: this.rec.events.length,
        t: this.clock,
        kind: 'microtask-enqueue',
        loc: this.here(),
        job: id,
        source,
        promise: settled.id,
        handler: type === 0 ? 'fulfill' : 'reject',
        via: reaction.via,
        fn: name,
        target: reaction.cap?.rec?.id,
      });
    }
    this.micro.push(id, JOB_REACTION, reaction, type, arg);
  }

  /** Enqueues a thenable job (a: promise record, b: thenable, c: then) or a queueMicrotask callback (a). */
  private enqueueJob(kind: 1 | 2, a: unknown, b: unknown, c: unknown): void {
    const id = this.nextJobId++;
    if (this.live()) {
      if (kind === JOB_THENABLE) {
        const other = this.slots(b);
        this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'microtask-enqueue', loc: this.here(), job: id, source: 'thenable', promise: (a as PRec).id, fn: fnName(c), thenable: other?.id });
      } else {
        this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'microtask-enqueue', loc: this.here(), job: id, source: 'queueMicrotask', fn: fnName(a) });
      }
    }
    this.micro.push(id, kind, a, b, c);
  }

  private runJob(id: number, kind: number, a: unknown, b: unknown, c: unknown): void {
    this.countStep();
    this.jobsRun++;
    this.L.p = -1;
    this.throwLoc = undefined;
    // An await continuation starts with its `resume` event (which names the job), not a
    // separate microtask-start: one step for "the next microtask resumes f".
    let resumes = false;
    if (kind === JOB_REACTION) {
      const h = (b === 0 ? (a as Reaction).f : (a as Reaction).r) as InternalHandler | undefined;
      resumes = h !== undefined && typeof h !== 'function' && h.hk !== 3;
    }
    if (resumes) this.resumeJob = id;
    else if (this.live()) this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'microtask-start', job: id });
    try {
      if (kind === JOB_REACTION) this.reactionJob(a as Reaction, b as 0 | 1, c);
      else if (kind === JOB_THENABLE) this.thenableJob(a as PRec, b as object, c as Function);
      else (a as () => void)();
    } catch (e) {
      this.guard();
      this.reportException(e);
    }
    this.L.p = -1;
    // No end event: the job ends when the next microtask starts, or when its task ends.
  }

  /** NewPromiseReactionJob's steps. */
  private reactionJob(reaction: Reaction, type: 0 | 1, arg: unknown): void {
    const handler = type === 0 ? reaction.f : reaction.r;
    const cap = reaction.cap;
    if (handler === undefined) {
      if (type === 0) this.capResolve(cap!, arg);
      else this.capReject(cap!, arg);
      return;
    }
    if (typeof handler !== 'function') {
      this.settleInternal(handler as InternalHandler, type, arg);
      return;
    }
    let result: unknown;
    try {
      result = (handler as (v: unknown) => unknown)(arg);
    } catch (e) {
      this.guard();
      if (cap) this.capReject(cap, e);
      return;
    }
    if (this.stopped) throw this.stopped;
    if (cap) this.capResolve(cap, result);
  }

  /** NewPromiseResolveThenableJob's steps. */
  private thenableJob(rec: PRec, thenable: object, then: Function): void {
    const { resolve, reject } = this.resolvingFunctions(rec);
    const intrinsic = then === this.intrinsicThen;
    if (intrinsic) this.viaNext = 'adopt';
    try {
      then.call(thenable, resolve, reject);
    } catch (e) {
      this.guard();
      reject(e);
    } finally {
      this.viaNext = 'then';
    }
  }

  /** PromiseResolve(C, x). */
  private promiseResolve(C: unknown, x: unknown, by: string): object {
    if (this.slots(x)) {
      const xc = (x as { constructor?: unknown }).constructor;
      if (xc === C) return x as object;
    }
    const cap = this.newCap(C, by);
    this.capResolve(cap, x);
    return cap.promise;
  }

  /** Invoke(p, "then", args) with a label for the reaction the intrinsic then will register. */
  private invokeThen(p: unknown, via: ReactionVia, ...args: unknown[]): unknown {
    const then = (p as { then?: unknown }).then;
    if (typeof then !== 'function') throw new TypeError(`${preview(then)} is not a function`);
    this.viaNext = via;
    try {
      return then.apply(p, args);
    } finally {
      this.viaNext = 'then';
    }
  }

  private speciesConstructor(O: object, dflt: unknown): unknown {
    const C = (O as { constructor?: unknown }).constructor;
    if (C === undefined) return dflt;
    if (!isObject(C)) throw new TypeError('The .constructor property is not an object');
    const S = (C as { [Symbol.species]?: unknown })[Symbol.species];
    if (S === undefined || S === null) return dflt;
    if (this.isConstructor(S)) return S;
    throw new TypeError('object.constructor[Symbol.species] is not a constructor');
  }

  private getIterator(obj: unknown): IterRec {
    const method = obj === null || obj === undefined ? undefined : (obj as { [Symbol.iterator]?: unknown })[Symbol.iterator];
    if (typeof method !== 'function') throw new TypeError(`${preview(obj)} is not iterable (cannot read property Symbol(Symbol.iterator))`);
    const iterator = method.call(obj);
    if (!isObject(iterator)) throw new TypeError(`Result of the Symbol.iterator method is not an object`);
    return { iterator, next: (iterator as { next?: unknown }).next, done: false };
  }

  private iteratorStepValue(rec: IterRec): unknown {
    let result: unknown;
    try {
      result = (rec.next as Function).call(rec.iterator);
    } catch (e) {
      rec.done = true;
      throw e;
    }
    if (!isObject(result)) {
      rec.done = true;
      throw new TypeError(`Iterator result ${preview(result)} is not an object`);
    }
    let done: boolean;
    try {
      done = !!(result as { done?: unknown }).done;
    } catch (e) {
      rec.done = true;
      throw e;
    }
    if (done) {
      rec.done = true;
      return DONE;
    }
    try {
      return (result as { value?: unknown }).value;
    } catch (e) {
      rec.done = true;
      throw e;
    }
  }

  /** IteratorClose(rec, throw completion): errors of return() are ignored. */
  private iteratorCloseOnThrow(rec: IterRec): void {
    try {
      const ret = (rec.iterator as { return?: unknown }).return;
      if (ret !== undefined && ret !== null) (ret as Function).call(rec.iterator);
    } catch {
      this.guard();
    }
  }

  /** IteratorClose(rec, normal completion): errors of return() propagate. */
  private iteratorCloseNormal(rec: IterRec): void {
    const ret = (rec.iterator as { return?: unknown }).return;
    if (ret === undefined || ret === null) return;
    if (typeof ret !== 'function') throw new TypeError(`${preview(ret)} is not a function`);
    const inner = ret.call(rec.iterator);
    if (!isObject(inner)) throw new TypeError(`Iterator result ${preview(inner)} is not an object`);
  }

  private labelBuiltin<T extends Function>(fn: T, name: string): T {
    if (this.rec.events.length < this.cap) Object.defineProperty(fn, BUILTIN_NAME, { value: name });
    return fn;
  }

  /** The shared shape of Promise.all / allSettled / any / race. */
  private combinator(C: unknown, iterable: unknown, via: 'all' | 'allSettled' | 'any' | 'race'): object {
    const cap = this.newCap(C, `Promise.${via}`);
    let promiseResolve: unknown;
    let rec: IterRec;
    try {
      promiseResolve = (C as { resolve?: unknown }).resolve;
      if (typeof promiseResolve !== 'function') throw new TypeError('Promise resolve or reject function is not callable');
      rec = this.getIterator(iterable);
    } catch (e) {
      this.guard();
      this.capReject(cap, e);
      return cap.promise;
    }
    try {
      return this.performCombinator(rec, C, cap, promiseResolve as Function, via);
    } catch (e) {
      this.guard();
      if (!rec.done) this.iteratorCloseOnThrow(rec);
      this.capReject(cap, e);
      return cap.promise;
    }
  }

  private performCombinator(rec: IterRec, C: unknown, cap: Cap, promiseResolve: Function, via: 'all' | 'allSettled' | 'any' | 'race'): object {
    const values: unknown[] = [];
    let remaining = 1;
    let index = 0;
    const finish = (): void => {
      if (via === 'any') {
        const err = new AggregateError(values.slice(), 'All promises were rejected');
        this.capReject(cap, err);
      } else {
        this.capResolve(cap, values.slice());
      }
    };
    for (;;) {
      const next = this.iteratorStepValue(rec);
      if (next === DONE) {
        if (via !== 'race' && --remaining === 0) finish();
        return cap.promise;
      }
      const nextPromise = promiseResolve.call(C, next);
      if (via === 'race') {
        this.invokeThen(nextPromise, 'race', this.capResolveFn(cap), this.capRejectFn(cap));
        continue;
      }
      values.push(undefined);
      const i = index;
      let alreadyCalled = false;
      remaining++;
      if (via === 'all') {
        const onF = this.labelBuiltin((x: unknown): void => {
          if (alreadyCalled) return;
          alreadyCalled = true;
          values[i] = x;
          if (--remaining === 0) finish();
        }, `Promise.all resolve element [${i}]`);
        this.invokeThen(nextPromise, 'all', onF, this.capRejectFn(cap));
      } else if (via === 'allSettled') {
        const onF = this.labelBuiltin((x: unknown): void => {
          if (alreadyCalled) return;
          alreadyCalled = true;
          values[i] = { status: 'fulfilled', value: x };
          if (--remaining === 0) finish();
        }, `Promise.allSettled resolve element [${i}]`);
        const onR = this.labelBuiltin((x: unknown): void => {
          if (alreadyCalled) return;
          alreadyCalled = true;
          values[i] = { status: 'rejected', reason: x };
          if (--remaining === 0) finish();
        }, `Promise.allSettled reject element [${i}]`);
        this.invokeThen(nextPromise, 'allSettled', onF, onR);
      } else {
        const onR = this.labelBuiltin((x: unknown): void => {
          if (alreadyCalled) return;
          alreadyCalled = true;
          values[i] = x;
          if (--remaining === 0) finish();
        }, `Promise.any reject element [${i}]`);
        this.invokeThen(nextPromise, 'any', this.capResolveFn(cap), onR);
      }
      index++;
    }
  }

  private createPromiseClass(): new (executor: unknown) => object {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const engine = this;
    const INTERNAL = this.INTERNAL;
    let slotsFn: (p: unknown) => PRec | undefined = () => undefined;
    class Promise {
      #r: PRec;
      static {
        slotsFn = (p: unknown): PRec | undefined => (isObject(p) && #r in (p as object) ? (p as Promise).#r : undefined);
      }
      constructor(executor: unknown) {
        if (executor === INTERNAL) {
          this.#r = engine.lastRec = engine.newRec(this, engine.byNext);
          return;
        }
        if (typeof executor !== 'function') throw new TypeError(`Promise resolver ${preview(executor)} is not a function`);
        this.#r = engine.newRec(this, 'new Promise');
        const { resolve, reject } = engine.resolvingFunctions(this.#r);
        try {
          executor(resolve, reject);
        } catch (e) {
          engine.guard();
          reject(e);
        }
      }
      then(onFulfilled?: unknown, onRejected?: unknown): object {
        const rec = slotsFn(this);
        if (!rec) throw new TypeError(`Method Promise.prototype.then called on incompatible receiver ${preview(this)}`);
        const via = engine.viaNext;
        engine.viaNext = 'then';
        const C = engine.speciesConstructor(this, Promise);
        const cap = engine.newCap(C, via === 'then' || via === 'catch' || via === 'finally' ? via : 'then');
        engine.performThen(
          rec,
          typeof onFulfilled === 'function' ? onFulfilled : undefined,
          typeof onRejected === 'function' ? onRejected : undefined,
          cap,
          via,
        );
        return cap.promise;
      }
      catch(onRejected?: unknown): unknown {
        return engine.invokeThen(this, 'catch', undefined, onRejected);
      }
      finally(onFinally?: unknown): unknown {
        // eslint-disable-next-line @typescript-eslint/no-this-alias
        const promise: unknown = this;
        if (!isObject(promise)) throw new TypeError('Promise.prototype.finally called on a non-object');
        const C = engine.speciesConstructor(promise, Promise);
        let thenFinally: unknown = onFinally;
        let catchFinally: unknown = onFinally;
        if (typeof onFinally === 'function') {
          const name = fnName(onFinally);
          thenFinally = engine.labelBuiltin((value: unknown): unknown => {
            const result = (onFinally as () => unknown)();
            const p = engine.promiseResolve(C, result, 'finally');
            const valueThunk = engine.labelBuiltin((): unknown => value, `(finally ${name}: pass the value on)`);
            return engine.invokeThen(p, 'finally', valueThunk);
          }, name);
          catchFinally = engine.labelBuiltin((reason: unknown): unknown => {
            const result = (onFinally as () => unknown)();
            const p = engine.promiseResolve(C, result, 'finally');
            const thrower = engine.labelBuiltin((): never => {
              throw reason;
            }, `(finally ${name}: rethrow the reason)`);
            return engine.invokeThen(p, 'finally', thrower);
          }, name);
        }
        return engine.invokeThen(promise, 'finally', thenFinally, catchFinally);
      }
      static resolve(x?: unknown): object {
        // eslint-disable-next-line @typescript-eslint/no-this-alias
        const C: unknown = this;
        if (!isObject(C)) throw new TypeError('PromiseResolve called on non-object');
        return engine.promiseResolve(C, x, 'Promise.resolve');
      }
      static reject(r?: unknown): object {
        const cap = engine.newCap(this, 'Promise.reject');
        engine.capReject(cap, r);
        return cap.promise;
      }
      static all(iterable?: unknown): object {
        return engine.combinator(this, iterable, 'all');
      }
      static allSettled(iterable?: unknown): object {
        return engine.combinator(this, iterable, 'allSettled');
      }
      static any(iterable?: unknown): object {
        return engine.combinator(this, iterable, 'any');
      }
      static race(iterable?: unknown): object {
        return engine.combinator(this, iterable, 'race');
      }
      static withResolvers(): { promise: object; resolve: unknown; reject: unknown } {
        const cap = engine.newCap(this, 'Promise.withResolvers');
        return { promise: cap.promise, resolve: engine.capResolveFn(cap), reject: engine.capRejectFn(cap) };
      }
      static try(callback?: unknown, ...args: unknown[]): object {
        // eslint-disable-next-line @typescript-eslint/no-this-alias
        const C: unknown = this;
        if (!isObject(C)) throw new TypeError('Promise.try called on non-object');
        const cap = engine.newCap(C, 'Promise.try');
        let result: unknown;
        try {
          if (typeof callback !== 'function') throw new TypeError(`${preview(callback)} is not a function`);
          result = callback(...args);
        } catch (e) {
          engine.guard();
          engine.capReject(cap, e);
          return cap.promise;
        }
        engine.capResolve(cap, result);
        return cap.promise;
      }
      static get [Symbol.species](): unknown {
        return this;
      }
    }
    Object.defineProperty(Promise.prototype, Symbol.toStringTag, { value: 'Promise', configurable: true });
    for (const k of ['then', 'catch', 'finally']) {
      Object.defineProperty(Promise.prototype, k, { enumerable: false });
    }
    this.slots = slotsFn;
    return Promise as unknown as new (executor: unknown) => object;
  }

  /** State and result of one of our promises, for console formatting. */
  promiseDetails = (v: object): ['pending' | 'fulfilled' | 'rejected', unknown] | undefined => {
    const rec = this.slots(v);
    if (!rec) return undefined;
    return [rec.state === PENDING ? 'pending' : rec.state === FULFILLED ? 'fulfilled' : 'rejected', rec.result];
  };

  // ------------------------------------------------------------------ Await and coroutines

  private settleInternal(h: InternalHandler, type: 0 | 1, arg: unknown): void {
    if (h.hk === 1) {
      const ctx = h as AsyncFnCtx;
      this.resumeFrame(ctx.fid, ctx.resumeLoc, type);
      this.asyncStep(ctx, type, arg);
    } else if (h.hk === 2) {
      const ctx = h as AsyncGenCtx;
      this.resumeFrame(ctx.fid, ctx.resumeLoc, type);
      const kind = ctx.awaitKind;
      if (kind === 0) this.agRun(ctx, type === 0 ? 'next' : 'throw', arg);
      else if (kind === 1) {
        if (type === 0) this.agYield(ctx, arg, false);
        else this.agRun(ctx, 'throw', arg);
      } else {
        if (ctx.raw) this.agRun(ctx, 'next', type === 0 ? { type: 2, value: arg } : { type: 1, value: arg });
        else this.agRun(ctx, type === 0 ? 'return' : 'throw', arg);
      }
    } else {
      const ctx = (h as AwaitReturnHandler).ctx;
      ctx.state = 'completed';
      this.agCompleteStep(ctx, type === 0 ? 0 : 1, arg, true);
      this.agDrainQueue(ctx);
    }
  }

  /** A suspended coroutine's frame goes back on the stack: one `resume` event (a push). */
  private resumeFrame(fid: number, loc: number, type: 0 | 1): void {
    this.L.p = loc;
    if (this.live()) {
      const name = this.fns[fid].name;
      this.emit({
        seq: this.rec.events.length,
        t: this.clock,
        kind: 'resume',
        loc: loc >= 0 ? this.locs[loc] : undefined,
        name,
        fn: fid,
        how: type === 0 ? 'fulfilled' : 'rejected',
        job: this.resumeJob,
      });
    }
    this.stack.push(fid);
  }

  /**
   * Await(value) for a coroutine: PromiseResolve(%Promise%, value), PerformPromiseThen with the
   * coroutine as handler, and the frame is popped (the function is suspended; the `await` event
   * is that pop). Returns false if PromiseResolve threw (then `awaitError` holds the exception to
   * throw into the coroutine, whose frame stays on the stack).
   */
  private awaitValue(ctx: AsyncFnCtx | AsyncGenCtx, value: unknown): boolean {
    const site = this.L.w;
    let rec: PRec;
    let kind: 'promise' | 'thenable' | 'value';
    try {
      // PromiseResolve(%Promise%, value), returning the record.
      const own = this.slots(value);
      if (own && (value as { constructor?: unknown }).constructor === this.PromiseCtor) {
        rec = own;
        kind = 'promise';
      } else {
        rec = this.intrinsicCap('await') as PRec;
        this.capResolve(rec, value);
        kind = rec.state === PENDING ? 'thenable' : 'value';
      }
    } catch (e) {
      this.guard();
      this.awaitError = e;
      return false;
    }
    const s = site >= 0 ? this.sites[site] : undefined;
    ctx.resumeLoc = s ? s.loc : this.L.p;
    // When the promise is already settled, PerformPromiseThen queues the continuation at once:
    // the await event carries that job instead of a separate microtask-enqueue step.
    const settled = rec.state !== PENDING;
    const job = settled ? this.nextJobId : undefined;
    if (settled) this.quietEnqueue = true;
    this.performThen(rec, ctx, ctx, undefined, 'await');
    this.quietEnqueue = false;
    if (this.live()) {
      this.emit({
        seq: this.rec.events.length,
        t: this.clock,
        kind: 'await',
        loc: s ? this.locs[s.loc] : this.here(),
        fn: this.fns[ctx.fid].name,
        promise: rec.id,
        value: kind,
        text: s ? s.text : '',
        site: s ? s.kind : 'await',
        job,
        handler: settled ? (rec.state === FULFILLED ? 'fulfill' : 'reject') : undefined,
      });
    }
    // The coroutine is suspended: its frame leaves the stack (the await event stands for the pop).
    this.stack.pop();
    this.L.w = -1;
    return true;
  }

  /** __$A: calls an async function whose body is the generator function `genFn`. */
  startAsync = (genFn: Function, thisArg: unknown, args: ArrayLike<unknown>, fid: number): object => {
    this.countStep();
    const saved = this.L.p;
    this.pushFrame(fid, this.fns[fid].loc);
    this.L.p = this.fns[fid].loc;
    const cap = this.intrinsicCap(`async ${this.fns[fid].name}`);
    const ctx = new AsyncFnCtx(cap, fid);
    try {
      ctx.gen = genFn.apply(thisArg, args) as Generator;
    } catch (e) {
      this.guard();
      this.capReject(cap, e);
      this.popFrame();
      this.L.p = saved;
      return cap.promise;
    }
    this.asyncStep(ctx, 0, undefined);
    this.L.p = saved;
    return cap.promise;
  };

  private asyncStep(ctx: AsyncFnCtx, type: 0 | 1, value: unknown): void {
    for (;;) {
      let r: IteratorResult<unknown>;
      try {
        r = type === 0 ? ctx.gen!.next(value) : ctx.gen!.throw(value);
      } catch (e) {
        this.guard();
        this.capReject(ctx.cap, e);
        this.popFrame();
        return;
      }
      if (this.stopped) throw this.stopped;
      if (r.done) {
        this.capResolve(ctx.cap, r.value);
        this.popFrame();
        return;
      }
      if (this.awaitValue(ctx, r.value)) return;
      type = 1;
      value = this.awaitError;
    }
  }

  /** __$aw: records the await site and passes the value through. */
  awaitSite = (v: unknown, site: number): unknown => {
    this.L.w = site;
    return v;
  };

  // ---- async generators

  private createAsyncGeneratorClass(): void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const engine = this;
    let slots: (o: unknown) => AsyncGenCtx | undefined = () => undefined;
    const AsyncIteratorPrototype = {
      [Symbol.asyncIterator](this: unknown): unknown {
        return this;
      },
    };
    class AsyncGenerator {
      #c: AsyncGenCtx;
      static {
        slots = (o: unknown): AsyncGenCtx | undefined => (isObject(o) && #c in (o as object) ? (o as AsyncGenerator).#c : undefined);
      }
      constructor(ctx: AsyncGenCtx) {
        this.#c = ctx;
      }
      next(value?: unknown): object {
        return engine.agNext(this, value);
      }
      return(value?: unknown): object {
        return engine.agReturn(this, value);
      }
      throw(value?: unknown): object {
        return engine.agThrow(this, value);
      }
    }
    Object.setPrototypeOf(AsyncGenerator.prototype, AsyncIteratorPrototype);
    Object.defineProperty(AsyncGenerator.prototype, Symbol.toStringTag, { value: 'AsyncGenerator', configurable: true });
    Object.defineProperty(AsyncGenerator.prototype, 'constructor', { value: Object, enumerable: false, configurable: true, writable: true });
    this.agSlots = slots;
    this.makeAsyncGen = (ctx) => new AsyncGenerator(ctx);
  }

  /** __$AG: calls an async generator function; nothing runs until the first next(). */
  startAsyncGen = (genFn: Function, thisArg: unknown, args: ArrayLike<unknown>, fid: number): object => {
    this.countStep();
    const ctx = new AsyncGenCtx(fid);
    ctx.gen = genFn.apply(thisArg, args) as Generator;
    ctx.resumeLoc = this.fns[fid].loc;
    return this.makeAsyncGen(ctx);
  };

  private agValidate(obj: unknown, cap: Cap, method: string): AsyncGenCtx | undefined {
    const ctx = this.agSlots(obj);
    if (!ctx) this.capReject(cap, new TypeError(`${method} method called on incompatible receiver ${preview(obj)}`));
    return ctx;
  }

  agNext(obj: unknown, value: unknown): object {
    const cap = this.intrinsicCap('async generator next()');
    const ctx = this.agValidate(obj, cap, 'next');
    if (!ctx) return cap.promise;
    if (ctx.state === 'completed') {
      this.capResolve(cap, { value: undefined, done: true });
      return cap.promise;
    }
    const completion: Completion = { type: 0, value };
    ctx.queue.push({ completion, cap });
    if (ctx.state === 'suspendedStart' || ctx.state === 'suspendedYield') this.agResume(ctx, completion);
    return cap.promise;
  }

  agReturn(obj: unknown, value: unknown): object {
    const cap = this.intrinsicCap('async generator return()');
    const ctx = this.agValidate(obj, cap, 'return');
    if (!ctx) return cap.promise;
    const completion: Completion = { type: 2, value };
    ctx.queue.push({ completion, cap });
    if (ctx.state === 'suspendedStart' || ctx.state === 'completed') {
      ctx.state = 'awaiting-return';
      this.agAwaitReturn(ctx);
    } else if (ctx.state === 'suspendedYield') {
      this.agResume(ctx, completion);
    }
    return cap.promise;
  }

  agThrow(obj: unknown, value: unknown): object {
    const cap = this.intrinsicCap('async generator throw()');
    const ctx = this.agValidate(obj, cap, 'throw');
    if (!ctx) return cap.promise;
    if (ctx.state === 'suspendedStart') ctx.state = 'completed';
    if (ctx.state === 'completed') {
      this.capReject(cap, value);
      return cap.promise;
    }
    const completion: Completion = { type: 1, value };
    ctx.queue.push({ completion, cap });
    if (ctx.state === 'suspendedYield') this.agResume(ctx, completion);
    return cap.promise;
  }

  private agResume(ctx: AsyncGenCtx, completion: Completion): void {
    const wasStart = ctx.state === 'suspendedStart';
    ctx.state = 'executing';
    this.countStep();
    const saved = this.L.p;
    this.L.p = ctx.resumeLoc;
    this.pushFrame(ctx.fid, ctx.resumeLoc);
    if (wasStart) this.agRun(ctx, 'next', undefined);
    else this.agUnwrap(ctx, completion, ctx.raw);
    this.L.p = saved;
  }

  /** AsyncGeneratorUnwrapYieldResumption, then continue the body. */
  private agUnwrap(ctx: AsyncGenCtx, completion: Completion, raw: boolean): void {
    if (completion.type !== 2) {
      if (raw) this.agRun(ctx, 'next', completion);
      else this.agRun(ctx, completion.type === 0 ? 'next' : 'throw', completion.value);
      return;
    }
    ctx.awaitKind = 2;
    ctx.raw = raw;
    this.agAwait(ctx, completion.value);
  }

  /** Await inside an async generator; a PromiseResolve error is thrown into the body. */
  private agAwait(ctx: AsyncGenCtx, value: unknown): void {
    if (this.awaitValue(ctx, value)) return;
    if (ctx.awaitKind === 2 && ctx.raw) this.agRun(ctx, 'next', { type: 1, value: this.awaitError });
    else this.agRun(ctx, 'throw', this.awaitError);
  }

  private agRun(ctx: AsyncGenCtx, method: 'next' | 'throw' | 'return', arg: unknown): void {
    for (;;) {
      let r: IteratorResult<unknown>;
      try {
        r = ctx.gen![method](arg as never);
      } catch (e) {
        this.guard();
        ctx.state = 'completed';
        this.popFrame();
        this.agCompleteStep(ctx, 1, e, true);
        this.agDrainQueue(ctx);
        return;
      }
      if (this.stopped) throw this.stopped;
      if (r.done) {
        ctx.state = 'completed';
        this.popFrame();
        this.agCompleteStep(ctx, 0, r.value, true);
        this.agDrainQueue(ctx);
        return;
      }
      const v = r.value;
      if (v instanceof YieldInstr) {
        // Yield: Await(value) first, then AsyncGeneratorYield.
        ctx.awaitKind = 1;
        this.L.w = v.site;
        this.agAwait(ctx, v.value);
        return;
      }
      if (v instanceof RawYield) {
        this.agYield(ctx, v.value, true);
        return;
      }
      if (v instanceof ReturnNow) {
        method = 'return';
        arg = v.value;
        continue;
      }
      ctx.awaitKind = 0;
      this.agAwait(ctx, v);
      return;
    }
  }

  /** AsyncGeneratorYield(value). */
  private agYield(ctx: AsyncGenCtx, value: unknown, raw: boolean): void {
    if (this.live()) this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'yield', fn: this.fns[ctx.fid].name, value: preview(value), loc: this.here() } as EventLoopEvent);
    this.agCompleteStep(ctx, 0, value, false);
    if (ctx.queue.length > 0) {
      this.agUnwrap(ctx, ctx.queue[0].completion, raw);
      return;
    }
    ctx.state = 'suspendedYield';
    ctx.raw = raw;
    ctx.resumeLoc = this.L.p;
    this.popFrame();
  }

  private agCompleteStep(ctx: AsyncGenCtx, type: 0 | 1, value: unknown, done: boolean): void {
    const next = ctx.queue.shift()!;
    if (type === 1) this.capReject(next.cap, value);
    else this.capResolve(next.cap, { value, done });
  }

  private agDrainQueue(ctx: AsyncGenCtx): void {
    for (;;) {
      if (ctx.queue.length === 0) return;
      const completion = ctx.queue[0].completion;
      if (completion.type === 2) {
        ctx.state = 'awaiting-return';
        this.agAwaitReturn(ctx);
        return;
      }
      if (completion.type === 0) this.agCompleteStep(ctx, 0, undefined, true);
      else this.agCompleteStep(ctx, 1, completion.value, true);
    }
  }

  private agAwaitReturn(ctx: AsyncGenCtx): void {
    const completion = ctx.queue[0].completion;
    let p: object;
    try {
      p = this.promiseResolve(this.PromiseCtor, completion.value, 'async generator return()');
    } catch (e) {
      this.guard();
      ctx.state = 'completed';
      this.agCompleteStep(ctx, 1, e, true);
      this.agDrainQueue(ctx);
      return;
    }
    const h = new AwaitReturnHandler(ctx);
    this.performThen(this.slots(p)!, h, h, undefined, 'async-generator');
  }

  /** __$yv: `yield v` inside an async generator. */
  yieldValue = (v: unknown, site: number): unknown => new YieldInstr(v, site);

  /** __$yd: `yield* v` inside an async generator (the spec's YieldExpression: yield* for async). */
  yieldStar = (value: unknown, site: number): Generator => this.yieldStarGen(value, site);

  private *yieldStarGen(value: unknown, site: number): Generator<unknown, unknown, unknown> {
    const rec = this.getAsyncIterator(value, site);
    const it = rec.iterator;
    let received: Completion = { type: 0, value: undefined };
    for (;;) {
      let inner: unknown;
      if (received.type === 0) {
        this.L.w = site;
        inner = yield (rec.next as Function).call(it, received.value);
        if (!isObject(inner)) throw new TypeError(`Iterator result ${preview(inner)} is not an object`);
        if ((inner as { done?: unknown }).done) return (inner as { value?: unknown }).value;
        received = (yield new RawYield((inner as { value?: unknown }).value)) as Completion;
      } else if (received.type === 1) {
        const thr = this.getMethod(it, 'throw');
        if (thr !== undefined) {
          this.L.w = site;
          inner = yield thr.call(it, received.value);
          if (!isObject(inner)) throw new TypeError(`Iterator result ${preview(inner)} is not an object`);
          if ((inner as { done?: unknown }).done) return (inner as { value?: unknown }).value;
          received = (yield new RawYield((inner as { value?: unknown }).value)) as Completion;
        } else {
          yield* this.asyncIteratorCloseGen(rec, false, site);
          throw new TypeError("The iterator does not provide a 'throw' method");
        }
      } else {
        const ret = this.getMethod(it, 'return');
        if (ret === undefined) {
          this.L.w = site;
          const v = yield received.value;
          yield new ReturnNow(v);
          return undefined;
        }
        this.L.w = site;
        inner = yield ret.call(it, received.value);
        if (!isObject(inner)) throw new TypeError(`Iterator result ${preview(inner)} is not an object`);
        if ((inner as { done?: unknown }).done) {
          this.L.w = site;
          const v = yield (inner as { value?: unknown }).value;
          yield new ReturnNow(v);
          return undefined;
        }
        received = (yield new RawYield((inner as { value?: unknown }).value)) as Completion;
      }
    }
  }

  private getMethod(o: object, key: string | symbol): Function | undefined {
    const m = (o as Record<string | symbol, unknown>)[key];
    if (m === undefined || m === null) return undefined;
    if (typeof m !== 'function') throw new TypeError(`${preview(m)} is not a function`);
    return m;
  }

  /** GetIterator(obj, async). */
  private getAsyncIterator(obj: unknown, site: number): IterRec {
    const text = site >= 0 ? this.sites[site].text : preview(obj);
    if (obj === null || obj === undefined) throw new TypeError(`${text} is not async iterable`);
    const method = this.getMethod(Object(obj), Symbol.asyncIterator);
    if (method === undefined) {
      const syncMethod = this.getMethod(Object(obj), Symbol.iterator);
      if (syncMethod === undefined) throw new TypeError(`${text} is not async iterable`);
      const iterator = syncMethod.call(obj);
      if (!isObject(iterator)) throw new TypeError('Result of the Symbol.iterator method is not an object');
      const syncRec: IterRec = { iterator, next: (iterator as { next?: unknown }).next, done: false };
      const asyncIt = this.makeAsyncFromSync(syncRec);
      return { iterator: asyncIt, next: (asyncIt as { next: unknown }).next, done: false };
    }
    const iterator = method.call(obj);
    if (!isObject(iterator)) throw new TypeError('Result of the Symbol.asyncIterator method is not an object');
    return { iterator, next: (iterator as { next?: unknown }).next, done: false };
  }

  /** __$FI: for-await head. */
  forAwaitIterator = (obj: unknown, site: number): IterRec => this.getAsyncIterator(obj, site);

  /** __$FN: Call(next, iterator); the result is awaited by the `yield` around this call. */
  forAwaitNext = (rec: IterRec, site: number): unknown => {
    this.L.w = site;
    if (typeof rec.next !== 'function') throw new TypeError(`${preview(rec.next)} is not a function`);
    return rec.next.call(rec.iterator);
  };

  /** __$FR: the awaited next() result must be an object. */
  forAwaitResult = (r: unknown): { done?: unknown; value?: unknown } => {
    if (!isObject(r)) throw new TypeError(`Iterator result ${preview(r)} is not an object`);
    return r as { done?: unknown; value?: unknown };
  };

  /** __$FC: AsyncIteratorClose on an abrupt exit of a for-await loop. */
  forAwaitClose = (rec: IterRec, threw: boolean, site: number): Generator => this.asyncIteratorCloseGen(rec, threw, site);

  private *asyncIteratorCloseGen(rec: IterRec, threw: boolean, site: number): Generator<unknown, void, unknown> {
    let ret: Function | undefined;
    try {
      ret = this.getMethod(rec.iterator, 'return');
    } catch (e) {
      this.guard();
      if (threw) return;
      throw e;
    }
    if (ret === undefined) return;
    let inner: unknown;
    try {
      inner = ret.call(rec.iterator);
      this.L.w = site;
      inner = yield inner;
    } catch (e) {
      this.guard();
      if (threw) return;
      throw e;
    }
    if (threw) return;
    if (!isObject(inner)) throw new TypeError(`Iterator result ${preview(inner)} is not an object`);
  }

  private createAsyncFromSyncIteratorClass(): void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const engine = this;
    class AsyncFromSyncIterator {
      #rec: IterRec;
      constructor(rec: IterRec) {
        this.#rec = rec;
      }
      next(...args: unknown[]): object {
        const cap = engine.intrinsicCap('async-from-sync next()');
        const rec = this.#rec;
        let result: unknown;
        try {
          result = args.length > 0 ? (rec.next as Function).call(rec.iterator, args[0]) : (rec.next as Function).call(rec.iterator);
          if (!isObject(result)) throw new TypeError(`Iterator result ${preview(result)} is not an object`);
        } catch (e) {
          engine.guard();
          engine.capReject(cap, e);
          return cap.promise;
        }
        return engine.asyncFromSyncContinuation(result as object, cap, rec, true);
      }
      return(...args: unknown[]): object {
        const cap = engine.intrinsicCap('async-from-sync return()');
        const rec = this.#rec;
        let ret: Function | undefined;
        let result: unknown;
        try {
          ret = engine.getMethod(rec.iterator, 'return');
          if (ret === undefined) {
            engine.capResolve(cap, { value: args[0], done: true });
            return cap.promise;
          }
          result = args.length > 0 ? ret.call(rec.iterator, args[0]) : ret.call(rec.iterator);
        } catch (e) {
          engine.guard();
          engine.capReject(cap, e);
          return cap.promise;
        }
        if (!isObject(result)) {
          engine.capReject(cap, new TypeError(`Iterator result ${preview(result)} is not an object`));
          return cap.promise;
        }
        return engine.asyncFromSyncContinuation(result, cap, rec, false);
      }
      throw(...args: unknown[]): object {
        const cap = engine.intrinsicCap('async-from-sync throw()');
        const rec = this.#rec;
        let thr: Function | undefined;
        let result: unknown;
        try {
          thr = engine.getMethod(rec.iterator, 'throw');
          if (thr === undefined) {
            rec.done = true;
            engine.iteratorCloseNormal(rec);
            engine.capReject(cap, new TypeError("The iterator does not provide a 'throw' method"));
            return cap.promise;
          }
          result = args.length > 0 ? thr.call(rec.iterator, args[0]) : thr.call(rec.iterator);
        } catch (e) {
          engine.guard();
          engine.capReject(cap, e);
          return cap.promise;
        }
        if (!isObject(result)) {
          engine.capReject(cap, new TypeError(`Iterator result ${preview(result)} is not an object`));
          return cap.promise;
        }
        return engine.asyncFromSyncContinuation(result, cap, rec, true);
      }
    }
    this.makeAsyncFromSync = (rec) => new AsyncFromSyncIterator(rec);
  }

  /** AsyncFromSyncIteratorContinuation(result, promiseCapability, syncIteratorRecord, closeOnRejection). */
  private asyncFromSyncContinuation(result: object, cap: Cap, rec: IterRec, closeOnRejection: boolean): object {
    let done: boolean;
    let value: unknown;
    try {
      done = !!(result as { done?: unknown }).done;
      value = (result as { value?: unknown }).value;
    } catch (e) {
      this.guard();
      this.capReject(cap, e);
      return cap.promise;
    }
    let valueWrapper: object;
    try {
      valueWrapper = this.promiseResolve(this.PromiseCtor, value, 'for await');
    } catch (e) {
      this.guard();
      if (!done && closeOnRejection) this.iteratorCloseOnThrow(rec);
      this.capReject(cap, e);
      return cap.promise;
    }
    const onFulfilled = this.labelBuiltin((v: unknown): object => ({ value: v, done }), '(async-from-sync: wrap the value)');
    let onRejected: unknown = undefined;
    if (!done && closeOnRejection) {
      onRejected = this.labelBuiltin((error: unknown): never => {
        this.iteratorCloseOnThrow(rec);
        throw error;
      }, '(async-from-sync: close the iterator)');
    }
    this.performThen(this.slots(valueWrapper)!, onFulfilled, onRejected, cap, 'await');
    return cap.promise;
  }

  // ---- sync generators

  private createGeneratorWrapperClass(): void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const engine = this;
    class Generator {
      #g: globalThis.Generator;
      #fid: number;
      #loc: number;
      constructor(g: globalThis.Generator, fid: number) {
        this.#g = g;
        this.#fid = fid;
        this.#loc = engine.fns[fid].loc;
      }
      next(v?: unknown): IteratorResult<unknown> {
        return this.#step('next', v);
      }
      return(v?: unknown): IteratorResult<unknown> {
        return this.#step('return', v);
      }
      throw(v?: unknown): IteratorResult<unknown> {
        return this.#step('throw', v);
      }
      [Symbol.iterator](): this {
        return this;
      }
      #step(method: 'next' | 'return' | 'throw', v: unknown): IteratorResult<unknown> {
        engine.countStep();
        const saved = engine.L.p;
        engine.L.p = this.#loc;
        engine.pushFrame(this.#fid, this.#loc);
        try {
          return this.#g[method](v as never);
        } finally {
          this.#loc = engine.L.p;
          engine.popFrame();
          engine.L.p = saved;
        }
      }
    }
    Object.defineProperty(Generator.prototype, Symbol.toStringTag, { value: 'Generator', configurable: true });
    Object.defineProperty(Generator.prototype, 'constructor', { value: Object, enumerable: false, configurable: true, writable: true });
    this.makeGenWrapper = (g, fid) => new Generator(g, fid);
  }

  /** __$G: calls a sync generator function. */
  startGen = (genFn: Function, thisArg: unknown, args: ArrayLike<unknown>, fid: number): object => {
    this.countStep();
    return this.makeGenWrapper(genFn.apply(thisArg, args) as Generator, fid);
  };

  // ------------------------------------------------------------------ instrumentation hooks

  /** __$E: function entry. */
  enter = (fid: number): number => {
    this.countStep();
    const saved = this.L.p;
    const loc = this.fns[fid].loc;
    this.L.p = loc;
    this.pushFrame(fid, loc);
    return saved;
  };

  /** __$X: function exit (from a finally block, so also on throw). */
  exit = (saved: number): void => {
    this.popFrame();
    this.L.p = saved;
  };

  /** __$B: loop back edge. */
  loop = (): void => {
    this.countLoop();
  };

  /** __$C: entry of a catch block. */
  caught = (e: unknown): void => {
    if (this.stopped) throw this.stopped;
    if (this.live()) this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'caught', error: preview(e), loc: this.here() } as EventLoopEvent);
  };

  /** __$th: a throw statement. */
  thrown = (e: unknown): unknown => {
    if (this.live()) {
      const loc = this.here();
      this.throwLoc = loc ?? this.lastLoc;
      this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'throw', error: preview(e), loc } as EventLoopEvent);
    }
    return e;
  };

  /** __$T: `this`, with the host's global object replaced by the sandbox's. */
  thisValue = (v: unknown): unknown => (v === globalThis ? this.fakeGlobal : v);

  /**
   * __$ng: a free name (not declared by the program, not one of the sandbox's globals): a property
   * of the sandbox's global object if it has one (`globalThis.x = 1; x`), else a ReferenceError
   * (with `forTypeof` set, undefined).
   */
  notGlobal = (name: string, forTypeof?: number): unknown => {
    if (name in this.fakeGlobal) return this.fakeGlobal[name];
    if (forTypeof) return undefined;
    throw new ReferenceError(`${name} is not defined`);
  };

  /** __$sg: strict code assigning a free name: sets the global object's property, if it has one. */
  setGlobal = (name: string, value: unknown): unknown => {
    if (!(name in this.fakeGlobal)) throw new ReferenceError(`${name} is not defined`);
    this.fakeGlobal[name] = value;
    return value;
  };

  /**
   * __$DG: the global object's properties for the program's var-scoped top-level names become
   * accessors of the program's variables. Kind 0: a var (a host global keeps its attributes, a
   * new name is enumerable, not configurable); 1: a function declaration (enumerable, not
   * configurable: CreateGlobalFunctionBinding); 2: an implicit global (enumerable, configurable).
   */
  defineGlobals = (list: [string, () => unknown, (v: unknown) => void, number][]): void => {
    const g = this.fakeGlobal;
    for (const [name, get, set, kind] of list) {
      const had = Object.getOwnPropertyDescriptor(g, name);
      const enumerable = kind === 0 && had ? had.enumerable : true;
      const configurable = kind === 2 || (kind === 0 && had ? had.configurable : false);
      Object.defineProperty(g, name, { get, set, enumerable, configurable });
    }
  };

  /** __$gl: the host's value of an allowed standard global (for `var` redeclarations). */
  hostGlobal = (name: string): unknown => (globalThis as Record<string, unknown>)[name];

  // ------------------------------------------------------------------ errors and console

  private describeThrown(e: unknown): string {
    try {
      return formatLogArgs([e], { promiseDetails: this.promiseDetails });
    } catch {
      return preview(e);
    }
  }

  /**
   * HTML "report the exception": an uncaught error in a task or a microtask callback. The report
   * and its console line are located where the error was thrown, when known: the statement
   * running, else the task's last `throw`, else the last located event (an error from a built-in).
   */
  private reportException(e: unknown): void {
    const text = `Uncaught ${this.describeThrown(e)}`;
    const idx = this.consoleLines.length;
    this.consoleLines.push(text);
    if (this.live()) {
      const loc = this.here() ?? this.throwLoc ?? this.lastLoc;
      this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'uncaught', error: preview(e), text, loc } as EventLoopEvent);
      this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'console', level: 'error', text, index: idx, loc } as EventLoopEvent);
    }
  }

  /** HTML "notify about rejected promises", reported right after the microtask checkpoint. */
  private notifyRejected(): void {
    if (this.aboutToBeNotified.length === 0) return;
    const list = this.aboutToBeNotified;
    this.aboutToBeNotified = [];
    for (const rec of list) {
      if (rec.handled) continue;
      this.outstanding.add(rec);
      const text = `Uncaught (in promise) ${this.describeThrown(rec.result)}`;
      const idx = this.consoleLines.length;
      this.consoleLines.push(text);
      if (this.live()) {
        // Located where the promise was rejected, when known.
        const loc = rec.rejectedAt;
        this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'unhandled-rejection', promise: rec.id, reason: preview(rec.result), text, loc } as EventLoopEvent);
        this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'console', level: 'error', text, index: idx, loc } as EventLoopEvent);
      }
    }
  }

  private print(level: ConsoleLevel, text: string): void {
    if (this.consoleIndent > 0) {
      const pad = ' '.repeat(this.consoleIndent);
      text = pad + text.split('\n').join(`\n${pad}`);
    }
    const idx = this.consoleLines.length;
    this.consoleLines.push(text);
    if (this.live()) this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'console', level, text, index: idx, loc: this.here() } as EventLoopEvent);
  }

  private format(args: unknown[]): string {
    return formatLogArgs(args, { promiseDetails: this.promiseDetails });
  }

  private createConsole(): object {
    const c = (name: string, level: ConsoleLevel, fn: (...args: unknown[]) => string | null) =>
      (...args: unknown[]): void => {
        this.nativeFrame(`console.${name}`, () => {
          const text = fn(...args);
          if (text !== null) this.print(level, text);
        });
      };
    const fmt = (...args: unknown[]): string => this.format(args);
    const label = (l: unknown): string => (l === undefined ? 'default' : String(l));
    const elapsed = (ms: number): string => (ms < 1000 ? `${ms.toFixed(3)}ms` : `${(ms / 1000).toFixed(3)}s`);
    return {
      log: c('log', 'log', fmt),
      info: c('info', 'info', fmt),
      warn: c('warn', 'warn', fmt),
      error: c('error', 'error', fmt),
      debug: c('debug', 'debug', fmt),
      trace: c('trace', 'debug', (...args) => `Trace${args.length ? `: ${this.format(args)}` : ''}`),
      table: c('table', 'log', fmt),
      dir: c('dir', 'log', (v) => inspect(v, { promiseDetails: this.promiseDetails })),
      assert: c('assert', 'error', (cond, ...args) => {
        if (cond) return null;
        if (args.length === 0) return 'Assertion failed';
        if (typeof args[0] === 'string') return this.format([`Assertion failed: ${args[0]}`, ...args.slice(1)]);
        return this.format(['Assertion failed:', ...args]);
      }),
      count: c('count', 'info', (l) => {
        const k = label(l);
        const n = (this.counts.get(k) ?? 0) + 1;
        this.counts.set(k, n);
        return `${k}: ${n}`;
      }),
      countReset: c('countReset', 'info', (l) => {
        this.counts.set(label(l), 0);
        return null;
      }),
      group: c('group', 'log', (...args) => {
        const text = args.length ? this.format(args) : null;
        if (text !== null) this.print('log', text);
        this.consoleIndent += 2;
        return null;
      }),
      groupCollapsed: c('groupCollapsed', 'log', (...args) => {
        const text = args.length ? this.format(args) : null;
        if (text !== null) this.print('log', text);
        this.consoleIndent += 2;
        return null;
      }),
      groupEnd: c('groupEnd', 'log', () => {
        this.consoleIndent = Math.max(0, this.consoleIndent - 2);
        return null;
      }),
      time: c('time', 'info', (l) => {
        this.timersByLabel.set(label(l), this.readClock());
        return null;
      }),
      timeLog: c('timeLog', 'info', (l, ...rest) => {
        const k = label(l);
        const start = this.timersByLabel.get(k);
        if (start === undefined) return `Warning: No such label '${k}' for console.timeLog()`;
        const text = `${k}: ${elapsed(this.readClock() - start)}`;
        return rest.length ? `${text} ${this.format(rest)}` : text;
      }),
      timeEnd: c('timeEnd', 'info', (l) => {
        const k = label(l);
        const start = this.timersByLabel.get(k);
        if (start === undefined) return `Warning: No such label '${k}' for console.timeEnd()`;
        this.timersByLabel.delete(k);
        return `${k}: ${elapsed(this.readClock() - start)}`;
      }),
    };
  }

  // ------------------------------------------------------------------ timers and tasks

  private setTimer(api: Timer['api'], callback: Function | null, requested: unknown, args: unknown[], delayRec: PRec | null, delayValue: unknown): number {
    const timer: Timer = {
      id: this.nextTimerId++,
      callback,
      delayRec,
      delayValue,
      args,
      requested: 0,
      timeout: 0,
      due: 0,
      repeat: api === 'setInterval',
      nesting: 0,
      state: 'pending',
      api,
      gen: 0,
      name: api === 'delay' ? `delay(${preview(requested)})` : fnName(callback),
    };
    timer.requested = toLong(requested);
    this.timers.set(timer.id, timer);
    this.initTimer(timer);
    return timer.id;
  }

  /** HTML timer initialization steps (scheduling part). */
  private initTimer(timer: Timer): void {
    const task = this.currentTask;
    const nesting = task && task.kind === 'timer' ? task.nesting : 0;
    let timeout = timer.requested;
    if (timeout < 0) timeout = 0;
    if (nesting > 5 && timeout < 4) timeout = 4;
    timer.timeout = timeout;
    timer.nesting = nesting + 1;
    timer.due = Math.round((this.clock + timeout) * 1e6) / 1e6;
    timer.state = 'pending';
    timer.gen++;
    this.agenda.push(timer.due, { t: timer, gen: timer.gen });
    if (this.live()) {
      this.emit({
        seq: this.rec.events.length,
        t: this.clock,
        kind: 'timer-set',
        timer: timer.id,
        delay: timer.requested,
        timeout,
        due: timer.due,
        repeat: timer.repeat,
        nesting: timer.nesting,
        callback: timer.name,
        api: timer.api,
        loc: this.here(),
      } as EventLoopEvent);
    }
  }

  private clearTimer(id: unknown): void {
    const n = toLong(id);
    const timer = this.timers.get(n);
    let was: 'pending' | 'queued' | 'running' | 'none' = 'none';
    if (timer) {
      was = timer.state === 'done' ? 'none' : timer.state;
      this.timers.delete(n);
      if (timer.state === 'queued') {
        const i = this.taskQueue.findIndex((t) => t.timer === timer);
        if (i >= 0) this.taskQueue.splice(i, 1);
      }
      timer.state = 'done';
      timer.gen++;
    }
    if (this.live()) this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'timer-clear', timer: n, was, loc: this.here() } as EventLoopEvent);
  }

  private enqueueTask(task: Task): void {
    this.taskQueue.push(task);
    if (this.live()) this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'task-enqueue', task: task.id, source: task.kind, timer: task.timer?.id, label: task.label } as EventLoopEvent);
  }

  /** Moves every timer whose due time has come into the task queue (due order, ties by set order). */
  private queueDueTimers(): void {
    while (this.agenda.size > 0 && this.agenda.peekTime() <= this.clock) {
      const { t: timer, gen } = this.agenda.pop()!;
      if (gen !== timer.gen || timer.state !== 'pending') continue;
      timer.state = 'queued';
      if (this.live()) this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'timer-fire', timer: timer.id } as EventLoopEvent);
      const label =
        timer.api === 'delay' ? `${timer.name} resolves (timer ${timer.id})` : `${timer.api} callback ${timer.name} (timer ${timer.id})`;
      this.enqueueTask({ id: this.nextTaskId++, kind: 'timer', timer, nesting: timer.nesting, label });
    }
  }

  /** Time of the next live timer, skipping stale agenda entries. */
  private nextTimerTime(): number {
    while (this.agenda.size > 0) {
      const top = this.agenda.peek()!;
      if (top.gen === top.t.gen && top.t.state === 'pending') return this.agenda.peekTime();
      this.agenda.pop();
    }
    return Infinity;
  }

  private microtaskCheckpoint(): void {
    if (this.checkpointing) return;
    this.checkpointing = true;
    try {
      const q = this.micro;
      while (this.microHead < this.micro.length) {
        const m = this.micro;
        const h = this.microHead;
        const id = m[h] as number;
        const kind = m[h + 1] as number;
        const a = m[h + 2];
        const b = m[h + 3];
        const c = m[h + 4];
        m[h + 2] = m[h + 3] = m[h + 4] = undefined;
        this.microHead = h + 5;
        if (this.microHead > 20480 && this.microHead * 2 > m.length) {
          this.micro = m.slice(this.microHead);
          this.microHead = 0;
        }
        this.runJob(id, kind, a, b, c);
      }
      void q;
      this.micro = [];
      this.microHead = 0;
    } finally {
      this.checkpointing = false;
    }
    this.notifyRejected();
  }

  private runTask(task: Task, program: Function, programArgs: unknown[]): void {
    this.countStep();
    this.tasksRun++;
    this.currentTask = task;
    this.throwLoc = undefined;
    if (this.live()) this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'task-start', task: task.id, source: task.kind, timer: task.timer?.id, label: task.label } as EventLoopEvent);
    this.L.p = -1;
    if (task.kind === 'script') {
      this.L.p = this.programLoc;
      this.pushFrame(-1, this.programLoc);
      try {
        program.apply(this.fakeGlobal, programArgs);
      } catch (e) {
        this.guard();
        this.reportException(e);
      }
      this.popFrame();
      this.L.p = -1;
      this.microtaskCheckpoint();
    } else {
      const timer = task.timer!;
      if (timer.state === 'queued') {
        timer.state = 'running';
        try {
          if (timer.delayRec) {
            this.resolveWith(timer.delayRec, timer.delayValue);
          } else {
            (timer.callback as Function).apply(this.fakeGlobal, timer.args);
          }
        } catch (e) {
          this.guard();
          this.reportException(e);
        }
        this.L.p = -1;
        this.microtaskCheckpoint();
        if (timer.state === 'running') {
          if (timer.repeat) this.initTimer(timer);
          else {
            timer.state = 'done';
            this.timers.delete(timer.id);
          }
        }
      }
    }
    if (this.live()) this.emit({ seq: this.rec.events.length, t: this.clock, kind: 'task-end', task: task.id } as EventLoopEvent);
    this.currentTask = null;
  }

  /** Runs the event loop until nothing is left to do or a budget stops it. */
  run(program: Function, programArgs: unknown[]): void {
    this.enqueueTask({ id: this.nextTaskId++, kind: 'script', timer: null, nesting: 0, label: '(main script)' });
    try {
      for (;;) {
        this.queueDueTimers();
        if (this.taskQueue.length === 0) {
          const next = this.nextTimerTime();
          if (next === Infinity) break;
          if (next > this.maxTime) this.stop('time');
          this.clock = Math.max(this.clock, next);
          continue;
        }
        const task = this.taskQueue.shift()!;
        this.runTask(task, program, programArgs);
      }
    } catch (e) {
      if (!(e instanceof StopSignal)) throw e;
    }
  }

  // ------------------------------------------------------------------ the sandbox's globals

  /** Parameter names and values of the program function: the runtime's helpers and `__$H`. */
  globals(): { names: string[]; values: unknown[] } {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const engine = this;
    const internals: [string, unknown][] = [
      ['__$L', this.L],
      ['__$E', this.enter],
      ['__$X', this.exit],
      ['__$A', this.startAsync],
      ['__$G', this.startGen],
      ['__$AG', this.startAsyncGen],
      ['__$aw', this.awaitSite],
      ['__$yv', this.yieldValue],
      ['__$yd', this.yieldStar],
      ['__$FI', this.forAwaitIterator],
      ['__$FN', this.forAwaitNext],
      ['__$FR', this.forAwaitResult],
      ['__$FC', this.forAwaitClose],
      ['__$B', this.loop],
      ['__$C', this.caught],
      ['__$th', this.thrown],
      ['__$T', this.thisValue],
      ['__$ng', this.notGlobal],
      ['__$sg', this.setGlobal],
      ['__$DG', this.defineGlobals],
      ['__$gl', this.hostGlobal],
    ];

    const HostDate = Date;
    const now = (): number => Math.floor(VIRTUAL_EPOCH_MS + this.readClock());
    const VDate = function Date(this: unknown, ...args: unknown[]): unknown {
      if (!new.target) return new HostDate(now()).toString();
      return Reflect.construct(HostDate, args.length ? args : [now()], new.target);
    } as unknown as DateConstructor;
    Object.defineProperty(VDate, 'prototype', { value: HostDate.prototype, writable: false });
    Object.defineProperty(VDate, 'now', { value: function now_(): number { return now(); }, writable: true, configurable: true });
    Object.defineProperty(VDate, 'parse', { value: HostDate.parse, writable: true, configurable: true });
    Object.defineProperty(VDate, 'UTC', { value: HostDate.UTC, writable: true, configurable: true });

    const hostMath = Math as unknown as Record<string | symbol, unknown>;
    const VMath: Record<string | symbol, unknown> = Object.create(Object.getPrototypeOf(hostMath));
    for (const k of Reflect.ownKeys(hostMath)) Object.defineProperty(VMath, k, Object.getOwnPropertyDescriptor(hostMath, k)!);
    const rng = this.rng;
    Object.defineProperty(VMath, 'random', { value: function random(): number { return rng.next(); }, writable: true, configurable: true });

    const performance = { now: (): number => this.readClock(), timeOrigin: VIRTUAL_EPOCH_MS };

    const setTimeout = (handler?: unknown, timeout?: unknown, ...args: unknown[]): number =>
      this.nativeFrame('setTimeout', () => {
        if (typeof handler !== 'function') throw new TypeError('setTimeout with a string of code is not supported in the lab: pass a function.');
        return this.setTimer('setTimeout', handler, timeout, args, null, undefined);
      });
    const setInterval = (handler?: unknown, timeout?: unknown, ...args: unknown[]): number =>
      this.nativeFrame('setInterval', () => {
        if (typeof handler !== 'function') throw new TypeError('setInterval with a string of code is not supported in the lab: pass a function.');
        return this.setTimer('setInterval', handler, timeout, args, null, undefined);
      });
    const clearTimeout = (id?: unknown): void => this.nativeFrame('clearTimeout', () => this.clearTimer(id));
    const clearInterval = (id?: unknown): void => this.nativeFrame('clearInterval', () => this.clearTimer(id));
    const queueMicrotask = (callback?: unknown): void =>
      this.nativeFrame('queueMicrotask', () => {
        if (typeof callback !== 'function') {
          throw new TypeError("Failed to execute 'queueMicrotask' on 'Window': parameter 1 is not of type 'Function'.");
        }
        this.enqueueJob(JOB_CALLBACK, callback, undefined, undefined);
      });
    const delay = (ms?: unknown, value?: unknown): object =>
      this.nativeFrame('delay', () => {
        const cap = this.intrinsicCap(`delay(${preview(ms)})`);
        this.setTimer('delay', null, ms, [], cap.rec, value);
        return cap.promise;
      });
    const FunctionStub = function Function(): never {
      throw new EvalError('The Function constructor is not available in the event-loop lab.');
    };
    Object.defineProperty(FunctionStub, 'prototype', { value: Function.prototype, writable: false });
    const evalStub = function eval_(): never {
      throw new EvalError('eval is not available in the event-loop lab.');
    };
    const structuredCloneFn = (v: unknown): unknown => globalThis.structuredClone(v);

    const injected: Record<(typeof INJECTED_GLOBALS)[number], unknown> = {
      console: this.createConsole(),
      setTimeout,
      setInterval,
      clearTimeout,
      clearInterval,
      queueMicrotask,
      Promise: this.PromiseCtor,
      delay,
      Date: VDate,
      Math: VMath,
      performance,
      globalThis: this.fakeGlobal,
      window: this.fakeGlobal,
      self: this.fakeGlobal,
      Function: FunctionStub,
      eval: evalStub,
      structuredClone: structuredCloneFn,
    };
    for (const name of ALLOWED_HOST_GLOBALS) {
      Object.defineProperty(this.fakeGlobal, name, {
        value: (globalThis as Record<string, unknown>)[name],
        writable: true,
        configurable: true,
        enumerable: false,
      });
    }
    for (const name of INJECTED_GLOBALS) {
      Object.defineProperty(this.fakeGlobal, name, { value: injected[name], writable: true, configurable: true, enumerable: false });
    }
    void engine;
    // `eval` cannot be declared in strict code: the transform renames it to __$ev.
    internals.push(['__$ev', evalStub]);
    // The other globals: `var`s of the program, initialised from __$H (see transform.ts).
    internals.push(['__$H', injected]);
    return { names: internals.map(([n]) => n), values: internals.map(([, v]) => v) };
  }
}


export function budgetMessage(budget: BudgetKind, e: { maxSteps: number; maxLoops: number; maxTime: number }): string {
  switch (budget) {
    case 'steps':
      return (
        `Stopped after ${formatCount(e.maxSteps)} steps: the step budget ran out ` +
        '(a step is a function call, a microtask or a task). Is there an infinite loop: an endless recursion, or a chain of microtasks that never ends?'
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
