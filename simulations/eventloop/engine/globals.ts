/**
 * The sandbox's globals and the runtime's instrumentation hooks: the parameters of the program
 * function (see transform.ts for the code that calls the `__$...` hooks).
 *
 * Virtual time only moves between tasks (to the next timer) and when code reads the clock: each
 * read of `Date.now`, `performance.now` or `new Date` costs CLOCK_READ_MS, so a busy-wait loop on
 * the clock advances time and ends, and a timer it delays fires late.
 */
import { isUnsupported, unsupportedMessage } from '../features';
import { ALLOWED_HOST_GLOBALS, INJECTED_GLOBALS } from '../transform';
import type { EventLoopEvent } from '../types';
import { cleanError, JOB_CALLBACK, VIRTUAL_EPOCH_MS, type Agent, type IterRec } from './agent';
import { startAsync } from './async-functions';
import { createConsole } from './console';
import { asyncIteratorClose, forAwaitNext, forAwaitResult, prepareGeneratorFunction, startAsyncGen, startGen, yieldStar, yieldValue } from './generators';
import { getAsyncIterator } from './iterators';
import { enqueueJob } from './promises';
import { clearImmediate, nextTick, readFile, setImmediate } from './node';
import { clearTimer, setTimer } from './tasks';
import { createProxyCtor } from './proxies';
import { installAbort } from './abort';
import { preview } from './values';

let hostMathDescs: { keys: (string | symbol)[]; descs: PropertyDescriptor[] } | null = null;

/** The host Math's own properties (read once: the sandbox's Math is a copy made at every run,
 * and reading them again each time costs as much as a short run's microtasks). */
function mathDescriptors(): { keys: (string | symbol)[]; descs: PropertyDescriptor[] } {
  if (hostMathDescs === null) {
    const keys = Reflect.ownKeys(Math);
    hostMathDescs = { keys, descs: keys.map((k) => Object.getOwnPropertyDescriptor(Math, k)!) };
  }
  return hostMathDescs;
}

/** Parameter names and values of the program function: the runtime's helpers and `__$H`. */
export function programGlobals(ag: Agent): { names: string[]; values: unknown[] } {
  const internals = instrumentation(ag);

  const HostDate = Date;
  const now = (): number => Math.floor(VIRTUAL_EPOCH_MS + ag.readClock());
  const VDate = function Date(this: unknown, ...args: unknown[]): unknown {
    if (!new.target) return new HostDate(now()).toString();
    return Reflect.construct(HostDate, args.length ? args : [now()], new.target);
  } as unknown as DateConstructor;
  Object.defineProperty(VDate, 'prototype', { value: HostDate.prototype, writable: false });
  Object.defineProperty(VDate, 'now', { value: named('now', (): number => now()), writable: true, configurable: true });
  Object.defineProperty(VDate, 'parse', { value: HostDate.parse, writable: true, configurable: true });
  Object.defineProperty(VDate, 'UTC', { value: HostDate.UTC, writable: true, configurable: true });

  const hostMath = Math as unknown as Record<string | symbol, unknown>;
  const VMath: Record<string | symbol, unknown> = Object.create(Object.getPrototypeOf(hostMath));
  const math = mathDescriptors();
  for (let i = 0; i < math.keys.length; i++) Object.defineProperty(VMath, math.keys[i], math.descs[i]);
  const rng = ag.rng;
  Object.defineProperty(VMath, 'random', { value: function random(): number { return rng.next(); }, writable: true, configurable: true });

  const performance = { now: (): number => ag.readClock(), timeOrigin: VIRTUAL_EPOCH_MS };

  const setTimeout = (handler?: unknown, timeout?: unknown, ...args: unknown[]): number =>
    ag.nativeFrame('setTimeout', () => {
      if (typeof handler !== 'function') throw new TypeError('setTimeout with a string of code is not supported in the lab: pass a function.');
      return setTimer(ag, 'setTimeout', handler, timeout, args, null, undefined);
    });
  const setInterval = (handler?: unknown, timeout?: unknown, ...args: unknown[]): number =>
    ag.nativeFrame('setInterval', () => {
      if (typeof handler !== 'function') throw new TypeError('setInterval with a string of code is not supported in the lab: pass a function.');
      return setTimer(ag, 'setInterval', handler, timeout, args, null, undefined);
    });
  const clearTimeout = (id?: unknown): void => ag.nativeFrame('clearTimeout', () => clearTimer(ag, id));
  const clearInterval = (id?: unknown): void => ag.nativeFrame('clearInterval', () => clearTimer(ag, id));
  const queueMicrotask = (callback?: unknown): void =>
    ag.nativeFrame('queueMicrotask', () => {
      if (typeof callback !== 'function') {
        throw new TypeError("Failed to execute 'queueMicrotask' on 'Window': parameter 1 is not of type 'Function'.");
      }
      enqueueJob(ag, JOB_CALLBACK, callback, undefined, undefined);
    });
  // delay and the cancellation built-ins (AbortController, EventTarget...): engine/abort.ts.
  const abort = installAbort(ag);
  const delay = abort.delay;
  const FunctionStub = function Function(): never {
    throw new EvalError('The Function constructor is not available in the event-loop lab.');
  };
  Object.defineProperty(FunctionStub, 'prototype', { value: Function.prototype, writable: false });
  const evalStub = named('eval', (): never => {
    throw new EvalError('eval is not available in the event-loop lab.');
  });
  // Synchronous and pure: the host's (an engine Promise or a function cannot be cloned, as in a browser).
  const structuredCloneFn = named('structuredClone', (...args: unknown[]): unknown => {
    try {
      return (globalThis.structuredClone as (...a: unknown[]) => unknown)(...args);
    } catch (e) {
      // "<value> could not be cloned.": V8 writes a function as its (transformed) source. The
      // error is rethrown as the sandbox's DOMException (engine/abort.ts), so instanceof works.
      const message = (e as Error)?.message;
      if (typeof message !== 'string' || typeof DOMException !== 'function' || !(e instanceof DOMException)) throw e;
      let text = message;
      for (const [printed, original] of ag.sourceOf) if (text.includes(printed)) text = text.replace(printed, original);
      throw new (abort.realm().globals.DOMException as new (message: string, name: string) => Error)(text, e.name);
    }
  });

  const injected: Record<(typeof INJECTED_GLOBALS)[number], unknown> = {
    console: createConsole(ag),
    setTimeout,
    setInterval,
    clearTimeout,
    clearInterval,
    queueMicrotask,
    Promise: ag.PromiseCtor,
    delay,
    Date: VDate,
    Math: VMath,
    performance,
    globalThis: ag.fakeGlobal,
    window: ag.fakeGlobal,
    self: ag.fakeGlobal,
    Function: FunctionStub,
    eval: evalStub,
    structuredClone: structuredCloneFn,
    Proxy: createProxyCtor(),
  };
  // Web IDL's length (value; options is optional) in a browser, Node's own function has 2.
  Object.defineProperty(structuredCloneFn, 'length', { value: ag.runtime === 'node' ? 2 : 1 });
  for (const name of ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'queueMicrotask', 'delay'] as const) named(name, injected[name] as Function);
  // One descriptor, its value changed from name to name (defineProperty only reads it).
  const desc: PropertyDescriptor = { value: undefined, writable: true, configurable: true, enumerable: false };
  for (const name of ALLOWED_HOST_GLOBALS) {
    desc.value = (globalThis as Record<string, unknown>)[name];
    Object.defineProperty(ag.fakeGlobal, name, desc);
  }
  for (const name of INJECTED_GLOBALS) {
    desc.value = injected[name];
    Object.defineProperty(ag.fakeGlobal, name, desc);
  }
  abort.defineGlobals(ag.fakeGlobal);
  if (ag.runtime === 'node') installNodeGlobals(ag);
  // `eval` cannot be declared in strict code: the transform renames it to __$ev.
  internals.push(['__$ev', evalStub]);
  // The other globals: `var`s of the program, initialised from __$H (see transform.ts).
  internals.push(['__$H', injected]);
  return { names: internals.map(([n]) => n), values: internals.map(([, v]) => v) };
}

/**
 * Node runs: `process.nextTick`, `setImmediate`/`clearImmediate`, `fs.readFile` (virtual file
 * system), `require('fs')`, `global`. Properties of the sandbox's global object, so a program
 * reaches them as free names (browser runs do not have them).
 */
function installNodeGlobals(ag: Agent): void {
  const fs = {
    readFile: (path?: unknown, options?: unknown, callback?: unknown): void => ag.nativeFrame('fs.readFile', () => readFile(ag, path, options, callback)),
  };
  const process = {
    nextTick: (callback?: unknown, ...args: unknown[]): void => ag.nativeFrame('process.nextTick', () => nextTick(ag, callback, args)),
    argv: ['node', 'program.js'],
    env: {},
    platform: 'linux',
  };
  const require = (name?: unknown): unknown => {
    if (name === 'fs' || name === 'node:fs') return fs;
    const e = new Error(`require('${String(name)}') is not supported in this lab: it models only 'fs' (and 'node:fs')`);
    (e as { code?: string }).code = 'MODULE_NOT_FOUND';
    throw e;
  };
  const globals: Record<string, unknown> = {
    process,
    setImmediate: (callback?: unknown, ...args: unknown[]): number => ag.nativeFrame('setImmediate', () => setImmediate(ag, callback, args)),
    clearImmediate: (id?: unknown): void => ag.nativeFrame('clearImmediate', () => clearImmediate(ag, id)),
    fs,
    require,
    global: ag.fakeGlobal,
  };
  for (const [name, value] of Object.entries(globals)) {
    Object.defineProperty(ag.fakeGlobal, name, { value, writable: true, configurable: true, enumerable: false });
  }
}

/** Gives a sandbox function the name a learner expects (`[Function: setTimeout]`, `Date.now.name`). */
export function named<T extends Function>(name: string, fn: T): T {
  Object.defineProperty(fn, 'name', { value: name, configurable: true });
  return fn;
}

// ------------------------------------------------------------------ instrumentation hooks

/** The runtime's helpers the transformed code calls, by parameter name. */
function instrumentation(ag: Agent): [string, unknown][] {
  /** __$E: function entry. */
  const enter = (fid: number): number => {
    ag.countStep();
    const saved = ag.L.p;
    const loc = ag.fns[fid].loc;
    ag.L.p = loc;
    ag.pushFrame(fid, loc);
    return saved;
  };
  /** __$X: function exit (from a finally block, so also on throw). */
  const exit = (saved: number): void => {
    ag.popFrame();
    ag.L.p = saved;
  };
  /** __$B: loop back edge. */
  const loop = (): void => {
    ag.countLoop();
  };
  /** __$C: entry of a catch block. */
  const caught = (e: unknown): void => {
    if (ag.stopped) throw ag.stopped;
    cleanError(e);
    if (ag.live()) ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'caught', error: preview(e), loc: ag.here() } as EventLoopEvent);
  };
  /** __$th: a throw statement. */
  const thrown = (e: unknown): unknown => {
    if (ag.live()) {
      const loc = ag.here();
      ag.throwLoc = loc ?? ag.lastLoc;
      ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'throw', error: preview(e), loc } as EventLoopEvent);
    }
    return e;
  };
  /** __$T: `this`, with the host's global object replaced by the sandbox's. */
  const thisValue = (v: unknown): unknown => (v === globalThis ? ag.fakeGlobal : v);
  /**
   * __$ng: a free name (not declared by the program, not one of the sandbox's globals): a property
   * of the sandbox's global object if it has one (`globalThis.x = 1; x`), else a ReferenceError
   * (with `forTypeof` set, undefined).
   */
  const notGlobal = (name: string, forTypeof?: number): unknown => {
    if (name in ag.fakeGlobal) return ag.fakeGlobal[name];
    if (forTypeof) return undefined;
    // A host API the lab does not model says so (features.ts), instead of "not defined".
    if (isUnsupported(name, ag.runtime)) throw new ReferenceError(unsupportedMessage(name));
    throw new ReferenceError(`${name} is not defined`);
  };
  /** __$N: `__$N.name` is notGlobal("name") (V8 prints it as `__$N.name`, cleaned to `name`). */
  const freeNames = new Proxy(Object.create(null) as object, {
    get: (_t, key) => (typeof key === 'string' ? notGlobal(key) : undefined),
  });
  /** __$sg: strict code assigning a free name: sets the global object's property, if it has one. */
  const setGlobal = (name: string, value: unknown): unknown => {
    if (!(name in ag.fakeGlobal)) throw new ReferenceError(`${name} is not defined`);
    ag.fakeGlobal[name] = value;
    return value;
  };
  /**
   * __$DG: the global object's properties for the program's var-scoped top-level names become
   * accessors of the program's variables. Kind 0: a var (a host global keeps its attributes, a
   * new name is enumerable, not configurable); 1: a function declaration (enumerable, not
   * configurable: CreateGlobalFunctionBinding); 2: an implicit global (enumerable, configurable).
   */
  const defineGlobals = (list: [string, () => unknown, (v: unknown) => void, number][]): void => {
    const g = ag.fakeGlobal;
    for (const [name, get, set, kind] of list) {
      const had = Object.getOwnPropertyDescriptor(g, name);
      const enumerable = kind === 0 && had ? had.enumerable : true;
      const configurable = kind === 2 || (kind === 0 && had ? had.configurable : false);
      Object.defineProperty(g, name, { get, set, enumerable, configurable });
    }
  };
  /**
   * __$fk: an async function, generator or async generator gets the [[Prototype]] its kind has
   * (AsyncFunction.prototype, GeneratorFunction.prototype, AsyncGeneratorFunction.prototype; so
   * it prints as [AsyncFunction: f]) and, for generators, a `prototype` inheriting from the
   * engine's generator prototype without `constructor`; `name` is NamedEvaluation's, when the
   * call wrapped an anonymous function in a naming position.
   */
  const fnKinds = [
    null,
    Object.getPrototypeOf(async function () {}),
    Object.getPrototypeOf(function* () {}),
    Object.getPrototypeOf(async function* () {}),
  ] as (object | null)[];
  const functionKind = (fn: Function, kind: number, name?: string): Function => {
    Object.setPrototypeOf(fn, fnKinds[kind]);
    if (name !== undefined) Object.defineProperty(fn, 'name', { value: name, configurable: true });
    if (kind >= 2) prepareGeneratorFunction(ag, fn, kind === 3);
    return fn;
  };
  /** __$gl: the host's value of an allowed standard global (for `var` redeclarations). */
  const hostGlobal = (name: string): unknown => (globalThis as Record<string, unknown>)[name];

  // The coroutine drivers and await/yield/for-await helpers (async-functions.ts, generators.ts).
  type Start = (genFn: Function, thisArg: unknown, args: ArrayLike<unknown>, fid: number, self?: unknown) => object;
  const startAsyncFn: Start = (genFn, thisArg, args, fid) => startAsync(ag, genFn, thisArg, args, fid);
  const startGenFn: Start = (genFn, thisArg, args, fid, self) => startGen(ag, genFn, thisArg, args, fid, self);
  const startAsyncGenFn: Start = (genFn, thisArg, args, fid, self) => startAsyncGen(ag, genFn, thisArg, args, fid, self);
  /** __$aw: records the await site and passes the value through. */
  const awaitSite = (v: unknown, site: number): unknown => {
    ag.L.w = site;
    return v;
  };

  return [
    ['__$L', ag.L],
    ['__$E', enter],
    ['__$X', exit],
    ['__$A', startAsyncFn],
    ['__$G', startGenFn],
    ['__$AG', startAsyncGenFn],
    ['__$aw', awaitSite],
    ['__$yv', yieldValue],
    ['__$yd', (value: unknown, site: number): Generator => yieldStar(ag, value, site)],
    ['__$FI', (obj: unknown, site: number): IterRec => getAsyncIterator(ag, obj, site)],
    ['__$FN', (rec: IterRec, site: number): unknown => forAwaitNext(ag, rec, site)],
    ['__$FR', forAwaitResult],
    ['__$FC', (rec: IterRec, threw: boolean, site: number): Generator => asyncIteratorClose(ag, rec, threw, site)],
    ['__$B', loop],
    ['__$C', caught],
    ['__$th', thrown],
    ['__$T', thisValue],
    ['__$ng', notGlobal],
    ['__$N', freeNames],
    ['__$sg', setGlobal],
    ['__$DG', defineGlobals],
    ['__$gl', hostGlobal],
    ['__$fk', functionKind],
  ];
}
