/**
 * The event-loop lab's pure helpers: its presets (the engine's examples), and an index of a run
 * for the views (keys that let an item travel between panels, the steps that print). Nothing here
 * computes semantics: everything is read off the engine's trace and fold (source lines of frames
 * and console lines included).
 *
 * Imports only the light parts of the engine folder (examples, types); the engine itself runs in
 * the Worker (src/runners).
 */
import { EXAMPLES, type EventLoopExample } from '#sim/eventloop/examples';
import type { EventLoopEvent, EventLoopRun, NodePhase } from '#sim/eventloop/types';
import { consoleLines, type ConsoleLine, type PendingTimer } from '#sim/eventloop/fold';
import { formatMs } from '#sim/core/format';
import type { LabPreset } from '../shared/labModel';

/** The engine's example programs as the lab's presets (menu, registry, presenter links). */
export const PRESETS: readonly LabPreset[] = EXAMPLES.map((e) => ({ id: e.id, title: e.title, description: e.point }));
export const PRESET_IDS = EXAMPLES.map((e) => e.id) as readonly string[];

/** Longest program a link may carry (characters, after inflating). */
export const MAX_CODE = 20_000;

export function findPreset(id: string | null | undefined): EventLoopExample | undefined {
  return id ? EXAMPLES.find((e) => e.id === id) : undefined;
}

/** The preset whose code this is, exactly (for the menu's selection). */
export function presetWithCode(code: string): EventLoopExample | undefined {
  return EXAMPLES.find((e) => e.source === code);
}

/* -------------------------------------------------------------------------------------------- */
/* Run index                                                                                    */
/* -------------------------------------------------------------------------------------------- */

/**
 * A console line of the run (the fold's: with its source line, and whether it reports an
 * uncaught error) and the step at which it appears (the state after its console event).
 */
export interface ConsoleEntry extends ConsoleLine {
  step: number;
  /**
   * Printed after the trace reached its cap (the run went on): known from `run.console` only,
   * so without level or source line, shown from the last step on.
   */
  untraced?: boolean;
  /** Not a printed line: the lab's note that lines in the middle of a very long tail are not drawn. */
  note?: boolean;
}

/** Lines printed after the trace's cap that the console draws (the first and last half of this). */
export const UNTRACED_DRAWN = 2_000;

export interface RunIndex {
  /** Every console line of the run, in order (state.console.length says how many are shown). */
  console: ConsoleEntry[];
  /** Steps at which a line is printed, ascending. */
  logSteps: number[];
  /** Key of each task (by task id): a timer task shares its key with the timer it came from. */
  taskKey: Map<number, string>;
  /** Key of a pending timer, by `${id}@${setAt}`. */
  timerKey: Map<string, string>;
  /** The timer that fired at step s (`timer-fire` is event s-1), so it can be shown leaving. */
  firedAt: Map<number, PendingTimer & { key: string }>;
}

function timerSlot(id: number, setAt: number): string {
  return `${id}@${setAt}`;
}

/**
 * One pass over the trace. With `run.console`, the lines printed after the trace's cap are
 * appended at the last step (all of them, or the first and last UNTRACED_DRAWN / 2 with a note
 * saying how many are between), so no output of a capped run is lost from the console silently.
 */
export function indexRun(run: Pick<EventLoopRun, 'trace'> & { console?: readonly string[] }): RunIndex {
  const trace = run.trace as readonly EventLoopEvent[];
  const lines = consoleLines(trace);
  const consoleEntries: ConsoleEntry[] = [];
  const logSteps: number[] = [];
  const taskKey = new Map<number, string>();
  const timerKey = new Map<string, string>();
  const firedAt = new Map<number, PendingTimer & { key: string }>();
  const generation = new Map<number, number>();
  const lastSet = new Map<number, PendingTimer & { key: string }>();
  // Node runs: callbacks start without a task-enqueue. A timer's keeps its timer's key, an
  // immediate's its queue entry's (immediates run front first), an I/O callback its request's.
  const immediates: number[] = [];
  let lastIo = -1;

  for (let i = 0; i < trace.length; i++) {
    const e = trace[i];
    switch (e.kind) {
      case 'timer-set': {
        const g = (generation.get(e.timer) ?? 0) + 1;
        generation.set(e.timer, g);
        const key = `timer-${e.timer}-${g}`;
        timerKey.set(timerSlot(e.timer, e.t), key);
        lastSet.set(e.timer, {
          id: e.timer,
          api: e.api,
          callback: e.callback,
          delay: e.delay,
          timeout: e.timeout,
          due: e.due,
          repeat: e.repeat,
          setAt: e.t,
          key,
        });
        break;
      }
      case 'timer-fire': {
        const t = lastSet.get(e.timer);
        if (t) firedAt.set(i + 1, t);
        break;
      }
      case 'task-enqueue':
        taskKey.set(e.task, e.timer !== undefined ? `timer-${e.timer}-${generation.get(e.timer) ?? 0}` : `task-${e.task}`);
        break;
      case 'immediate-set':
        immediates.push(e.immediate);
        break;
      case 'immediate-clear': {
        const k = immediates.indexOf(e.immediate);
        if (k >= 0) immediates.splice(k, 1);
        break;
      }
      case 'io-complete':
        lastIo = e.io;
        break;
      case 'task-start':
        if (taskKey.has(e.task)) break;
        if (e.timer !== undefined) taskKey.set(e.task, `timer-${e.timer}-${generation.get(e.timer) ?? 0}`);
        else if (e.source === 'immediate' && immediates.length > 0) taskKey.set(e.task, `immediate-${immediates.shift()}`);
        else if (e.source === 'io' && lastIo >= 0) taskKey.set(e.task, `io-${lastIo}`);
        break;
      case 'console':
        consoleEntries.push({ ...lines[consoleEntries.length], step: i + 1 });
        logSteps.push(i + 1);
        break;
    }
  }
  const printed = run.console ?? [];
  const traced = consoleEntries.length;
  if (printed.length > traced) {
    const step = trace.length;
    const add = (k: number) => consoleEntries.push({ text: printed[k], level: 'log', uncaught: false, step, untraced: true });
    const n = printed.length - traced;
    if (n <= UNTRACED_DRAWN) {
      for (let k = traced; k < printed.length; k++) add(k);
    } else {
      const half = UNTRACED_DRAWN / 2;
      for (let k = traced; k < traced + half; k++) add(k);
      const hidden = n - 2 * half;
      consoleEntries.push({
        text: `… ${hidden.toLocaleString('en')} more lines printed here are not drawn (the console shows the first ${(traced + half).toLocaleString('en')} and the last ${half.toLocaleString('en')} of ${printed.length.toLocaleString('en')})`,
        level: 'log',
        uncaught: false,
        step,
        untraced: true,
        note: true,
      });
      for (let k = printed.length - half; k < printed.length; k++) add(k);
    }
    if (logSteps[logSteps.length - 1] !== step) logSteps.push(step);
  }
  return { console: consoleEntries, logSteps, taskKey, timerKey, firedAt };
}

/** Key of a pending timer in the Web APIs panel. */
export function keyOfTimer(index: RunIndex, t: PendingTimer): string {
  return index.timerKey.get(timerSlot(t.id, t.setAt)) ?? `timer-${t.id}@${t.setAt}`;
}

/** Key of a task in the task queue or running. */
export function keyOfTask(index: RunIndex, id: number): string {
  return index.taskKey.get(id) ?? `task-${id}`;
}

/** The first step after `step` that prints, or null. */
export function nextLogStep(index: RunIndex, step: number): number | null {
  for (const s of index.logSteps) if (s > step) return s;
  return null;
}

/** The last step before `step` that prints, or null. */
export function prevLogStep(index: RunIndex, step: number): number | null {
  let found: number | null = null;
  for (const s of index.logSteps) {
    if (s >= step) break;
    found = s;
  }
  return found;
}

/** "SyntaxError: Unexpected token (line 1, column 9)". */
export function errorWithPlace(error: { message: string; line?: number; column?: number }): string {
  if (error.line === undefined) return error.message;
  return `${error.message} (line ${error.line}${error.column !== undefined ? `, column ${error.column}` : ''})`;
}

/** Node's five libuv phases in loop order, as the panels title and explain them. */
export const NODE_PHASES: readonly { phase: NodePhase; title: string; what: string }[] = [
  { phase: 'timers', title: 'Timers', what: 'setTimeout and setInterval callbacks whose time has come' },
  { phase: 'pending', title: 'Pending callbacks', what: 'I/O callbacks deferred to the next turn' },
  { phase: 'poll', title: 'Poll', what: 'callbacks of completed I/O; the loop waits here when nothing else is ready' },
  { phase: 'check', title: 'Check', what: 'setImmediate callbacks' },
  { phase: 'close', title: 'Close callbacks', what: "'close' callbacks of sockets and handles" },
];
export const phaseName = (p: NodePhase) => NODE_PHASES.find((x) => x.phase === p)!.title.toLowerCase();

/** How a pending timer was set: the API's name, or `delay(ms)` for the lab's delay helper. */
export function timerApiName(t: PendingTimer): string {
  return t.api === 'delay' ? `delay(${formatMs(t.delay)})` : t.api;
}

/** `3 frames`, `1 frame`: a count with its noun. */
export const plural = (n: number, one: string, many = one + 's') => `${n} ${n === 1 ? one : many}`;
