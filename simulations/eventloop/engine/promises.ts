/**
 * Promises (ECMAScript 27.2), written from the spec: promise records with reactions,
 * CreateResolvingFunctions, NewPromiseReactionJob, NewPromiseResolveThenableJob,
 * PerformPromiseThen, NewPromiseCapability (species-aware), PromiseResolve, the statics (resolve,
 * reject, all, allSettled, any, race, withResolvers, try) and HostPromiseRejectionTracker with
 * HTML's "about-to-be-notified rejected promises" list. Jobs are enqueued here; tasks.ts runs them.
 */
import type { EventLoopEvent, JobSource, ReactionVia } from '../types';
import { FULFILLED, JOB_REACTION, JOB_THENABLE, PENDING, REJECTED, type Agent, type Cap, type InternalHandler, type IterRec, type PRec, type Reaction } from './agent';
import { settleInternal, type AsyncFnCtx } from './async-functions';
import type { AsyncGenCtx, AwaitReturnHandler } from './generators';
import { DONE, getIterator, iteratorCloseOnThrow, iteratorStepValue } from './iterators';
import { fnName, isObject, preview } from './values';
import { proxyRecord } from './proxies';

/** Trace name of a built-in closure (Promise.all element functions, finally thunks...). */
const BUILTIN_NAME = Symbol('builtin name');

function newRec(ag: Agent, obj: object, by: string): PRec {
  const rec = {
    obj,
    id: ag.nextPromiseId++,
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
  if (by !== 'then' && by !== 'catch' && by !== 'finally' && by !== 'await' && by !== 'Promise.resolve' && by !== 'Promise.reject' && ag.live()) ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'promise-create', promise: rec.id, by, loc: ag.here() } as EventLoopEvent);
  return rec;
}

/** A fresh intrinsic promise and its capability (no resolving functions allocated). */
export function intrinsicCap(ag: Agent, by: string): Cap {
  ag.byNext = by;
  new ag.PromiseCtor(ag.INTERNAL);
  return ag.lastRec!;
}

function isConstructor(C: unknown): boolean {
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
function newCap(ag: Agent, C: unknown, by: string): Cap {
  if (C === ag.PromiseCtor) return intrinsicCap(ag, by);
  if (!isConstructor(C)) throw new TypeError(`${preview(C)} is not a constructor`);
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

export function capResolve(ag: Agent, cap: Cap, v: unknown): void {
  if (cap.rec) {
    if (cap.done) return;
    cap.done = true;
    resolveWith(ag, cap.rec, v);
  } else {
    cap.resolve!(v);
  }
}

export function capReject(ag: Agent, cap: Cap, r: unknown): void {
  if (cap.rec) {
    if (cap.done) return;
    cap.done = true;
    rejectRec(ag, cap.rec, r);
  } else {
    cap.reject!(r);
  }
}

/** capability.[[Reject]] as a function (materialised on demand for the intrinsic fast path). */
function capRejectFn(ag: Agent, cap: Cap): (r: unknown) => void {
  if (!cap.reject) cap.reject = (r: unknown) => capReject(ag, cap, r);
  return cap.reject as (r: unknown) => void;
}

function capResolveFn(ag: Agent, cap: Cap): (v: unknown) => void {
  if (!cap.resolve) cap.resolve = (v: unknown) => capResolve(ag, cap, v);
  return cap.resolve as (v: unknown) => void;
}

/** CreateResolvingFunctions(promise). */
function resolvingFunctions(ag: Agent, rec: PRec): { resolve: (v?: unknown) => void; reject: (r?: unknown) => void } {
  let already = false;
  const resolve = (resolution?: unknown): void => {
    if (already) return;
    already = true;
    resolveWith(ag, rec, resolution);
  };
  const reject = (reason?: unknown): void => {
    if (already) return;
    already = true;
    rejectRec(ag, rec, reason);
  };
  return { resolve, reject };
}

/** The steps of a promise resolve function once alreadyResolved has been checked. */
export function resolveWith(ag: Agent, rec: PRec, resolution: unknown): void {
  if (resolution === rec.obj) {
    rejectRec(ag, rec, new TypeError('Chaining cycle detected for promise #<Promise>'));
    return;
  }
  if (!isObject(resolution)) {
    fulfillRec(ag, rec, resolution);
    return;
  }
  let then: unknown;
  try {
    then = (resolution as { then?: unknown }).then;
  } catch (e) {
    ag.guard(e);
    rejectRec(ag, rec, e);
    return;
  }
  if (typeof then !== 'function') {
    fulfillRec(ag, rec, resolution);
    return;
  }
  if (ag.live()) {
    const other = ag.slots(resolution);
    ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'promise-follow', promise: rec.id, thenable: other?.id, loc: ag.here() } as EventLoopEvent);
  }
  enqueueJob(ag, JOB_THENABLE, rec, resolution, then);
}

function fulfillRec(ag: Agent, rec: PRec, value: unknown): void {
  const reactions = rec.reactions;
  rec.reactions = null;
  rec.result = value;
  rec.state = FULFILLED;
  if (ag.live()) ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'promise-settle', promise: rec.id, state: 'fulfilled', value: preview(value), loc: ag.here() } as EventLoopEvent);
  if (reactions) for (let i = 0; i < reactions.length; i++) enqueueReaction(ag, reactions[i], 0, value, rec);
}

function rejectRec(ag: Agent, rec: PRec, reason: unknown): void {
  const reactions = rec.reactions;
  rec.reactions = null;
  rec.result = reason;
  rec.state = REJECTED;
  if (ag.live()) {
    rec.rejectedAt = ag.here() ?? ag.lastLoc;
    ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'promise-settle', promise: rec.id, state: 'rejected', value: preview(reason), loc: ag.here() } as EventLoopEvent);
  }
  if (!rec.handled) rejectionTracker(ag, rec, 'reject');
  if (reactions) for (let i = 0; i < reactions.length; i++) enqueueReaction(ag, reactions[i], 1, reason, rec);
}

/** HostPromiseRejectionTracker (HTML). */
function rejectionTracker(ag: Agent, rec: PRec, op: 'reject' | 'handle'): void {
  if (op === 'reject') {
    ag.aboutToBeNotified.push(rec);
    return;
  }
  const i = ag.aboutToBeNotified.indexOf(rec);
  if (i >= 0) {
    ag.aboutToBeNotified.splice(i, 1);
    return;
  }
  if (ag.outstanding.delete(rec) && ag.live()) {
    ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'rejection-handled', promise: rec.id, loc: ag.here() } as EventLoopEvent);
  }
}

/** PerformPromiseThen(promise, onFulfilled, onRejected, resultCapability). */
export function performThen(ag: Agent, rec: PRec, f: unknown, r: unknown, cap: Cap | undefined, via: ReactionVia): void {
  // Callers pass functions, internal handlers or undefined (the user-facing `then` filters).
  const reaction: Reaction = { cap, f, r, via };
  if (via !== 'await' && ag.live()) ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'promise-then', promise: rec.id, via, result: cap?.rec?.id, loc: ag.here() } as EventLoopEvent);
  if (rec.state === PENDING) {
    if (rec.reactions) rec.reactions.push(reaction);
    else rec.reactions = [reaction];
  } else if (rec.state === FULFILLED) {
    enqueueReaction(ag, reaction, 0, rec.result, rec);
  } else {
    if (!rec.handled) rejectionTracker(ag, rec, 'handle');
    enqueueReaction(ag, reaction, 1, rec.result, rec);
  }
  rec.handled = true;
}

function enqueueReaction(ag: Agent, reaction: Reaction, type: 0 | 1, arg: unknown, settled: PRec): void {
  const id = ag.nextJobId++;
  if (!ag.quietEnqueue && ag.live()) {
    // Labels for the queue view are derived from these fields by jobLabel (labels.ts).
    const handler = type === 0 ? reaction.f : reaction.r;
    let source: JobSource = 'reaction';
    let name: string | undefined;
    if (handler === undefined) {
      name = undefined;
    } else if (typeof handler !== 'function') {
      const h = handler as InternalHandler;
      if (h.hk === 3) name = ag.fns[(h as AwaitReturnHandler).ctx.fid].name;
      else {
        source = 'await';
        name = ag.fns[(h as AsyncFnCtx | AsyncGenCtx).fid].name;
      }
    } else {
      // (A learner's proxy is not read: that would run its traps. fnName looks through it.)
      name = (proxyRecord(handler as object) ? undefined : (handler as { [BUILTIN_NAME]?: string })[BUILTIN_NAME]) ?? fnName(handler);
    }
    ag.emit({
      seq: ag.rec.events.length,
      t: ag.clock,
      kind: 'microtask-enqueue',
      loc: ag.here(),
      job: id,
      source,
      promise: settled.id,
      handler: type === 0 ? 'fulfill' : 'reject',
      via: reaction.via,
      fn: name,
      target: reaction.cap?.rec?.id,
    });
  }
  ag.micro.push(id, JOB_REACTION, reaction, type, arg);
}

/** Enqueues a thenable job (a: promise record, b: thenable, c: then) or a queueMicrotask callback (a). */
export function enqueueJob(ag: Agent, kind: 1 | 2, a: unknown, b: unknown, c: unknown): void {
  const id = ag.nextJobId++;
  if (ag.live()) {
    if (kind === JOB_THENABLE) {
      const other = ag.slots(b);
      ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'microtask-enqueue', loc: ag.here(), job: id, source: 'thenable', promise: (a as PRec).id, fn: fnName(c), thenable: other?.id });
    } else {
      ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'microtask-enqueue', loc: ag.here(), job: id, source: 'queueMicrotask', fn: fnName(a) });
    }
  }
  ag.micro.push(id, kind, a, b, c);
}


/** NewPromiseReactionJob's steps. */
export function reactionJob(ag: Agent, reaction: Reaction, type: 0 | 1, arg: unknown): void {
  const handler = type === 0 ? reaction.f : reaction.r;
  const cap = reaction.cap;
  if (handler === undefined) {
    if (type === 0) capResolve(ag, cap!, arg);
    else capReject(ag, cap!, arg);
    return;
  }
  if (typeof handler !== 'function') {
    settleInternal(ag, handler as InternalHandler, type, arg);
    return;
  }
  let result: unknown;
  try {
    result = (handler as (v: unknown) => unknown)(arg);
  } catch (e) {
    ag.guard(e);
    if (cap) capReject(ag, cap, e);
    return;
  }
  if (ag.stopped) throw ag.stopped;
  if (cap) capResolve(ag, cap, result);
}

/** NewPromiseResolveThenableJob's steps. */
export function thenableJob(ag: Agent, rec: PRec, thenable: object, then: Function): void {
  const { resolve, reject } = resolvingFunctions(ag, rec);
  const intrinsic = then === ag.intrinsicThen;
  if (intrinsic) ag.viaNext = 'adopt';
  try {
    then.call(thenable, resolve, reject);
  } catch (e) {
    ag.guard(e);
    reject(e);
  } finally {
    ag.viaNext = 'then';
  }
}

/** PromiseResolve(C, x). */
export function promiseResolve(ag: Agent, C: unknown, x: unknown, by: string): object {
  if (ag.slots(x)) {
    const xc = (x as { constructor?: unknown }).constructor;
    if (xc === C) return x as object;
  }
  const cap = newCap(ag, C, by);
  capResolve(ag, cap, x);
  return cap.promise;
}

/** Invoke(p, "then", args) with a label for the reaction the intrinsic then will register. */
function invokeThen(ag: Agent, p: unknown, via: ReactionVia, ...args: unknown[]): unknown {
  const then = (p as { then?: unknown }).then;
  if (typeof then !== 'function') throw new TypeError(`${preview(then)} is not a function`);
  ag.viaNext = via;
  try {
    return then.apply(p, args);
  } finally {
    ag.viaNext = 'then';
  }
}

function speciesConstructor(O: object, dflt: unknown): unknown {
  const C = (O as { constructor?: unknown }).constructor;
  if (C === undefined) return dflt;
  if (!isObject(C)) throw new TypeError('The .constructor property is not an object');
  const S = (C as { [Symbol.species]?: unknown })[Symbol.species];
  if (S === undefined || S === null) return dflt;
  if (isConstructor(S)) return S;
  throw new TypeError('object.constructor[Symbol.species] is not a constructor');
}

export function labelBuiltin<T extends Function>(ag: Agent, fn: T, name: string): T {
  if (ag.rec.events.length < ag.cap) Object.defineProperty(fn, BUILTIN_NAME, { value: name });
  return fn;
}

/** The shared shape of Promise.all / allSettled / any / race. */
function combinator(ag: Agent, C: unknown, iterable: unknown, via: 'all' | 'allSettled' | 'any' | 'race'): object {
  const cap = newCap(ag, C, `Promise.${via}`);
  let promiseResolve: unknown;
  let rec: IterRec;
  try {
    promiseResolve = (C as { resolve?: unknown }).resolve;
    if (typeof promiseResolve !== 'function') throw new TypeError('Promise resolve or reject function is not callable');
    rec = getIterator(iterable);
  } catch (e) {
    ag.guard(e);
    capReject(ag, cap, e);
    return cap.promise;
  }
  try {
    return performCombinator(ag, rec, C, cap, promiseResolve as Function, via);
  } catch (e) {
    ag.guard(e);
    if (!rec.done) iteratorCloseOnThrow(ag, rec);
    capReject(ag, cap, e);
    return cap.promise;
  }
}

function performCombinator(ag: Agent, rec: IterRec, C: unknown, cap: Cap, promiseResolve: Function, via: 'all' | 'allSettled' | 'any' | 'race'): object {
  const values: unknown[] = [];
  let remaining = 1;
  let index = 0;
  const finish = (): void => {
    if (via === 'any') {
      const err = new AggregateError(values.slice(), 'All promises were rejected');
      capReject(ag, cap, err);
    } else {
      capResolve(ag, cap, values.slice());
    }
  };
  for (;;) {
    const next = iteratorStepValue(rec);
    if (next === DONE) {
      if (via !== 'race' && --remaining === 0) finish();
      return cap.promise;
    }
    const nextPromise = promiseResolve.call(C, next);
    if (via === 'race') {
      invokeThen(ag, nextPromise, 'race', capResolveFn(ag, cap), capRejectFn(ag, cap));
      continue;
    }
    values.push(undefined);
    const i = index;
    let alreadyCalled = false;
    remaining++;
    if (via === 'all') {
      const onF = labelBuiltin(ag, (x: unknown): void => {
        if (alreadyCalled) return;
        alreadyCalled = true;
        values[i] = x;
        if (--remaining === 0) finish();
      }, `Promise.all resolve element [${i}]`);
      invokeThen(ag, nextPromise, 'all', onF, capRejectFn(ag, cap));
    } else if (via === 'allSettled') {
      const onF = labelBuiltin(ag, (x: unknown): void => {
        if (alreadyCalled) return;
        alreadyCalled = true;
        values[i] = { status: 'fulfilled', value: x };
        if (--remaining === 0) finish();
      }, `Promise.allSettled resolve element [${i}]`);
      const onR = labelBuiltin(ag, (x: unknown): void => {
        if (alreadyCalled) return;
        alreadyCalled = true;
        values[i] = { status: 'rejected', reason: x };
        if (--remaining === 0) finish();
      }, `Promise.allSettled reject element [${i}]`);
      invokeThen(ag, nextPromise, 'allSettled', onF, onR);
    } else {
      const onR = labelBuiltin(ag, (x: unknown): void => {
        if (alreadyCalled) return;
        alreadyCalled = true;
        values[i] = x;
        if (--remaining === 0) finish();
      }, `Promise.any reject element [${i}]`);
      invokeThen(ag, nextPromise, 'any', capResolveFn(ag, cap), onR);
    }
    index++;
  }
}

function createPromiseClass(ag: Agent): new (executor: unknown) => object {
  const INTERNAL = ag.INTERNAL;
  let slotsFn: (p: unknown) => PRec | undefined = () => undefined;
  class Promise {
    #r: PRec;
    static {
      slotsFn = (p: unknown): PRec | undefined => (isObject(p) && #r in (p as object) ? (p as Promise).#r : undefined);
    }
    constructor(executor: unknown) {
      if (executor === INTERNAL) {
        this.#r = ag.lastRec = newRec(ag, this, ag.byNext);
        return;
      }
      if (typeof executor !== 'function') throw new TypeError(`Promise resolver ${preview(executor)} is not a function`);
      this.#r = newRec(ag, this, 'new Promise');
      const { resolve, reject } = resolvingFunctions(ag, this.#r);
      try {
        executor(resolve, reject);
      } catch (e) {
        ag.guard(e);
        reject(e);
      }
    }
    then(onFulfilled?: unknown, onRejected?: unknown): object {
      const rec = slotsFn(this);
      if (!rec) throw new TypeError(`Method Promise.prototype.then called on incompatible receiver ${preview(this)}`);
      const via = ag.viaNext;
      ag.viaNext = 'then';
      const C = speciesConstructor(this, Promise);
      const cap = newCap(ag, C, via === 'then' || via === 'catch' || via === 'finally' ? via : 'then');
      performThen(
        ag,
        rec,
        typeof onFulfilled === 'function' ? onFulfilled : undefined,
        typeof onRejected === 'function' ? onRejected : undefined,
        cap,
        via,
      );
      return cap.promise;
    }
    catch(onRejected?: unknown): unknown {
      return invokeThen(ag, this, 'catch', undefined, onRejected);
    }
    finally(onFinally?: unknown): unknown {
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      const promise: unknown = this;
      if (!isObject(promise)) throw new TypeError('Promise.prototype.finally called on a non-object');
      const C = speciesConstructor(promise, Promise);
      let thenFinally: unknown = onFinally;
      let catchFinally: unknown = onFinally;
      if (typeof onFinally === 'function') {
        const name = fnName(onFinally);
        thenFinally = labelBuiltin(ag, (value: unknown): unknown => {
          const result = (onFinally as () => unknown)();
          const p = promiseResolve(ag, C, result, 'finally');
          const valueThunk = labelBuiltin(ag, (): unknown => value, `(finally ${name}: pass the value on)`);
          return invokeThen(ag, p, 'finally', valueThunk);
        }, name);
        catchFinally = labelBuiltin(ag, (reason: unknown): unknown => {
          const result = (onFinally as () => unknown)();
          const p = promiseResolve(ag, C, result, 'finally');
          const thrower = labelBuiltin(ag, (): never => {
            throw reason;
          }, `(finally ${name}: rethrow the reason)`);
          return invokeThen(ag, p, 'finally', thrower);
        }, name);
      }
      return invokeThen(ag, promise, 'finally', thenFinally, catchFinally);
    }
    static resolve(x?: unknown): object {
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      const C: unknown = this;
      if (!isObject(C)) throw new TypeError('PromiseResolve called on non-object');
      return promiseResolve(ag, C, x, 'Promise.resolve');
    }
    static reject(r?: unknown): object {
      const cap = newCap(ag, this, 'Promise.reject');
      capReject(ag, cap, r);
      return cap.promise;
    }
    static all(iterable?: unknown): object {
      return combinator(ag, this, iterable, 'all');
    }
    static allSettled(iterable?: unknown): object {
      return combinator(ag, this, iterable, 'allSettled');
    }
    static any(iterable?: unknown): object {
      return combinator(ag, this, iterable, 'any');
    }
    static race(iterable?: unknown): object {
      return combinator(ag, this, iterable, 'race');
    }
    static withResolvers(): { promise: object; resolve: unknown; reject: unknown } {
      const cap = newCap(ag, this, 'Promise.withResolvers');
      return { promise: cap.promise, resolve: capResolveFn(ag, cap), reject: capRejectFn(ag, cap) };
    }
    static try(callback?: unknown, ...args: unknown[]): object {
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      const C: unknown = this;
      if (!isObject(C)) throw new TypeError('Promise.try called on non-object');
      const cap = newCap(ag, C, 'Promise.try');
      let result: unknown;
      try {
        if (typeof callback !== 'function') throw new TypeError(`${preview(callback)} is not a function`);
        result = callback(...args);
      } catch (e) {
        ag.guard(e);
        capReject(ag, cap, e);
        return cap.promise;
      }
      capResolve(ag, cap, result);
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
  ag.slots = slotsFn;
  return Promise as unknown as new (executor: unknown) => object;
}

/** Installs the realm's %Promise% on the agent (constructor, `then`, and promiseDetails). */
export function installPromise(ag: Agent): void {
  ag.PromiseCtor = createPromiseClass(ag);
  ag.intrinsicThen = (ag.PromiseCtor.prototype as { then: Function }).then;
  /** State and result of one of our promises, for console formatting. */
  ag.promiseDetails = (v: object): ['pending' | 'fulfilled' | 'rejected', unknown] | undefined => {
    const rec = ag.slots(v);
    if (!rec) return undefined;
    return [rec.state === PENDING ? 'pending' : rec.state === FULFILLED ? 'fulfilled' : 'rejected', rec.result];
  };
}
