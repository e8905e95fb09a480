/**
 * Main-thread client of the interleavings sandbox (interleavings.worker.ts), on EngineHost. Two
 * hosts, two Workers: one replays the schedule the learner is building (each click replaces the
 * replay in flight), the other explores every schedule (long: it reports progress, and Stop
 * terminates its Worker), so clicking cards never waits behind an exploration.
 */
import { EngineHost, type HostInfo } from './engineHost';
import type { AsyncTraceRun, ExploreProgressInfo, ExploreRun, InterleavingsJob, InterleavingsRun, Mode, TraceRun } from './interleavingsEngine';

export type HostedTrace = (TraceRun | AsyncTraceRun) & HostInfo;
export type HostedExplore = ExploreRun & HostInfo;

/** Real-time budget of an exploration (its engine stops itself and reports what it counted). */
export const EXPLORE_WALL_MS = 20_000;

function makeHost(name: string): EngineHost<InterleavingsJob, InterleavingsRun> {
  return new EngineHost<InterleavingsJob, InterleavingsRun>(
    {
      noun: 'program',
      bundledWorker: () => new Worker(new URL('./interleavings.worker.ts', import.meta.url), { type: 'module', name }),
      loadEngine: async () => (await import('./interleavingsEngine')).runInterleavingsJob,
      emptyRun: (message) => ({ kind: 'trace', threads: [], initial: null, steps: [], choices: [], found: null, error: { message } }),
    },
    { mode: 'latest' },
  );
}

let traceHost: EngineHost<InterleavingsJob, InterleavingsRun> | null = null;
let exploreHost: EngineHost<InterleavingsJob, InterleavingsRun> | null = null;

export async function traceSchedule(job: { mode: Mode; level: string; source: string; choices: number[] }, signal?: AbortSignal): Promise<HostedTrace> {
  traceHost ??= makeHost('interleavings-trace');
  // A plain copy: the lab's settings are reactive proxies, which a Worker message cannot clone.
  const run = await traceHost.run({ kind: 'trace', mode: job.mode, level: job.level, source: job.source, choices: Array.from(job.choices, Number) }, { signal });
  return run as HostedTrace;
}

/** Explores every schedule. A run that came back as a trace is a timeout or crash of the runner: its error says so. */
export async function exploreSchedules(
  job: { mode: Mode; level: string; source: string; maxSchedules?: number },
  signal?: AbortSignal,
  onProgress?: (p: ExploreProgressInfo) => void,
): Promise<HostedExplore> {
  exploreHost ??= makeHost('interleavings-explore');
  const run = await exploreHost.run({ kind: 'explore', mode: job.mode, level: job.level, source: job.source, maxSchedules: job.maxSchedules }, { signal, wallMs: EXPLORE_WALL_MS, onProgress: onProgress as (p: unknown) => void });
  if (run.kind === 'explore') return run;
  return { kind: 'explore', source: job.source, level: job.level, threads: [], result: null, verdict: null, timedOut: false, error: run.error, host: run.host, elapsedMs: run.elapsedMs, runMs: run.runMs };
}
