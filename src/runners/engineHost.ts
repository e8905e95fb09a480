/**
 * The main-thread side of every lab engine that runs off the main thread (the event-loop, actor
 * and dataflow labs): one Worker per host, reused between runs, fed one job at a time, with
 * budgets, abort, and a main-thread fallback. The Worker side is serveEngine.ts.
 *
 *   const host = new EngineHost<MyJob, MyRun>({ noun: 'program', bundledWorker, loadEngine, emptyRun });
 *   const run = await host.run(job, { signal });   // the engine's run + HostInfo
 *
 * - A job is any structured-cloneable object; the engine is a function `(job, budget) => run`
 *   (EngineFn), the same function in the Worker (serveEngine) and on the main thread.
 * - mode 'queue' (default): jobs run one at a time, in order, so a runaway program only ever
 *   delays (and kills) itself. mode 'latest': a new job replaces the one in flight (which is
 *   stopped, and rejects with an AbortError), for a lab that only shows its latest settings.
 * - Budgets, one set for every engine: the wall budget (WALL_MS, passed to the engine, which
 *   stops itself and keeps its trace); a hard timeout here (HARD_TIMEOUT_MS, from the moment the
 *   Worker takes the job, its `start`): past it the Worker is terminated and replaced, and the run
 *   comes back empty with "Stopped after 5 s of real time..."; and a longer allowance for the
 *   Worker to load (LOAD_TIMEOUT_MS): a slow network is not an infinite loop.
 * - `signal` aborts: a queued job is dropped; a running one is stopped by terminating the Worker
 *   (the engines are synchronous: there is no other way). The promise rejects with an AbortError.
 * - No Worker (very old or locked-down browsers), or a Worker script that fails to load before it
 *   takes its job: the engine is imported here (`loadEngine`, a dynamic import, so it is never in
 *   the page's initial JavaScript) and runs on the main thread with a smaller wall budget
 *   (MAIN_THREAD_WALL_MS); the run carries a note that says so. A Worker that fails after `start`
 *   is an engine crash: that run reports it, and the next job gets a fresh Worker.
 * - Only the job in flight is answered; a stale or forged message is ignored.
 *
 * Worker protocol (EngineRequest in, EngineResponse out): `start`, then `done` with the run or
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

/** What an engine gets besides its job: its real-time budget. */
export interface EngineBudget {
  /** Real-time budget of this run (ms). */
  wallMs: number;
  /** True once `wallMs` have passed since the engine started; engines poll it. */
  shouldStop: () => boolean;
  /** Reports progress of a long run (an explorer): the host passes it to `RunOptions.onProgress`
   * and, in a Worker, restarts its hard timeout (a run that reports is alive). Optional. */
  progress?: (p: unknown) => void;
}

/** An engine as the host runs it: synchronous, pure apart from the budget's clock. */
export type EngineFn<Job, Run> = (job: Job, budget: EngineBudget) => Run;

export interface EngineRequest<Job> {
  type: 'run';
  id: number;
  job: Job;
  wallMs: number;
}

export type EngineResponse<Run> =
  /** The Worker took the job (its module is loaded): the hard timeout starts now. */
  | { type: 'start'; id: number }
  /** The engine reported progress (EngineBudget.progress). */
  | { type: 'progress'; id: number; progress: unknown }
  | { type: 'done'; id: number; run: Run; ms: number }
  /** The engine itself threw (a bug of the lab, not of the program). */
  | { type: 'failed'; id: number; message: string };

/** What a lab tells the host about its engine. */
export interface EngineSpec<Job, Run> {
  /** The bundled Worker (a literal `new Worker(new URL(...))` so the bundler finds it). */
  bundledWorker: () => Worker;
  /** The engine for the main-thread fallback: a dynamic import(), so it stays out of the page. */
  loadEngine: () => Promise<EngineFn<Job, Run>>;
  /** A run that carries only an error message: a timeout or a crash of the runner. */
  emptyRun: (message: string) => Run;
  /** The same, for an engine that threw (`failed`); defaults to emptyRun. */
  failedRun?: (message: string) => Run;
  /** What the learner's code is called in notes: "program", "system", "code". */
  noun: string;
  /** What a run stopped by the hard timeout did not do; default `the ${noun} did not finish`. */
  stuck?: string;
}

export interface EngineHostOptions {
  /** Makes the Worker (tests pass a fake). Default: the spec's bundled Worker. */
  createWorker?: () => Worker;
  /** 'queue' runs jobs in order; 'latest' lets a new job replace the one in flight. */
  mode?: 'queue' | 'latest';
  hardTimeoutMs?: number;
  loadTimeoutMs?: number;
  wallMs?: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** This job's wall budget (ms), instead of the host's; the main thread caps it. */
  wallMs?: number;
  /** Called with what the engine reports through `EngineBudget.progress`. */
  onProgress?: (p: unknown) => void;
}

/** Real-time budget of a run in the Worker (the engine stops itself and keeps the trace). */
export const WALL_MS = 2_000;
/** After this long without an answer, the Worker is terminated (ms). */
export const HARD_TIMEOUT_MS = 5_000;
/** Allowance for the Worker (and the engine chunk) to load before it takes its first job (ms). */
export const LOAD_TIMEOUT_MS = 20_000;
/** Real-time budget on the main thread, where a long run freezes the page (ms). */
export const MAIN_THREAD_WALL_MS = 500;

/** Not a question: a finite program with too much work ends here too, so both causes are named. */
export const timeoutMessage = (ms: number, stuck = 'the program did not finish') =>
  `Stopped after ${ms / 1000} s of real time: ${stuck} (an infinite loop, or more work than the lab runs in that time).`;

export const loadTimeoutMessage = (ms: number) =>
  `The lab's runner did not load within ${ms / 1000} s. Check the connection and run it again.`;

export const failedMessage = (noun: string, message: string) => `The lab could not run this ${noun} (${message}).`;

const mainThreadNote = (noun: string) =>
  `Web Workers are not available here, so the ${noun} ran on this page's main thread, with a shorter time budget (${MAIN_THREAD_WALL_MS / 1000} s).`;
const workerFailedNote = (noun: string) =>
  `The lab's Web Worker could not start, so the ${noun} ran on this page's main thread, with a shorter time budget (${MAIN_THREAD_WALL_MS / 1000} s).`;

export function abortError(message = 'The run was cancelled.'): DOMException {
  return new DOMException(message, 'AbortError');
}

/** The message of the AbortError a job gets when a newer one replaces it ('latest' mode). */
export const REPLACED_MESSAGE = 'A newer run replaced this one.';

/** Runs an engine with a wall budget that starts now. */
export function runWithBudget<Job, Run>(
  engine: EngineFn<Job, Run>,
  job: Job,
  wallMs: number,
  now: () => number = () => performance.now(),
  progress?: (p: unknown) => void,
): Run {
  const t0 = now();
  return engine(job, { wallMs, shouldStop: () => now() - t0 > wallMs, progress });
}

interface Pending<Job, Run> {
  id: number;
  job: Job;
  wallMs: number;
  signal?: AbortSignal;
  started: number;
  resolve: (run: Run & HostInfo) => void;
  reject: (error: unknown) => void;
  onAbort?: () => void;
  onProgress?: (p: unknown) => void;
}

type Outcome<Run> = { run: Run & HostInfo } | { error: unknown };

export class EngineHost<Job, Run> {
  #spec: EngineSpec<Job, Run>;
  #mode: 'queue' | 'latest';
  #worker: Worker | null = null;
  /** Workers cannot be created here (or their script failed to load): use the main thread. */
  #broken: boolean;
  #brokenNote: string;
  #createWorker: () => Worker;
  #hardTimeoutMs: number;
  #loadTimeoutMs: number;
  #wallMs: number;
  #queue: Pending<Job, Run>[] = [];
  #current: Pending<Job, Run> | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #nextId = 1;
  /** Whether the Worker has taken the current job (sent `start`). */
  #currentStarted = false;

  constructor(spec: EngineSpec<Job, Run>, options: EngineHostOptions = {}) {
    this.#spec = spec;
    this.#mode = options.mode ?? 'queue';
    this.#createWorker = options.createWorker ?? spec.bundledWorker;
    this.#broken = !options.createWorker && typeof Worker === 'undefined';
    this.#brokenNote = mainThreadNote(spec.noun);
    this.#hardTimeoutMs = options.hardTimeoutMs ?? HARD_TIMEOUT_MS;
    this.#loadTimeoutMs = options.loadTimeoutMs ?? LOAD_TIMEOUT_MS;
    this.#wallMs = options.wallMs ?? WALL_MS;
  }

  run(job: Job, options: RunOptions = {}): Promise<Run & HostInfo> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortError());
    if (this.#mode === 'latest') this.#replaceAll();
    return new Promise<Run & HostInfo>((resolve, reject) => {
      const pending: Pending<Job, Run> = {
        id: this.#nextId++,
        job,
        wallMs: options.wallMs ?? this.#wallMs,
        signal,
        started: performance.now(),
        onProgress: options.onProgress,
        resolve,
        reject,
      };
      if (signal) {
        pending.onAbort = () => this.#abort(pending, abortError());
        signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      this.#queue.push(pending);
      this.#pump();
    });
  }

  /** 'latest' mode: every job waiting or in flight gives way to the new one. */
  #replaceAll(): void {
    for (const pending of [...this.#queue]) this.#abort(pending, abortError(REPLACED_MESSAGE), false);
    if (this.#current) this.#abort(this.#current, abortError(REPLACED_MESSAGE), false);
  }

  #settle(pending: Pending<Job, Run>, outcome: Outcome<Run>): void {
    if (pending.onAbort) pending.signal?.removeEventListener('abort', pending.onAbort);
    if ('run' in outcome) pending.resolve(outcome.run);
    else pending.reject(outcome.error);
  }

  #abort(pending: Pending<Job, Run>, error: DOMException, pump = true): void {
    const k = this.#queue.indexOf(pending);
    if (k >= 0) {
      this.#queue.splice(k, 1);
      this.#settle(pending, { error });
      return;
    }
    if (this.#current === pending) {
      this.#kill();
      this.#finish(pending, { error }, pump);
    }
  }

  #pump(): void {
    if (this.#current || this.#queue.length === 0) return;
    const pending = this.#queue.shift()!;
    this.#current = pending;
    this.#currentStarted = false;
    if (this.#broken) {
      this.#runHere(pending, this.#brokenNote);
      return;
    }
    let worker: Worker;
    try {
      worker = this.#ensureWorker();
    } catch {
      this.#fallBack(pending);
      return;
    }
    this.#arm(this.#loadTimeoutMs, pending, () => this.#loadTimeout(pending));
    const request: EngineRequest<Job> = { type: 'run', id: pending.id, job: pending.job, wallMs: pending.wallMs };
    try {
      worker.postMessage(request);
    } catch (error) {
      // The job cannot be cloned: a bug of the lab; the Worker is still fine.
      this.#finish(pending, { run: this.#errorRun(pending, this.#failedRun(error)) });
    }
  }

  /** The Worker cannot be used: this job and every later one run on the main thread. */
  #fallBack(pending: Pending<Job, Run>): void {
    this.#broken = true;
    this.#brokenNote = workerFailedNote(this.#spec.noun);
    clearTimeout(this.#timer);
    this.#runHere(pending, this.#brokenNote);
  }

  #runHere(pending: Pending<Job, Run>, note: string): void {
    const budget = Math.min(pending.wallMs, MAIN_THREAD_WALL_MS);
    this.#spec.loadEngine().then(
      (engine) => {
        // Replaced or aborted while the engine loaded: do not freeze the page for nothing.
        if (this.#current !== pending) return;
        const t0 = performance.now();
        let outcome: Outcome<Run>;
        try {
          const run = runWithBudget(engine, pending.job, budget, undefined, pending.onProgress);
          outcome = { run: { ...run, host: 'main-thread', elapsedMs: performance.now() - pending.started, runMs: performance.now() - t0, note } };
        } catch (error) {
          outcome = { run: { ...this.#failedRun(error), host: 'main-thread', elapsedMs: performance.now() - pending.started, runMs: performance.now() - t0, note } };
        }
        this.#finish(pending, outcome);
      },
      (error) => this.#finish(pending, { error }),
    );
  }

  #failedRun(error: unknown): Run {
    const message = error instanceof Error ? error.message : String(error);
    return (this.#spec.failedRun ?? this.#spec.emptyRun)(failedMessage(this.#spec.noun, message));
  }

  #finish(pending: Pending<Job, Run>, outcome: Outcome<Run>, pump = true): void {
    if (this.#current !== pending) return;
    clearTimeout(this.#timer);
    this.#current = null;
    this.#settle(pending, outcome);
    if (pump) this.#pump();
  }

  #arm(ms: number, pending: Pending<Job, Run>, onTimeout: () => void): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (this.#current === pending) onTimeout();
    }, ms);
  }

  /** A run that only says what went wrong, from the Worker side. */
  #errorRun(pending: Pending<Job, Run>, run: Run, extra: Partial<HostInfo> = {}): Run & HostInfo {
    const elapsedMs = performance.now() - pending.started;
    return { ...run, host: 'worker', elapsedMs, runMs: elapsedMs, ...extra };
  }

  /** The Worker took the job but never answered: stop it from outside. */
  #hardTimeout(pending: Pending<Job, Run>): void {
    this.#kill();
    const message = timeoutMessage(this.#hardTimeoutMs, this.#spec.stuck ?? `the ${this.#spec.noun} did not finish`);
    this.#finish(pending, { run: this.#errorRun(pending, this.#spec.emptyRun(message), { runMs: this.#hardTimeoutMs, killed: true }) });
  }

  /** The Worker never took the job (a very slow network): say so; the next job tries a fresh one. */
  #loadTimeout(pending: Pending<Job, Run>): void {
    this.#kill();
    this.#finish(pending, { run: this.#errorRun(pending, this.#spec.emptyRun(loadTimeoutMessage(this.#loadTimeoutMs)), { runMs: 0 }) });
  }

  #kill(): void {
    this.#worker?.terminate();
    this.#worker = null;
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const worker = this.#createWorker();
    worker.addEventListener('message', (event: MessageEvent<EngineResponse<Run>>) => {
      if (worker !== this.#worker) return;
      this.#onMessage(event.data);
    });
    worker.addEventListener('error', (event) => {
      if (worker !== this.#worker) return;
      event.preventDefault();
      const pending = this.#current;
      // A Worker that fails before taking its job could not load (old browser without module
      // workers, a missing chunk): run here from now on. After `start`, it is an engine crash.
      this.#kill();
      if (pending && !this.#currentStarted) this.#fallBack(pending);
      else if (pending) this.#finish(pending, { run: this.#errorRun(pending, this.#spec.emptyRun(`The lab's runner crashed (${event.message || 'unknown error'}).`)) });
    });
    this.#worker = worker;
    return worker;
  }

  #onMessage(message: EngineResponse<Run>): void {
    const pending = this.#current;
    if (!message || !pending || message.id !== pending.id) return;
    switch (message.type) {
      case 'start':
        this.#currentStarted = true;
        this.#arm(this.#hardTimeoutMs, pending, () => this.#hardTimeout(pending));
        break;
      case 'progress':
        if (this.#currentStarted) this.#arm(this.#hardTimeoutMs, pending, () => this.#hardTimeout(pending));
        pending.onProgress?.(message.progress);
        break;
      case 'done':
        this.#finish(pending, { run: { ...message.run, host: 'worker', elapsedMs: performance.now() - pending.started, runMs: message.ms } });
        break;
      case 'failed':
        this.#finish(pending, { run: this.#errorRun(pending, (this.#spec.failedRun ?? this.#spec.emptyRun)(failedMessage(this.#spec.noun, message.message))) });
        break;
    }
  }
}
