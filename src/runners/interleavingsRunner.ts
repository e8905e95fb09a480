/**
 * Main-thread client of the interleavings sandbox (interleavings.worker.ts), on EngineHost. One
 * host replays the schedule the learner is building (each click replaces the replay in flight);
 * another explores every schedule (long: it reports progress, and Stop terminates its Worker), so
 * clicking cards never waits behind an exploration.
 *
 * An async program estimated to have PARALLEL_MIN schedules or more is searched in parts
 * (parts.ts) over a few more Workers at once (exploreWorkers): the explore host splits the tree,
 * the part hosts search the parts, the parts merge here in depth-first order into what one search
 * gives, and the explore host judges the merged result. Every async run replays the program from the start,
 * so a deep program costs ~10 µs a schedule: 1,000,000 schedules take ~10 s in one Worker.
 */
import { EngineHost, type HostInfo } from './engineHost';
import { runParts } from '#sim/interleavings/parts';
import type { RuntimeCounts } from '#sim/interleavings/async';
import { MAX_SCHEDULES } from './interleavingsLimits';
import type { AsyncTraceRun, ExploreProgressInfo, ExploreRun, InterleavingsJob, InterleavingsRun, Mode, TraceRun } from './interleavingsEngine';

export type HostedTrace = (TraceRun | AsyncTraceRun) & HostInfo;
export type HostedExplore = ExploreRun & HostInfo;

/** Real-time budget of an exploration (its engine stops itself and reports what it counted). */
export const EXPLORE_WALL_MS = 20_000;

/** An async program estimated to have this many schedules or more (Knuth's estimator, 64 random
 * walks: a few ms) is searched in parts over several Workers; a smaller one in one search, as
 * loading more Workers would cost more than they save. */
export const PARALLEL_MIN = 200_000;
/** How many parts the search is split into (many per Worker, so that uneven parts even out),
 * and at most how many for a tree much larger than the cap. */
const PARTS = 64;
const MAX_PARTS = 8_192;

/** The progress bar is redrawn at most this often: the Workers report every 200 schedules, up to
 * a thousand times a second, and drawing each would take the main thread's share of a core. */
const PROGRESS_MS = 100;

function throttled<T>(f: (p: T) => void, ms: number): (p: T) => void {
  let at = -Infinity;
  return (p: T) => {
    const now = performance.now();
    if (now - at < ms) return;
    at = now;
    f(p);
  };
}

/** The part hosts: one fewer than the cores (the page keeps one), at least 2 and at most 4. */
function exploreWorkers(): number {
  const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 2;
  return Math.min(4, Math.max(2, cores - 1));
}

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
const partHosts: EngineHost<InterleavingsJob, InterleavingsRun>[] = [];

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
  /** Tests: a smaller PARALLEL_MIN, so that a small program goes through the parts. */
  tuning: { parallelMin?: number } = {},
): Promise<HostedExplore> {
  const parallelMin = tuning.parallelMin ?? PARALLEL_MIN;
  exploreHost ??= makeHost('interleavings-explore');
  onProgress = onProgress && throttled(onProgress, PROGRESS_MS);
  const cap = Math.min(job.maxSchedules ?? MAX_SCHEDULES, MAX_SCHEDULES);
  const t0 = performance.now();
  if (job.mode === 'async' && cap >= parallelMin) {
    const est = await exploreHost.run({ kind: 'estimate', mode: 'async', level: job.level, source: job.source }, { signal, wallMs: EXPLORE_WALL_MS });
    const n = est.kind === 'estimate' ? est.schedules : null;
    if (n !== null && n >= parallelMin) {
      // Under a cap only the first `cap` schedules in depth-first order count: the parts are made
      // small enough that about PARTS of them hold the cap, so that the first parts, which hold
      // it, run at once.
      const want = Math.min(MAX_PARTS, Math.max(PARTS, Math.ceil((PARTS * Math.min(n, 1e12)) / cap)));
      try {
        // The part hosts load the engine, compile the program and check it (kept for its parts).
        await partHostsReady(job, signal);
        return await exploreInParts(job, cap, want, t0, signal, onProgress);
      } catch (error) {
        if (error instanceof DOMException && error.name === 'AbortError') throw error;
        // A part host that crashed: the learner sees it as any failed exploration.
        return failedExplore(job, { message: (error as Error).message }, { host: est.host, elapsedMs: performance.now() - t0, runMs: 0 });
      }
    }
  }
  const run = await exploreHost.run(
    { kind: 'explore', mode: job.mode, level: job.level, source: job.source, maxSchedules: cap },
    { signal, wallMs: Math.max(1, EXPLORE_WALL_MS - (performance.now() - t0)), onProgress: onProgress as (p: unknown) => void },
  );
  if (run.kind === 'explore') return run;
  const error = 'error' in run && run.error ? run.error : { message: 'The exploration did not return a result.' };
  return failedExplore(job, error, run);
}

/** An exploration that brought back no result: what the learner sees is its error. */
function failedExplore(job: { level: string; source: string }, error: { message: string }, info: HostInfo): HostedExplore {
  return { kind: 'explore', source: job.source, level: job.level, threads: [], result: null, verdict: null, timedOut: false, error, host: info.host, elapsedMs: info.elapsedMs, runMs: info.runMs };
}

/** The part hosts, each given a first small job on this program (a split into one part: the
 * engine loaded, the program compiled and checked on both runtimes, all kept for its parts). */
function partHostsReady(job: { level: string; source: string }, signal?: AbortSignal): Promise<unknown> {
  const workers = exploreWorkers();
  while (partHosts.length < workers) partHosts.push(makeHost(`interleavings-part-${partHosts.length + 1}`));
  return Promise.all(partHosts.slice(0, workers).map((h) => h.run({ kind: 'split', mode: 'async', level: job.level, source: job.source, want: 1 }, { signal, wallMs: EXPLORE_WALL_MS }).catch(() => null)));
}

/** The rest of a large async exploration: split, parts over the part hosts, merge, verdict. */
async function exploreInParts(
  job: { mode: Mode; level: string; source: string },
  cap: number,
  want: number,
  t0: number,
  signal?: AbortSignal,
  onProgress?: (p: ExploreProgressInfo) => void,
): Promise<HostedExplore> {
  const host = exploreHost!;
  const split = await host.run({ kind: 'split', mode: 'async', level: job.level, source: job.source, want }, { signal, wallMs: EXPLORE_WALL_MS });
  if (split.kind !== 'split' || !split.split) throw new Error(`The exploration could not be split: ${'error' in split && split.error ? split.error.message : 'no result'}.`);
  const workers = exploreWorkers();
  const free = partHosts.slice(0, workers);
  let timedOut = false;
  const { result, parts } = await runParts(
    split.split,
    async (part, partCap, cancel) => {
      const h = free.pop()!;
      try {
        const wallMs = Math.max(1, EXPLORE_WALL_MS - (performance.now() - t0));
        const both = signal ? AbortSignal.any([signal, cancel]) : cancel;
        const r = await h.run({ kind: 'part', mode: 'async', level: job.level, source: job.source, prefix: part.prefix, maxSchedules: partCap }, { signal: both, wallMs });
        if (r.kind !== 'part' || !r.part) throw new Error(`A part of the exploration failed: ${'error' in r && r.error ? r.error.message : 'no result'}.`);
        if (r.timedOut) timedOut = true;
        return r.part;
      } finally {
        free.push(h);
      }
    },
    { cap, concurrency: workers, signal, onProgress },
  );
  const runs: RuntimeCounts = { fast: 0, engine: 0, check: parts[0]?.runs.check };
  for (const p of parts) {
    runs.fast += p.runs.fast;
    runs.engine += p.runs.engine;
  }
  const ms = performance.now() - t0;
  const done = await host.run({ kind: 'finish', mode: 'async', level: job.level, source: job.source, result, runs, ms, timedOut }, { signal, wallMs: EXPLORE_WALL_MS });
  if (done.kind !== 'explore') throw new Error('The exploration could not be judged.');
  return { ...done, workers };
}
