/**
 * Main-thread client of the actor sandbox (actors.worker.ts).
 *
 *   const run = await runActors(source, { seed: 1 }, signal);   // a SourceRun + host info
 *
 * The same contract as the event-loop runner (eventloopRunner.ts), for the actor engine:
 * - One Worker per page, shared by every actor lab on it and reused between runs; jobs run one at
 *   a time, in order.
 * - Budgets: the worker's wall-time budget (WALL_MS, polled by loop guards in the learner's code
 *   and by the engine), and a hard timeout here (HARD_TIMEOUT_MS from the moment the worker takes
 *   the job): past it the worker is terminated and replaced, and the run comes back empty with a
 *   message. Loading the worker has a longer allowance (LOAD_TIMEOUT_MS).
 * - `signal` aborts: a queued job is dropped, a running one is stopped by terminating the worker;
 *   the promise rejects with an AbortError.
 * - No Worker, or a worker script that fails to load: the engine is imported here and runs on the
 *   main thread with a smaller wall budget, and the run carries a `note` saying so.
 * The engine is never in the page's initial JavaScript.
 */
import type { SourceRun } from '../../simulations/actors/source';

export const WALL_MS = 2_000;
export const HARD_TIMEOUT_MS = 5_000;
export const LOAD_TIMEOUT_MS = 20_000;
export const MAIN_THREAD_WALL_MS = 500;

export interface ActorsJobOptions {
  seed?: number;
  /** 0 keeps the code's setting. */
  threads?: number;
  wallMs?: number;
}

export interface HostedActorRun extends SourceRun {
  host: 'worker' | 'main-thread';
  /** Real time from request to result (ms). */
  elapsedMs: number;
  /** Real time the engine ran (ms). */
  runMs: number;
  killed?: boolean;
  note?: string;
}

export interface ActorsWorkerRequest {
  type: 'run';
  id: number;
  source: string;
  options: ActorsJobOptions;
}

export type ActorsWorkerResponse =
  | { type: 'start'; id: number }
  | { type: 'done'; id: number; run: SourceRun; ms: number }
  | { type: 'failed'; id: number; message: string };

const MAIN_THREAD_NOTE = `Web Workers are not available here, so the system ran on this page's main thread, with a shorter time budget (${MAIN_THREAD_WALL_MS / 1000} s).`;
const WORKER_FAILED_NOTE = `The lab's Web Worker could not start, so the system ran on this page's main thread, with a shorter time budget (${MAIN_THREAD_WALL_MS / 1000} s).`;

function emptyRun(message: string): SourceRun {
  return {
    trace: [],
    metrics: {
      endT: 0,
      ledger: { sent: 0, processed: 0, crashed: 0, processing: 0, queued: 0, inFlight: 0, held: 0, dropped: 0, dead: 0 },
      actors: [],
      throughput: 0,
      asks: { sent: 0, answered: 0, timedOut: 0, late: 0 },
      escalations: 0,
      systemStopped: false,
      watches: {},
      events: 0,
    },
    truncated: false,
    seed: 0,
    settings: { threads: null, latencyMs: 0, untilMs: 0, guardian: { strategy: 'one-for-one', maxRestarts: 3, withinMs: 1000 } },
    error: { message },
    declared: [],
  };
}

function abortError(): DOMException {
  return new DOMException('The run was cancelled.', 'AbortError');
}

async function runHere(source: string, options: ActorsJobOptions, started: number, note: string): Promise<HostedActorRun> {
  const { runSource } = await import('../../simulations/actors/source');
  const budget = Math.min(options.wallMs ?? MAIN_THREAD_WALL_MS, MAIN_THREAD_WALL_MS);
  const t0 = performance.now();
  let run: SourceRun;
  try {
    run = runSource(source, {
      seed: options.seed,
      threads: options.threads,
      shouldStop: () => performance.now() - t0 > budget,
      stopMessage: `Stopped after ${budget / 1000} s of real time: the program did not finish. Is there an infinite loop?`,
    });
  } catch (error) {
    run = emptyRun(`The lab could not run this program (${error instanceof Error ? error.message : String(error)}).`);
  }
  return { ...run, host: 'main-thread', elapsedMs: performance.now() - started, runMs: performance.now() - t0, note };
}

interface Job {
  id: number;
  source: string;
  options: ActorsJobOptions;
  signal?: AbortSignal;
  started: number;
  resolve: (run: HostedActorRun) => void;
  reject: (error: unknown) => void;
  onAbort?: () => void;
}

export interface ActorsRunnerOptions {
  createWorker?: () => Worker;
  hardTimeoutMs?: number;
  loadTimeoutMs?: number;
  wallMs?: number;
}

function bundledWorker(): Worker {
  return new Worker(new URL('./actors.worker.ts', import.meta.url), { type: 'module', name: 'actor-sandbox' });
}

export class ActorsRunner {
  #worker: Worker | null = null;
  #broken: boolean;
  #brokenNote = MAIN_THREAD_NOTE;
  #createWorker: () => Worker;
  #hardTimeoutMs: number;
  #loadTimeoutMs: number;
  #wallMs: number;
  #queue: Job[] = [];
  #current: Job | null = null;
  #currentStarted = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #nextId = 1;

  constructor(options: ActorsRunnerOptions = {}) {
    this.#createWorker = options.createWorker ?? bundledWorker;
    this.#broken = !options.createWorker && typeof Worker === 'undefined';
    this.#hardTimeoutMs = options.hardTimeoutMs ?? HARD_TIMEOUT_MS;
    this.#loadTimeoutMs = options.loadTimeoutMs ?? LOAD_TIMEOUT_MS;
    this.#wallMs = options.wallMs ?? WALL_MS;
  }

  run(source: string, options: ActorsJobOptions, signal?: AbortSignal): Promise<HostedActorRun> {
    if (signal?.aborted) return Promise.reject(abortError());
    return new Promise<HostedActorRun>((resolve, reject) => {
      const job: Job = { id: this.#nextId++, source, options, signal, started: performance.now(), resolve, reject };
      if (signal) {
        job.onAbort = () => this.#abort(job);
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.#queue.push(job);
      this.#pump();
    });
  }

  #settle(job: Job, outcome: { run: HostedActorRun } | { error: unknown }): void {
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
    const request: ActorsWorkerRequest = { type: 'run', id: job.id, source: job.source, options: { wallMs: this.#wallMs, ...job.options } };
    worker.postMessage(request);
  }

  #runHere(job: Job, note: string): void {
    runHere(job.source, job.options, job.started, note).then(
      (run) => this.#finish(job, { run }),
      (error) => this.#finish(job, { error }),
    );
  }

  #finish(job: Job, outcome: { run: HostedActorRun } | { error: unknown }): void {
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
    this.#finish(job, { run: { ...emptyRun(message), host: 'worker', elapsedMs, runMs: this.#hardTimeoutMs, killed: true } });
  }

  #kill(): void {
    this.#worker?.terminate();
    this.#worker = null;
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const worker = this.#createWorker();
    worker.addEventListener('message', (event: MessageEvent<ActorsWorkerResponse>) => {
      if (worker !== this.#worker) return;
      this.#onMessage(event.data);
    });
    worker.addEventListener('error', (event) => {
      if (worker !== this.#worker) return;
      event.preventDefault();
      const job = this.#current;
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

  #onMessage(message: ActorsWorkerResponse): void {
    const job = this.#current;
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
        const elapsedMs = performance.now() - job.started;
        this.#finish(job, { run: { ...emptyRun(`The lab could not run this program (${message.message}).`), host: 'worker', elapsedMs, runMs: elapsedMs } });
        break;
      }
    }
  }
}

let host: ActorsRunner | null = null;

/** Runs actor-system source in the page's sandbox Worker. Rejects only with an AbortError. */
export function runActors(source: string, options: ActorsJobOptions = {}, signal?: AbortSignal): Promise<HostedActorRun> {
  host ??= new ActorsRunner();
  return host.run(source, options, signal);
}
