/**
 * Browser entry of a parallel-pool thread: `new Worker(new URL('./browser-worker.js',
 * import.meta.url), { type: 'module' })`. Needs a cross-origin isolated page (SharedArrayBuffer).
 * Not exercised by the Node tests; the browser runner owns its tests.
 */
import { harden } from './harden.js';
import { serveWorker } from './worker-server.js';

// the thread loads the learner's handler: keep what serving needs, then drop network and storage
const post = self.postMessage.bind(self);
harden(self);

serveWorker({
  post: (message) => post(message),
  onMessage: (fn) => self.addEventListener('message', (event) => fn(event.data)),
});
