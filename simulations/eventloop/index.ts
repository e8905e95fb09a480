/** The event-loop model's public API. See types.ts for the contract and engine.ts for the semantics. */
export type * from './types';
export { runProgram, runProgramSync } from './run';
export {
  eventLoopFold,
  consoleLines,
  type EventLoopFold,
  type EventLoopState,
  type StackFrame,
  type PendingTimer,
  type QueuedTask,
  type QueuedJob,
  type ConsoleLine,
} from './fold';
export { narrate, describeEvent, formatMs } from './narrate';
export { taskTree, taskTreeAt, orphanCount, type TaskTree, type TaskNode, type TaskKind, type TaskState } from './tasktree';
export { jobLabel } from './labels';
export { EXAMPLES, getExample, type EventLoopExample } from './examples';
export { SUPPORTED_FEATURES, type Feature } from './features';
export {
  CLOCK_READ_MS,
  VIRTUAL_EPOCH_MS,
  DEFAULT_MAX_STEPS,
  DEFAULT_MAX_LOOP_ITERATIONS,
  DEFAULT_MAX_VIRTUAL_MS,
  budgetMessage,
} from './engine';
export { inspect, formatLogArgs } from './inspect';
