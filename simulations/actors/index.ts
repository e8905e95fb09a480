/** The actor model's public API. See types.ts for the contract and simulate.ts for the semantics. */
export type * from './types';
export { simulate, ASYNC_RECEIVE, type SimulateOptions } from './simulate';
export {
  validateConfig,
  clampSettings,
  checkBehaviour,
  DEFAULTS,
  DEFAULT_SETTINGS,
  LIMITS,
  OVERFLOWS,
  STRATEGIES,
  type LabSettings,
  type CheckedConfig,
} from './config';
export { runSource, instrument, locateError, MAX_SOURCE, SOURCE_URL, type SourceOptions, type SourceRun } from './source';
export { actorsFold, ledgerTotal, type ActorsFold, type ActorsState, type ActorView, type ActorInfo, type ActorStatus, type MessageInfo, type LogLine } from './fold';
export { narrate, describe, formatMs } from './narrate';
export { PRESETS, getPreset, presetWithSource, type ActorPreset } from './presets';
export { messageLabel, stateText, errorText } from './text';
export { ConfigError } from '../core/validate';
