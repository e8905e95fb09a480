/**
 * The actor engine as its runner calls it: an EngineFn `(job, budget) => run`, used by its sandbox
 * Worker (`serveEngine(...)`) and by EngineHost's main-thread fallback, which imports this module
 * dynamically, so the engine is never in a page's initial JavaScript through the runner.
 * A job is plain, structured-cloneable data; the wall budget comes as `budget`.
 */
import { runSource, type SourceRun } from '#sim/actors/source';
import { timeoutMessage, type EngineFn } from './engineHost';

export interface ActorsJob {
  source: string;
  seed?: number;
  /** 0 keeps the code's setting. */
  threads?: number;
}

export const runActorsJob: EngineFn<ActorsJob, SourceRun> = (job, budget) =>
  runSource(job.source, {
    seed: job.seed,
    threads: job.threads,
    shouldStop: budget.shouldStop,
    stopMessage: timeoutMessage(budget.wallMs),
  });

