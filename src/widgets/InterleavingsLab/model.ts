/**
 * The interleavings lab's model ("play the scheduler"): a level's program (its buggy code or the
 * learner's edit) and the schedule the learner has built so far (thread numbers, one per step),
 * replayed by the engine in the sandbox Worker (src/runners/interleavingsRunner). The timeline's
 * steps are the schedule's steps; the views, verdicts and narration all come from the engine's
 * trace. Two modes: threads (a choice is a thread number) and async (a choice is a pending I/O
 * completion, by its place among the cards). A level is a preset; async levels' preset ids start
 * with `async-` (`asyncPresetId`), so one id names one level across both modes.
 */
import { threadLevels, levelById, asyncLevels, type Level } from '#sim/interleavings/levels';
import type { ThreadsTraceStep, ThreadsView } from '#sim/interleavings/threads';
import type { AsyncTraceStep, AsyncView } from '#sim/interleavings/async';
import { asyncPresetId } from './meta';
import { param } from '#lib/permalink';
import { traceSchedule, type HostedTrace } from '#runners/interleavingsRunner';
import { MAX_CHOICES, MAX_SOURCE, type Mode } from '#runners/interleavingsLimits';
import type { Fold, LabModel, LabPreset } from '../shared/labModel';

export const MODES = ['threads', 'async'] as const satisfies readonly Mode[];

export interface IlSettings {
  mode: Mode;
  /** The level (its id). */
  preset: string;
  code: string;
  /** The schedule so far: thread indices (0-based), one per step. */
  choices: number[];
}

export type IlState = ThreadsIlState | AsyncIlState;

export interface AsyncIlState {
  mode: 'async';
  step: number;
  /** The pending completions, db and console after `step` picks; null before the first run. */
  view: AsyncView | null;
  last: AsyncTraceStep | null;
  done: readonly AsyncTraceStep[];
  /** What the main script did before the first choice. */
  startEvents: readonly string[];
}

export interface ThreadsIlState {
  mode: 'threads';
  step: number;
  /** The state after `step` steps; null before the first run (or when the code does not compile). */
  view: ThreadsView | null;
  /** The step that led here (null at step 0). */
  last: ThreadsTraceStep | null;
  /** Every step up to here, for the lanes and the history. */
  done: readonly ThreadsTraceStep[];
}

export const EMPTY_STATE: IlState = { mode: 'threads', step: 0, view: null, last: null, done: [] };

/** Every level of both modes, as the lab's presets (async ids prefixed, see asyncPresetId). */
const LEVELS: readonly { preset: LabPreset; mode: Mode; level: Level }[] = [
  ...threadLevels.map((l) => ({ preset: { id: l.id, title: l.title, description: l.brief }, mode: 'threads' as const, level: l })),
  ...asyncLevels.map((l) => ({ preset: { id: asyncPresetId(l.id), title: l.title, description: l.brief }, mode: 'async' as const, level: l })),
];
export const PRESETS: readonly LabPreset[] = LEVELS.map((l) => l.preset);
/** The presets of one mode, in the picker's order. */
export const modePresets = (mode: Mode): readonly LabPreset[] => LEVELS.filter((l) => l.mode === mode).map((l) => l.preset);

/** The level a preset id names, and its mode. */
export function levelOf(presetId: string): { mode: Mode; level: Level } {
  const hit = LEVELS.find((l) => l.preset.id === presetId);
  if (!hit) return { mode: 'threads', level: levelById(presetId) };
  return { mode: hit.mode, level: hit.level };
}

export function presetSettings(id: string): IlSettings {
  const { mode, level } = levelOf(id);
  return { mode, preset: mode === 'async' ? asyncPresetId(level.id) : level.id, code: level.buggy, choices: [] };
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
  if (run.kind === 'async-trace')
    return {
      length: run.steps.length,
      at(i) {
        if (!run.initial) return { mode: 'async', step: 0, view: null, last: null, done: [], startEvents: [] };
        return { mode: 'async', step: i, view: i === 0 ? run.initial : run.steps[i - 1].after, last: i === 0 ? null : run.steps[i - 1], done: run.steps.slice(0, i), startEvents: run.startEvents };
      },
    };
  return {
    length: run.steps.length,
    at(i) {
      if (!run.initial) return EMPTY_STATE;
      const done = run.steps.slice(0, i);
      return { mode: 'threads', step: i, view: i === 0 ? run.initial : run.steps[i - 1].after, last: i === 0 ? null : run.steps[i - 1], done };
    },
  };
}

const ENDS: Record<string, string> = { failed: 'The run failed', stuck: 'The run is stuck: no thread can move (a deadlock)', done: 'Every thread finished and the check passed' };

export function ilNarrate(run: HostedTrace, fold: Fold<IlState>, step: number): string {
  if (run.error) return `Nothing ran: ${run.error.message}`;
  const st = fold.at(step);
  if (st.mode === 'async') return asyncNarrate(st);
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

const dbLine = (db: Record<string, string>) => {
  const keys = Object.keys(db);
  return keys.length === 0 ? 'the db is empty' : `db: ${keys.map((k) => `${k} = ${db[k]}`).join(', ')}`;
};

function asyncNarrate(st: AsyncIlState): string {
  const v = st.view;
  if (!v) return 'Loading the program…';
  const c = st.last?.completion;
  const head = c ? `Step ${st.step}: ${c.name} #${c.id} (${c.awaitedBy ? `for ${c.awaitedBy.join(', ')}` : `from ${c.issuer}`}) completed; ${dbLine(v.db)}.` : `The start: the main script ran until it waited on I/O; ${dbLine(v.db)}.`;
  if (v.status === 'running') return `${head} Pick what completes next: ${v.pending.map((p) => `${p.name} #${p.id}${p.awaitedBy ? ` for ${p.awaitedBy.join(', ')}` : ''}`).join(', ')}.`;
  if (v.status === 'failed') return `${head} ${ENDS.failed}: ${v.failure?.message ?? ''}.`;
  if (v.status === 'stuck') return `${head} The run is stuck: ${(v.suspended ?? []).map((w) => `${w.fn} waits at ${w.text || 'await'} forever`).join('; ')}.`;
  return `${head} Nothing is pending: the program finished and the check passed.`;
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
      // the preset names the mode too; written for async so a link says so
      mode: s.mode !== 'threads' ? s.mode : undefined,
      code: s.code !== base.code ? s.code : undefined,
      // Always written when there is a schedule: a link naming the level reads its settings from
      // the level's preset, which has none (a lab that opened on a schedule would lose it).
      ch: s.choices.length > 0 || base.choices.length > 0 ? encodeChoices(s.choices) : undefined,
    }),
    decode: (f, base) => ({
      preset: (f.preset as string | undefined) ?? base.preset,
      // a level belongs to one mode: the preset's wins over a mode that disagrees
      mode: levelOf((f.preset as string | undefined) ?? base.preset).mode,
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
  // the engine names a level by its own id (an async preset's id has async- in front)
  run: (s, signal) => traceSchedule({ mode: s.mode, level: levelOf(s.preset).level.id, source: s.code, choices: s.choices }, signal),
  fold: ilFold,
  narrate: ilNarrate,
  emptyState: EMPTY_STATE,
  rate: () => 2,
};

/** What the learner must reach to win a "find the bug" level, in the words of each mode. */
export function levelGoalText(mode: Mode, goal: Level['goal']): string {
  const stuck = mode === 'async' ? 'leave an async function waiting forever (a deadlock)' : 'get every thread stuck (a deadlock)';
  return { failed: 'make an assertion fail', stuck, 'failed-or-stuck': 'make it fail or get stuck' }[goal];
}

/** Whether choice `i` can run next at this step: a ready thread, or a pending completion. */
export function canPick(state: IlState, i: number): boolean {
  if (state.view?.status !== 'running') return false;
  return state.mode === 'threads' ? state.view.threads[i]?.state === 'ready' : i < state.view.pending.length;
}
