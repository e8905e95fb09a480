/**
 * Main-thread client of the dataflow sandbox (dataflow.worker.ts), on the generic EngineHost in
 * 'latest' mode: a new job replaces the one in flight (the lab only shows its latest settings).
 *
 *   const runner = new DataflowRunner();   // one per lab: labs on a page must not replace each other's jobs
 *   const result = await runner.run({ config, seed, code: { op: 'keep', name: 'keep', source } });
 *
 * - The same budgets as every engine (engineHost.ts): a function that never returns is stopped by
 *   terminating the Worker after HARD_TIMEOUT_MS, and the result says so.
 * - A replaced job resolves as `{ kind: 'failed', message: '' }` (the lab ignores it).
 * - No usable Worker: the engine and the compiler (dataflowEngine.ts) are imported dynamically
 *   and run on the main thread with a smaller wall budget; the result carries a note saying so.
 *   Nothing of the engine is imported here statically.
 */
import { EngineHost, HARD_TIMEOUT_MS, timeoutMessage, type EngineHostOptions } from './engineHost';
import type { DataflowJob, DataflowOutcome } from './dataflowEngine';
import type { DataflowRun } from '#sim/dataflow/types';

export type { DataflowCode, DataflowJob } from './dataflowEngine';
export { WALL_MS, HARD_TIMEOUT_MS, LOAD_TIMEOUT_MS, MAIN_THREAD_WALL_MS } from './engineHost';

export type DataflowResult =
  | { kind: 'run'; run: DataflowRun; host: 'worker' | 'main-thread'; ms: number; note?: string }
  | { kind: 'code-error'; message: string; line?: number; column?: number }
  | { kind: 'failed'; message: string };

const STUCK = 'your function did not return';
export const TIMEOUT_MESSAGE = timeoutMessage(HARD_TIMEOUT_MS, STUCK);

export type DataflowRunnerOptions = Omit<EngineHostOptions, 'mode'>;

export class DataflowRunner {
  readonly host: EngineHost<DataflowJob, DataflowOutcome>;

  constructor(options: DataflowRunnerOptions = {}) {
    this.host = new EngineHost<DataflowJob, DataflowOutcome>(
      {
        noun: 'code',
        stuck: STUCK,
        bundledWorker: () => new Worker(new URL('./dataflow.worker.ts', import.meta.url), { type: 'module', name: 'dataflow-sandbox' }),
        loadEngine: async () => (await import('./dataflowEngine')).runDataflowJob,
        emptyRun: (message) => ({ kind: 'failed', message }),
      },
      { ...options, mode: 'latest' },
    );
  }

  /** Runs a job; a job still in flight is stopped and resolves as `{ kind: 'failed', message: '' }`. */
  async run(job: DataflowJob): Promise<DataflowResult> {
    try {
      const r = await this.host.run(job);
      if (r.kind === 'run') return { kind: 'run', run: r.run, host: r.host, ms: r.runMs, ...(r.note ? { note: r.note } : {}) };
      if (r.kind === 'code-error') return { kind: 'code-error', message: r.message, line: r.line, column: r.column };
      return { kind: 'failed', message: r.message };
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') return { kind: 'failed', message: '' };
      throw error;
    }
  }
}

let shared: DataflowRunner | null = null;

/** Runs a job in the page's shared dataflow sandbox. */
export function runDataflow(job: DataflowJob): Promise<DataflowResult> {
  shared ??= new DataflowRunner();
  return shared.run(job);
}
