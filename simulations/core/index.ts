/** Shared engine core: seeded randomness, the event agenda, traces, statistics, number formatting, folds, validation. */
export { Rng, rng, seedFrom, hashString, type Seed } from './rng';
export { Agenda } from './agenda';
export { TraceRecorder, type Unsequenced } from './recorder';
export { DEFAULT_TRACE_CAP, type Run, type TraceEventBase } from './trace';
export { percentile, percentileSorted, summary, histogram, mean, type Summary, type Bin } from './stats';
export { formatMs, formatDuration, formatCount, formatRate, formatRatio, formatPercent, formatNumber, formatBytes, formatWith, durationAxisFormat } from './format';
export { createFold, foldAll, DEFAULT_FOLD_EVERY, type Fold, type FoldOps, type FoldOptions } from './fold';
export {
  ConfigError,
  parseConfig,
  numberIn,
  oneOf,
  text,
  listOf,
  settings,
  func,
  explained,
  reject,
  describeValue,
  rangeText,
  obeys,
  nearestAllowed,
  type NumberRule,
  type Explain,
  type ParseOptions,
} from './validate';
