/**
 * The queueing lab's sweep (base load × trigger length → recovered or stuck, `sweepGrid` of
 * simulations/queueing) as an engine job, and its main-thread client on EngineHost: one Worker,
 * a new sweep replaces the one in flight, progress per cell, Stop terminates the Worker.
 */
import { sweepGrid, type QueueingConfig, type Recovery } from '#sim/queueing';
import { sweepConfigAt } from '#sim/queueing/lab';
import { EngineHost, type EngineFn, type HostInfo } from './engineHost';

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

/** Real-time budget of a sweep. */
export const SWEEP_WALL_MS = 30_000;

let host: EngineHost<SweepJob, SweepRun> | null = null;

export async function runSweep(job: SweepJob, signal: AbortSignal, onProgress: (p: SweepProgress) => void): Promise<SweepRun & HostInfo> {
  host ??= new EngineHost<SweepJob, SweepRun>(
    {
      noun: 'sweep',
      bundledWorker: () => new Worker(new URL('./queueing.worker.ts', import.meta.url), { type: 'module', name: 'queueing-sweep' }),
      loadEngine: async () => (await import('./queueingSweep')).runSweepJob,
      emptyRun: (message) => ({ loads: [], triggers: [], cells: [], complete: false, error: message }),
      stuck: 'the sweep did not finish',
    },
    { mode: 'latest' },
  );
  // A plain copy: the lab's settings are reactive proxies, which a Worker message cannot clone.
  return host.run(JSON.parse(JSON.stringify(job)) as SweepJob, { signal, wallMs: SWEEP_WALL_MS, onProgress: onProgress as (p: unknown) => void });
}
