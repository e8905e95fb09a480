/**
 * The ways of serving requests on ONE thread. Each server has `send(req) -> Promise<outcome>`
 * (never rejects; outcome = { ok: true } or { ok: false, error: 'TypeError: ...' }, plus `batch`
 * or `worker` when they apply; the load generator awaits it), an optional `setPump(fn)` (called before the server takes work from
 * its queue, so open-loop arrivals that are due get queued first), `close()` and `stats()`.
 *
 *   sync        one request at a time; the handler's I/O blocks the thread. Requests that arrive
 *               meanwhile wait in a FIFO queue, like connections in a blocking server's backlog.
 *   async       every request starts as its own task; the handler's I/O is a timer-backed promise,
 *               so many requests are in flight at once.
 *   sync-batch  one group at a time: take up to `batch` queued requests, run their handlers
 *               together, and whenever they are all waiting on I/O serve every pending key with ONE
 *               blocking call per resource. Blocking I/O, but one wait for many requests.
 *
 * The parallel variant (several sync servers on worker threads) is in pool.js.
 */
import { createContext, describeError, invoke } from './context.js';
import { Collector } from './fake.js';
import { guard, macrotask } from './io.js';

export function createSyncServer({ handler, setup, params, data }) {
  const { ctx, stats } = createContext({ mode: 'blocking', setup, params, data });
  const queue = [];
  let running = false;
  let pump = null;

  async function loop() {
    for (;;) {
      pump?.();
      const item = queue.shift();
      if (!item) break;
      try {
        await guard(invoke(handler, item.req, ctx), params.timeoutMs);
        item.resolve({ ok: true });
      } catch (error) {
        item.resolve({ ok: false, error: describeError(error) });
      }
    }
    running = false;
  }

  return {
    send(req) {
      return new Promise((resolve) => {
        queue.push({ req, resolve });
        if (!running) {
          running = true;
          macrotask().then(loop);
        }
      });
    },
    setPump(fn) {
      pump = fn;
    },
    stats: () => ({ resources: stats() }),
    close: async () => {},
  };
}

export function createAsyncServer({ handler, setup, params, data }) {
  const { ctx, stats } = createContext({ mode: 'async', setup, params, data });
  return {
    // A request arrives as a new task (like a socket event), not inside the client's call stack.
    send: (req) =>
      macrotask()
        .then(() => guard(invoke(handler, req, ctx), params.timeoutMs))
        .then(
          () => ({ ok: true }),
          (error) => ({ ok: false, error: describeError(error) }),
        ),
    stats: () => ({ resources: stats() }),
    close: async () => {},
  };
}

export function createBatchServer({ handler, setup, params, data }) {
  const collector = new Collector();
  const { ctx, stats } = createContext({ mode: 'batch', setup, params, data, collector });
  const queue = [];
  let running = false;
  let pump = null;
  let groups = 0;
  let grouped = 0;
  let maxGroup = 0;
  let rounds = 0;

  async function runGroup(group, index) {
    let unsettled = group.length;
    let wake = null;
    const activity = () => {
      const w = wake;
      wake = null;
      w?.();
    };
    collector.onActivity = activity;
    for (const item of group) {
      guard(invoke(handler, item.req, ctx), params.timeoutMs).then(
        () => item.resolve({ ok: true, batch: index }),
        (error) => item.resolve({ ok: false, error: describeError(error), batch: index }),
      ).finally(() => {
        unsettled--;
        activity();
      });
    }
    while (unsettled > 0) {
      await macrotask(); // every handler has run as far as it can without I/O
      if (collector.count > 0) {
        if (collector.flush() > 0) rounds++;
      } else if (unsettled > 0) {
        // Handlers wait on something else (a timer of their own?): sleep until one registers
        // I/O or settles (the timeout guard settles a handler that waits forever).
        await new Promise((resolve) => (wake = resolve));
      }
    }
    collector.onActivity = null;
  }

  async function loop() {
    for (;;) {
      pump?.();
      if (queue.length === 0) break;
      const group = queue.splice(0, params.batch);
      groups++;
      grouped += group.length;
      maxGroup = Math.max(maxGroup, group.length);
      await runGroup(group, groups - 1);
    }
    running = false;
  }

  return {
    send(req) {
      return new Promise((resolve) => {
        queue.push({ req, resolve });
        if (!running) {
          running = true;
          macrotask().then(loop);
        }
      });
    },
    setPump(fn) {
      pump = fn;
    },
    stats: () => ({
      resources: stats(),
      batches: { groups, meanSize: groups ? grouped / groups : 0, maxSize: maxGroup, ioRounds: rounds },
    }),
    close: async () => {},
  };
}
