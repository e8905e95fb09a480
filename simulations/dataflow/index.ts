/** The dataflow model: operators in a DAG, bounded channels, backpressure. See simulate.ts for the semantics. */
export { simulate, type SimulateOptions } from './simulate';
export {
  validateConfig,
  clampConfig,
  formatNumber,
  isKeyedKind,
  LIMITS,
  GRAPH_LIMITS,
  DEFAULTS,
  KINDS,
  SERVICE_DISTS,
  ARRIVALS,
  type ClampResult,
  type FieldLimit,
  type OperatorNumber,
  type GlobalNumber,
} from './config';
export { predict, layers, topoOrder, edgeInfos, chainsOf, keyInstance, keyProbabilities, instanceShares, mix32, type Prediction, type OperatorPrediction } from './analyze';
export { findBottleneck, operatorLoad } from './bottleneck';
export { dataflowFold, recordFold, windowSamples, type DataflowFold, type DataflowView, type OperatorView, type EdgeView, type RecordCounts } from './fold';
export { narrate, formatTime, formatRate, formatCount } from './narrate';
export { PRESETS, getPreset, DEFAULT_FILTER_CODE, type DataflowPreset } from './presets';
export { ConfigError } from '../core/validate';
export * from './types';
