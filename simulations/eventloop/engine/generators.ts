/**
 * Generators and async generators.
 *
 * - Sync generators are wrapped so each resume pushes and pops a frame on the modelled stack.
 * - Async generators follow AsyncGeneratorStart/Enqueue/Resume/Yield/AwaitReturn/DrainQueue and
 *   AsyncGeneratorUnwrapYieldResumption; `for await` and `yield*` use GetIterator(obj, async),
 *   CreateAsyncFromSyncIterator (with ES2025's closing of the sync iterator on rejection) and
 *   AsyncIteratorClose.
 */
import type { EventLoopEvent } from '../types';
import type { Agent, Cap, Completion, InternalHandler, IterRec } from './agent';
import { awaitValue } from './async-functions';
import { getAsyncIterator, getMethod, iteratorCloseNormal, iteratorCloseOnThrow } from './iterators';
import { capReject, capResolve, intrinsicCap, labelBuiltin, performThen, promiseResolve } from './promises';
import { isObject, preview } from './values';

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

interface AGRequest {
  completion: Completion;
  cap: Cap;
}

/** Coroutine state of an async generator. */
export class AsyncGenCtx implements InternalHandler {
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

export class AwaitReturnHandler implements InternalHandler {
  readonly hk = 3 as const;
  constructor(readonly ctx: AsyncGenCtx) {}
}

export function installAsyncGenerator(ag: Agent): void {
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
      return agNext(ag, this, value);
    }
    return(value?: unknown): object {
      return agReturn(ag, this, value);
    }
    throw(value?: unknown): object {
      return agThrow(ag, this, value);
    }
  }
  Object.setPrototypeOf(AsyncGenerator.prototype, AsyncIteratorPrototype);
  Object.defineProperty(AsyncGenerator.prototype, Symbol.toStringTag, { value: 'AsyncGenerator', configurable: true });
  Object.defineProperty(AsyncGenerator.prototype, 'constructor', { value: Object, enumerable: false, configurable: true, writable: true });
  ag.agSlots = slots;
  ag.makeAsyncGen = (ctx) => new AsyncGenerator(ctx);
  ag.asyncGenProto = AsyncGenerator.prototype;
}

/** __$AG: calls an async generator function; nothing runs until the first next(). */
export function startAsyncGen(ag: Agent, genFn: Function, thisArg: unknown, args: ArrayLike<unknown>, fid: number, self?: unknown): object {
  ag.countStep();
  const ctx = new AsyncGenCtx(fid);
  ctx.gen = genFn.apply(thisArg, args) as Generator;
  ctx.resumeLoc = ag.fns[fid].loc;
  return inheritFromFunction(ag.makeAsyncGen(ctx), self);
}

/**
 * OrdinaryCreateFromConstructor(F, "%GeneratorPrototype%"): a generator object inherits from
 * its function's `prototype`. The transformed function is a plain function, so its default
 * `prototype` (an object with `constructor`) becomes, at the first call, an object inheriting
 * from the engine's generator prototype, as a generator function's own would be. `self` is
 * known for declarations and named expressions (see transform.ts); otherwise the shared
 * prototype stays.
 */
const fixedPrototypes = new WeakSet<object>();
function fixPrototype(self: Function, shared: object): void {
  const proto = (self as { prototype?: unknown }).prototype;
  if (!isObject(proto) || fixedPrototypes.has(proto as object)) return;
  fixedPrototypes.add(proto as object);
  const p = proto as { constructor?: unknown };
  if (Object.getPrototypeOf(p) === Object.prototype && Object.getOwnPropertyDescriptor(p, 'constructor')?.value === self && Reflect.ownKeys(p).length === 1) {
    delete p.constructor;
    Object.setPrototypeOf(p, shared);
  }
}
function inheritFromFunction(obj: object, self: unknown): object {
  if (typeof self !== 'function') return obj;
  fixPrototype(self, Object.getPrototypeOf(obj) as object);
  const proto = (self as { prototype?: unknown }).prototype;
  if (isObject(proto)) Object.setPrototypeOf(obj, proto as object);
  return obj;
}

/** At creation (`__$fk`): a generator function's `prototype` as the spec makes it. */
export function prepareGeneratorFunction(ag: Agent, fn: Function, async: boolean): void {
  fixPrototype(fn, async ? ag.asyncGenProto : ag.genProto);
}

function agValidate(ag: Agent, obj: unknown, cap: Cap, method: string): AsyncGenCtx | undefined {
  const ctx = ag.agSlots(obj);
  if (!ctx) capReject(ag, cap, new TypeError(`${method} method called on incompatible receiver ${preview(obj)}`));
  return ctx;
}

function agNext(ag: Agent, obj: unknown, value: unknown): object {
  const cap = intrinsicCap(ag, 'async generator next()');
  const ctx = agValidate(ag, obj, cap, 'next');
  if (!ctx) return cap.promise;
  if (ctx.state === 'completed') {
    capResolve(ag, cap, { value: undefined, done: true });
    return cap.promise;
  }
  const completion: Completion = { type: 0, value };
  ctx.queue.push({ completion, cap });
  if (ctx.state === 'suspendedStart' || ctx.state === 'suspendedYield') agResume(ag, ctx, completion);
  return cap.promise;
}

function agReturn(ag: Agent, obj: unknown, value: unknown): object {
  const cap = intrinsicCap(ag, 'async generator return()');
  const ctx = agValidate(ag, obj, cap, 'return');
  if (!ctx) return cap.promise;
  const completion: Completion = { type: 2, value };
  ctx.queue.push({ completion, cap });
  if (ctx.state === 'suspendedStart' || ctx.state === 'completed') {
    ctx.state = 'awaiting-return';
    agAwaitReturn(ag, ctx);
  } else if (ctx.state === 'suspendedYield') {
    agResume(ag, ctx, completion);
  }
  return cap.promise;
}

function agThrow(ag: Agent, obj: unknown, value: unknown): object {
  const cap = intrinsicCap(ag, 'async generator throw()');
  const ctx = agValidate(ag, obj, cap, 'throw');
  if (!ctx) return cap.promise;
  if (ctx.state === 'suspendedStart') ctx.state = 'completed';
  if (ctx.state === 'completed') {
    capReject(ag, cap, value);
    return cap.promise;
  }
  const completion: Completion = { type: 1, value };
  ctx.queue.push({ completion, cap });
  if (ctx.state === 'suspendedYield') agResume(ag, ctx, completion);
  return cap.promise;
}

function agResume(ag: Agent, ctx: AsyncGenCtx, completion: Completion): void {
  const wasStart = ctx.state === 'suspendedStart';
  ctx.state = 'executing';
  ag.countStep();
  const saved = ag.L.p;
  ag.L.p = ctx.resumeLoc;
  ag.pushFrame(ctx.fid, ctx.resumeLoc);
  if (wasStart) agRun(ag, ctx, 'next', undefined);
  else agUnwrap(ag, ctx, completion, ctx.raw);
  ag.L.p = saved;
}

/** AsyncGeneratorUnwrapYieldResumption, then continue the body. */
function agUnwrap(ag: Agent, ctx: AsyncGenCtx, completion: Completion, raw: boolean): void {
  if (completion.type !== 2) {
    if (raw) agRun(ag, ctx, 'next', completion);
    else agRun(ag, ctx, completion.type === 0 ? 'next' : 'throw', completion.value);
    return;
  }
  ctx.awaitKind = 2;
  ctx.raw = raw;
  agAwait(ag, ctx, completion.value);
}

/** Await inside an async generator; a PromiseResolve error is thrown into the body. */
function agAwait(ag: Agent, ctx: AsyncGenCtx, value: unknown): void {
  if (awaitValue(ag, ctx, value)) return;
  if (ctx.awaitKind === 2 && ctx.raw) agRun(ag, ctx, 'next', { type: 1, value: ag.awaitError });
  else agRun(ag, ctx, 'throw', ag.awaitError);
}

export function agRun(ag: Agent, ctx: AsyncGenCtx, method: 'next' | 'throw' | 'return', arg: unknown): void {
  for (;;) {
    let r: IteratorResult<unknown>;
    try {
      r = ctx.gen![method](arg as never);
    } catch (e) {
      ag.guard(e);
      ctx.state = 'completed';
      ag.popFrame();
      agCompleteStep(ag, ctx, 1, e, true);
      agDrainQueue(ag, ctx);
      return;
    }
    if (ag.stopped) throw ag.stopped;
    if (r.done) {
      ctx.state = 'completed';
      ag.popFrame();
      agCompleteStep(ag, ctx, 0, r.value, true);
      agDrainQueue(ag, ctx);
      return;
    }
    const v = r.value;
    if (v instanceof YieldInstr) {
      // Yield: Await(value) first, then AsyncGeneratorYield.
      ctx.awaitKind = 1;
      ag.L.w = v.site;
      agAwait(ag, ctx, v.value);
      return;
    }
    if (v instanceof RawYield) {
      agYield(ag, ctx, v.value, true);
      return;
    }
    if (v instanceof ReturnNow) {
      method = 'return';
      arg = v.value;
      continue;
    }
    ctx.awaitKind = 0;
    agAwait(ag, ctx, v);
    return;
  }
}

/** AsyncGeneratorYield(value). */
export function agYield(ag: Agent, ctx: AsyncGenCtx, value: unknown, raw: boolean): void {
  if (ag.live()) ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'yield', fn: ag.fns[ctx.fid].name, value: preview(value), loc: ag.here() } as EventLoopEvent);
  agCompleteStep(ag, ctx, 0, value, false);
  if (ctx.queue.length > 0) {
    agUnwrap(ag, ctx, ctx.queue[0].completion, raw);
    return;
  }
  ctx.state = 'suspendedYield';
  ctx.raw = raw;
  ctx.resumeLoc = ag.L.p;
  ag.popFrame();
}

export function agCompleteStep(ag: Agent, ctx: AsyncGenCtx, type: 0 | 1, value: unknown, done: boolean): void {
  const next = ctx.queue.shift()!;
  if (type === 1) capReject(ag, next.cap, value);
  else capResolve(ag, next.cap, { value, done });
}

export function agDrainQueue(ag: Agent, ctx: AsyncGenCtx): void {
  for (;;) {
    if (ctx.queue.length === 0) return;
    const completion = ctx.queue[0].completion;
    if (completion.type === 2) {
      ctx.state = 'awaiting-return';
      agAwaitReturn(ag, ctx);
      return;
    }
    if (completion.type === 0) agCompleteStep(ag, ctx, 0, undefined, true);
    else agCompleteStep(ag, ctx, 1, completion.value, true);
  }
}

function agAwaitReturn(ag: Agent, ctx: AsyncGenCtx): void {
  const completion = ctx.queue[0].completion;
  let p: object;
  try {
    p = promiseResolve(ag, ag.PromiseCtor, completion.value, 'async generator return()');
  } catch (e) {
    ag.guard(e);
    ctx.state = 'completed';
    agCompleteStep(ag, ctx, 1, e, true);
    agDrainQueue(ag, ctx);
    return;
  }
  const h = new AwaitReturnHandler(ctx);
  performThen(ag, ag.slots(p)!, h, h, undefined, 'async-generator');
}

/** __$yv: `yield v` inside an async generator. */
export function yieldValue(v: unknown, site: number): unknown {
  return new YieldInstr(v, site);
}

/** __$yd: `yield* v` inside an async generator (the spec's YieldExpression: yield* for async). */
export function* yieldStar(ag: Agent, value: unknown, site: number): Generator<unknown, unknown, unknown> {
  const rec = getAsyncIterator(ag, value, site);
  const it = rec.iterator;
  let received: Completion = { type: 0, value: undefined };
  for (;;) {
    let inner: unknown;
    if (received.type === 0) {
      ag.L.w = site;
      inner = yield (rec.next as Function).call(it, received.value);
      if (!isObject(inner)) throw new TypeError(`Iterator result ${preview(inner)} is not an object`);
      if ((inner as { done?: unknown }).done) return (inner as { value?: unknown }).value;
      received = (yield new RawYield((inner as { value?: unknown }).value)) as Completion;
    } else if (received.type === 1) {
      const thr = getMethod(it, 'throw');
      if (thr !== undefined) {
        ag.L.w = site;
        inner = yield thr.call(it, received.value);
        if (!isObject(inner)) throw new TypeError(`Iterator result ${preview(inner)} is not an object`);
        if ((inner as { done?: unknown }).done) return (inner as { value?: unknown }).value;
        received = (yield new RawYield((inner as { value?: unknown }).value)) as Completion;
      } else {
        yield* asyncIteratorClose(ag, rec, false, site);
        throw new TypeError("The iterator does not provide a 'throw' method");
      }
    } else {
      const ret = getMethod(it, 'return');
      if (ret === undefined) {
        ag.L.w = site;
        const v = yield received.value;
        yield new ReturnNow(v);
        return undefined;
      }
      ag.L.w = site;
      inner = yield ret.call(it, received.value);
      if (!isObject(inner)) throw new TypeError(`Iterator result ${preview(inner)} is not an object`);
      if ((inner as { done?: unknown }).done) {
        ag.L.w = site;
        const v = yield (inner as { value?: unknown }).value;
        yield new ReturnNow(v);
        return undefined;
      }
      received = (yield new RawYield((inner as { value?: unknown }).value)) as Completion;
    }
  }
}

/** __$FN: Call(next, iterator); the result is awaited by the `yield` around this call. */
export function forAwaitNext(ag: Agent, rec: IterRec, site: number): unknown {
  ag.L.w = site;
  if (typeof rec.next !== 'function') throw new TypeError(`${preview(rec.next)} is not a function`);
  return rec.next.call(rec.iterator);
}

/** __$FR: the awaited next() result must be an object. */
export function forAwaitResult(r: unknown): { done?: unknown; value?: unknown } {
  if (!isObject(r)) throw new TypeError(`Iterator result ${preview(r)} is not an object`);
  return r as { done?: unknown; value?: unknown };
}

/** AsyncIteratorClose (__$FC: on an abrupt exit of a for-await loop; also used by yield*). */
export function* asyncIteratorClose(ag: Agent, rec: IterRec, threw: boolean, site: number): Generator<unknown, void, unknown> {
  let ret: Function | undefined;
  try {
    ret = getMethod(rec.iterator, 'return');
  } catch (e) {
    ag.guard(e);
    if (threw) return;
    throw e;
  }
  if (ret === undefined) return;
  let inner: unknown;
  try {
    inner = ret.call(rec.iterator);
    ag.L.w = site;
    inner = yield inner;
  } catch (e) {
    ag.guard(e);
    if (threw) return;
    throw e;
  }
  if (threw) return;
  if (!isObject(inner)) throw new TypeError(`Iterator result ${preview(inner)} is not an object`);
}

export function installAsyncFromSync(ag: Agent): void {
  class AsyncFromSyncIterator {
    #rec: IterRec;
    constructor(rec: IterRec) {
      this.#rec = rec;
    }
    next(...args: unknown[]): object {
      const cap = intrinsicCap(ag, 'async-from-sync next()');
      const rec = this.#rec;
      let result: unknown;
      try {
        result = args.length > 0 ? (rec.next as Function).call(rec.iterator, args[0]) : (rec.next as Function).call(rec.iterator);
        if (!isObject(result)) throw new TypeError(`Iterator result ${preview(result)} is not an object`);
      } catch (e) {
        ag.guard(e);
        capReject(ag, cap, e);
        return cap.promise;
      }
      return asyncFromSyncContinuation(ag, result as object, cap, rec, true);
    }
    return(...args: unknown[]): object {
      const cap = intrinsicCap(ag, 'async-from-sync return()');
      const rec = this.#rec;
      let ret: Function | undefined;
      let result: unknown;
      try {
        ret = getMethod(rec.iterator, 'return');
        if (ret === undefined) {
          capResolve(ag, cap, { value: args[0], done: true });
          return cap.promise;
        }
        result = args.length > 0 ? ret.call(rec.iterator, args[0]) : ret.call(rec.iterator);
      } catch (e) {
        ag.guard(e);
        capReject(ag, cap, e);
        return cap.promise;
      }
      if (!isObject(result)) {
        capReject(ag, cap, new TypeError(`Iterator result ${preview(result)} is not an object`));
        return cap.promise;
      }
      return asyncFromSyncContinuation(ag, result, cap, rec, false);
    }
    throw(...args: unknown[]): object {
      const cap = intrinsicCap(ag, 'async-from-sync throw()');
      const rec = this.#rec;
      let thr: Function | undefined;
      let result: unknown;
      try {
        thr = getMethod(rec.iterator, 'throw');
        if (thr === undefined) {
          rec.done = true;
          iteratorCloseNormal(rec);
          capReject(ag, cap, new TypeError("The iterator does not provide a 'throw' method"));
          return cap.promise;
        }
        result = args.length > 0 ? thr.call(rec.iterator, args[0]) : thr.call(rec.iterator);
      } catch (e) {
        ag.guard(e);
        capReject(ag, cap, e);
        return cap.promise;
      }
      if (!isObject(result)) {
        capReject(ag, cap, new TypeError(`Iterator result ${preview(result)} is not an object`));
        return cap.promise;
      }
      return asyncFromSyncContinuation(ag, result, cap, rec, true);
    }
  }
  ag.makeAsyncFromSync = (rec) => new AsyncFromSyncIterator(rec);
}

/** AsyncFromSyncIteratorContinuation(result, promiseCapability, syncIteratorRecord, closeOnRejection). */
function asyncFromSyncContinuation(ag: Agent, result: object, cap: Cap, rec: IterRec, closeOnRejection: boolean): object {
  let done: boolean;
  let value: unknown;
  try {
    done = !!(result as { done?: unknown }).done;
    value = (result as { value?: unknown }).value;
  } catch (e) {
    ag.guard(e);
    capReject(ag, cap, e);
    return cap.promise;
  }
  let valueWrapper: object;
  try {
    valueWrapper = promiseResolve(ag, ag.PromiseCtor, value, 'for await');
  } catch (e) {
    ag.guard(e);
    if (!done && closeOnRejection) iteratorCloseOnThrow(ag, rec);
    capReject(ag, cap, e);
    return cap.promise;
  }
  const onFulfilled = labelBuiltin(ag, (v: unknown): object => ({ value: v, done }), '(async-from-sync: wrap the value)');
  let onRejected: unknown = undefined;
  if (!done && closeOnRejection) {
    onRejected = labelBuiltin(ag, (error: unknown): never => {
      iteratorCloseOnThrow(ag, rec);
      throw error;
    }, '(async-from-sync: close the iterator)');
  }
  performThen(ag, ag.slots(valueWrapper)!, onFulfilled, onRejected, cap, 'await');
  return cap.promise;
}

// ---- sync generators

export function installGeneratorWrapper(ag: Agent): void {
  class Generator {
    #g: globalThis.Generator;
    #fid: number;
    #loc: number;
    constructor(g: globalThis.Generator, fid: number) {
      this.#g = g;
      this.#fid = fid;
      this.#loc = ag.fns[fid].loc;
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
      ag.countStep();
      const saved = ag.L.p;
      ag.L.p = this.#loc;
      ag.pushFrame(this.#fid, this.#loc);
      try {
        return this.#g[method](v as never);
      } finally {
        this.#loc = ag.L.p;
        ag.popFrame();
        ag.L.p = saved;
      }
    }
  }
  Object.defineProperty(Generator.prototype, Symbol.toStringTag, { value: 'Generator', configurable: true });
  Object.defineProperty(Generator.prototype, 'constructor', { value: Object, enumerable: false, configurable: true, writable: true });
  ag.makeGenWrapper = (g, fid) => new Generator(g, fid);
  ag.genProto = Generator.prototype;
}

/** __$G: calls a sync generator function. */
export function startGen(ag: Agent, genFn: Function, thisArg: unknown, args: ArrayLike<unknown>, fid: number, self?: unknown): object {
  ag.countStep();
  return inheritFromFunction(ag.makeGenWrapper(genFn.apply(thisArg, args) as Generator, fid), self);
}
