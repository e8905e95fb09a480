/**
 * Types of the event-loop lab's runner (eventloopRunner.ts, eventloop.worker.ts). The sandbox
 * protocol and the host information are the generic ones of sandboxHost.ts; the exercise
 * runners of the sync/async lab have their own streaming interface (runner.ts).
 */
import type { EventLoopRun, RunOptions } from '#sim/eventloop/types';
import type { HostInfo, SandboxRequest, SandboxResponse } from './sandboxHost';

/** Where a run was executed. */
export type RunHost = HostInfo['host'];

/** The event-loop engine's options, minus the function (not cloneable) plus a wall-time budget. */
export interface EventLoopJobOptions extends Omit<RunOptions, 'shouldStop'> {
  /** Real-time budget in ms, checked by the engine every 1,024 steps and loop iterations. */
  wallMs?: number;
}

/** An engine run plus where and how long it ran. Still an `EventLoopRun` for every view. */
export type HostedRun = EventLoopRun & HostInfo;

/* ---------------- Worker protocol (eventloop.worker.ts <-> eventloopRunner.ts) ---------------- */

export type WorkerRunRequest = SandboxRequest<EventLoopJobOptions>;
export type WorkerResponse = SandboxResponse<EventLoopRun>;
