/** Node entry of a parallel-pool thread (worker_threads): wires parentPort to serveWorker. */
import { parentPort } from 'node:worker_threads';
import { serveWorker } from './worker-server.js';

serveWorker({
  post: (message) => parentPort.postMessage(message),
  onMessage: (fn) => parentPort.on('message', fn),
});
