/**
 * The two kinds of waiting every variant is built from, plus the small concurrency tools on top.
 * Platform-neutral: runs in Node (main thread and worker_threads) and in a browser Worker.
 *
 * - blockingIo(ms): the thread stands still for `ms`. `Atomics.wait` on a SharedArrayBuffer is the
 *   one blocking sleep that exists in both Node and Workers (not on a page's main thread).
 * - asyncIo(ms): a timer-backed promise; the thread is free to run other work meanwhile.
 */

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Block the calling thread for `ms` milliseconds. */
export function blockingIo(ms) {
  if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
}

/** A promise that resolves after `ms` milliseconds without blocking the thread. */
export function asyncIo(ms) {
  if (!(ms > 0)) return macrotask();
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A promise that resolves in a new macrotask, after every pending microtask has run.
 * setImmediate where it exists (Node), a MessageChannel otherwise (browsers): setTimeout(0) is
 * clamped to 1 ms or more, far too slow for one hop per request.
 */
export const macrotask =
  typeof globalThis.setImmediate === 'function'
    ? () => new Promise((resolve) => globalThis.setImmediate(resolve))
    : (() => {
        let channel = null;
        const waiting = [];
        return () =>
          new Promise((resolve) => {
            if (!channel) {
              channel = new MessageChannel();
              channel.port1.onmessage = () => waiting.shift()();
            }
            waiting.push(resolve);
            channel.port2.postMessage(0);
          });
      })();

/** Settle like `promise`, or reject with a readable timeout after `ms` (0 = never). */
export function guard(promise, ms, what = 'handler') {
  if (!(ms > 0)) return promise;
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms (--timeout-ms)`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A counting semaphore for one thread's async code: FIFO, never blocks the thread. */
export class AsyncSemaphore {
  /** @param {number} limit permits; 0 or Infinity = unlimited */
  constructor(limit) {
    this.limit = limit > 0 ? limit : Infinity;
    this.inUse = 0;
    this.maxInUse = 0;
    this.waiters = [];
  }
  /** Resolves when a permit is held. */
  acquire() {
    if (this.inUse < this.limit) {
      this.take();
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  take() {
    this.inUse++;
    if (this.inUse > this.maxInUse) this.maxInUse = this.inUse;
  }
  release() {
    const next = this.waiters.shift();
    if (next) next(); // the permit passes straight to the next waiter: inUse is unchanged
    else this.inUse--;
  }
}

/**
 * A counting semaphore shared by several threads through a SharedArrayBuffer: acquire blocks
 * the calling thread (Atomics.wait) until a permit is free. Also records the highest number of
 * permits ever held at once, which is how the harness proves a limit was respected.
 * Layout of the Int32Array: [inUse, maxInUse, limit (0 = unlimited)].
 */
export class SharedSemaphore {
  static create(limit) {
    const state = new Int32Array(new SharedArrayBuffer(12));
    state[2] = limit > 0 ? limit : 0;
    return state;
  }
  /** @param {Int32Array} state from SharedSemaphore.create, possibly received from another thread */
  constructor(state) {
    this.state = state;
  }
  /** Block until a permit is held; returns the ms spent waiting. */
  acquireBlocking() {
    const s = this.state;
    const limit = s[2] || Infinity;
    let waited = 0;
    for (;;) {
      const held = Atomics.load(s, 0);
      if (held < limit) {
        if (Atomics.compareExchange(s, 0, held, held + 1) === held) {
          for (let max = Atomics.load(s, 1); held + 1 > max; max = Atomics.load(s, 1)) {
            if (Atomics.compareExchange(s, 1, max, held + 1) === max) break;
          }
          return waited;
        }
      } else {
        const t = performance.now();
        Atomics.wait(s, 0, held, 100);
        waited += performance.now() - t;
      }
    }
  }
  release() {
    Atomics.sub(this.state, 0, 1);
    Atomics.notify(this.state, 0, 1);
  }
  get maxInUse() {
    return Atomics.load(this.state, 1);
  }
}
