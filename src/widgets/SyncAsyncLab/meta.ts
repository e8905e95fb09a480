import { EXERCISES } from './lab';
import { defineLab } from '../shared/labMeta';

export default defineLab({
  id: 'sync-async',
  folder: 'SyncAsyncLab',
  title: 'Sync vs async lab',
  description: 'Your request handler under a blocking server, an event loop, sync with batching and a thread pool, measured in real Node or a browser Worker.',
  steps: false,
  presets: EXERCISES.map((e) => ({ id: e.slug, title: e.title, description: e.description })),
  page: {
    description: 'Run a request handler under a blocking server, an async one, sync with batching and a thread pool, and compare throughput and latency measured in your browser.',
    lede: 'Edit a request handler and run it under four servers, one after the other: sync (blocking I/O, one request at a time), async (many requests waiting at once on one thread), sync with batching, and a pool of threads. The numbers are measured on your machine, in real Node when the WebContainer can start and in a browser Worker when it cannot.',
    lessons: ['sync-vs-async-under-load'],
    instances: [{ id: 'lab' }],
    hydrate: 'only',
  },
});
