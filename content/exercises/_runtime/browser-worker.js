/**
 * Browser entry of a parallel-pool thread: `new Worker(new URL('./browser-worker.js',
 * import.meta.url), { type: 'module' })`. Needs a cross-origin isolated page (SharedArrayBuffer).
 * Not exercised by the Node tests; the browser runner owns its tests.
 */
import { serveWorker } from './worker-server.js';

serveWorker({
  post: (message) => self.postMessage(message),
  onMessage: (fn) => self.addEventListener('message', (event) => fn(event.data)),
});
