/**
 * The event-loop engine as its runner calls it: an EngineFn `(job, budget) => run`, used by its sandbox
 * Worker (`serveEngine(...)`) and by EngineHost's main-thread fallback, which imports this module
 * dynamically, so the engine is never in a page's initial JavaScript through the runner.
 * A job is plain, structured-cloneable data; the wall budget comes as `budget`.
 */
import { runProgramSync } from '#sim/eventloop/run';
import type { EventLoopRun, RunOptions } from '#sim/eventloop/types';
import type { EngineFn } from './engineHost';

/** The event-loop engine's options, minus the function (not cloneable). */
export type EventLoopEngineOptions = Omit<RunOptions, 'shouldStop'>;

export interface EventLoopJob {
  source: string;
  options: EventLoopEngineOptions;
}

export const runEventLoopJob: EngineFn<EventLoopJob, EventLoopRun> = (job, budget) =>
  runProgramSync(job.source, { ...job.options, shouldStop: budget.shouldStop });

