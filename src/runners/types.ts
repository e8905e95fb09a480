/**
 * Types of the event-loop lab's runner (eventloopRunner.ts). The Worker protocol and the host
 * information are the generic ones of engineHost.ts; the exercise runners of the sync/async lab
 * have their own streaming interface (runner.ts).
 */
import type { EventLoopRun } from '#sim/eventloop/types';
import type { HostInfo } from './engineHost';
import type { EventLoopEngineOptions } from './eventloopEngine';

/** Where a run was executed. */
export type RunHost = HostInfo['host'];

/** The event-loop engine's options, minus the function (not cloneable) plus a wall-time budget. */
export interface EventLoopJobOptions extends EventLoopEngineOptions {
  /** Real-time budget in ms, checked by the engine every 1,024 steps and loop iterations. */
  wallMs?: number;
}

/** An engine run plus where and how long it ran. Still an `EventLoopRun` for every view. */
export type HostedRun = EventLoopRun & HostInfo;
