/**
 * Browser platform adapter: one whole run inside a dedicated module Worker, speaking the protocol
 * of the site's Worker runner (src/runners/exerciseWorker.ts):
 *
 *   main -> worker   { type: 'run', job }        job = { exercise, variant, params?, handlerSource?, handler?, quiet? }
 *   worker -> main   { type: 'output', text }    JSON lines, exactly as `node run.js` prints them
 *                    { type: 'exit', code }      0 done, 1 error, 2 usage error
 *
 * The site's Worker entry does the bundler-specific part and calls runJob:
 *
 *   import { runJob } from '<this file>';
 *   const exercises = {...};  // slug -> parsed exercise.json (import.meta.glob, eager)
 *   self.onmessage = (e) => e.data?.type === 'run' && runJob(e.data.job, {
 *     exercises,
 *     createPoolWorker: () => new Worker(new URL('<_runtime/browser-worker.js>', import.meta.url), { type: 'module' }),
 *     post: (message) => self.postMessage(message),
 *   });
 *
 * Needs a Worker (Atomics.wait throws on a page's main thread) and, for every variant but async, a
 * cross-origin isolated page (SharedArrayBuffer). No Node API is used here.
 */
import { describeError } from './context.js';
import { runExercise } from './harness.js';
import { UsageError, resolveParams } from './params.js';
import { loadHandlerModule, loadSetup, registry } from './registry.js';

/** A module URL for a learner's source: a blob: URL (revoked after the run). */
function blobModuleUrl(source) {
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  return { url, release: () => URL.revokeObjectURL(url) };
}

/** A browser Worker as the pool's port ({ post, onMessage, onError, terminate }). */
export function workerPort(worker) {
  return {
    post: (message) => worker.postMessage(message),
    onMessage: (fn) => worker.addEventListener('message', (event) => fn(event.data)),
    onError: (fn) =>
      worker.addEventListener('error', (event) => {
        event.preventDefault?.();
        fn(event.error ?? new Error(event.message || 'the thread failed to load or threw'));
      }),
    terminate: () => worker.terminate(),
  };
}

/**
 * Run one job; resolves with the exit code after posting it.
 * @param {object} job
 * @param {object} o
 * @param {Record<string, object>} o.exercises slug -> parsed exercise.json
 * @param {(message: object) => void} o.post
 * @param {() => Worker} [o.createPoolWorker] a thread of the parallel pool (browser-worker.js); without it, no parallel variant
 * @param {(source: string) => { url: string, release(): void }} [o.moduleUrl] how learner source becomes importable (default: blob: URL)
 * @param {string} [o.runtime] for the summary (default: 'browser worker')
 * @param {number} [o.cores] (default: navigator.hardwareConcurrency)
 */
export async function runJob(job, { exercises, post, createPoolWorker, moduleUrl = blobModuleUrl, runtime = 'browser worker', cores }) {
  const emit = (line) => post({ type: 'output', text: JSON.stringify(line) + '\n' });
  let source = null;
  let code = 0;
  try {
    const slug = job?.exercise;
    const exercise = exercises[slug];
    if (!exercise || !registry[slug]) throw new UsageError(`no exercise "${slug}": choose one of ${Object.keys(exercises).join(', ')}`);
    const params = resolveParams(exercise, job.params ?? {});
    let handlerSpec;
    let handlerName;
    if (typeof job.handlerSource === 'string') {
      source = moduleUrl(job.handlerSource);
      handlerSpec = { url: source.url };
      handlerName = 'learner';
    } else {
      handlerName = job.handler ?? 'solution';
      if (handlerName !== 'solution' && handlerName !== 'starter') throw new UsageError(`handler must be 'solution' or 'starter' (got "${handlerName}")`);
      handlerSpec = { builtin: handlerName };
    }
    const [handlerModule, setup] = await Promise.all([loadHandlerModule(slug, handlerSpec), loadSetup(slug)]);
    await runExercise({
      exercise,
      variant: job.variant,
      params,
      setup,
      handlerModule,
      handlerSpec,
      handlerName,
      platform: {
        runtime,
        cores: cores ?? globalThis.navigator?.hardwareConcurrency ?? 1,
        spawnWorker: createPoolWorker ? () => workerPort(createPoolWorker()) : undefined,
      },
      emit,
      quiet: !!job.quiet,
    });
  } catch (error) {
    const usage = error instanceof UsageError;
    emit({ fatal: { message: usage ? error.message : error instanceof Error ? error.message : describeError(error), usage } });
    code = usage ? 2 : 1;
  } finally {
    source?.release();
  }
  post({ type: 'exit', code });
  return code;
}
