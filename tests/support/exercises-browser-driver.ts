/**
 * Drives content/exercises/_runtime/browser-adapter.js from plain Node 24 (which runs this file by
 * stripping its types), standing in for the browser: worker_threads play the Workers (with a
 * `self` like a Worker's, so the real browser-worker.js runs in each pool thread) and data: URLs
 * play blob: URLs. Usage: node exercises-browser-driver.ts '<job as JSON>'
 * Prints every message runJob posts, one JSON line each.
 */
import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { runJob } from '../../content/exercises/_runtime/browser-adapter.js';

const dir = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../content/exercises');
const exercises: Record<string, object> = {};
for (const slug of readdirSync(dir)) {
  const file = join(dir, slug, 'exercise.json');
  if (!slug.startsWith('_') && existsSync(file)) exercises[slug] = JSON.parse(readFileSync(file, 'utf8'));
}

const browserWorker = pathToFileURL(join(dir, '_runtime/browser-worker.js')).href;
// A pool thread with a browser Worker's global `self`, then the real browser entry.
const threadSource = `
const { parentPort } = require('node:worker_threads');
globalThis.self = {
  postMessage: (m) => parentPort.postMessage(m),
  addEventListener: (type, fn) => { if (type === 'message') parentPort.on('message', (data) => fn({ data })); },
};
import(${JSON.stringify(browserWorker)});
`;

type Listener = (event: { data?: unknown; error?: unknown; message?: string }) => void;

/** A worker_threads Worker dressed as a browser Worker (postMessage, addEventListener, terminate). */
function createPoolWorker() {
  const w = new Worker(threadSource, { eval: true });
  return {
    postMessage: (m: unknown) => w.postMessage(m),
    addEventListener: (type: string, fn: Listener) => {
      if (type === 'message') w.on('message', (data) => fn({ data }));
      if (type === 'error') w.on('error', (error) => fn({ error, message: String(error) }));
    },
    terminate: () => void w.terminate(),
  };
}

const job = JSON.parse(process.argv[2] ?? '{}');
const code = await runJob(job, {
  exercises,
  // shaped like the browser Worker the adapter expects, not typed as one
  createPoolWorker: createPoolWorker as never,
  post: (message: unknown) => process.stdout.write(JSON.stringify(message) + '\n'),
  moduleUrl: (source: string) => ({ url: `data:text/javascript;base64,${Buffer.from(source).toString('base64')}`, release: () => {} }),
  runtime: 'node standing in for a browser worker',
  cores: 2,
});
process.exitCode = code;
