/**
 * The event-loop lab's model: a program in JavaScript (a preset's or the learner's), run on the
 * event-loop engine in the sandbox Worker, folded and narrated by the engine. The lab root
 * (EventLoopLab.svelte) only lays out views of it.
 *
 * A link carries `preset` (which example the code came from), `code` (packed, once the learner
 * has edited it), `runtime` (`node` for Node's event loop; absent: the preset's, else the
 * browser's, so links from before the switch are read as they were), `tree` (the task-tree panel is
 * open; absent: the preset's, closed unless it is about the tree; `0`: closed) and the step; links from
 * before the lab platform named the preset `ex`, and readLink still reads them.
 */
import { param } from '#lib/permalink';
import { eventLoopFold, type EventLoopState } from '#sim/eventloop/fold';
import { narrate as narrateStep } from '#sim/eventloop/narrate';
import { getExample } from '#sim/eventloop/examples';
import { runInWorker, type HostedRun } from '#runners/eventloopRunner';
import type { Runtime } from '#sim/eventloop/types';
import type { LabModel } from '../shared/labModel';
import { MAX_CODE, PRESETS, PRESET_IDS } from './lab';

export interface EventLoopSettings {
  /** The preset the code came from (undefined: a lesson's own code). */
  preset: string | undefined;
  code: string;
  /** Which event loop runs the code: the browser's (HTML) or Node's (libuv phases, process.nextTick). */
  runtime: Runtime;
  /** The task-tree panel is open (a view setting: it never changes the run). Absent: closed. */
  tree?: boolean;
}

export const RUNTIMES: readonly Runtime[] = ['browser', 'node'];

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
  ticks: [],
  currentTick: null,
  immediates: [],
  io: [],
  phase: null,
  exitCode: null,
};

/**
 * The settings of a preset, in the runtime it was written for (Node examples: 'node'). An unknown
 * id throws (getExample), so a lesson with a typo fails its build.
 */
export function presetSettings(id: string): EventLoopSettings {
  const p = getExample(id);
  return { preset: p.id, code: p.source, runtime: p.runtime ?? 'browser', ...(p.tree ? { tree: true } : {}) };
}

/**
 * What a lab instance starts from: its `preset`, else its own `code`, else the first preset.
 * Both: the preset's menu entry with the lesson's code (not "edited" until the learner edits it).
 * `runtime` (a lesson's own choice) overrides the preset's.
 */
export function initialSettings(preset: string | undefined, code: string | undefined, runtime?: Runtime, tree?: boolean): EventLoopSettings {
  const open = tree ? { tree: true } : {};
  if (preset === undefined && code !== undefined) return { preset: undefined, code, runtime: runtime ?? 'browser', ...open };
  const base = presetSettings(preset ?? PRESETS[0].id);
  return { ...base, ...(code !== undefined ? { code } : {}), ...(runtime !== undefined ? { runtime } : {}), ...open };
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
      runtime: param.oneOf(RUNTIMES),
      tree: param.bool(),
    },
    // Node is always written (a reload keeps it whatever the base); the browser only when the
    // base is a Node preset, since an absent `runtime` reads as the preset's.
    encode: (s, base) => ({
      preset: s.preset,
      code: s.code !== base.code ? s.code : undefined,
      runtime: s.runtime === 'node' || s.runtime !== base.runtime ? s.runtime : undefined,
      // Open is written; closed only where the base opens it (a tree preset), else absent.
      tree: s.tree ? true : base.tree ? false : undefined,
    }),
    decode: (f, base) => ({
      preset: (f.preset as string | undefined) ?? base.preset,
      code: (f.code as string | undefined) ?? base.code,
      runtime: (f.runtime as Runtime | undefined) ?? base.runtime,
      tree: (f.tree as boolean | undefined) ?? base.tree,
    }),
    packed: { code: MAX_CODE },
  },
  // The panel stays open across examples, and opens for an example about the tree.
  keepOnPresetChange: (prev, next) => ({ ...next, tree: prev.tree || next.tree ? true : undefined }),
  // Nothing to pull into range: the code's length is bounded by `packed`, the engine has its own budgets.
  clamp: (s) => ({ settings: s, notes: [] }),
  // The runtime first: a code can never end in a way that makes two keys equal.
  runKey: (s) => `${s.runtime}\n${s.code}`,
  run: (s, signal) => runInWorker(s.code, s.runtime === 'node' ? { runtime: 'node' } : {}, signal),
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
