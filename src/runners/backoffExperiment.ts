/**
 * Main-thread client of the queueing lab's Backoff experiment, run in the lab's Worker
 * (queueing.worker.ts; engine `runExperimentJob` in queueingSweepEngine.ts) on EngineHost: a new
 * experiment replaces the one in flight, progress per point, Stop terminates the Worker.
 */
import { EngineHost, type HostInfo } from './engineHost';
import type { ExperimentJob, ExperimentRun, ExperimentWorkerJob, SweepProgress } from './queueingSweepEngine';

export type { ExperimentJob, ExperimentRun };

/** Real-time budget of the experiment. */
export const EXPERIMENT_WALL_MS = 30_000;

let host: EngineHost<ExperimentWorkerJob, ExperimentRun> | null = null;

export async function runExperiment(job: ExperimentJob, signal: AbortSignal, onProgress: (p: SweepProgress) => void): Promise<ExperimentRun & HostInfo> {
  host ??= new EngineHost<ExperimentWorkerJob, ExperimentRun>(
    {
      noun: 'experiment',
      bundledWorker: () => new Worker(new URL('./queueing.worker.ts', import.meta.url), { type: 'module', name: 'queueing-backoff' }),
      loadEngine: async () => (await import('./queueingSweepEngine')).runExperimentJob,
      emptyRun: (message) => ({ clients: [], strategies: [], calls: [], completion: [], done: 0, complete: false, error: message }),
      stuck: 'the experiment did not finish',
    },
    { mode: 'latest' },
  );
  return host.run({ experiment: JSON.parse(JSON.stringify(job)) as ExperimentJob }, { signal, wallMs: EXPERIMENT_WALL_MS, onProgress: onProgress as (p: unknown) => void });
}
