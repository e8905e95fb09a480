/** The scheduler model's public API. See types.ts for the contract and simulate.ts for the semantics. */
export type * from './types';
export {
  simulate,
  DEFAULT_CONFIG,
  LIMITS,
  TASK_LIMITS,
  clampConfig,
  validateConfig,
  formatNumber,
  type SimulateOptions,
  type ClampResult,
  type FieldLimit,
  type NumericField,
} from './simulate';
export { POLICIES, MIXES } from './config';
export {
  generateTasks,
  taskLabel,
  WORK_MS,
  CPU_CHUNKS,
  IO_BURSTS,
  IO_BURST_MS,
  IO_WAIT_MS,
  MIXED_CPU_TASK_MS,
  SERIAL_ID,
} from './generate';
export { schedulerFold, type SchedulerFold, type SchedulerState, type CpuSegment, type IoSegment } from './fold';
export { narrate, coreLabel, formatMs } from './narrate';
export { PRESETS, HOG_TASKS, getPreset, type SchedulerPreset } from './presets';
export { ConfigError } from '../core/validate';
