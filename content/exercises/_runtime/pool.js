/**
 * The parallel variant, main-thread side: a pool of `size` worker threads, each a sync server
 * (blocking I/O, one request at a time; see worker-server.js). The main thread only queues and
 * dispatches: a request goes to the worker with the fewest assigned, at most DEPTH each, or waits
 * in a FIFO queue. DEPTH 2 means a worker always has its next request in its own mailbox when it
 * finishes one, so it never sits idle waiting for the main thread to be scheduled (on a busy
 * machine that hand-off alone can cost milliseconds).
 *
 * Platform-neutral: threads come from `spawnWorker()`, which the platform adapter provides
 * (worker_threads in Node, `new Worker(url, { type: 'module' })` in a browser). A port is
 * `{ post(message), onMessage(fn), onError(fn), terminate() }`.
 */
import { SharedSemaphore } from './io.js';

const DEPTH = 2;

export async function createPool({ size, spawnWorker, slug, handlerSpec, exportName, params, data }) {
  const shared = { db: SharedSemaphore.create(params.dbLimit), downstream: SharedSemaphore.create(params.limit) };
  const workers = [];
  const queue = [];
  let started = false;
  let closing = false;
  let lastCrash = null;
  let nextId = 0;

  const dispatch = () => {
    if (!started) return;
    if (workers.every((w) => w.dead)) {
      // every thread is gone: nothing can serve what is queued
      for (const job of queue.splice(0)) job.resolve({ ok: false, error: `no worker thread left: ${lastCrash}` });
      return;
    }
    while (queue.length) {
      let best = null;
      for (const w of workers) if (!w.dead && w.jobs.size < DEPTH && (!best || w.jobs.size < best.jobs.size)) best = w;
      if (!best) return;
      const job = queue.shift();
      const id = nextId++;
      best.jobs.set(id, job);
      best.port.post({ type: 'req', id, req: job.req });
    }
  };

  const ready = [];
  for (let index = 0; index < size; index++) {
    const port = spawnWorker();
    const w = { index, port, jobs: new Map(), served: 0, dead: false, onStats: null };
    workers.push(w);
    ready.push(
      new Promise((resolve, reject) => {
        // A thread that dies (an uncaught error, process.exit() in the handler) fails the requests
        // it holds; the others carry on with the rest.
        port.onError((error) => {
          if (w.dead || closing) return;
          w.dead = true;
          lastCrash = `worker ${index} crashed: ${error?.message ?? error}`;
          reject(error);
          for (const job of w.jobs.values()) job.resolve({ ok: false, error: lastCrash, worker: index });
          w.jobs.clear();
          w.onStats?.(null);
          dispatch();
        });
        port.onMessage((msg) => {
          if (msg.type === 'ready') resolve();
          else if (msg.type === 'fatal') reject(new Error(msg.message));
          else if (msg.type === 'res') {
            const job = w.jobs.get(msg.id);
            w.jobs.delete(msg.id);
            w.served++;
            job.resolve({ ok: msg.ok, error: msg.error, worker: index });
            dispatch();
          } else if (msg.type === 'stats') w.onStats?.(msg.stats);
        });
      }),
    );
    port.post({ type: 'init', slug, handlerSpec, exportName, params, data, shared });
  }
  try {
    await Promise.all(ready);
  } catch (error) {
    for (const w of workers) w.port.terminate();
    throw error;
  }
  started = true;

  return {
    send(req) {
      return new Promise((resolve) => {
        queue.push({ req, resolve });
        dispatch();
      });
    },
    async stats() {
      const each = (
        await Promise.all(
          workers.map((w) => (w.dead ? null : new Promise((resolve) => ((w.onStats = resolve), w.port.post({ type: 'stats' }))))),
        )
      ).filter(Boolean);
      const sum = (name) => {
        const total = { calls: 0, items: 0, busyMs: 0, waitMs: 0, maxConcurrent: 0, limit: null };
        for (const s of each) {
          total.calls += s[name].calls;
          total.items += s[name].items;
          total.busyMs += s[name].busyMs;
          total.waitMs += s[name].waitMs;
          total.limit = s[name].limit;
        }
        total.maxConcurrent = new SharedSemaphore(shared[name]).maxInUse;
        return total;
      };
      const crashed = workers.filter((w) => w.dead).map((w) => w.index);
      return { resources: { db: sum('db'), downstream: sum('downstream') }, workers: workers.map((w) => w.served), ...(crashed.length ? { crashed } : {}) };
    },
    async close() {
      closing = true;
      await Promise.all(workers.map((w) => w.port.terminate()));
    },
  };
}
