/**
 * The scheduler lab's model: a preset's workload with the learner's settings, simulated on the
 * main thread (simulate takes a few ms, so the server render already shows the run and every
 * change reruns at once), folded and narrated by the engine.
 */
import { formatMs, narrate, schedulerFold, simulate, type SchedulerRun, type SchedulerState } from '#sim/scheduler';
import { param } from '#lib/permalink';
import type { LabModel } from '../shared/labModel';
import { project, type Projection } from './projection';
import { MEASURED_CORES, PRESET_IDS, clampState, findPreset, linkFields, presetState, toConfig, urlSchema, type LabState } from './lab';
import { PRESETS } from '#sim/scheduler';

/** What the learner sets: the preset and the engine's knobs (the step lives in the timeline). */
export type SchedulerSettings = Omit<LabState, 'step'> & { preset: string };

export interface SchedulerResult {
  run: SchedulerRun;
  projection: Projection;
  /** A config the engine refused; the preset's own run is shown instead. */
  error: string | null;
}

export function presetSettings(id: string): SchedulerSettings {
  const p = PRESETS.find((x) => x.id === id);
  if (!p) throw new Error(`There is no scheduler preset "${id}". Presets: ${PRESET_IDS.join(', ')}.`);
  const { step: _step, ...rest } = presetState(p);
  return { ...rest, preset: p.id };
}

function simulateSettings(s: SchedulerSettings): SchedulerResult {
  const p = findPreset(s.preset);
  let run: SchedulerRun;
  let error: string | null = null;
  try {
    run = simulate(toConfig({ ...s, step: 0 }, p), s.seed);
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
    run = simulate(toConfig(presetState(p), p), p.seed);
  }
  return { run, projection: project(run.trace, run.tasks), error };
}

const explicitTasks = (s: SchedulerSettings) => Boolean(findPreset(s.preset).config.tasks);
const KEYS = (s: SchedulerSettings) => linkFields(explicitTasks(s)).filter((k): k is Exclude<keyof LabState, 'step'> => k !== 'step');

let empty: SchedulerState | undefined;

export const schedulerModel: LabModel<SchedulerSettings, SchedulerResult, SchedulerState> = {
  id: 'scheduler',
  noun: 'schedule',
  presets: PRESETS,
  preset: presetSettings,
  url: {
    schema: { preset: param.oneOf(PRESET_IDS), ...(({ step: _s, ...rest }) => rest)(urlSchema) },
    // Every field is written once the learner has touched the lab, so a link survives preset changes.
    encode: (s) => ({ preset: s.preset, ...Object.fromEntries(KEYS(s).map((k) => [k, s[k]])) }),
    decode: (f, base) => {
      const out = { ...base, preset: (f.preset as string | undefined) ?? base.preset };
      for (const k of KEYS(out)) if (f[k] !== undefined) (out as Record<string, unknown>)[k] = f[k];
      return out;
    },
  },
  clamp(s) {
    const { value, notes } = clampState({ ...s, step: 0 });
    const { step: _step, ...rest } = value;
    return { settings: { ...rest, preset: s.preset }, notes };
  },
  runKey: (s) => JSON.stringify([s.preset, ...KEYS(s).map((k) => s[k])]),
  runSync: simulateSettings,
  run: async (s, signal) => {
    signal.throwIfAborted();
    return simulateSettings(s);
  },
  keepStep: 'proportional',
  fold: (r) => schedulerFold(r.run),
  narrate: (r, _fold, step) => narrate(r.run, step),
  get emptyState() {
    return (empty ??= schedulerFold(simulate(toConfig(presetState(PRESETS[0]), PRESETS[0]), PRESETS[0].seed)).at(0));
  },
  /** Long runs play faster: at 1x a whole run takes about 40 s, and never less than 3 steps/s. */
  rate: (length) => Math.max(3, Math.min(3000, length / 40)),
};

/* ---------------- the speedup chart's measurements ---------------- */

const measureCache = new Map<string, number>();

/** Speedup at 1, 2, 4, 8, 16 cores and at the lab's own count, for the same workload (cached). */
export function measureSpeedups(s: SchedulerSettings, shown: SchedulerResult): { cores: number; speedup: number }[] {
  const p = findPreset(s.preset);
  const counts = [...new Set<number>([...MEASURED_CORES, s.cores])];
  return counts.map((n) => {
    const config = toConfig({ ...s, cores: n, step: 0 }, p);
    const key = JSON.stringify({ ...config, tasks: undefined, preset: s.preset, seed: s.seed });
    let speedup = measureCache.get(key);
    if (speedup === undefined) {
      speedup = n === s.cores && !shown.error ? shown.run.metrics.speedup : simulate(config, s.seed, { traceCap: 0 }).metrics.speedup;
      measureCache.set(key, speedup);
    }
    return { cores: n, speedup };
  });
}

export { formatMs };
