/**
 * The interleavings lab's model ("play the scheduler"): a level's program (its buggy code or the
 * learner's edit) and the schedule the learner has built so far (thread numbers, one per step),
 * replayed by the engine in the sandbox Worker (src/runners/interleavingsRunner). The timeline's
 * steps are the schedule's steps; the views, verdicts and narration all come from the engine's
 * trace. Threads mode now; an async mode is a second value of `mode` with the same views.
 */
import { threadLevels, levelById } from '#sim/interleavings/levels';
import type { ThreadsTraceStep, ThreadsView } from '#sim/interleavings/threads';
import { param } from '#lib/permalink';
import { traceSchedule, type HostedTrace } from '#runners/interleavingsRunner';
import { MAX_CHOICES, MAX_SOURCE, type Mode } from '#runners/interleavingsEngine';
import type { Fold, LabModel, LabPreset } from '../shared/labModel';

export const MODES = ['threads'] as const satisfies readonly Mode[];

export interface IlSettings {
  mode: Mode;
  /** The level (its id). */
  preset: string;
  code: string;
  /** The schedule so far: thread indices (0-based), one per step. */
  choices: number[];
}

export interface IlState {
  step: number;
  /** The state after `step` steps; null before the first run (or when the code does not compile). */
  view: ThreadsView | null;
  /** The step that led here (null at step 0). */
  last: ThreadsTraceStep | null;
  /** Every step up to here, for the lanes and the history. */
  done: readonly ThreadsTraceStep[];
}

export const EMPTY_STATE: IlState = { step: 0, view: null, last: null, done: [] };

export const PRESETS: readonly LabPreset[] = threadLevels.map((l) => ({ id: l.id, title: l.title, description: l.brief }));

export function presetSettings(id: string, mode: Mode = 'threads'): IlSettings {
  const level = levelById(id);
  return { mode, preset: level.id, code: level.buggy, choices: [] };
}

/** Choices in a link: thread numbers as the learner sees them (1 = the first thread), one digit
 * each; `-` is the empty schedule (for a lab that started with one). */
export function encodeChoices(choices: readonly number[]): string {
  return choices.length === 0 ? '-' : choices.map((c) => String(c + 1)).join('');
}
export function decodeChoices(text: string): number[] {
  return text === '-' ? [] : [...text].map((d) => Number(d) - 1);
}
const choicesParam = (s: string) => ((/^[1-9]+$/.test(s) || s === '-') && s.length <= 4 * MAX_CHOICES ? s : undefined);

/** The progress store's key of a level. */
export const levelKey = (mode: Mode, level: string) => `interleavings/${mode}/${level}`;

export function ilFold(run: HostedTrace): Fold<IlState> {
  return {
    length: run.steps.length,
    at(i) {
      if (!run.initial) return EMPTY_STATE;
      const done = run.steps.slice(0, i);
      return { step: i, view: i === 0 ? run.initial : run.steps[i - 1].after, last: i === 0 ? null : run.steps[i - 1], done };
    },
  };
}

const ENDS: Record<string, string> = { failed: 'The run failed', stuck: 'The run is stuck: no thread can move (a deadlock)', done: 'Every thread finished and the check passed' };

export function ilNarrate(run: HostedTrace, fold: Fold<IlState>, step: number): string {
  if (run.error) return `Nothing ran: ${run.error.message}`;
  const st = fold.at(step);
  const v = st.view;
  if (!v) return 'Loading the program…';
  const shared = Object.entries(v.shared)
    .map(([k, x]) => `${k} = ${JSON.stringify(x)}`)
    .join(', ');
  let head: string;
  if (!st.last) head = `The start: ${v.threads.length} threads, ${shared || 'no shared variables'}.`;
  else head = `Step ${step}: ${st.last.name} ran ${st.last.op}; now ${shared || 'no shared variables'}.`;
  if (v.status === 'running') {
    const ready = v.threads.filter((t) => t.state === 'ready').map((t) => t.name);
    return `${head} Pick who runs next: ${ready.join(', ')}.`;
  }
  if (v.status === 'failed') return `${head} ${ENDS.failed}: ${v.failure?.message ?? ''}${v.failure?.thread ? ` (in ${v.failure.thread})` : ''}.`;
  if (v.status === 'stuck') return `${head} ${ENDS.stuck}: ${v.blocked.join('; ')}.`;
  return `${head} ${ENDS.done}.`;
}

export const ilModel: LabModel<IlSettings, HostedTrace, IlState> = {
  id: 'interleavings',
  noun: 'program',
  presets: PRESETS,
  preset: (id) => presetSettings(id),
  url: {
    schema: {
      preset: param.oneOf(PRESETS.map((p) => p.id)),
      mode: param.oneOf(MODES),
      code: param.text(4 * MAX_SOURCE),
      ch: choicesParam,
    },
    encode: (s, base) => ({
      preset: s.preset,
      mode: s.mode !== base.mode ? s.mode : undefined,
      code: s.code !== base.code ? s.code : undefined,
      // Always written when there is a schedule: a link naming the level reads its settings from
      // the level's preset, which has none (a lab that opened on a schedule would lose it).
      ch: s.choices.length > 0 || base.choices.length > 0 ? encodeChoices(s.choices) : undefined,
    }),
    decode: (f, base) => ({
      preset: (f.preset as string | undefined) ?? base.preset,
      mode: (f.mode as Mode | undefined) ?? base.mode,
      code: (f.code as string | undefined) ?? base.code,
      choices: typeof f.ch === 'string' ? decodeChoices(f.ch) : base.choices,
    }),
    packed: { code: MAX_SOURCE },
  },
  clamp(s) {
    const notes: string[] = [];
    let choices = s.choices.filter((c) => Number.isInteger(c) && c >= 0 && c <= 8);
    if (choices.length !== s.choices.length) notes.push('Thread numbers outside 1 to 9 were left out of the schedule.');
    if (choices.length > MAX_CHOICES) {
      notes.push(`The schedule had ${choices.length} steps; the lab keeps the first ${MAX_CHOICES}.`);
      choices = choices.slice(0, MAX_CHOICES);
    }
    return { settings: notes.length === 0 ? s : { ...s, choices }, notes };
  },
  runKey: (s) => JSON.stringify([s.mode, s.preset, s.code, s.choices]),
  run: (s, signal) => traceSchedule({ mode: s.mode, level: s.preset, source: s.code, choices: s.choices }, signal),
  fold: ilFold,
  narrate: ilNarrate,
  emptyState: EMPTY_STATE,
  rate: () => 2,
};
