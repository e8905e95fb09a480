/// <reference lib="webworker" />
/**
 * The exercise Worker entry: one whole run of an exercise (content/exercises/) inside a dedicated
 * module Worker, in the protocol of ./exerciseWorker.ts:
 *
 *   main -> worker   { type: 'run', job }
 *   worker -> main   { type: 'output', text } ... then { type: 'exit', code }
 *
 * The exercises' browser adapter (_runtime/browser-adapter.js) does the run: it loads the
 * learner's handler source as a module through a blob: URL (or the built-in solution/starter via
 * _runtime/registry.js) and calls harness.js. What lives here is the bundler-specific part: the
 * exercises' metadata (exercise.json, bundled eagerly) and the factory of the parallel variant's
 * pool threads, written literally so that Vite bundles browser-worker.js as a module Worker.
 *
 * One run per Worker: the runner terminates the Worker when the run ends.
 */
import { runJob } from '../../content/exercises/_runtime/browser-adapter.js';
import { harden } from './harden.js';
import type { ExerciseWorkerMessage, ExerciseWorkerRequest } from './exerciseWorker';

const scope = self as unknown as DedicatedWorkerGlobalScope;
// Private references to what the run needs, taken before the learner's code can load; then the
// scope loses its network, storage and messaging globals (see ./harden.js).
const postMessage = scope.postMessage.bind(scope);
const SavedWorker = Worker;
const cores = scope.navigator?.hardwareConcurrency ?? 1;
harden(scope);

/** slug -> parsed exercise.json */
const exercises: Record<string, object> = {};
for (const [path, data] of Object.entries(
  import.meta.glob<object>('../../content/exercises/*/exercise.json', { eager: true, import: 'default' }),
)) {
  const slug = path.split('/').at(-2);
  if (slug) exercises[slug] = data;
}

/** The adapter posts ExerciseWorkerMessage objects (typed loosely there, as plain JS). */
const post = (message: ExerciseWorkerMessage | object) => postMessage(message);

let started = false;
scope.addEventListener('message', (event: MessageEvent) => {
  const data = event.data as ExerciseWorkerRequest | null;
  if (!data || typeof data !== 'object' || data.type !== 'run') return;
  if (started) {
    post({ type: 'output', text: JSON.stringify({ fatal: { message: 'This Worker has already run a job.', usage: false } }) + '\n' });
    post({ type: 'exit', code: 1 });
    return;
  }
  started = true;
  void runJob(data.job, {
    exercises,
    post,
    cores,
    createPoolWorker: () => {
      // the global is gone (harden); the literal `new Worker(new URL(...))` is what Vite bundles
      const Worker = SavedWorker;
      return new Worker(new URL('../../content/exercises/_runtime/browser-worker.js', import.meta.url), { type: 'module' });
    },
  }).catch((error: unknown) => {
    // runJob reports its own failures; this is the last resort (e.g. post itself threw)
    post({ type: 'output', text: JSON.stringify({ fatal: { message: error instanceof Error ? error.message : String(error), usage: false } }) + '\n' });
    post({ type: 'exit', code: 1 });
  });
});
