/**
 * The queueing lab's model: settings (lab.ts) → engine config → `simulate` on the page (a run
 * takes milliseconds to a few hundred), one timeline step per series bucket. Everything the views
 * show beyond the run (closed form, swimlanes, Little's-law optimum, narration) comes from
 * simulations/queueing/lab.ts. The sweep runs in a Worker (src/runners/queueingSweep.ts).
 *
 * Link fields (namespaced by the lab's id): `preset`, one per setting that differs from it, and
 * the session's `step`.
 */
import { param, type ParamRecord, type ParamSchema } from '#lib/permalink';
import { simulate, type QueueingConfig, type QueueingRun } from '#sim/queueing';
import { closedForm, EMPTY_STATE, narrateStep, seriesAt, stepCount, type ClosedForm, type QueueingState } from '#sim/queueing/lab';
import type { Fold, LabModel } from '../shared/labModel';
import { BREAKERS, BUDGETS, clampSettings, DISTS, STRATEGIES, FAULTS, LIMITERS, VIEWS, presetSettings, PRESETS, toConfig, type QueueingSettings } from './lab';

export interface QueueingLabRun {
  run: QueueingRun;
  config: QueueingConfig;
  closed: ClosedForm;
}

/** Every setting but the preset, with its link type. */
const FIELDS: Record<Exclude<keyof QueueingSettings, 'preset'>, ParamSchema[string]> = {
  clients: param.oneOf(['open', 'closed'] as const),
  rate: param.number(),
  users: param.int(),
  think: param.number(),
  servers: param.int(),
  dist: param.oneOf(DISTS),
  mean: param.number(),
  bounded: param.bool(),
  capacity: param.int(),
  discipline: param.oneOf(['fifo', 'lifo'] as const),
  overflow: param.oneOf(['reject', 'drop-oldest'] as const),
  timeout: param.number(),
  attempts: param.int(),
  backoff: param.number(),
  strategy: param.oneOf(STRATEGIES),
  cap: param.number(),
  budget: param.oneOf(BUDGETS),
  breaker: param.oneOf(BREAKERS),
  keys: param.bool(),
  cancel: param.bool(),
  limiter: param.oneOf(LIMITERS),
  limit: param.int(),
  aimdMin: param.int(),
  aimdMax: param.int(),
  aimdBackoff: param.number(),
  aimdTimeout: param.number(),
  g2Min: param.int(),
  g2Max: param.int(),
  g2Smoothing: param.number(),
  g2Queue: param.int(),
  g2Window: param.int(),
  g2Tolerance: param.number(),
  vegasMax: param.int(),
  vegasSmoothing: param.number(),
  vegasProbe: param.int(),
  fault: param.oneOf(FAULTS),
  faultAt: param.number(),
  faultFor: param.number(),
  faultSize: param.number(),
  duration: param.number(),
  seed: param.int(),
  view: param.oneOf(VIEWS),
};
const KEYS = Object.keys(FIELDS) as (keyof typeof FIELDS)[];

/** The view is not part of the run. */
export const runKey = (s: QueueingSettings) => JSON.stringify(KEYS.filter((k) => k !== 'view').map((k) => s[k]));

/** Runs settings on the page. Settings the engine refuses throw its message (the session shows it). */
export function runSettings(s: QueueingSettings): QueueingLabRun {
  const config = toConfig(s);
  return { run: simulate(config, s.seed), config, closed: closedForm(config) };
}

function foldOf(r: QueueingLabRun): Fold<QueueingState> {
  return { length: stepCount(r.run), at: (i) => seriesAt(r.run, i) };
}

export const queueingModel: LabModel<QueueingSettings, QueueingLabRun, QueueingState> = {
  id: 'queueing',
  noun: 'system',
  presets: PRESETS.map((p) => ({ id: p.id, title: p.title, description: p.description })),
  preset: presetSettings,
  url: {
    schema: { preset: param.oneOf(PRESETS.map((p) => p.id)), ...FIELDS } satisfies ParamSchema,
    encode(s, base) {
      const r: ParamRecord = { preset: s.preset };
      for (const k of KEYS) if (s[k] !== base[k]) r[k] = s[k];
      return r;
    },
    decode(f, base) {
      const s: QueueingSettings = { ...base };
      for (const k of KEYS) if (f[k] !== undefined && typeof f[k] === typeof base[k]) (s as unknown as Record<string, unknown>)[k] = f[k];
      return s;
    },
  },
  clamp: clampSettings,
  runKey,
  run: (s) => Promise.resolve(runSettings(s)),
  runSync: runSettings,
  fold: foldOf,
  narrate: (r, _fold, step) => narrateStep(r.run, step),
  emptyState: EMPTY_STATE,
  rate: (length) => Math.max(10, length / 10),
  keepStep: 'proportional',
};
