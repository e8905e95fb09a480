/**
 * Main-thread client of the dataflow sandbox (dataflow.worker.ts): runs the engine with the
 * learner's operator function in a Worker, one job at a time; a new job replaces the one in
 * flight (the lab only shows the latest settings).
 *
 *   const result = await runDataflow({ config, seed, code: { op: 'keep', name: 'keep', source } });
 *
 * - Hard timeout: HARD_TIMEOUT_MS after the worker takes the job, the worker is terminated (a
 *   function that never returns cannot be stopped any other way) and the result says so.
 * - No Worker (old or locked-down browsers), or a worker that fails to load: the engine and the
 *   compiler are imported here and run on the main thread with a smaller wall budget, and the
 *   result carries a note that says so.
 */
import type { DataflowConfig, DataflowRun } from '#sim/dataflow/types';
import { simulate } from '#sim/dataflow/simulate';

export const WALL_MS = 2_000;
export const HARD_TIMEOUT_MS = 4_000;
export const LOAD_TIMEOUT_MS = 20_000;
export const MAIN_THREAD_WALL_MS = 500;

export interface DataflowCode {
  /** Operator id the function is for. */
  op: string;
  /** Name of the function the code defines. */
  name: string;
  source: string;
}

export interface DataflowJob {
  config: DataflowConfig;
  seed: number;
  code?: DataflowCode;
}

export type DataflowWorkerRequest = DataflowJob & { type: 'run'; id: number; wallMs?: number };

export type DataflowWorkerResponse =
  | { type: 'start'; id: number }
  | { type: 'done'; id: number; run: DataflowRun; ms: number }
  | { type: 'code-error'; id: number; message: string; line?: number; column?: number }
  | { type: 'failed'; id: number; message: string };

export type DataflowResult =
  | { kind: 'run'; run: DataflowRun; host: 'worker' | 'main-thread'; ms: number; note?: string }
  | { kind: 'code-error'; message: string; line?: number; column?: number }
  | { kind: 'failed'; message: string };

export const TIMEOUT_MESSAGE = `Stopped after ${HARD_TIMEOUT_MS / 1000} s of real time: your function did not return. Is there an infinite loop?`;

async function runHere(job: DataflowJob, note: string): Promise<DataflowResult> {
  // The compiler (acorn) loads only on this fallback path; the engine is in the lab's bundle anyway.
  const { compileOperator } = await import('./dataflowCode');
  const hooks: Record<string, (r: { key: number; value: number }) => unknown> = {};
  if (job.code) {
    const c = compileOperator(job.code.source, job.code.name);
    if (!c.ok) return { kind: 'code-error', message: c.message, line: c.line, column: c.column };
    hooks[job.code.op] = c.fn;
  }
  const t0 = performance.now();
  try {
    const run = simulate(job.config, job.seed, { hooks, shouldStop: () => performance.now() - t0 > MAIN_THREAD_WALL_MS });
    return { kind: 'run', run, host: 'main-thread', ms: performance.now() - t0, note };
  } catch (error) {
    return { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
}

const NO_WORKER_NOTE = `Web Workers are not available here, so your code ran on this page's main thread, with a shorter time budget (${MAIN_THREAD_WALL_MS / 1000} s).`;

export class DataflowRunner {
  #worker: Worker | null = null;
  #broken = typeof Worker === 'undefined';
  #nextId = 1;
  #current: { id: number; resolve: (r: DataflowResult) => void; timer?: ReturnType<typeof setTimeout> } | null = null;
  #createWorker: () => Worker;

  constructor(createWorker?: () => Worker) {
    this.#createWorker = createWorker ?? (() => new Worker(new URL('./dataflow.worker.ts', import.meta.url), { type: 'module', name: 'dataflow-sandbox' }));
    if (createWorker) this.#broken = false;
  }

  /** Runs a job; a job still in flight is abandoned (resolved as superseded: `failed` with no message). */
  run(job: DataflowJob): Promise<DataflowResult> {
    this.#supersede();
    if (this.#broken) return runHere(job, NO_WORKER_NOTE);
    return new Promise<DataflowResult>((resolve) => {
      const id = this.#nextId++;
      const entry: { id: number; resolve: (r: DataflowResult) => void; timer?: ReturnType<typeof setTimeout> } = { id, resolve };
      this.#current = entry;
      let worker: Worker;
      try {
        worker = this.#ensure();
      } catch {
        this.#broken = true;
        this.#current = null;
        resolve(runHere(job, NO_WORKER_NOTE) as unknown as DataflowResult);
        return;
      }
      entry.timer = setTimeout(() => this.#timeout(id), LOAD_TIMEOUT_MS);
      const request: DataflowWorkerRequest = { type: 'run', id, wallMs: WALL_MS, ...job };
      worker.postMessage(request);
    });
  }

  #supersede(): void {
    const cur = this.#current;
    if (!cur) return;
    clearTimeout(cur.timer);
    this.#current = null;
    // The worker is busy with a job nobody wants: stop it rather than wait.
    this.#kill();
    cur.resolve({ kind: 'failed', message: '' });
  }

  #timeout(id: number): void {
    const cur = this.#current;
    if (!cur || cur.id !== id) return;
    this.#current = null;
    this.#kill();
    cur.resolve({ kind: 'failed', message: TIMEOUT_MESSAGE });
  }

  #kill(): void {
    this.#worker?.terminate();
    this.#worker = null;
  }

  #ensure(): Worker {
    if (this.#worker) return this.#worker;
    const worker = this.#createWorker();
    worker.addEventListener('message', (event: MessageEvent<DataflowWorkerResponse>) => {
      if (worker !== this.#worker) return;
      const msg = event.data;
      const cur = this.#current;
      if (!msg || !cur || msg.id !== cur.id) return;
      if (msg.type === 'start') {
        clearTimeout(cur.timer);
        cur.timer = setTimeout(() => this.#timeout(cur.id), HARD_TIMEOUT_MS);
        return;
      }
      clearTimeout(cur.timer);
      this.#current = null;
      if (msg.type === 'done') cur.resolve({ kind: 'run', run: msg.run, host: 'worker', ms: msg.ms });
      else if (msg.type === 'code-error') cur.resolve({ kind: 'code-error', message: msg.message, line: msg.line, column: msg.column });
      else cur.resolve({ kind: 'failed', message: `The lab could not run this (${msg.message}).` });
    });
    worker.addEventListener('error', (event) => {
      if (worker !== this.#worker) return;
      event.preventDefault();
      this.#kill();
      const cur = this.#current;
      if (cur) {
        clearTimeout(cur.timer);
        this.#current = null;
        cur.resolve({ kind: 'failed', message: `The lab's sandbox could not start (${event.message || 'unknown error'}).` });
      }
    });
    this.#worker = worker;
    return worker;
  }
}

let shared: DataflowRunner | null = null;

/** Runs a job in the page's shared dataflow sandbox. */
export function runDataflow(job: DataflowJob): Promise<DataflowResult> {
  shared ??= new DataflowRunner();
  return shared.run(job);
}
