/**
 * Main-thread client of the actor sandbox (actors.worker.ts), on the generic SandboxHost
 * (sandboxHost.ts: queue, budgets, abort, main-thread fallback).
 *
 *   const run = await runActors(source, { seed: 1 }, signal);   // a SourceRun + host info
 *
 * The same contract as the event-loop runner (eventloopRunner.ts), for the actor engine:
 * - One Worker per page, shared by every actor lab on it and reused between runs; jobs run one at
 *   a time, in order.
 * - Budgets: the worker's wall-time budget (WALL_MS, polled by loop guards in the learner's code
 *   and by the engine), and a hard timeout here (HARD_TIMEOUT_MS from the moment the worker takes
 *   the job): past it the worker is terminated and replaced, and the run comes back empty with a
 *   message. Loading the worker has a longer allowance (LOAD_TIMEOUT_MS).
 * - `signal` aborts: a queued job is dropped, a running one is stopped by terminating the worker;
 *   the promise rejects with an AbortError.
 * - No Worker, or a worker script that fails to load: the engine is imported here and runs on the
 *   main thread with a smaller wall budget, and the run carries a `note` saying so.
 * The engine is never in the page's initial JavaScript.
 */
import type { SourceRun } from '#sim/actors/source';
import { SandboxHost, type HostInfo, type SandboxHostOptions, type SandboxRequest, type SandboxResponse } from './sandboxHost';

export { WALL_MS, HARD_TIMEOUT_MS, LOAD_TIMEOUT_MS, MAIN_THREAD_WALL_MS } from './sandboxHost';

export interface ActorsJobOptions {
  seed?: number;
  /** 0 keeps the code's setting. */
  threads?: number;
  wallMs?: number;
}

export type HostedActorRun = SourceRun & HostInfo;

export type ActorsWorkerRequest = SandboxRequest<ActorsJobOptions>;
export type ActorsWorkerResponse = SandboxResponse<SourceRun>;

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

export type ActorsRunnerOptions = SandboxHostOptions;

export class ActorsRunner extends SandboxHost<ActorsJobOptions, SourceRun> {
  constructor(options: ActorsRunnerOptions = {}) {
    super(
      {
        noun: 'system',
        bundledWorker: () => new Worker(new URL('./actors.worker.ts', import.meta.url), { type: 'module', name: 'actor-sandbox' }),
        emptyRun,
        runHere: async (source, options, budgetMs) => {
          const { runSource } = await import('#sim/actors/source');
          const t0 = performance.now();
          try {
            return runSource(source, {
              seed: options.seed,
              threads: options.threads,
              shouldStop: () => performance.now() - t0 > budgetMs,
              stopMessage: `Stopped after ${budgetMs / 1000} s of real time: the program did not finish. Is there an infinite loop?`,
            });
          } catch (error) {
            return emptyRun(`The lab could not run this program (${error instanceof Error ? error.message : String(error)}).`);
          }
        },
      },
      options,
    );
  }
}

let host: ActorsRunner | null = null;

/** Runs actor-system source in the page's sandbox Worker. Rejects only with an AbortError. */
export function runActors(source: string, options: ActorsJobOptions = {}, signal?: AbortSignal): Promise<HostedActorRun> {
  host ??= new ActorsRunner();
  return host.run(source, options, signal);
}
