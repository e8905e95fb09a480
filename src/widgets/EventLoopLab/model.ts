/**
 * The event-loop lab's model: a program in JavaScript (a preset's or the learner's), run on the
 * event-loop engine in the sandbox Worker, folded and narrated by the engine. The lab root
 * (EventLoopLab.svelte) only lays out views of it.
 *
 * A link carries `preset` (which example the code came from), `code` (packed, once the learner
 * has edited it) and the step; links from before the lab platform named the preset `ex`, and
 * readLink still reads them.
 */
import { param } from '#lib/permalink';
import { eventLoopFold, type EventLoopState } from '#sim/eventloop/fold';
import { narrate as narrateStep } from '#sim/eventloop/narrate';
import { getExample } from '#sim/eventloop/examples';
import { runInWorker, type HostedRun } from '#runners/eventloopRunner';
import type { LabModel } from '../shared/labModel';
import { MAX_CODE, PRESETS, PRESET_IDS } from './lab';

export interface EventLoopSettings {
  /** The preset the code came from (undefined: a lesson's own code). */
  preset: string | undefined;
  code: string;
}

export const EMPTY_STATE: EventLoopState = {
  step: 0,
  t: 0,
  stack: [],
  timers: [],
  tasks: [],
  microtasks: [],
  currentTask: null,
  currentJob: null,
  console: [],
  loc: undefined,
  tasksDone: 0,
  microtasksDone: 0,
};

/** The settings of a preset. An unknown id throws (getExample), so a lesson with a typo fails its build. */
export function presetSettings(id: string): EventLoopSettings {
  const p = getExample(id);
  return { preset: p.id, code: p.source };
}

/**
 * What a lab instance starts from: its `preset`, else its own `code`, else the first preset.
 * Both: the preset's menu entry with the lesson's code (not "edited" until the learner edits it).
 */
export function initialSettings(preset: string | undefined, code: string | undefined): EventLoopSettings {
  if (preset === undefined && code !== undefined) return { preset: undefined, code };
  const base = presetSettings(preset ?? PRESETS[0].id);
  return code !== undefined ? { ...base, code } : base;
}

export const eventLoopModel: LabModel<EventLoopSettings, HostedRun, EventLoopState> = {
  id: 'event-loop',
  noun: 'program',
  presets: PRESETS,
  preset: presetSettings,
  url: {
    schema: {
      preset: param.oneOf(PRESET_IDS),
      code: param.text(4 * MAX_CODE),
    },
    encode: (s, base) => ({
      preset: s.preset,
      code: s.code !== base.code ? s.code : undefined,
    }),
    decode: (f, base) => ({
      preset: (f.preset as string | undefined) ?? base.preset,
      code: (f.code as string | undefined) ?? base.code,
    }),
    packed: { code: MAX_CODE },
  },
  // Nothing to pull into range: the code's length is bounded by `packed`, the engine has its own budgets.
  clamp: (s) => ({ settings: s, notes: [] }),
  runKey: (s) => s.code,
  run: (s, signal) => runInWorker(s.code, {}, signal),
  fold: (run) => eventLoopFold(run),
  narrate(run, _fold, step) {
    // A run stopped before its first event (timeout, failed engine) has nothing to step through.
    if (run.trace.length === 0 && run.error && run.error.line === undefined) return run.error.message;
    return narrateStep(run, step);
  },
  emptyState: EMPTY_STATE,
  /** Short runs step at 3/s; long ones play through in about 40 s. */
  rate: (length) => Math.max(3, Math.min(500, length / 40)),
};
