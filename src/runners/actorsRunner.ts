/**
 * Main-thread client of the actor sandbox (actors.worker.ts), on the generic EngineHost
 * (engineHost.ts: one reused Worker, jobs in order, budgets, abort, main-thread fallback).
 *
 *   const run = await runActors(source, { seed: 1 }, signal);   // a SourceRun + host info
 *
 * The same contract as the event-loop runner (eventloopRunner.ts), for the actor engine: the wall
 * budget (WALL_MS) is polled by the loop guards in the learner's code and by the engine; the
 * host's hard timeout terminates a Worker that never answers; `signal` aborts (AbortError); with
 * no usable Worker the engine (actorsEngine.ts) is imported dynamically and runs on the main
 * thread with a smaller budget, and the run carries a `note` saying so.
 */
import type { SourceRun } from '#sim/actors/source';
import { EngineHost, type EngineHostOptions, type HostInfo } from './engineHost';
import type { ActorsJob } from './actorsEngine';

export { WALL_MS, HARD_TIMEOUT_MS, LOAD_TIMEOUT_MS, MAIN_THREAD_WALL_MS } from './engineHost';

export interface ActorsJobOptions {
  seed?: number;
  /** 0 keeps the code's setting. */
  threads?: number;
  wallMs?: number;
}

export type HostedActorRun = SourceRun & HostInfo;

function emptyRun(message: string): SourceRun {
  return {
    trace: [],
    metrics: {
      endT: 0,
      ledger: { sent: 0, processed: 0, crashed: 0, processing: 0, queued: 0, inFlight: 0, held: 0, dropped: 0, dead: 0 },
      actors: [],
      throughput: 0,
      asks: { sent: 0, answered: 0, timedOut: 0, late: 0 },
      escalations: 0,
      systemStopped: false,
      watches: {},
      events: 0,
    },
    truncated: false,
    seed: 0,
    settings: { threads: null, latencyMs: 0, untilMs: 0, guardian: { strategy: 'one-for-one', maxRestarts: 3, withinMs: 1000 } },
    error: { message },
    declared: [],
  };
}

export type ActorsRunnerOptions = Omit<EngineHostOptions, 'mode'>;

export class ActorsRunner {
  readonly host: EngineHost<ActorsJob, SourceRun>;

  constructor(options: ActorsRunnerOptions = {}) {
    this.host = new EngineHost<ActorsJob, SourceRun>(
      {
        noun: 'system',
        bundledWorker: () => new Worker(new URL('./actors.worker.ts', import.meta.url), { type: 'module', name: 'actor-sandbox' }),
        loadEngine: async () => (await import('./actorsEngine')).runActorsJob,
        emptyRun,
      },
      { ...options, mode: 'queue' },
    );
  }

  run(source: string, options: ActorsJobOptions = {}, signal?: AbortSignal): Promise<HostedActorRun> {
    const { wallMs, seed, threads } = options;
    return this.host.run({ source, seed, threads }, { signal, wallMs });
  }
}

let shared: ActorsRunner | null = null;

/** Runs actor-system source in the page's sandbox Worker. Rejects only with an AbortError. */
export function runActors(source: string, options: ActorsJobOptions = {}, signal?: AbortSignal): Promise<HostedActorRun> {
  shared ??= new ActorsRunner();
  return shared.run(source, options, signal);
}
