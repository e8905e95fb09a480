/**
 * The parallel variant, worker side: a sync server on its own thread. It loads the handler and the
 * exercise's setup.js itself (functions cannot be posted; registry.js, by slug), builds a blocking `ctx` whose limits
 * are SharedArrayBuffer semaphores shared with the other workers, then serves one request at a
 * time (requests that arrive meanwhile wait in a local FIFO). Platform-neutral: the entry files (node-worker.js, browser-worker.js) only wire the port.
 *
 * Protocol (main -> worker): { type: 'init', slug, handlerSpec, exportName, params, data, shared }
 *                            { type: 'req', id, req }   { type: 'stats' }
 *           (worker -> main): { type: 'ready' }  { type: 'fatal', message }
 *                            { type: 'res', id, ok, error? }  { type: 'stats', stats }
 */
import { createContext, describeError, invoke, pickHandler } from './context.js';
import { warmUp } from './cpu.js';
import { guard } from './io.js';
import { loadHandlerModule, loadSetup } from './registry.js';

/** @param {{ post(message: any): void, onMessage(fn: (message: any) => void): void }} port */
export function serveWorker(port) {
  let handler = null;
  let ctx = null;
  let stats = null;
  let timeoutMs = 0;
  const queue = [];
  let running = false;

  async function serve() {
    running = true;
    while (queue.length) {
      const { id, req } = queue.shift();
      try {
        await guard(invoke(handler, req, ctx), timeoutMs);
        port.post({ type: 'res', id, ok: true });
      } catch (error) {
        port.post({ type: 'res', id, ok: false, error: describeError(error) });
      }
    }
    running = false;
  }

  port.onMessage(async (msg) => {
    if (msg.type === 'init') {
      try {
        const [handlerModule, setup] = await Promise.all([loadHandlerModule(msg.slug, msg.handlerSpec), loadSetup(msg.slug)]);
        handler = pickHandler(handlerModule, 'the handler', msg.exportName);
        ({ ctx, stats } = createContext({ mode: 'blocking', setup, params: msg.params, data: msg.data, shared: msg.shared }));
        timeoutMs = msg.params.timeoutMs;
        if (msg.params.cpuRounds > 0) warmUp();
        port.post({ type: 'ready' });
      } catch (error) {
        port.post({ type: 'fatal', message: describeError(error) });
      }
    } else if (msg.type === 'req') {
      queue.push(msg);
      if (!running) serve();
    } else if (msg.type === 'stats') {
      port.post({ type: 'stats', stats: stats() });
    }
  });
}
