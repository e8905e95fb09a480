/**
 * Fake back ends the handlers talk to: a database (`ctx.db`) and a downstream service
 * (`ctx.downstream`). Each call costs simulated I/O time:
 *
 *   cost(items) = max over items of latency(item) + perKeyMs * items.length
 *   latency(item) = ioMs * (1 + jitter * (2u - 1)),  u = a hash of the item in [0, 1)  (per-key, repeatable)
 *
 * so one call for a batch of 20 keys costs barely more than a call for one key. An optional
 * concurrency `limit` caps how many calls are in flight at once (a connection pool, a rate-limited
 * service). The same resource comes in three modes, one per way of running a handler:
 *
 *   'async'    non-blocking: a timer-backed promise; a FIFO semaphore enforces the limit
 *   'blocking' the thread stands still (Atomics.wait); with several threads (the parallel pool) a
 *              SharedArrayBuffer semaphore enforces the limit across them
 *   'batch'    calls are collected, and the server later serves all of them with ONE blocking
 *              call (see Collector): the "sync + batching" variant
 *
 * Every mode returns promises, so one handler (`await ctx.db.get(key)`) runs unchanged in all of
 * them. In 'blocking' mode the promise is already settled when it is returned: the wait happened.
 */
import { AsyncSemaphore, SharedSemaphore, asyncIo, blockingIo } from './io.js';
import { fnv1a } from './rng.js';

const keyOf = (item) => (typeof item === 'string' ? item : JSON.stringify(item));

function costModel({ ioMs, perKeyMs, jitter }) {
  const latency = (item) => (jitter > 0 ? ioMs * (1 + jitter * (2 * (fnv1a(keyOf(item)) / 4294967296) - 1)) : ioMs);
  return (items) => {
    let worst = 0;
    for (const item of items) worst = Math.max(worst, latency(item));
    return worst + perKeyMs * items.length;
  };
}

/**
 * @param {object} o
 * @param {string} o.name 'db' | 'downstream'
 * @param {'async'|'blocking'|'batch'} o.mode
 * @param {number} o.ioMs @param {number} o.perKeyMs @param {number} o.jitter
 * @param {number} o.limit concurrent calls allowed; 0 = unlimited
 * @param {(item: any) => any} o.respond the value one item resolves to (from the exercise's setup.js)
 * @param {Int32Array} [o.shared] SharedSemaphore state, for 'blocking' mode across threads
 * @param {Collector} [o.collector] for 'batch' mode
 */
export function createResource({ name, mode, ioMs, perKeyMs, jitter, limit, respond, shared, collector }) {
  const cost = costModel({ ioMs, perKeyMs, jitter });
  const stats = { calls: 0, items: 0, busyMs: 0, waitMs: 0, maxConcurrent: 0, limit: limit > 0 ? limit : null };
  const answer = (items) => items.map((item) => respond(item));
  let one;
  let many;

  if (mode === 'async') {
    const semaphore = new AsyncSemaphore(limit);
    const call = async (items) => {
      const asked = performance.now();
      await semaphore.acquire();
      const t = cost(items);
      stats.waitMs += performance.now() - asked;
      stats.calls++;
      stats.items += items.length;
      stats.busyMs += t;
      stats.maxConcurrent = Math.max(stats.maxConcurrent, semaphore.inUse);
      try {
        await asyncIo(t);
      } finally {
        semaphore.release();
      }
      return answer(items);
    };
    one = (item) => call([item]).then((r) => r[0]);
    many = (items) => call(items);
  } else if (mode === 'blocking') {
    const semaphore = shared ? new SharedSemaphore(shared) : null;
    const call = (items) => {
      try {
        if (semaphore) stats.waitMs += semaphore.acquireBlocking();
        const t = cost(items);
        stats.calls++;
        stats.items += items.length;
        stats.busyMs += t;
        try {
          blockingIo(t);
        } finally {
          semaphore?.release();
        }
        stats.maxConcurrent = semaphore ? semaphore.maxInUse : 1;
        return Promise.resolve(answer(items));
      } catch (error) {
        return Promise.reject(error);
      }
    };
    one = (item) => call([item]).then((r) => r[0]);
    many = (items) => call(items);
  } else if (mode === 'batch') {
    const resource = {
      name,
      flush(items) {
        const t = cost(items);
        stats.calls++;
        stats.items += items.length;
        stats.busyMs += t;
        stats.maxConcurrent = 1;
        blockingIo(t);
        return answer(items);
      },
    };
    one = (item) => collector.add(resource, item);
    many = (items) => Promise.all(items.map((item) => collector.add(resource, item)));
  } else {
    throw new Error(`unknown resource mode ${mode}`);
  }
  return { one, many, stats };
}

/**
 * Gathers the calls of all handlers in a sync-batching group. Handlers register items and get
 * promises; the server calls flush(), which makes ONE blocking call per resource for every item
 * registered so far (identical keys are fetched once, like DataLoader), then resolves them.
 */
export class Collector {
  constructor() {
    this.pending = new Map(); // resource -> Map(key -> { item, waiters: [{ resolve, reject }] })
    this.count = 0;
    this.onActivity = null;
  }
  add(resource, item) {
    return new Promise((resolve, reject) => {
      let byKey = this.pending.get(resource);
      if (!byKey) this.pending.set(resource, (byKey = new Map()));
      const key = keyOf(item);
      const entry = byKey.get(key);
      if (entry) entry.waiters.push({ resolve, reject });
      else byKey.set(key, { item, waiters: [{ resolve, reject }] });
      this.count++;
      this.onActivity?.();
    });
  }
  /** Serve everything pending: one blocking call per resource. Returns the number of calls made. */
  flush() {
    const pending = this.pending;
    this.pending = new Map();
    this.count = 0;
    let calls = 0;
    for (const [resource, byKey] of pending) {
      const entries = [...byKey.values()];
      let values;
      try {
        values = resource.flush(entries.map((e) => e.item));
      } catch (error) {
        for (const e of entries) for (const w of e.waiters) w.reject(error);
        continue;
      }
      calls++;
      entries.forEach((e, i) => {
        for (const w of e.waiters) w.resolve(values[i]);
      });
    }
    return calls;
  }
}
