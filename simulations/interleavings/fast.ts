/**
 * The async explorer's fast runtime (issue 14's speed target). The explorer replays: every
 * schedule is one run of the learner's program from the start. On the event-loop engine a run
 * costs ~300 µs, most of it building a fresh sandbox and tracing every step for the lab's views.
 * An exploration needs neither: only each choice point's pending completions and how the run
 * ends. This runtime runs the same transformed program (eventloop/transform.ts) with lean hooks:
 *
 * - the same semantics, written again from the same specs, without a trace: ECMAScript's
 *   promise jobs, Await (one tick for a promise, a thenable job otherwise), async functions;
 *   HTML's tasks, microtask checkpoints, timer nesting clamp, and "notify about rejected promises";
 * - the lab globals `delay(ms, value)`, `db.get`/`db.set` (DB_LATENCY_MS round trips), `assert`,
 *   `setTimeout`/`clearTimeout`, `queueMicrotask`, `console` (its output is not part of an outcome);
 * - one realm for every run: the program's top-level names are parameters of the program
 *   function's own scope, so each run gets fresh ones; the shared built-ins (Promise, db, Math...)
 *   are frozen.
 *
 * It declines what it does not model exactly, and the engine runs that schedule instead: a run
 * that ends with an uncaught error or an unhandled rejection (their text is the engine's console
 * formatting), uses an unmodelled global (Date, Math.random, AbortController, generators, the
 * global object...), a Promise subclass or a host promise, or passes a step budget.
 * `fastSupported` also declines programs whose source names the reflective APIs that could reach
 * a frozen built-in, an error's stack, Array.fromAsync or toString (the engine shows the
 * learner's source, this runtime the transformed one).
 *
 * Tested against the engine: every async level (buggy and fixed) and hundreds of generated
 * programs give the same explorations (tests/unit/interleavings-fast.test.ts).
 */
import { cleanError } from '../eventloop/engine/agent';
import { named } from '../eventloop/engine/globals';
import { isObject, toLong } from '../eventloop/engine/values';
import type { Transformed } from '../eventloop/transform';

/** Virtual ms of one db round trip (get or set). */
export const DB_LATENCY_MS = 10;

/** Past this many function entries, loop iterations and jobs, a run is left to the engine (and its budgets). */
const MAX_WORK = 5_000;
/** The engine's virtual-time budget (DEFAULT_MAX_VIRTUAL_MS): a later timer is left to it. */
const MAX_TIME = 10_000;

const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;

/** Thrown (and rethrown past the program's catch blocks) when a run leaves what this runtime models. */
class Decline {
  constructor(readonly why: string) {}
}

/** A reaction: a then's handlers and capability, or an awaiting coroutine (both handlers). */
type Reaction = Then | Coroutine;

// A promise's internal slots are symbol-keyed fields of the promise object itself (one object a
// promise, not two): no program here can see them (fastSupported declines the reflective APIs
// that list symbols, and a spread copies only what nobody reads).
const S: unique symbol = Symbol('[[PromiseState]]');
const V: unique symbol = Symbol('[[PromiseResult]]');
/** The first reaction, then the others (most promises get at most one). */
const R0: unique symbol = Symbol('[[PromiseReactions]] (first)');
const RE: unique symbol = Symbol('[[PromiseReactions]] (rest)');
const HANDLED: unique symbol = Symbol('[[PromiseIsHandled]]');
/** The capability's alreadyResolved (intrinsic capabilities resolve through the promise). */
const DONE: unique symbol = Symbol('alreadyResolved');

/** One of this runtime's promises, seen through its slots. */
interface Rec {
  [S]: number;
  [V]: unknown;
  [R0]: Reaction | null;
  [RE]: Reaction[] | null;
  [HANDLED]: boolean;
  [DONE]: boolean;
}

/** An async function call: its promise and its coroutine (a reaction handler when it awaits). */
class Coroutine {
  gen: Generator | null = null;
  constructor(
    readonly rec: Rec,
    readonly fid: number,
  ) {}
}

interface Then {
  cap: Rec | null;
  f: unknown;
  r: unknown;
}

interface Timer {
  /** A timer is its own task once queued. */
  kind: 1;
  id: number;
  /** delay/db: the promise it settles, and for db the operation that takes effect then. */
  rec: Rec | null;
  complete: (() => unknown) | null;
  value: unknown;
  cb: Function | null;
  args: unknown[];
  due: number;
  nesting: number;
  state: 0 | 1 | 2 | 3; // pending, queued, running, done
}

/** A task: the main script (null), a timer's, or a report of unhandled rejections (the promises). */
type Task = null | Timer | Rec[];

interface Run {
  micro: unknown[];
  head: number;
  tail: number;
  tasks: Task[];
  /** Timer records to reuse, and how many this run has taken. */
  pool: Timer[];
  used: number;
  /** The run's live timers (pending, queued or running), in no order: choice points sort them. */
  timers: Timer[];
  nextTimer: number;
  clock: number;
  task: Task | null;
  about: Rec[];
  store: Map<string, unknown>;
  asserts: { message: string; line?: number }[];
  /** An uncaught error or unhandled rejection was reported (its text is the engine's). */
  other: boolean;
  /** fid, site, promise record of every await, flat. */
  awaits: unknown[];
  work: number;
  declined: string | null;
  awaitError: unknown;
  locs: Transformed['locs'];
  L: { p: number; w: number };
}

let cur = undefined as unknown as Run;
let lastRec: Rec;
const INTERNAL = Symbol('internal');

function decline(why: string): never {
  if (cur.declined === null) cur.declined = why;
  throw new Decline(why);
}

function guard(e: unknown): void {
  if (cur.declined !== null) throw e instanceof Decline ? e : new Decline(cur.declined);
}

function work(): void {
  if (++cur.work > MAX_WORK) decline('a long run (the engine applies its budgets)');
}

// ------------------------------------------------------------------ promises (ECMAScript 27.2)

let slots: (p: unknown) => Rec | undefined;
let PromiseCtor: new (executor: unknown) => object;

function intrinsic(): Rec {
  new PromiseCtor(INTERNAL);
  return lastRec;
}

function enqueue(kind: number, a: unknown, b: unknown, c: unknown): void {
  work();
  const q = cur.micro;
  const t = cur.tail;
  q[t] = kind;
  q[t + 1] = a;
  q[t + 2] = b;
  q[t + 3] = c;
  cur.tail = t + 4;
}

function settle(rec: Rec, state: number, value: unknown): void {
  const r0 = rec[R0];
  const re = rec[RE];
  rec[R0] = null;
  rec[RE] = null;
  rec[V] = value;
  rec[S] = state;
  const type = state === FULFILLED ? 0 : 1;
  if (type === 1 && !rec[HANDLED]) cur.about.push(rec);
  if (r0) enqueue(0, r0, type, value);
  if (re) for (let i = 0; i < re.length; i++) enqueue(0, re[i], type, value);
}

function fulfill(rec: Rec, value: unknown): void {
  settle(rec, FULFILLED, value);
}

function reject(rec: Rec, reason: unknown): void {
  settle(rec, REJECTED, reason);
}

const HOST_THEN = Promise.prototype.then;

/** A promise resolve function's steps once alreadyResolved is checked. */
function resolveWith(rec: Rec, x: unknown): void {
  if (x === rec) {
    reject(rec, new TypeError('Chaining cycle detected for promise #<Promise>'));
    return;
  }
  if (!isObject(x)) {
    fulfill(rec, x);
    return;
  }
  let then: unknown;
  try {
    then = (x as { then?: unknown }).then;
  } catch (e) {
    guard(e);
    cleanError(e);
    reject(rec, e);
    return;
  }
  if (typeof then !== 'function') fulfill(rec, x);
  // A host promise settles in the host's own microtasks, never inside a run: the engine's.
  else if (then === HOST_THEN) decline('a promise of the host');
  else enqueue(1, rec, x, then);
}

function capResolve(rec: Rec, v: unknown): void {
  if (rec[DONE]) return;
  rec[DONE] = true;
  resolveWith(rec, v);
}

function capReject(rec: Rec, r: unknown): void {
  if (rec[DONE]) return;
  rec[DONE] = true;
  reject(rec, r);
}

function resolvingFunctions(rec: Rec): [(v?: unknown) => void, (r?: unknown) => void] {
  let already = false;
  return [
    (v?: unknown): void => {
      if (already) return;
      already = true;
      resolveWith(rec, v);
    },
    (r?: unknown): void => {
      if (already) return;
      already = true;
      reject(rec, r);
    },
  ];
}

function performThen(rec: Rec, reaction: Reaction): void {
  if (rec[S] === PENDING) {
    if (rec[R0] === null) rec[R0] = reaction;
    else if (rec[RE]) rec[RE].push(reaction);
    else rec[RE] = [reaction];
  } else if (rec[S] === FULFILLED) {
    enqueue(0, reaction, 0, rec[V]);
  } else {
    if (!rec[HANDLED]) {
      const i = cur.about.indexOf(rec);
      if (i >= 0) cur.about.splice(i, 1);
    }
    enqueue(0, reaction, 1, rec[V]);
  }
  rec[HANDLED] = true;
}

function promiseResolve(x: unknown): object {
  if (slots(x) && (x as { constructor?: unknown }).constructor === PromiseCtor) return x as object;
  const rec = intrinsic();
  capResolve(rec, x);
  return rec;
}

function invokeThen(p: unknown, ...args: unknown[]): unknown {
  const then = (p as { then?: unknown }).then;
  if (typeof then !== 'function') decline('then is not a function');
  return then.apply(p, args);
}

/** The receiver of a Promise static must be Promise itself (subclasses are the engine's). */
function ownCtor(C: unknown): void {
  if (C !== PromiseCtor) decline('a Promise subclass');
}

function iterate(iterable: unknown): unknown[] {
  // Arrays only: another iterable's protocol (its return() on an abrupt completion) is the engine's.
  if (!Array.isArray(iterable) || (iterable as unknown[])[Symbol.iterator] !== Array.prototype[Symbol.iterator]) decline('a combinator over a non-array');
  return (iterable as unknown[]).slice();
}

function combinator(C: unknown, iterable: unknown, via: 'all' | 'allSettled' | 'any' | 'race'): object {
  ownCtor(C);
  const cap = intrinsic();
  const items = iterate(iterable);
  try {
    const values: unknown[] = [];
    let remaining = 1;
    const finish = (): void => {
      if (via === 'any') capReject(cap, new AggregateError(values.slice(), 'All promises were rejected'));
      else capResolve(cap, values.slice());
    };
    const res = (v: unknown): void => capResolve(cap, v);
    const rej = (r: unknown): void => capReject(cap, r);
    for (let i = 0; i < items.length; i++) {
      const next = (PromiseCtor as unknown as { resolve(x: unknown): object }).resolve(items[i]);
      if (via === 'race') {
        invokeThen(next, res, rej);
        continue;
      }
      values.push(undefined);
      let called = false;
      remaining++;
      const element =
        (wrap: (x: unknown) => unknown) =>
        (x: unknown): void => {
          if (called) return;
          called = true;
          values[i] = wrap(x);
          if (--remaining === 0) finish();
        };
      if (via === 'all') invokeThen(next, element((x) => x), rej);
      else if (via === 'allSettled') invokeThen(next, element((value) => ({ status: 'fulfilled', value })), element((reason) => ({ status: 'rejected', reason })));
      else invokeThen(next, res, element((x) => x));
    }
    if (via !== 'race' && --remaining === 0) finish();
  } catch (e) {
    guard(e);
    cleanError(e);
    capReject(cap, e);
  }
  return cap;
}

function makePromise(): new (executor: unknown) => object {
  class Promise {
    [S] = PENDING;
    [V]: unknown = undefined;
    [R0]: Reaction | null = null;
    [RE]: Reaction[] | null = null;
    [HANDLED] = false;
    [DONE] = false;
    /** The brand: own to a promise made here (a symbol field would be inherited by Object.create(p)). */
    #brand = true;
    static {
      slots = (p: unknown): Rec | undefined => (isObject(p) && #brand in (p as object) ? (p as unknown as Rec) : undefined);
    }
    constructor(executor: unknown) {
      if (executor === INTERNAL) {
        lastRec = this;
        return;
      }
      if (new.target !== PromiseCtor) decline('a Promise subclass');
      if (typeof executor !== 'function') decline('a Promise without an executor');
      const rec: Rec = this;
      const [res, rej] = resolvingFunctions(rec);
      try {
        executor(res, rej);
      } catch (e) {
        guard(e);
        cleanError(e);
        rej(e);
      }
    }
    then(onFulfilled?: unknown, onRejected?: unknown): object {
      const rec = slots(this);
      if (!rec) decline('then on another receiver');
      if ((this as { constructor?: unknown }).constructor !== PromiseCtor) decline('a promise whose constructor is not Promise');
      const cap = intrinsic();
      performThen(rec, { cap, f: typeof onFulfilled === 'function' ? onFulfilled : undefined, r: typeof onRejected === 'function' ? onRejected : undefined });
      return cap;
    }
    catch(onRejected?: unknown): unknown {
      return invokeThen(this, undefined, onRejected);
    }
    finally(onFinally?: unknown): unknown {
      if ((this as { constructor?: unknown }).constructor !== PromiseCtor) decline('a promise whose constructor is not Promise');
      if (typeof onFinally !== 'function') return invokeThen(this, onFinally, onFinally);
      const run = (): object => promiseResolve((onFinally as () => unknown)());
      return invokeThen(
        this,
        (value: unknown) => invokeThen(run(), () => value),
        (reason: unknown) =>
          invokeThen(run(), () => {
            throw reason;
          }),
      );
    }
    static resolve(x?: unknown): object {
      ownCtor(this);
      return promiseResolve(x);
    }
    static reject(r?: unknown): object {
      ownCtor(this);
      const rec = intrinsic();
      capReject(rec, r);
      return rec;
    }
    static all(iterable?: unknown): object {
      return combinator(this, iterable, 'all');
    }
    static allSettled(iterable?: unknown): object {
      return combinator(this, iterable, 'allSettled');
    }
    static any(iterable?: unknown): object {
      return combinator(this, iterable, 'any');
    }
    static race(iterable?: unknown): object {
      return combinator(this, iterable, 'race');
    }
    static withResolvers(): { promise: object; resolve: unknown; reject: unknown } {
      ownCtor(this);
      const rec = intrinsic();
      return { promise: rec, resolve: (v: unknown) => capResolve(rec, v), reject: (r: unknown) => capReject(rec, r) };
    }
    static get [Symbol.species](): unknown {
      return this;
    }
  }
  Object.defineProperty(Promise.prototype, Symbol.toStringTag, { value: 'Promise', configurable: true });
  for (const k of ['then', 'catch', 'finally']) Object.defineProperty(Promise.prototype, k, { enumerable: false });
  Object.freeze(Promise.prototype);
  Object.freeze(Promise);
  return Promise as unknown as new (executor: unknown) => object;
}

// ------------------------------------------------------------------ async functions

/** What every coroutine's generator inherits from (%GeneratorPrototype% through one object). */
const GENERATOR: object = Object.create(Object.getPrototypeOf(function* () {}).prototype);

function startAsync(genFn: Function, thisArg: unknown, args: ArrayLike<unknown>, fid: number): object {
  work();
  const co = new Coroutine(intrinsic(), fid);
  try {
    // The body's generator never reaches the program, so it may inherit from one shared object:
    // with a fresh function's own `prototype`, V8 makes a new hidden class for every call.
    (genFn as { prototype: object }).prototype = GENERATOR;
    co.gen = genFn.apply(thisArg, args) as Generator;
  } catch (e) {
    guard(e);
    cleanError(e);
    capReject(co.rec, e);
    return co.rec;
  }
  step(co, 0, undefined);
  return co.rec;
}

function step(co: Coroutine, type: number, value: unknown): void {
  for (;;) {
    let r: IteratorResult<unknown>;
    try {
      r = type === 0 ? co.gen!.next(value) : co.gen!.throw(value);
    } catch (e) {
      guard(e);
      cleanError(e);
      capReject(co.rec, e);
      return;
    }
    if (r.done) {
      capResolve(co.rec, r.value);
      return;
    }
    if (awaitValue(co, r.value)) return;
    type = 1;
    value = cur.awaitError;
  }
}

/** Await: PromiseResolve(%Promise%, value), then PerformPromiseThen with the coroutine as handler. */
function awaitValue(co: Coroutine, value: unknown): boolean {
  const site = cur.L.w;
  let rec: Rec;
  try {
    const own = slots(value);
    if (own && (value as { constructor?: unknown }).constructor === PromiseCtor) rec = own;
    else {
      rec = intrinsic();
      capResolve(rec, value);
    }
  } catch (e) {
    guard(e);
    cleanError(e);
    cur.awaitError = e;
    return false;
  }
  cur.awaits.push(co.fid, site, rec);
  performThen(rec, co);
  cur.L.w = -1;
  return true;
}

// ------------------------------------------------------------------ jobs, tasks, timers (HTML)

function reactionJob(re: Reaction, type: number, arg: unknown): void {
  if (re instanceof Coroutine) {
    step(re, type, arg);
    return;
  }
  const h = type === 0 ? re.f : re.r;
  if (h === undefined) {
    if (type === 0) capResolve(re.cap!, arg);
    else capReject(re.cap!, arg);
    return;
  }
  let result: unknown;
  try {
    result = (h as (v: unknown) => unknown)(arg);
  } catch (e) {
    guard(e);
    cleanError(e);
    if (re.cap) capReject(re.cap, e);
    return;
  }
  if (re.cap) capResolve(re.cap, result);
}

function report(e: unknown): void {
  guard(e);
  cur.other = true;
}

function drain(): void {
  const q = cur.micro;
  while (cur.head < cur.tail) {
    const h = cur.head;
    cur.head = h + 4;
    const kind = q[h];
    const a = q[h + 1];
    const b = q[h + 2];
    const c = q[h + 3];
    // Cleared as taken, so the queue keeps nothing of a finished run alive.
    q[h + 1] = q[h + 2] = q[h + 3] = undefined;
    try {
      if (kind === 0) reactionJob(a as Reaction, b as number, c);
      else if (kind === 1) {
        const [res, rej] = resolvingFunctions(a as Rec);
        try {
          (c as Function).call(b, res, rej);
        } catch (e) {
          guard(e);
          cleanError(e);
          rej(e);
        }
      } else (a as () => void)();
    } catch (e) {
      report(e);
    }
  }
  // Reused from the start (the stale entries are overwritten, not truncated: cheaper).
  cur.head = cur.tail = 0;
}

function checkpoint(): void {
  drain();
  if (cur.about.length === 0) return;
  cur.tasks.push(cur.about.slice());
  cur.about.length = 0;
}

function setTimer(requested: unknown, rec: Rec | null, complete: (() => unknown) | null, value: unknown, cb: Function | null, args: unknown[]): number {
  work();
  const nesting = cur.task !== null && !Array.isArray(cur.task) ? cur.task.nesting : 0;
  let timeout = toLong(requested);
  if (timeout < 0) timeout = 0;
  if (nesting > 5 && timeout < 4) timeout = 4;
  // Timer records are the runtime's own (a program sees only the id): reused from run to run.
  let timer = cur.pool[cur.used];
  if (timer === undefined) timer = cur.pool[cur.used] = { kind: 1, id: 0, rec: null, complete: null, value: undefined, cb: null, args: NO_ARGS, due: 0, nesting: 0, state: 0 };
  cur.used++;
  timer.id = cur.nextTimer++;
  timer.rec = rec;
  timer.complete = complete;
  timer.value = value;
  timer.cb = cb;
  timer.args = args;
  timer.due = Math.round((cur.clock + timeout) * 1e6) / 1e6;
  timer.nesting = nesting + 1;
  timer.state = 0;
  cur.timers.push(timer);
  // HTML, as Chromium runs it: a 0 ms timer's task is queued at once (not a choice).
  if (timeout === 0) queueTimer(timer);
  return timer.id;
}

/** Takes a timer out of the live list (the last one takes its place: the list has no order). */
function unlist(timer: Timer): void {
  const list = cur.timers;
  const i = list.indexOf(timer);
  const last = list.pop()!;
  if (last !== timer) list[i] = last;
}

function queueTimer(timer: Timer): void {
  timer.state = 1;
  cur.tasks.push(timer);
}

function runTask(task: Task, program: Function, args: unknown[]): void {
  cur.task = task;
  if (task === null) {
    try {
      program.apply(SCRIPT_THIS, args);
    } catch (e) {
      report(e);
    }
  } else if (Array.isArray(task)) {
    for (const rec of task) if (!rec[HANDLED]) cur.other = true;
  } else {
    const timer = task;
    if (timer.state !== 1) {
      cur.task = null;
      return;
    }
    timer.state = 2;
    try {
      if (timer.rec) capResolve(timer.rec, timer.complete ? timer.complete() : timer.value);
      else timer.cb!.apply(SCRIPT_THIS, timer.args);
    } catch (e) {
      report(e);
    }
  }
  cur.L.p = -1;
  checkpoint();
  if (task !== null && !Array.isArray(task) && task.state === 2) {
    task.state = 3;
    unlist(task);
  }
  cur.task = null;
}

// ------------------------------------------------------------------ the realm

/** `this` of the main script and timer callbacks (the engine's global object: reading it is declined). */
const SCRIPT_THIS = Object.freeze({});

/** A global this runtime does not model: any use of it declines the run. */
function unmodelled(name: string): unknown {
  const no = (): never => decline(name);
  return new Proxy(function () {}, { get: no, set: no, apply: no, construct: no, has: no, defineProperty: no, deleteProperty: no, getPrototypeOf: no, setPrototypeOf: no, ownKeys: no, getOwnPropertyDescriptor: no });
}

interface Realm {
  names: string[];
  values: unknown[];
}

let realm: Realm | null = null;

const NO_ARGS: unknown[] = [];

function dbOp(complete: () => unknown): object {
  const rec = intrinsic();
  setTimer(DB_LATENCY_MS, rec, complete, undefined, null, NO_ARGS);
  return rec;
}

function makeRealm(): Realm {
  PromiseCtor = makePromise();
  const db = Object.freeze({
    get: function get(key: unknown): object {
      const k = String(key);
      return dbOp(() => cur.store.get(k));
    },
    set: function set(key: unknown, value: unknown): object {
      const k = String(key);
      return dbOp(() => {
        cur.store.set(k, value);
        return undefined;
      });
    },
  });
  const assert = Object.freeze(
    named('assert', (condition: unknown, message?: unknown): void => {
      if (condition) return;
      const text = message === undefined ? 'assertion failed' : String(message);
      const p = cur.L.p;
      const loc = p >= 0 ? cur.locs[p] : undefined;
      cur.asserts.push({ message: text, ...(loc ? { line: loc.line } : {}) });
      throw new Error(`Assertion failed: ${text}`);
    }),
  );
  const delay = named('delay', (ms?: unknown, value?: unknown, options?: unknown): object => {
    if (options !== undefined) decline('delay with options');
    const rec = intrinsic();
    setTimer(ms, rec, null, value, null, NO_ARGS);
    return rec;
  });
  Object.defineProperty(delay, 'length', { value: 2 }); // as the engine's: (ms, value)
  const setTimeout = named('setTimeout', (handler?: unknown, timeout?: unknown, ...args: unknown[]): number => {
    if (typeof handler !== 'function') decline('setTimeout without a function');
    return setTimer(timeout, null, null, undefined, handler, args);
  });
  const clearTimeout = named('clearTimeout', (id?: unknown): void => {
    const n = toLong(id);
    const timer = cur.timers.find((t) => t.id === n);
    if (timer === undefined) return;
    unlist(timer);
    if (timer.state === 1) {
      const i = cur.tasks.indexOf(timer);
      if (i >= 0) cur.tasks.splice(i, 1);
    }
    timer.state = 3;
  });
  const queueMicrotask = named('queueMicrotask', (callback?: unknown): void => {
    if (typeof callback !== 'function') decline('queueMicrotask without a function');
    enqueue(2, callback, undefined, undefined);
  });
  const noop = (): void => {};
  const console = Object.freeze(Object.fromEntries(['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'table', 'group', 'groupEnd', 'groupCollapsed', 'count', 'countReset', 'time', 'timeEnd', 'timeLog', 'assert', 'clear'].map((k) => [k, noop])));
  const math: Record<string, unknown> = Object.create(Object.getPrototypeOf(Math));
  for (const k of Reflect.ownKeys(Math)) Object.defineProperty(math, k, Object.getOwnPropertyDescriptor(Math, k)!);
  Object.defineProperty(math, 'random', { get: () => decline('Math.random (the engine seeds it)') });
  Object.freeze(math);
  for (const f of [delay, setTimeout, clearTimeout, queueMicrotask]) Object.freeze(f);

  const injected = {
    console,
    setTimeout,
    setInterval: unmodelled('setInterval'),
    clearTimeout,
    clearInterval: unmodelled('clearInterval'),
    queueMicrotask,
    Promise: PromiseCtor,
    delay,
    Date: unmodelled('Date'),
    Math: math,
    performance: unmodelled('performance'),
    globalThis: unmodelled('globalThis'),
    window: unmodelled('window'),
    self: unmodelled('self'),
    Function: unmodelled('Function'),
    eval: unmodelled('eval'),
    structuredClone: unmodelled('structuredClone'),
    Proxy: unmodelled('Proxy'),
  };
  const free = (name: string): unknown => {
    if (name === 'db') return db;
    if (name === 'assert') return assert;
    return decline(`the free name ${name}`);
  };
  const fnKinds = [null, Object.getPrototypeOf(async function () {})];
  const hooks: [string, unknown][] = [
    ['__$L', null], // per run
    ['__$E', (): number => (work(), 0)],
    ['__$X', (): void => {}],
    ['__$A', startAsync],
    ['__$aw', (v: unknown, site: number): unknown => ((cur.L.w = site), v)],
    ['__$B', work],
    [
      '__$C',
      (e: unknown): void => {
        guard(e);
        cleanError(e);
      },
    ],
    ['__$th', (e: unknown): unknown => e],
    ['__$T', (v: unknown): unknown => (v === SCRIPT_THIS || v === globalThis ? decline('the global object') : v)],
    ['__$ng', (name: string): unknown => free(name)],
    ['__$N', new Proxy(Object.create(null) as object, { get: (_t, key) => (typeof key === 'string' ? free(key) : undefined) })],
    ['__$DG', 0], // no global object to mirror the top-level names on (the transform skips the call)
    ['__$gl', (name: string): unknown => (globalThis as Record<string, unknown>)[name]],
    [
      '__$fk',
      (fn: Function, kind: number, name?: string): Function => {
        if (kind !== 1) decline('generators');
        Object.setPrototypeOf(fn, fnKinds[1]);
        if (name !== undefined) Object.defineProperty(fn, 'name', { value: name, configurable: true });
        return fn;
      },
    ],
    ['__$ev', unmodelled('eval')],
    ['__$H', injected],
  ];
  for (const name of ['__$G', '__$AG', '__$yv', '__$yd', '__$FI', '__$FN', '__$FR', '__$FC', '__$sg']) hooks.push([name, () => decline('generators, for await or an undeclared name')]);
  return { names: hooks.map(([n]) => n), values: hooks.map(([, v]) => v) };
}

// ------------------------------------------------------------------ programs and runs

/**
 * Whether the fast runtime may run this program at all: its source names no reflective API
 * through which it could reach and change a shared built-in (the rest it declines at run time).
 */
export function fastSupported(source: string): boolean {
  return !/\b(prototype|__proto__|defineProperty|defineProperties|setPrototypeOf|getPrototypeOf|getOwnPropertyDescriptors?|Reflect|Object\.assign|getOwnPropertySymbols|freeze|globalThis|eval|Function|captureStackTrace|stackTraceLimit|prepareStackTrace|fromAsync|toString)\b|\.stack\b/.test(source);
}

/** Scratch: the pending timers at a choice point, in natural order (the first n entries). */
const PENDING_BUF: Timer[] = [];
/** The ids at a choice point inside the prefix (not recorded). */
const KNOWN: number[] = Object.freeze([]) as unknown as number[];

export interface FastProgram {
  fn: Function;
  t: Transformed;
}

export function fastProgram(t: Transformed): FastProgram {
  if (realm === null) realm = makeRealm();
  return { fn: new Function(...realm.names, t.code), t };
}

export interface FastRun {
  /** Per choice point: the pending completion ids (natural order first; empty inside the prefix,
   * which the caller knows), and the one taken. */
  ids: number[][];
  taken: number[];
  status: 'done' | 'failed' | 'stuck';
  failure?: { kind: 'assert'; message: string; line?: number };
  /** As the engine reports them, with promise -1 (this runtime does not number promises). */
  suspended: { fn: string; text: string; line?: number; promise: number }[];
  db: Record<string, unknown>;
}

/**
 * One run following `prefix` (completion ids) at the first choice points, then the natural order.
 * Null when the run leaves what this runtime models exactly: the engine must run that schedule.
 * Throws if a prefix choice is not pending (as the engine's run does).
 */
export function fastRun(p: FastProgram, prefix: readonly number[]): FastRun | null {
  const r = realm!;
  if (cur === undefined) cur = { micro: [], head: 0, tail: 0, tasks: [], pool: [], used: 0, timers: [], nextTimer: 1, clock: 0, task: null, about: [], store: new Map(), asserts: [], other: false, awaits: [], work: 0, declined: null, awaitError: undefined, locs: p.t.locs, L: { p: -1, w: -1 } };
  // One run state, reset (a run allocates only what the program makes).
  cur.head = cur.tail = cur.tasks.length = cur.about.length = cur.awaits.length = cur.work = cur.clock = 0;
  cur.timers.length = 0;
  cur.store = new Map();
  cur.tasks.push(null);
  cur.nextTimer = 1;
  cur.task = null;
  cur.asserts = [];
  cur.other = false;
  cur.declined = null;
  cur.locs = p.t.locs;
  cur.L.p = cur.L.w = -1;
  cur.used = 0;
  r.values[0] = cur.L;
  const ids: number[][] = [];
  const taken: number[] = [];
  const pending = PENDING_BUF;
  // Errors made during the run capture no stack (a stack costs more than a whole run; a program
  // that reads one is not run here: fastSupported).
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    for (;;) {
      if (cur.tasks.length === 0) {
        // The pending timers in natural order (due time, then set order): an insertion sort, as
        // there are only a few (Array.prototype.sort costs more than the whole step here).
        const live = cur.timers;
        let n = 0;
        for (let j = 0; j < live.length; j++) {
          const t = live[j];
          if (t.state !== 0) continue;
          let at = n++;
          while (at > 0 && (pending[at - 1].due > t.due || (pending[at - 1].due === t.due && pending[at - 1].id > t.id))) {
            pending[at] = pending[at - 1];
            at--;
          }
          pending[at] = t;
        }
        if (n === 0) break;
        const k = ids.length;
        let i = 0;
        if (k < prefix.length) {
          while (i < n && pending[i].id !== prefix[k]) i++;
          if (i === n) throw new Error(`Completion ${prefix[k]} is not pending at step ${k + 1}.`);
        }
        const timer = pending[i];
        // Inside the prefix the explorer knows the choices already: no copy of them is made.
        if (k < prefix.length) ids.push(KNOWN);
        else {
          const here: number[] = new Array(n);
          for (let j = 0; j < n; j++) here[j] = pending[j].id;
          ids.push(here);
        }
        taken.push(timer.id);
        if (timer.due > MAX_TIME) decline('a timer past the time budget');
        cur.clock = Math.max(cur.clock, timer.due);
        queueTimer(timer);
      }
      runTask(cur.tasks.shift()!, p.fn, r.values);
      if (cur.declined !== null) return null;
    }
  } catch (e) {
    if (e instanceof Decline) return null;
    throw e;
  } finally {
    Error.stackTraceLimit = limit;
  }
  if (cur.declined !== null) return null;
  if (cur.asserts.length === 0 && cur.other) return null;
  const suspended: FastRun['suspended'] = [];
  const a = cur.awaits;
  for (let i = 0; i < a.length; i += 3) {
    if ((a[i + 2] as Rec)[S] !== PENDING) continue;
    const site = a[i + 1] as number;
    const s = site >= 0 ? p.t.sites[site] : undefined;
    if (s && s.kind !== 'await') continue;
    const loc = s ? p.t.locs[s.loc] : undefined;
    suspended.push({ fn: p.t.fns[a[i] as number].name, text: s ? s.text : '', promise: -1, ...(loc ? { line: loc.line } : {}) });
  }
  const db: Record<string, unknown> = {};
  for (const k of [...cur.store.keys()].sort()) db[k] = cur.store.get(k);
  const failure = cur.asserts[0];
  return { ids, taken, status: failure ? 'failed' : suspended.length > 0 ? 'stuck' : 'done', ...(failure ? { failure: { kind: 'assert' as const, ...failure } } : {}), suspended, db };
}
