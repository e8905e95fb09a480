/**
 * Main-thread client of the event-loop sandbox (eventloop.worker.ts), on the generic EngineHost
 * (engineHost.ts: one reused Worker, jobs in order, budgets, abort, main-thread fallback).
 *
 *   const run = await runInWorker(source, {}, signal);   // a HostedRun: an EventLoopRun + host info
 *
 * - One Worker per page, shared by every lab instance on it; jobs run one at a time, in order.
 * - Budgets: the engine's own (steps, loops, virtual time), the wall budget (WALL_MS, polled by
 *   the engine), and the host's hard timeout (HARD_TIMEOUT_MS): past it the Worker is terminated
 *   and the run comes back with "Stopped after 5 s of real time..." and an empty trace.
 * - `signal` aborts (the promise rejects with an AbortError).
 * - No usable Worker: the engine (eventloopEngine.ts) is imported dynamically and runs on the main
 *   thread with MAIN_THREAD_WALL_MS, and the run carries a `note` saying so.
 */
import type { EventLoopRun } from '#sim/eventloop/types';
import { EngineHost, HARD_TIMEOUT_MS, timeoutMessage, type EngineHostOptions } from './engineHost';
import type { EventLoopJob } from './eventloopEngine';
import type { EventLoopJobOptions, HostedRun } from './types';

export type { HostedRun, EventLoopJobOptions } from './types';
export { WALL_MS, HARD_TIMEOUT_MS, LOAD_TIMEOUT_MS, MAIN_THREAD_WALL_MS } from './engineHost';

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

export type EventLoopRunnerOptions = Omit<EngineHostOptions, 'mode'>;

/** One sandbox Worker and its job queue. The page shares one (see `runInWorker`). */
export class EventLoopRunner {
  readonly host: EngineHost<EventLoopJob, EventLoopRun>;

  constructor(options: EventLoopRunnerOptions = {}) {
    this.host = new EngineHost<EventLoopJob, EventLoopRun>(
      {
        noun: 'program',
        bundledWorker: () => new Worker(new URL('./eventloop.worker.ts', import.meta.url), { type: 'module', name: 'event-loop-sandbox' }),
        loadEngine: async () => (await import('./eventloopEngine')).runEventLoopJob,
        emptyRun,
        failedRun,
      },
      { ...options, mode: 'queue' },
    );
  }

  run(source: string, options: EventLoopJobOptions = {}, signal?: AbortSignal): Promise<HostedRun> {
    const { wallMs, ...engineOptions } = options;
    return this.host.run({ source, options: engineOptions }, { signal, wallMs });
  }
}

let shared: EventLoopRunner | null = null;

/**
 * Runs `source` on the event-loop engine in the page's sandbox Worker. Resolves with the run
 * (budget stops and timeouts are runs with `error` set, not rejections); rejects only with an
 * AbortError when `signal` aborts.
 */
export function runInWorker(source: string, options: EventLoopJobOptions = {}, signal?: AbortSignal): Promise<HostedRun> {
  shared ??= new EventLoopRunner();
  return shared.run(source, options, signal);
}
