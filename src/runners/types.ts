/**
 * Shared types of the runners (src/runners). A runner executes learner code somewhere the page
 * is safe from it (a dedicated Worker today, a WebContainer later) and hands back what happened.
 *
 * The general `Runner` interface of ARCHITECTURE.md (streaming `RunEvent`s) belongs to the
 * sync/async-under-load lab and is not written yet; this file holds what the event-loop lab
 * needs, so the two can meet here later.
 */
import type { EventLoopRun, RunOptions } from '../../simulations/eventloop/types';

/** Where a run was executed. */
export type RunHost = 'worker' | 'main-thread';

/** The event-loop engine's options, minus the function (not cloneable) plus a wall-time budget. */
export interface EventLoopJobOptions extends Omit<RunOptions, 'shouldStop'> {
  /** Real-time budget in ms, checked by the engine every 1,024 steps and loop iterations. */
  wallMs?: number;
}

/** An engine run plus where and how long it ran. Still an `EventLoopRun` for every view. */
export interface HostedRun extends EventLoopRun {
  host: RunHost;
  /** Real time from the request to the result (ms), including waiting for and loading the runner. */
  elapsedMs: number;
  /** Real time the engine ran (ms). */
  runMs: number;
  /** Set when the runner had to kill the program from outside (it ignored the wall budget). */
  killed?: boolean;
  /** A sentence for the learner about how it ran, when that is unusual ("ran on the main thread..."). */
  note?: string;
}

/* ---------------- Worker protocol (eventloop.worker.ts <-> eventloopRunner.ts) ---------------- */

export interface WorkerRunRequest {
  type: 'run';
  id: number;
  source: string;
  options: EventLoopJobOptions;
}

export type WorkerResponse =
  /** The worker took the job (its module is loaded): the hard timeout starts now. */
  | { type: 'start'; id: number }
  | { type: 'done'; id: number; run: EventLoopRun; ms: number }
  /** The engine itself threw (a bug of the lab, not of the program). */
  | { type: 'failed'; id: number; message: string };
