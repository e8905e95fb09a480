/**
 * The scheduler lab's state as the learner edits it and as links carry it: the engine's config
 * (minus explicit tasks, which come from the preset) plus seed and step. Pure helpers: reading
 * presets, the URL schema, clamping through the engine's `clampConfig`.
 */
import { param, type ParamSchema } from '#lib/permalink';
import {
  DEFAULT_CONFIG,
  MIXES,
  POLICIES,
  PRESETS,
  clampConfig,
  type Policy,
  type SchedulerConfig,
  type SchedulerPreset,
  type TaskMix,
} from '#sim/scheduler';

/** Everything a link reproduces. */
export interface LabState {
  cores: number;
  policy: Policy;
  quantum: number;
  taskCount: number;
  mix: TaskMix;
  serialFraction: number;
  jitter: number;
  seed: number;
  step: number;
}

/** The inputs a lesson can show (`controls` prop). */
export type ControlName = 'cores' | 'policy' | 'quantum' | 'taskCount' | 'mix' | 'serialFraction' | 'jitter' | 'seed';
export const DEFAULT_CONTROLS: readonly ControlName[] = ['cores', 'policy', 'quantum', 'taskCount', 'mix', 'serialFraction', 'jitter', 'seed'];
/** Inputs that only mean something for a generated workload. */
export const WORKLOAD_CONTROLS: readonly ControlName[] = ['taskCount', 'mix', 'serialFraction', 'jitter'];

const CONFIG_FIELDS = ['cores', 'policy', 'quantum', 'taskCount', 'mix', 'serialFraction', 'jitter'] as const;

/** URL schema: types only; ranges are the engine's (clampConfig), so 100 cores becomes 64 with a note. */
export const urlSchema = {
  cores: param.number(),
  policy: param.oneOf(POLICIES as readonly Policy[]),
  quantum: param.number(),
  taskCount: param.number(),
  mix: param.oneOf(MIXES as readonly TaskMix[]),
  serialFraction: param.number(),
  jitter: param.number(),
  seed: param.int(),
  step: param.int(),
} satisfies ParamSchema;

/** Fields written to links; workload fields are left out when the preset lists its own tasks. */
export function linkFields(explicitTasks: boolean): (keyof LabState)[] {
  return explicitTasks
    ? ['cores', 'policy', 'quantum', 'seed', 'step']
    : ['cores', 'policy', 'quantum', 'taskCount', 'mix', 'serialFraction', 'jitter', 'seed', 'step'];
}

export const PRESET_IDS = PRESETS.map((p) => p.id);

export function findPreset(name: string | undefined): SchedulerPreset {
  return PRESETS.find((p) => p.id === name) ?? PRESETS[0];
}

export function presetState(preset: SchedulerPreset): LabState {
  const c = preset.config;
  return {
    cores: c.cores,
    policy: c.policy,
    quantum: c.quantum,
    taskCount: c.taskCount,
    mix: c.mix,
    serialFraction: c.serialFraction,
    jitter: c.jitter,
    seed: preset.seed,
    step: 0,
  };
}

/** The engine config for a lab state: the preset's explicit tasks, if any, plus the learner's settings. */
export function toConfig(state: LabState, preset: SchedulerPreset): SchedulerConfig {
  const config: SchedulerConfig = { ...DEFAULT_CONFIG };
  for (const k of CONFIG_FIELDS) (config as unknown as Record<string, unknown>)[k] = state[k];
  if (preset.config.tasks) config.tasks = preset.config.tasks;
  return config;
}

/** Pulls the config part of a state into the engine's ranges, with one note per change. */
export function clampState(state: LabState): { value: LabState; notes: string[] } {
  const partial: Record<string, unknown> = {};
  for (const k of CONFIG_FIELDS) partial[k] = state[k];
  const { config, notes } = clampConfig(partial);
  const value: LabState = { ...state };
  for (const k of CONFIG_FIELDS) (value as unknown as Record<string, unknown>)[k] = config[k];
  if (!Number.isInteger(value.seed) || value.seed < 0 || value.seed > 2 ** 31 - 1) {
    const fixed = Math.min(2 ** 31 - 1, Math.max(0, Math.round(Number.isFinite(value.seed) ? value.seed : 1)));
    notes.push(`seed was ${state.seed}; the lab uses whole numbers from 0 to 2147483647, so it uses ${fixed}.`);
    value.seed = fixed;
  }
  value.step = Math.max(0, Math.round(value.step));
  return { value, notes };
}

export const POLICY_LABEL: Record<Policy, string> = {
  timeslice: 'Time-sliced (round robin)',
  parallel: 'Parallel (run to completion)',
  cooperative: 'Cooperative (until yield)',
};

export const MIX_LABEL: Record<TaskMix, string> = {
  cpu: 'CPU-bound',
  io: 'I/O-bound',
  mixed: 'Mixed',
};

/** Amdahl's law: the best speedup on n cores when a fraction s of the work is serial. */
export function amdahl(s: number, n: number): number {
  return 1 / (s + (1 - s) / n);
}

/** Core counts the speedup chart measures (plus the lab's current count). */
export const MEASURED_CORES = [1, 2, 4, 8, 16] as const;
