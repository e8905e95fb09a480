/**
 * The Worker runner: runs one exercise in a dedicated module Worker, the runtime that needs no
 * network (the fallback when the WebContainer cannot boot).
 *
 *   const runner = createWorkerRunner();   // the site's entry, ./exerciseWorkerEntry.ts
 *   const runner = createWorkerRunner({ createWorker: () => fakeWorker });   // tests
 *
 * - A fresh Worker per run, terminated when the run ends: whatever the learner's handler leaves
 *   running (timers, a busy loop) dies with it. The page stays responsive.
 * - A wall-time budget per run (default WALL_MS, or `job`-independent `wallMs`): past it the Worker
 *   is terminated and the run ends with a `timedOut` error event. Aborting the signal terminates
 *   it too (an `aborted` error event).
 * - The Worker speaks the exercise CLI's language, so both runtimes share results.ts:
 *
 *   main -> worker   { type: 'run', job: RunJob }
 *   worker -> main   { type: 'output', text }   text as `node run.js` prints it: JSON lines
 *                                                ({"i",...} per request, {"summary":...}, {"fatal":...})
 *                    { type: 'exit', code }     the run is over (0 ok, 1 error, 2 usage error)
 *   A Worker `error` event (the entry failed to load, an uncaught exception) ends the run with an
 *   error event.
 *
 * The entry (./exerciseWorkerEntry.ts) hands the job to content/exercises/_runtime/browser-adapter.js
 * runJob. `_runtime/browser-worker.js` is the entry of one *pool thread* of the parallel variant
 * (worker-server.js protocol), which the entry starts, not of a whole run.
 */
import { createOutputParser } from './results';
import { ABORTED_MESSAGE, EventChannel, type RunEvent, type RunJob, type Runner } from './runner';

/** Default real-time budget of one run (ms). */
export const WALL_MS = 60_000;

export const timeoutMessage = (ms: number) =>
  `Stopped after ${Math.round(ms / 100) / 10} s of real time: the run did not finish. Fewer requests, or is a handler stuck in a loop?`;

export const NO_WORKERS_MESSAGE = 'Web Workers are not available in this browser, so exercises cannot run here.';

export const notIsolatedMessage = (variant: string) =>
  `The ${variant} variant blocks on I/O with SharedArrayBuffer and Atomics.wait, which need a cross-origin isolated page, and this page is not. The async variant still runs.`;

/** Messages the exercise Worker sends. */
export type ExerciseWorkerMessage = { type: 'output'; text: string } | { type: 'exit'; code: number };

/** Messages the runner sends. */
export interface ExerciseWorkerRequest {
  type: 'run';
  job: RunJob;
}

/** What we use of a Worker. */
export interface WorkerLike {
  postMessage(message: ExerciseWorkerRequest): void;
  terminate(): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  addEventListener(type: 'error' | 'messageerror', listener: (event: Event) => void): void;
}

export interface WorkerRunnerOptions {
  createWorker?: () => WorkerLike;
  /** Real-time budget of one run in ms (default WALL_MS). */
  wallMs?: number;
  /** Default: globalThis.crossOriginIsolated === true. */
  isIsolated?: () => boolean;
}

/**
 * The site's exercise Worker (./exerciseWorkerEntry.ts), bundled by Vite; null where this
 * environment has no Worker constructor (SSR, tests, old browsers).
 */
export const defaultCreateWorker: (() => WorkerLike) | null =
  typeof Worker === 'undefined'
    ? null
    : () => new Worker(new URL('./exerciseWorkerEntry.ts', import.meta.url), { type: 'module', name: 'exercise-run' }) as WorkerLike;

export class ExerciseWorkerRunner implements Runner {
  readonly kind = 'worker' as const;
  private readonly wallMs: number;
  private readonly isIsolated: () => boolean;

  constructor(private readonly options: WorkerRunnerOptions = {}) {
    this.wallMs = options.wallMs ?? WALL_MS;
    this.isIsolated = options.isIsolated ?? (() => (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true);
  }

  async ready(): Promise<void> {
    // no factory: the lab found no Worker constructor (see createWorkerRunner)
    if (!this.options.createWorker) throw new Error(NO_WORKERS_MESSAGE);
  }

  async *run(job: RunJob, signal: AbortSignal): AsyncGenerator<RunEvent> {
    const runner = this.kind;
    if (signal.aborted) {
      yield { type: 'error', message: ABORTED_MESSAGE, aborted: true, runner };
      return;
    }
    if (!this.options.createWorker) {
      yield { type: 'error', message: NO_WORKERS_MESSAGE, runner };
      return;
    }
    if (job.variant !== 'async' && !this.isIsolated()) {
      yield { type: 'error', message: notIsolatedMessage(job.variant), runner };
      return;
    }

    const channel = new EventChannel<RunEvent>();
    const parser = createOutputParser(runner);
    let worker: WorkerLike | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = (last: RunEvent | null, flushOutput: boolean) => {
      if (channel.isClosed) return;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      worker?.terminate();
      if (flushOutput) for (const e of parser.end()) channel.push(e);
      if (last) channel.push(last);
      channel.close();
    };
    const onAbort = () => stop({ type: 'error', message: ABORTED_MESSAGE, aborted: true, runner }, false);

    try {
      worker = this.options.createWorker();
    } catch (error) {
      yield { type: 'error', message: `The exercise Worker could not start: ${error instanceof Error ? error.message : String(error)}`, runner };
      return;
    }
    worker.addEventListener('message', (event: MessageEvent) => {
      const msg = event.data as ExerciseWorkerMessage;
      if (channel.isClosed || !msg || typeof msg !== 'object') return;
      if (msg.type === 'output') for (const e of parser.push(String(msg.text))) channel.push(e);
      else if (msg.type === 'exit') stop({ type: 'exit', code: Number(msg.code), runner }, true);
    });
    worker.addEventListener('error', (event: Event) => {
      const detail = (event as ErrorEvent).message;
      event.preventDefault?.();
      stop({ type: 'error', message: `The exercise Worker failed${detail ? `: ${detail}` : ' (its script could not load or threw)'}.`, runner }, true);
    });
    worker.addEventListener('messageerror', () => stop({ type: 'error', message: 'The exercise Worker sent a message that could not be read.', runner }, true));
    signal.addEventListener('abort', onAbort, { once: true });
    timer = setTimeout(() => stop({ type: 'error', message: timeoutMessage(this.wallMs), timedOut: true, runner }, true), this.wallMs);
    worker.postMessage({ type: 'run', job });

    try {
      yield* channel;
    } finally {
      // ended normally, or the consumer stopped iterating: either way the Worker goes
      stop(null, false);
    }
  }
}

/**
 * A runner. Without `createWorker` it uses the site's Worker entry (defaultCreateWorker), and
 * where there is no Worker constructor it reports itself unavailable (NO_WORKERS_MESSAGE).
 */
export const createWorkerRunner = (options: WorkerRunnerOptions = {}) =>
  new ExerciseWorkerRunner({ ...options, createWorker: options.createWorker ?? defaultCreateWorker ?? undefined });
