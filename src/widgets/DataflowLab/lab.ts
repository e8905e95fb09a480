/**
 * The dataflow lab's settings as the learner edits them: per tunable operator its parallelism and
 * service time, the channel buffers, the source rate and key skew where they apply, the seed, and
 * the learner's function for the "write an operator" preset. Pure helpers: a preset's settings,
 * the engine config for settings, clamping through the engine's `clampConfig`. The model
 * (model.ts) builds the link fields and runs on top of these.
 */
import { clampConfig, getPreset, PRESETS, type DataflowConfig, type DataflowPreset } from '#sim/dataflow';

/** Longest learner function a link may carry (characters). */
export const MAX_CODE = 4_000;

export interface DataflowSettings {
  /** The preset the settings start from (its graph; the settings only tune it). */
  preset: string;
  /** Parallelism by operator id (tunable operators only). */
  par: Record<string, number>;
  /** Service time (ms) by operator id (tunable operators only). */
  ms: Record<string, number>;
  buffer: number;
  unbounded: boolean;
  /** Operator chaining (Flink's default); off is `env.disableOperatorChaining()`. */
  chaining: boolean;
  /** Stream presets: the main source's rate (records/s); 0 for batch presets. */
  rate: number;
  /** Presets with keys: the source's key skew. */
  skew: number;
  seed: number;
  /** The learner's function (presets with `code`); '' for the others. */
  code: string;
}

function mainSource(p: DataflowPreset) {
  return p.config.operators.find((o) => o.kind === 'source')!;
}

/** Whether the preset's key skew is worth a control (a keyed operator downstream). */
export function hasSkewControl(p: DataflowPreset): boolean {
  return p.config.operators.some((o) => o.kind === 'keyBy' || o.kind === 'window' || o.kind === 'join');
}

/** Whether the preset's source has a rate the learner can change (streams, not datasets). */
export function hasRateControl(p: DataflowPreset): boolean {
  return (mainSource(p).rate ?? 0) > 0;
}

/** Ids of the operators some preset lets the learner tune (the link's `p_<id>` / `ms_<id>` fields). */
export const TUNABLE_IDS: readonly string[] = [...new Set(PRESETS.flatMap((p) => p.tunable))];

/** The settings a preset starts from. Throws on an unknown id (a lesson typo fails its build). */
export function presetSettings(id: string): DataflowSettings {
  const p = getPreset(id);
  const par: Record<string, number> = {};
  const ms: Record<string, number> = {};
  for (const opId of p.tunable) {
    const op = p.config.operators.find((o) => o.id === opId)!;
    par[opId] = op.parallelism ?? 1;
    ms[opId] = op.serviceMs ?? 1;
  }
  const src = mainSource(p);
  return {
    preset: p.id,
    par,
    ms,
    buffer: p.config.buffer,
    unbounded: p.config.unbounded,
    chaining: p.config.chaining ?? true,
    rate: src.rate ?? 0,
    skew: src.skew ?? 0,
    seed: p.seed,
    code: p.code?.source ?? '',
  };
}

/** The engine config for settings (the preset's graph, tuned). */
export function toConfig(s: DataflowSettings): DataflowConfig {
  const p = getPreset(s.preset);
  const config = structuredClone(p.config) as DataflowConfig;
  for (const op of config.operators) {
    if (op.id in s.par) op.parallelism = s.par[op.id];
    if (op.id in s.ms) op.serviceMs = s.ms[op.id];
  }
  const src = config.operators.find((o) => o.kind === 'source')!;
  if (src.rate !== undefined && s.rate > 0) src.rate = s.rate;
  if (hasSkewControl(p)) src.skew = s.skew;
  config.buffer = s.buffer;
  config.unbounded = s.unbounded;
  config.chaining = s.chaining;
  return config;
}

/** Pulls the settings into the engine's ranges, with one note per change. */
export function clampSettings(s: DataflowSettings): { settings: DataflowSettings; notes: string[] } {
  const p = getPreset(s.preset);
  const { config, notes } = clampConfig(toConfig(s));
  const value: DataflowSettings = { ...s, par: { ...s.par }, ms: { ...s.ms } };
  for (const op of config.operators) {
    if (op.id in value.par) value.par[op.id] = op.parallelism ?? 1;
    if (op.id in value.ms) value.ms[op.id] = op.serviceMs ?? 1;
  }
  value.buffer = config.buffer;
  const src = config.operators.find((o) => o.kind === 'source')!;
  if (src.rate !== undefined) value.rate = src.rate;
  if (hasSkewControl(p)) value.skew = src.skew ?? 0;
  if (!Number.isInteger(value.seed) || value.seed < 0 || value.seed > 2 ** 31 - 1) {
    const fixed = Math.min(2 ** 31 - 1, Math.max(0, Math.round(Number.isFinite(value.seed) ? value.seed : 1)));
    notes.push(`seed was ${s.seed}; the lab uses whole numbers from 0 to 2147483647, so it uses ${fixed}.`);
    value.seed = fixed;
  }
  return { settings: value, notes };
}

/** Name of the learner function for a code preset. */
export function codeFunctionName(p: DataflowPreset): string | null {
  if (!p.code) return null;
  return p.code.kind === 'filter' ? 'keep' : 'transform';
}

/**
 * Whether the seed changes anything for this preset (so the lab shows the seed field): random
 * arrivals or service times, random filter or flatMap decisions, keys that decide routing, or
 * record values that learner code reads.
 */
export function seedMatters(p: DataflowPreset): boolean {
  if (p.code) return true;
  return p.config.operators.some(
    (o) =>
      (o.kind === 'source' && o.arrivals === 'poisson') ||
      (o.service !== undefined && o.service !== 'fixed') ||
      (o.kind === 'filter' && (o.selectivity ?? 0.5) > 0 && (o.selectivity ?? 0.5) < 1) ||
      (o.kind === 'flatMap' && !Number.isInteger(o.fanout ?? 2)) ||
      o.kind === 'keyBy' ||
      o.kind === 'window' ||
      o.kind === 'join',
  );
}
