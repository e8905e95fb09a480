/**
 * What learner code reaches of the host's own built-ins while a program runs, and the lab must
 * adjust so that nothing shows the transform or leaves the engine's queues:
 *
 * - `Function.prototype.toString` of a learner function or class gives the learner's source
 *   (the transform records it, keyed by the transformed text), and of a function of the engine
 *   (setTimeout, Promise.prototype.then, console.log...) `function name() { [native code] }`,
 *   as a browser prints its built-ins;
 * - `error.stack` (V8 hosts: Error.prepareStackTrace) names only the learner's functions: the
 *   first line as V8 writes it (`TypeError: this.tick is not a function`), then one
 *   `at name (program.js)` line per learner frame, without positions in the transformed code;
 * - `Array.fromAsync` is the spec's algorithm on the engine's promises, so its awaits are
 *   microtasks of the modelled queue.
 *
 * A run is synchronous (the engine never waits on anything real), so the host's built-ins are
 * patched for the duration of `Engine.run` and restored after it, even when the run throws.
 */
import type { Agent, IterRec } from './agent';
import { cleanMessage } from './agent';
import { startAsync } from './async-functions';
import { asyncIteratorClose } from './generators';
import { getAsyncIterator, getMethod } from './iterators';
import { isObject } from './values';

const NATIVE_RE = /\{\s*\[native code\]\s*\}$/;

export function withHostPatches(ag: Agent, body: () => void): void {
  const sourceOf = ag.sourceOf;
  const FnProto = Function.prototype as unknown as Record<string, unknown>;
  const origToString = Function.prototype.toString;
  const toStringDesc = Object.getOwnPropertyDescriptor(Function.prototype, 'toString')!;
  const ErrorCtor = Error as unknown as { prepareStackTrace?: unknown; captureStackTrace?: unknown };
  const hadPrepare = Object.getOwnPropertyDescriptor(Error, 'prepareStackTrace');
  const ArrayCtor = Array as unknown as Record<string, unknown>;
  const fromAsyncDesc = Object.getOwnPropertyDescriptor(Array, 'fromAsync');

  const toString = {
    toString(this: unknown): string {
      const text = origToString.call(this as Function);
      const learner = sourceOf.get(text);
      if (learner !== undefined) return learner;
      if (NATIVE_RE.test(text)) return text;
      return `function ${String((this as Function).name)}() { [native code] }`;
    },
  }.toString;
  Object.defineProperty(FnProto, 'toString', { ...toStringDesc, value: toString });

  if (typeof ErrorCtor.captureStackTrace === 'function') {
    ErrorCtor.prepareStackTrace = (err: unknown, callsites: NodeJS.CallSite[]): string => {
      let head: string;
      try {
        head = cleanMessage(Error.prototype.toString.call(err));
      } catch {
        head = 'Error';
      }
      const lines = [head];
      for (const cs of callsites) {
        if (!cs.isEval()) continue;
        const name = cs.getFunctionName();
        if (name === 'eval' || name === 'anonymous') lines.push('    at program.js');
        else if (name && !name.startsWith('__$')) lines.push(`    at ${name} (program.js)`);
      }
      return lines.join('\n');
    };
  }

  Object.defineProperty(ArrayCtor, 'fromAsync', {
    value: makeFromAsync(ag),
    writable: true,
    configurable: true,
    enumerable: false,
  });

  try {
    body();
  } finally {
    Object.defineProperty(FnProto, 'toString', toStringDesc);
    if (hadPrepare) Object.defineProperty(Error, 'prepareStackTrace', hadPrepare);
    else delete ErrorCtor.prepareStackTrace;
    if (fromAsyncDesc) Object.defineProperty(Array, 'fromAsync', fromAsyncDesc);
    else delete ArrayCtor.fromAsync;
  }
}

/** The engine's function record for Array.fromAsync's async closure (added at its first call; located at the program's start). */
function fromAsyncFid(ag: Agent): number {
  const i = ag.fns.findIndex((f) => f.name === 'Array.fromAsync' && f.kind === 'async' && f.loc === ag.programLoc);
  if (i >= 0) return i;
  ag.fns.push({ name: 'Array.fromAsync', loc: ag.programLoc, kind: 'async' });
  return ag.fns.length - 1;
}

function isConstructor(C: unknown): C is new (...args: unknown[]) => object {
  if (typeof C !== 'function') return false;
  try {
    Reflect.construct(String, [], C);
    return true;
  } catch {
    return false;
  }
}

/**
 * Array.fromAsync (ECMAScript 2026, 23.1.2.2): an async closure started with AsyncFunctionStart;
 * each `yield` below is an Await on the engine's promises.
 */
function makeFromAsync(ag: Agent): Function {
  const fromAsync = function fromAsync(this: unknown, asyncItems: unknown, mapfn?: unknown, thisArg?: unknown): object {
    const C = this;
    // The closure's Awaits carry no source site.
    function* closure(): Generator<unknown, object, unknown> {
      ag.L.w = -1;
      const mapping = mapfn !== undefined;
      if (mapping && typeof mapfn !== 'function') throw new TypeError(`${typeof mapfn === 'string' ? `"${mapfn}"` : String(mapfn)} is not a function`);
      if (asyncItems === null || asyncItems === undefined) throw new TypeError(`Cannot read properties of ${String(asyncItems)} (reading 'Symbol(Symbol.asyncIterator)')`);
      const items = Object(asyncItems) as object;
      const usingAsync = getMethod(items, Symbol.asyncIterator);
      const usingSync = usingAsync === undefined ? getMethod(items, Symbol.iterator) : undefined;
      if (usingAsync !== undefined || usingSync !== undefined) {
        const rec: IterRec = getAsyncIterator(ag, asyncItems, -1);
        const A = (isConstructor(C) ? new C() : []) as Record<number | string, unknown>;
        for (let k = 0; ; k++) {
          ag.L.w = -1;
          let nextResult: unknown;
          try {
            nextResult = yield (rec.next as Function).call(rec.iterator);
            // V8's words (it names the method, not the value).
            if (!isObject(nextResult)) throw new TypeError('Iterator result Array.fromAsync is not an object');
          } catch (e) {
            // V8 (unlike the spec's text) closes the iterator when a step fails, too.
            ag.guard(e);
            yield* asyncIteratorClose(ag, rec, true, -1);
            throw e;
          }
          if ((nextResult as IteratorResult<unknown>).done) {
            A.length = k;
            return A;
          }
          const nextValue = (nextResult as IteratorResult<unknown>).value;
          let mapped: unknown = nextValue;
          if (mapping) {
            try {
              mapped = (mapfn as Function).call(thisArg, nextValue, k);
              ag.L.w = -1;
              mapped = yield mapped;
            } catch (e) {
              ag.guard(e);
              yield* asyncIteratorClose(ag, rec, true, -1);
              throw e;
            }
          }
          try {
            Object.defineProperty(A, k, { value: mapped, writable: true, enumerable: true, configurable: true });
          } catch (e) {
            ag.guard(e);
            yield* asyncIteratorClose(ag, rec, true, -1);
            throw e;
          }
        }
      }
      const arrayLike = items as Record<number | string, unknown>;
      const n = Number(arrayLike.length);
      const len = Number.isFinite(n) && n > 0 ? Math.min(Math.floor(n), Number.MAX_SAFE_INTEGER) : 0;
      const A = (isConstructor(C) ? new C(len) : new Array(len)) as Record<number | string, unknown>;
      for (let k = 0; k < len; k++) {
        ag.L.w = -1;
        let v = yield arrayLike[k];
        if (mapping) {
          ag.L.w = -1;
          v = yield (mapfn as Function).call(thisArg, v, k);
        }
        Object.defineProperty(A, k, { value: v, writable: true, enumerable: true, configurable: true });
      }
      A.length = len;
      return A;
    }
    return startAsync(ag, closure, undefined, [], fromAsyncFid(ag));
  };
  Object.defineProperty(fromAsync, 'length', { value: 1 });
  return fromAsync;
}
