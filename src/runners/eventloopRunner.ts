/**
 * Main-thread client of the event-loop sandbox (eventloop.worker.ts).
 *
 *   const run = await runInWorker(source, {}, signal);   // a HostedRun: an EventLoopRun + host info
 *
 * - One Worker per page, shared by every lab instance on it and reused between runs. Jobs run one
 *   at a time, in order, so a runaway program only ever delays (and kills) itself.
 * - Budgets: the engine's own (steps, loops, virtual time), the worker's wall-time budget
 *   (WALL_MS, checked by the engine), and a hard timeout here (HARD_TIMEOUT_MS from the moment the
 *   worker takes the job): past it the worker is terminated and replaced, and the run comes back
 *   with "Stopped after 5 s of real time..." and an empty trace. Loading the worker has its own,
 *   longer allowance (LOAD_TIMEOUT_MS): a slow network is not an infinite loop.
 * - `signal` aborts: a queued job is dropped; a running one is stopped by terminating the worker.
 *   The promise then rejects with an AbortError.
 * - No Worker (very old or locked-down browsers), or a worker script that fails to load: the
 *   engine is imported here and runs on the main thread with a smaller wall budget
 *   (MAIN_THREAD_WALL_MS), and the run carries a `note` that says so.
 *
 * The engine is never in the page's initial JavaScript: the worker imports it, and the fallback
 * uses a dynamic import().
 */
import type { EventLoopRun } from '../../simulations/eventloop/types';
import type { EventLoopJobOptions, HostedRun, WorkerResponse, WorkerRunRequest } from './types';

export type { HostedRun, EventLoopJobOptions } from './types';

/** Real-time budget of a run in the worker (the engine stops itself and keeps the trace). */
export const WALL_MS = 2_000;
/** After this long without an answer, the worker is terminated (ms). */
export const HARD_TIMEOUT_MS = 5_000;
/** Allowance for the worker (and the engine chunk) to load before it takes its first job (ms). */
export const LOAD_TIMEOUT_MS = 20_000;
/** Real-time budget on the main thread, where a long run freezes the page (ms). */
export const MAIN_THREAD_WALL_MS = 500;

export const TIMEOUT_MESSAGE = `Stopped after ${HARD_TIMEOUT_MS / 1000} s of real time: the program did not finish. Is there an infinite loop?`;

const MAIN_THREAD_NOTE = `Web Workers are not available here, so the program ran on this page's main thread, with a shorter time budget (${MAIN_THREAD_WALL_MS / 1000} s).`;
const WORKER_FAILED_NOTE = `The lab's Web Worker could not start, so the program ran on this page's main thread, with a shorter time budget (${MAIN_THREAD_WALL_MS / 1000} s).`;

function emptyRun(message: string): EventLoopRun {
  return {
    console: [],
    trace: [],
    error: { message },
    truncated: true,
    stats: { steps: 0, loopIterations: 0, tasks: 0, microtasks: 0, endTime: 0, events: 0 },
    functions: [],
  };
}

function abortError(): DOMException {
  return new DOMException('The run was cancelled.', 'AbortError');
}

interface Job {
  id: number;
  source: string;
  options: EventLoopJobOptions;
  signal?: AbortSignal;
  started: number;
  resolve: (run: HostedRun) => void;
  reject: (error: unknown) => void;
  onAbort?: () => void;
}

/** Runs on the main thread (the fallback). */
async function runHere(source: string, options: EventLoopJobOptions, started: number, note: string): Promise<HostedRun> {
  const { runProgramSync } = await import('../../simulations/eventloop/run');
  const { wallMs = MAIN_THREAD_WALL_MS, ...engineOptions } = options;
  const budget = Math.min(wallMs, MAIN_THREAD_WALL_MS);
  const t0 = performance.now();
  let run: EventLoopRun;
  try {
    run = runProgramSync(source, { ...engineOptions, shouldStop: () => performance.now() - t0 > budget });
  } catch (error) {
    run = emptyRun(`The lab could not run this program (${error instanceof Error ? error.message : String(error)}).`);
    run.truncated = false;
  }
  return { ...run, host: 'main-thread', elapsedMs: performance.now() - started, runMs: performance.now() - t0, note };
}

export interface EventLoopRunnerOptions {
  /** Makes the sandbox Worker (tests pass a fake). Default: the bundled eventloop.worker.ts. */
  createWorker?: () => Worker;
  hardTimeoutMs?: number;
  loadTimeoutMs?: number;
  wallMs?: number;
}

function bundledWorker(): Worker {
  return new Worker(new URL('./eventloop.worker.ts', import.meta.url), { type: 'module', name: 'event-loop-sandbox' });
}

/** One sandbox Worker and its job queue. The page shares one (see `runInWorker`). */
export class EventLoopRunner {
  #worker: Worker | null = null;
  /** Workers cannot be created here (or their script failed to load): use the main thread. */
  #broken: boolean;
  #brokenNote = MAIN_THREAD_NOTE;
  #createWorker: () => Worker;
  #hardTimeoutMs: number;
  #loadTimeoutMs: number;
  #wallMs: number;
  #queue: Job[] = [];
  #current: Job | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #nextId = 1;
  /** Whether the worker has taken the current job (sent `start`). */
  #currentStarted = false;

  constructor(options: EventLoopRunnerOptions = {}) {
    this.#createWorker = options.createWorker ?? bundledWorker;
    this.#broken = !options.createWorker && typeof Worker === 'undefined';
    this.#hardTimeoutMs = options.hardTimeoutMs ?? HARD_TIMEOUT_MS;
    this.#loadTimeoutMs = options.loadTimeoutMs ?? LOAD_TIMEOUT_MS;
    this.#wallMs = options.wallMs ?? WALL_MS;
  }

  run(source: string, options: EventLoopJobOptions, signal?: AbortSignal): Promise<HostedRun> {
    if (signal?.aborted) return Promise.reject(abortError());
    return new Promise<HostedRun>((resolve, reject) => {
      const job: Job = { id: this.#nextId++, source, options, signal, started: performance.now(), resolve, reject };
      if (signal) {
        job.onAbort = () => this.#abort(job);
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.#queue.push(job);
      this.#pump();
    });
  }

  #settle(job: Job, outcome: { run: HostedRun } | { error: unknown }): void {
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
    if ('run' in outcome) job.resolve(outcome.run);
    else job.reject(outcome.error);
  }

  #abort(job: Job): void {
    const k = this.#queue.indexOf(job);
    if (k >= 0) {
      this.#queue.splice(k, 1);
      this.#settle(job, { error: abortError() });
      return;
    }
    if (this.#current === job) {
      // The engine is synchronous: the only way to stop it is to stop its worker.
      this.#kill();
      this.#finish(job, { error: abortError() });
    }
  }

  #pump(): void {
    if (this.#current || this.#queue.length === 0) return;
    const job = this.#queue.shift()!;
    this.#current = job;
    this.#currentStarted = false;
    if (this.#broken) {
      this.#runHere(job, this.#brokenNote);
      return;
    }
    let worker: Worker;
    try {
      worker = this.#ensureWorker();
    } catch {
      this.#broken = true;
      this.#brokenNote = WORKER_FAILED_NOTE;
      this.#runHere(job, WORKER_FAILED_NOTE);
      return;
    }
    this.#arm(this.#loadTimeoutMs, job);
    const request: WorkerRunRequest = { type: 'run', id: job.id, source: job.source, options: { wallMs: this.#wallMs, ...job.options } };
    worker.postMessage(request);
  }

  #runHere(job: Job, note: string): void {
    runHere(job.source, job.options, job.started, note).then(
      (run) => this.#finish(job, { run }),
      (error) => this.#finish(job, { error }),
    );
  }

  #finish(job: Job, outcome: { run: HostedRun } | { error: unknown }): void {
    if (this.#current !== job) return;
    clearTimeout(this.#timer);
    this.#current = null;
    this.#settle(job, outcome);
    this.#pump();
  }

  #arm(ms: number, job: Job): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#timeout(job), ms);
  }

  #timeout(job: Job): void {
    if (this.#current !== job) return;
    this.#kill();
    const elapsedMs = performance.now() - job.started;
    const message = `Stopped after ${this.#hardTimeoutMs / 1000} s of real time: the program did not finish. Is there an infinite loop?`;
    const run: HostedRun = { ...emptyRun(message), host: 'worker', elapsedMs, runMs: this.#hardTimeoutMs, killed: true };
    this.#finish(job, { run });
  }

  #kill(): void {
    this.#worker?.terminate();
    this.#worker = null;
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const worker = this.#createWorker();
    worker.addEventListener('message', (event: MessageEvent<WorkerResponse>) => {
      if (worker !== this.#worker) return;
      this.#onMessage(event.data);
    });
    worker.addEventListener('error', (event) => {
      if (worker !== this.#worker) return;
      event.preventDefault();
      const job = this.#current;
      // A worker that fails before taking its job could not load (old browser without module
      // workers, a missing chunk): run here from now on. After `start`, it is an engine crash.
      this.#kill();
      if (job && !this.#currentStarted) {
        this.#broken = true;
        this.#brokenNote = WORKER_FAILED_NOTE;
        clearTimeout(this.#timer);
        this.#runHere(job, WORKER_FAILED_NOTE);
      } else if (job) {
        const elapsedMs = performance.now() - job.started;
        this.#finish(job, { run: { ...emptyRun(`The lab's runner crashed (${event.message || 'unknown error'}).`), host: 'worker', elapsedMs, runMs: elapsedMs } });
      }
    });
    this.#worker = worker;
    return worker;
  }

  #onMessage(message: WorkerResponse): void {
    const job = this.#current;
    // Only the job in flight is answered; anything else (a stale or forged message) is ignored.
    if (!message || !job || message.id !== job.id) return;
    switch (message.type) {
      case 'start':
        this.#currentStarted = true;
        this.#arm(this.#hardTimeoutMs, job);
        break;
      case 'done':
        this.#finish(job, { run: { ...message.run, host: 'worker', elapsedMs: performance.now() - job.started, runMs: message.ms } });
        break;
      case 'failed': {
        const run = emptyRun(`The lab could not run this program (${message.message}).`);
        run.truncated = false;
        const elapsedMs = performance.now() - job.started;
        this.#finish(job, { run: { ...run, host: 'worker', elapsedMs, runMs: elapsedMs } });
        break;
      }
    }
  }
}

let host: EventLoopRunner | null = null;

/**
 * Runs `source` on the event-loop engine in the page's sandbox Worker. Resolves with the run
 * (budget stops and timeouts are runs with `error` set, not rejections); rejects only with an
 * AbortError when `signal` aborts.
 */
export function runInWorker(source: string, options: EventLoopJobOptions = {}, signal?: AbortSignal): Promise<HostedRun> {
  host ??= new EventLoopRunner();
  return host.run(source, options, signal);
}
