/**
 * The queueing lab's sweep (base load × trigger length → recovered or stuck, `sweepGrid` of
 * simulations/queueing) as an engine job (an EngineFn) for the sweep Worker (queueing.worker.ts)
 * and the main-thread fallback. The client is queueingSweep.ts. The same Worker runs the lab's
 * Backoff experiment (`backoffExperiment` of simulations/queueing/failures.ts; client
 * backoffExperiment.ts): `runQueueingJob` tells the two jobs apart.
 */
import { sweepGrid, type QueueingConfig, type Recovery } from '#sim/queueing';
import { sweepConfigAt } from '#sim/queueing/lab';
import { backoffExperiment, type ExperimentJob, type ExperimentResult } from '#sim/queueing/failures';
import type { EngineFn } from './engineHost';

export interface SweepJob {
  /** The lab's config (open-loop clients); each cell changes its rate and its fault. */
  base: QueueingConfig;
  loads: number[];
  triggers: number[];
  /** The trigger: from `at` ms, `left` servers. */
  at: number;
  left: number;
  seed: number;
}

export interface SweepRun {
  loads: number[];
  triggers: number[];
  cells: Recovery[][];
  complete: boolean;
  error?: string;
}

export interface SweepProgress {
  done: number;
  total: number;
}

export const runSweepJob: EngineFn<SweepJob, SweepRun> = (job, budget) => {
  try {
    const grid = sweepGrid(job.loads, job.triggers, (load, trigger) => sweepConfigAt(job.base, load, trigger, job.at, job.left), job.seed, (done, total) => {
      budget.progress?.({ done, total } satisfies SweepProgress);
      return !budget.shouldStop();
    });
    return grid.complete ? grid : { ...grid, error: `Stopped after ${budget.wallMs / 1000} s of real time with part of the grid done.` };
  } catch (e) {
    return { loads: job.loads, triggers: job.triggers, cells: [], complete: false, error: e instanceof Error ? e.message : String(e) };
  }
};


export type { ExperimentJob, ExperimentResult };

/** The Backoff experiment's job, as the Worker receives it. */
export interface ExperimentWorkerJob {
  experiment: ExperimentJob;
}

export type ExperimentRun = ExperimentResult & { error?: string };

export const runExperimentJob: EngineFn<ExperimentWorkerJob, ExperimentRun> = (job, budget) => {
  try {
    const r = backoffExperiment(job.experiment, (done, total) => {
      budget.progress?.({ done, total } satisfies SweepProgress);
      return !budget.shouldStop();
    });
    return r.complete ? r : { ...r, error: `Stopped after ${budget.wallMs / 1000} s of real time with ${r.done} of the points done.` };
  } catch (e) {
    return { clients: [], strategies: [], calls: [], completion: [], done: 0, complete: false, error: e instanceof Error ? e.message : String(e) };
  }
};

/** The Worker's engine: a sweep, or the Backoff experiment. */
export const runQueueingJob: EngineFn<SweepJob | ExperimentWorkerJob, SweepRun | ExperimentRun> = (job, budget) =>
  'experiment' in job ? runExperimentJob(job, budget) : runSweepJob(job, budget);
