/**
 * The main-thread side of a lab's sandbox Worker (the event-loop and actor labs): one Worker per
 * page, reused between runs, fed one job at a time, with budgets and a main-thread fallback.
 *
 *   class EventLoopRunner extends SandboxHost<EventLoopJobOptions, EventLoopRun> { ... }
 *   const run = await host.run(source, options, signal);   // the engine's run + HostInfo
 *
 * - Jobs run one at a time, in order, so a runaway program only ever delays (and kills) itself.
 * - Budgets: the worker's wall-time budget (`wallMs`, passed to the engine), and a hard timeout
 *   here (`hardTimeoutMs`, from the moment the worker takes the job, its `start`): past it the
 *   worker is terminated and replaced, and the run comes back with "Stopped after 5 s of real
 *   time..." and an empty trace. Loading the worker has its own, longer allowance
 *   (`loadTimeoutMs`): a slow network is not an infinite loop.
 * - `signal` aborts: a queued job is dropped; a running one is stopped by terminating the worker
 *   (the engines are synchronous: there is no other way). The promise rejects with an AbortError.
 * - No Worker (very old or locked-down browsers), or a worker script that fails to load before
 *   it takes its job: the spec's `runHere` runs the engine on the main thread (with a smaller
 *   budget), and the run carries a note that says so. A worker that fails after `start` is an
 *   engine crash: that run reports it, and the next job gets a fresh worker.
 * - Only the job in flight is answered; a stale or forged message is ignored.
 *
 * Worker protocol (SandboxRequest in, SandboxResponse out): `start`, then `done` with the run or
 * `failed` with a message (the engine itself threw: a bug of the lab, not of the learner's code).
 */

/** Where a run ran, and how long it took. */
export interface HostInfo {
  host: 'worker' | 'main-thread';
  /** Real time from the request to the result (ms), including waiting for and loading the runner. */
  elapsedMs: number;
  /** Real time the engine ran (ms). */
  runMs: number;
  /** Set when the runner had to kill the program from outside (it ignored the wall budget). */
  killed?: boolean;
  /** A sentence for the learner about how it ran, when that is unusual ("ran on the main thread..."). */
  note?: string;
}

export interface SandboxRequest<O> {
  type: 'run';
  id: number;
  source: string;
  options: O;
}

export type SandboxResponse<R> =
  /** The worker took the job (its module is loaded): the hard timeout starts now. */
  | { type: 'start'; id: number }
  | { type: 'done'; id: number; run: R; ms: number }
  /** The engine itself threw (a bug of the lab, not of the program). */
  | { type: 'failed'; id: number; message: string };

/** What a lab tells the host about its engine. */
export interface SandboxSpec<O, R> {
  /** The bundled worker (a literal `new Worker(new URL(...))` so the bundler finds it). */
  bundledWorker: () => Worker;
  /** A run that carries only an error message: a timeout or a crash of the runner. */
  emptyRun: (message: string) => R;
  /** The same, for an engine that threw (`failed`); defaults to emptyRun. */
  failedRun?: (message: string) => R;
  /** Runs the engine on the main thread (a dynamic import), within `budgetMs`. */
  runHere: (source: string, options: O, budgetMs: number) => Promise<R>;
  /** What the learner's code is called in notes: "program", "system". */
  noun: string;
}

export interface SandboxHostOptions {
  /** Makes the sandbox Worker (tests pass a fake). Default: the spec's bundled worker. */
  createWorker?: () => Worker;
  hardTimeoutMs?: number;
  loadTimeoutMs?: number;
  wallMs?: number;
}

/** Real-time budget of a run in the worker (the engine stops itself and keeps the trace). */
export const WALL_MS = 2_000;
/** After this long without an answer, the worker is terminated (ms). */
export const HARD_TIMEOUT_MS = 5_000;
/** Allowance for the worker (and the engine chunk) to load before it takes its first job (ms). */
export const LOAD_TIMEOUT_MS = 20_000;
/** Real-time budget on the main thread, where a long run freezes the page (ms). */
export const MAIN_THREAD_WALL_MS = 500;

export const timeoutMessage = (ms: number) => `Stopped after ${ms / 1000} s of real time: the program did not finish. Is there an infinite loop?`;

const mainThreadNote = (noun: string) =>
  `Web Workers are not available here, so the ${noun} ran on this page's main thread, with a shorter time budget (${MAIN_THREAD_WALL_MS / 1000} s).`;
const workerFailedNote = (noun: string) =>
  `The lab's Web Worker could not start, so the ${noun} ran on this page's main thread, with a shorter time budget (${MAIN_THREAD_WALL_MS / 1000} s).`;

function abortError(): DOMException {
  return new DOMException('The run was cancelled.', 'AbortError');
}

interface Job<O, R> {
  id: number;
  source: string;
  options: O;
  signal?: AbortSignal;
  started: number;
  resolve: (run: R & HostInfo) => void;
  reject: (error: unknown) => void;
  onAbort?: () => void;
}

type Outcome<R> = { run: R & HostInfo } | { error: unknown };

export class SandboxHost<O extends { wallMs?: number }, R> {
  #spec: SandboxSpec<O, R>;
  #worker: Worker | null = null;
  /** Workers cannot be created here (or their script failed to load): use the main thread. */
  #broken: boolean;
  #brokenNote: string;
  #createWorker: () => Worker;
  #hardTimeoutMs: number;
  #loadTimeoutMs: number;
  #wallMs: number;
  #queue: Job<O, R>[] = [];
  #current: Job<O, R> | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #nextId = 1;
  /** Whether the worker has taken the current job (sent `start`). */
  #currentStarted = false;

  constructor(spec: SandboxSpec<O, R>, options: SandboxHostOptions = {}) {
    this.#spec = spec;
    this.#createWorker = options.createWorker ?? spec.bundledWorker;
    this.#broken = !options.createWorker && typeof Worker === 'undefined';
    this.#brokenNote = mainThreadNote(spec.noun);
    this.#hardTimeoutMs = options.hardTimeoutMs ?? HARD_TIMEOUT_MS;
    this.#loadTimeoutMs = options.loadTimeoutMs ?? LOAD_TIMEOUT_MS;
    this.#wallMs = options.wallMs ?? WALL_MS;
  }

  run(source: string, options: O, signal?: AbortSignal): Promise<R & HostInfo> {
    if (signal?.aborted) return Promise.reject(abortError());
    return new Promise<R & HostInfo>((resolve, reject) => {
      const job: Job<O, R> = { id: this.#nextId++, source, options, signal, started: performance.now(), resolve, reject };
      if (signal) {
        job.onAbort = () => this.#abort(job);
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.#queue.push(job);
      this.#pump();
    });
  }

  #settle(job: Job<O, R>, outcome: Outcome<R>): void {
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
    if ('run' in outcome) job.resolve(outcome.run);
    else job.reject(outcome.error);
  }

  #abort(job: Job<O, R>): void {
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
      this.#fallBack(job);
      return;
    }
    this.#arm(this.#loadTimeoutMs, job);
    const request: SandboxRequest<O> = { type: 'run', id: job.id, source: job.source, options: { wallMs: this.#wallMs, ...job.options } };
    worker.postMessage(request);
  }

  /** The worker cannot be used: this job and every later one run on the main thread. */
  #fallBack(job: Job<O, R>): void {
    this.#broken = true;
    this.#brokenNote = workerFailedNote(this.#spec.noun);
    clearTimeout(this.#timer);
    this.#runHere(job, this.#brokenNote);
  }

  #runHere(job: Job<O, R>, note: string): void {
    const budget = Math.min(job.options.wallMs ?? MAIN_THREAD_WALL_MS, MAIN_THREAD_WALL_MS);
    const t0 = performance.now();
    this.#spec.runHere(job.source, job.options, budget).then(
      (run) => this.#finish(job, { run: { ...run, host: 'main-thread', elapsedMs: performance.now() - job.started, runMs: performance.now() - t0, note } }),
      (error) => this.#finish(job, { error }),
    );
  }

  #finish(job: Job<O, R>, outcome: Outcome<R>): void {
    if (this.#current !== job) return;
    clearTimeout(this.#timer);
    this.#current = null;
    this.#settle(job, outcome);
    this.#pump();
  }

  #arm(ms: number, job: Job<O, R>): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#timeout(job), ms);
  }

  /** A run that only says what went wrong, from the worker side. */
  #errorRun(job: Job<O, R>, run: R, extra: Partial<HostInfo> = {}): R & HostInfo {
    const elapsedMs = performance.now() - job.started;
    return { ...run, host: 'worker', elapsedMs, runMs: elapsedMs, ...extra };
  }

  #timeout(job: Job<O, R>): void {
    if (this.#current !== job) return;
    this.#kill();
    const run = this.#errorRun(job, this.#spec.emptyRun(timeoutMessage(this.#hardTimeoutMs)), { runMs: this.#hardTimeoutMs, killed: true });
    this.#finish(job, { run });
  }

  #kill(): void {
    this.#worker?.terminate();
    this.#worker = null;
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const worker = this.#createWorker();
    worker.addEventListener('message', (event: MessageEvent<SandboxResponse<R>>) => {
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
      if (job && !this.#currentStarted) this.#fallBack(job);
      else if (job) this.#finish(job, { run: this.#errorRun(job, this.#spec.emptyRun(`The lab's runner crashed (${event.message || 'unknown error'}).`)) });
    });
    this.#worker = worker;
    return worker;
  }

  #onMessage(message: SandboxResponse<R>): void {
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
        const failed = (this.#spec.failedRun ?? this.#spec.emptyRun)(`The lab could not run this program (${message.message}).`);
        this.#finish(job, { run: this.#errorRun(job, failed) });
        break;
      }
    }
  }
}
