/**
 * Iteration operations (ECMAScript 7.4): GetIterator (sync and async, with
 * CreateAsyncFromSyncIterator), IteratorStepValue, IteratorClose, GetMethod.
 */
import type { Agent, IterRec } from './agent';
import { isObject, preview } from './values';

/** What iteratorStepValue returns when the iterator is done. */
export const DONE = Symbol('done');

export function getIterator(obj: unknown): IterRec {
  const method = obj === null || obj === undefined ? undefined : (obj as { [Symbol.iterator]?: unknown })[Symbol.iterator];
  if (typeof method !== 'function') throw new TypeError(`${preview(obj)} is not iterable (cannot read property Symbol(Symbol.iterator))`);
  const iterator = method.call(obj);
  if (!isObject(iterator)) throw new TypeError(`Result of the Symbol.iterator method is not an object`);
  return { iterator, next: (iterator as { next?: unknown }).next, done: false };
}

export function iteratorStepValue(rec: IterRec): unknown {
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
export function iteratorCloseOnThrow(ag: Agent, rec: IterRec): void {
  try {
    const ret = (rec.iterator as { return?: unknown }).return;
    if (ret !== undefined && ret !== null) (ret as Function).call(rec.iterator);
  } catch {
    ag.guard();
  }
}

/** IteratorClose(rec, normal completion): errors of return() propagate. */
export function iteratorCloseNormal(rec: IterRec): void {
  const ret = (rec.iterator as { return?: unknown }).return;
  if (ret === undefined || ret === null) return;
  if (typeof ret !== 'function') throw new TypeError(`${preview(ret)} is not a function`);
  const inner = ret.call(rec.iterator);
  if (!isObject(inner)) throw new TypeError(`Iterator result ${preview(inner)} is not an object`);
}

export function getMethod(o: object, key: string | symbol): Function | undefined {
  const m = (o as Record<string | symbol, unknown>)[key];
  if (m === undefined || m === null) return undefined;
  if (typeof m !== 'function') throw new TypeError(`${preview(m)} is not a function`);
  return m;
}

/** GetIterator(obj, async). */
export function getAsyncIterator(ag: Agent, obj: unknown, site: number): IterRec {
  const text = site >= 0 ? ag.sites[site].text : preview(obj);
  // V8 reads obj[Symbol.asyncIterator] first.
  if (obj === null || obj === undefined) throw new TypeError(`Cannot read properties of ${String(obj)} (reading 'Symbol(Symbol.asyncIterator)')`);
  const method = getMethod(Object(obj), Symbol.asyncIterator);
  if (method === undefined) {
    const syncMethod = getMethod(Object(obj), Symbol.iterator);
    if (syncMethod === undefined) throw new TypeError(`${text} is not async iterable`);
    const iterator = syncMethod.call(obj);
    if (!isObject(iterator)) throw new TypeError('Result of the Symbol.iterator method is not an object');
    const syncRec: IterRec = { iterator, next: (iterator as { next?: unknown }).next, done: false };
    const asyncIt = ag.makeAsyncFromSync(syncRec);
    return { iterator: asyncIt, next: (asyncIt as { next: unknown }).next, done: false };
  }
  const iterator = method.call(obj);
  if (!isObject(iterator)) throw new TypeError('Result of the Symbol.asyncIterator method is not an object');
  return { iterator, next: (iterator as { next?: unknown }).next, done: false };
}
