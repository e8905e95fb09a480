/**
 * Main-thread client of the event-loop sandbox (eventloop.worker.ts), on the generic
 * SandboxHost (sandboxHost.ts: queue, budgets, abort, main-thread fallback).
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
import type { EventLoopRun } from '#sim/eventloop/types';
import { HARD_TIMEOUT_MS, SandboxHost, timeoutMessage, type SandboxHostOptions } from './sandboxHost';
import type { EventLoopJobOptions, HostedRun } from './types';

export type { HostedRun, EventLoopJobOptions } from './types';
export { WALL_MS, HARD_TIMEOUT_MS, LOAD_TIMEOUT_MS, MAIN_THREAD_WALL_MS } from './sandboxHost';

export const TIMEOUT_MESSAGE = timeoutMessage(HARD_TIMEOUT_MS);

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

/** The engine threw: nothing was cut short, the run just has no trace. */
function failedRun(message: string): EventLoopRun {
  return { ...emptyRun(message), truncated: false };
}

export type EventLoopRunnerOptions = SandboxHostOptions;

/** One sandbox Worker and its job queue. The page shares one (see `runInWorker`). */
export class EventLoopRunner extends SandboxHost<EventLoopJobOptions, EventLoopRun> {
  constructor(options: EventLoopRunnerOptions = {}) {
    super(
      {
        noun: 'program',
        bundledWorker: () => new Worker(new URL('./eventloop.worker.ts', import.meta.url), { type: 'module', name: 'event-loop-sandbox' }),
        emptyRun,
        failedRun,
        runHere: async (source, options, budgetMs) => {
          const { runProgramSync } = await import('#sim/eventloop/run');
          const { wallMs: _wallMs, ...engineOptions } = options;
          const t0 = performance.now();
          try {
            return runProgramSync(source, { ...engineOptions, shouldStop: () => performance.now() - t0 > budgetMs });
          } catch (error) {
            return failedRun(`The lab could not run this program (${error instanceof Error ? error.message : String(error)}).`);
          }
        },
      },
      options,
    );
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
