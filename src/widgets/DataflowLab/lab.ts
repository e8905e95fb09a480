/**
 * The dataflow lab's state as the learner edits it and as links carry it: per tunable operator
 * its parallelism and service time, the channel buffers, the source rate and key skew where they
 * apply, the seed and the step (learner code travels separately, packed). Pure helpers: reading a
 * preset, the URL schema, the engine config, clamping through the engine's `clampConfig`.
 */
import { param, type ParamRecord, type ParamSchema } from '#lib/permalink';
import { clampConfig, PRESETS, type DataflowConfig, type DataflowPreset } from '#sim/dataflow';

export interface LabState {
  /** Parallelism by operator id (tunable operators only). */
  par: Record<string, number>;
  /** Service time (ms) by operator id (tunable operators only). */
  ms: Record<string, number>;
  buffer: number;
  unbounded: boolean;
  /** Stream presets: the main source's rate (records/s); 0 for batch presets. */
  rate: number;
  /** Presets with keys: the source's key skew. */
  skew: number;
  seed: number;
  step: number;
}

export function findPreset(name: string | undefined): DataflowPreset {
  return PRESETS.find((p) => p.id === name) ?? PRESETS[0];
}

function mainSource(p: DataflowPreset) {
  return p.config.operators.find((o) => o.kind === 'source')!;
}

/** Whether the preset's key skew is worth a control (a keyed operator downstream). */
export function hasSkewControl(p: DataflowPreset): boolean {
  return p.config.operators.some((o) => o.kind === 'keyBy' || o.kind === 'window' || o.kind === 'join');
}

export function presetState(p: DataflowPreset): LabState {
  const par: Record<string, number> = {};
  const ms: Record<string, number> = {};
  for (const id of p.tunable) {
    const op = p.config.operators.find((o) => o.id === id)!;
    par[id] = op.parallelism ?? 1;
    ms[id] = op.serviceMs ?? 1;
  }
  const src = mainSource(p);
  return {
    par,
    ms,
    buffer: p.config.buffer,
    unbounded: p.config.unbounded,
    rate: src.rate ?? 0,
    skew: src.skew ?? 0,
    seed: p.seed,
    step: 0,
  };
}

/** The engine config for a lab state. */
export function toConfig(state: LabState, p: DataflowPreset): DataflowConfig {
  const config = structuredClone(p.config) as DataflowConfig;
  for (const op of config.operators) {
    if (op.id in state.par) op.parallelism = state.par[op.id];
    if (op.id in state.ms) op.serviceMs = state.ms[op.id];
  }
  const src = config.operators.find((o) => o.kind === 'source')!;
  if (src.rate !== undefined && state.rate > 0) src.rate = state.rate;
  if (hasSkewControl(p)) src.skew = state.skew;
  config.buffer = state.buffer;
  config.unbounded = state.unbounded;
  return config;
}

/** URL schema for a preset: `p_<op>`, `ms_<op>` per tunable operator, plus the globals. */
export function urlSchema(p: DataflowPreset): ParamSchema {
  const s: ParamSchema = { buffer: param.number(), unbounded: param.bool(), seed: param.int(), step: param.int() };
  for (const id of p.tunable) {
    s[`p_${id}`] = param.number();
    s[`ms_${id}`] = param.number();
  }
  if ((mainSource(p).rate ?? 0) > 0) s.rate = param.number();
  if (hasSkewControl(p)) s.skew = param.number();
  return s;
}

/** Flat URL record <-> state. */
export function toRecord(state: LabState, p: DataflowPreset): ParamRecord {
  const r: ParamRecord = { buffer: state.buffer, unbounded: state.unbounded, seed: state.seed, step: state.step };
  for (const id of p.tunable) {
    r[`p_${id}`] = state.par[id];
    r[`ms_${id}`] = state.ms[id];
  }
  if ((mainSource(p).rate ?? 0) > 0) r.rate = state.rate;
  if (hasSkewControl(p)) r.skew = state.skew;
  return r;
}

export type FlatState = Record<string, number | boolean>;

export function fromRecord(flat: FlatState, p: DataflowPreset): LabState {
  const base = presetState(p);
  const s: LabState = { ...base, par: { ...base.par }, ms: { ...base.ms } };
  for (const id of p.tunable) {
    if (typeof flat[`p_${id}`] === 'number') s.par[id] = flat[`p_${id}`] as number;
    if (typeof flat[`ms_${id}`] === 'number') s.ms[id] = flat[`ms_${id}`] as number;
  }
  for (const k of ['buffer', 'rate', 'skew', 'seed', 'step'] as const) if (typeof flat[k] === 'number') s[k] = flat[k] as number;
  if (typeof flat.unbounded === 'boolean') s.unbounded = flat.unbounded;
  return s;
}

/** Pulls the state into the engine's ranges, with one note per change. */
export function clampState(state: LabState, p: DataflowPreset): { value: LabState; notes: string[] } {
  const { config, notes } = clampConfig(toConfig(state, p));
  const value: LabState = { ...state, par: { ...state.par }, ms: { ...state.ms } };
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
    notes.push(`seed was ${state.seed}; the lab uses whole numbers from 0 to 2147483647, so it uses ${fixed}.`);
    value.seed = fixed;
  }
  value.step = Math.max(0, Math.round(Number.isFinite(value.step) ? value.step : 0));
  return { value, notes };
}

/** Same settings (ignoring the step)? */
export function sameSettings(a: LabState, b: LabState): boolean {
  const { step: _a, ...x } = a;
  const { step: _b, ...y } = b;
  return JSON.stringify(x) === JSON.stringify(y);
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
