/**
 * Main-thread client of the queueing lab's sweep Worker (queueing.worker.ts, engine in
 * queueingSweepEngine.ts), on EngineHost: one Worker, a new sweep replaces the one in flight,
 * progress per cell, Stop terminates the Worker.
 */
import { EngineHost, type HostInfo } from './engineHost';
import type { SweepJob, SweepProgress, SweepRun } from './queueingSweepEngine';

export type { SweepJob, SweepProgress, SweepRun };

/** Real-time budget of a sweep. */
export const SWEEP_WALL_MS = 30_000;

let host: EngineHost<SweepJob, SweepRun> | null = null;

export async function runSweep(job: SweepJob, signal: AbortSignal, onProgress: (p: SweepProgress) => void): Promise<SweepRun & HostInfo> {
  host ??= new EngineHost<SweepJob, SweepRun>(
    {
      noun: 'sweep',
      bundledWorker: () => new Worker(new URL('./queueing.worker.ts', import.meta.url), { type: 'module', name: 'queueing-sweep' }),
      loadEngine: async () => (await import('./queueingSweepEngine')).runSweepJob,
      emptyRun: (message) => ({ loads: [], triggers: [], cells: [], complete: false, error: message }),
      stuck: 'the sweep did not finish',
    },
    { mode: 'latest' },
  );
  // A plain copy: the lab's settings are reactive proxies, which a Worker message cannot clone.
  return host.run(JSON.parse(JSON.stringify(job)) as SweepJob, { signal, wallMs: SWEEP_WALL_MS, onProgress: onProgress as (p: unknown) => void });
}
