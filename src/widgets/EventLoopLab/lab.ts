/**
 * The event-loop lab's pure helpers: its URL schema, the examples menu, and an index of a run
 * for the views (keys that let an item travel between panels, console lines with their source
 * line, the steps that print). Nothing here computes semantics: everything is read off the
 * engine's trace and fold.
 *
 * Imports only the light parts of the engine folder (examples, types); the engine itself runs in
 * the Worker (src/runners).
 */
import { param, type ParamSchema } from '../../lib/permalink';
import { EXAMPLES, type EventLoopExample } from '../../../simulations/eventloop/examples';
import type { EventLoopEvent, EventLoopRun, Loc } from '../../../simulations/eventloop/types';
import type { PendingTimer } from '../../../simulations/eventloop/fold';

export const EXAMPLE_IDS = EXAMPLES.map((e) => e.id) as readonly string[];

/** Longest program a link may carry (characters, after inflating). */
export const MAX_CODE = 20_000;

/**
 * What a link carries, in the lab's namespace: `ex` (an example id), `code` (the learner's code,
 * packed with packText; only once they have edited it) and `step`.
 */
export const urlSchema = {
  ex: param.oneOf(EXAMPLE_IDS),
  code: param.text(4 * MAX_CODE),
  step: param.int(),
} satisfies ParamSchema;

export interface LinkState {
  ex: string | undefined;
  code: string | undefined;
  step: number;
}

export function findExample(id: string | null | undefined): EventLoopExample | undefined {
  return id ? EXAMPLES.find((e) => e.id === id) : undefined;
}

/** The example whose code this is, exactly (for the menu's selection). */
export function exampleWithCode(code: string): EventLoopExample | undefined {
  return EXAMPLES.find((e) => e.source === code);
}

export { EXAMPLES };

/* -------------------------------------------------------------------------------------------- */
/* Run index                                                                                    */
/* -------------------------------------------------------------------------------------------- */

export interface ConsoleEntry {
  text: string;
  level: 'log' | 'info' | 'warn' | 'error' | 'debug';
  /** Source line that printed it (for reported errors: where the error was thrown, when known). */
  line?: number;
  /** True for "Uncaught ..." and "Uncaught (in promise) ..." reports. */
  uncaught: boolean;
  /** The step at which it appears (the state after its console event). */
  step: number;
}

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
  /**
   * Source line of each call-stack frame at step s, bottom first (0 for a frame with none): for a
   * learner frame, the statement it is at; a built-in's caller is at the built-in's call site.
   */
  frameLines: (readonly number[])[];
  /** The line running at step s (0: none): the top learner frame's, or a built-in's call site. */
  lineAt: Int32Array;
}

function timerSlot(id: number, setAt: number): string {
  return `${id}@${setAt}`;
}

/** One pass over the trace. */
export function indexRun(run: Pick<EventLoopRun, 'trace'>): RunIndex {
  const consoleLines: ConsoleEntry[] = [];
  const logSteps: number[] = [];
  const taskKey = new Map<number, string>();
  const timerKey = new Map<string, string>();
  const firedAt = new Map<number, PendingTimer & { key: string }>();
  const generation = new Map<number, number>();
  const lastSet = new Map<number, PendingTimer & { key: string }>();
  const settledAt = new Map<number, Loc>();
  let lastLoc: Loc | undefined;
  let lastThrow: Loc | undefined;
  let reportLoc: Loc | undefined;
  let pendingReport = false;

  // Frame lines. The fold keeps a location per frame too, but it does not take a built-in's call
  // site (the `loc` of a native push, console event...) as its caller's position, so while
  // `console.log` runs at line 9 the script's frame still says line 3. Until it does, the view
  // tracks the lines itself from the same events; frame count and order are the fold's.
  const trace = run.trace as readonly EventLoopEvent[];
  const frames: { native: boolean; line: number }[] = [];
  let lines: readonly number[] = [];
  const frameLines: (readonly number[])[] = [lines];
  const lineAt = new Int32Array(trace.length + 1);

  for (let i = 0; i < trace.length; i++) {
    const e = trace[i];
    let changed = true;
    switch (e.kind) {
      case 'push': {
        const line = e.loc?.line ?? 0;
        if (e.native && line && frames.length > 0) frames[frames.length - 1].line = line;
        frames.push({ native: e.native === true, line });
        break;
      }
      case 'resume':
        frames.push({ native: false, line: e.loc?.line ?? 0 });
        break;
      case 'pop':
      case 'await':
        frames.pop();
        break;
      case 'task-end':
        frames.length = 0;
        break;
      default: {
        const n = frames.length;
        if (e.loc && n > 0) {
          frames[n - 1].line = e.loc.line;
          if (frames[n - 1].native && n > 1) frames[n - 2].line = e.loc.line;
        } else changed = false;
      }
    }
    if (changed) lines = frames.map((f) => f.line);
    frameLines.push(lines);
    const n = frames.length;
    lineAt[i + 1] = n === 0 ? 0 : frames[n - 1].native && n > 1 ? frames[n - 2].line : frames[n - 1].line;

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
      case 'task-start':
      case 'microtask-start':
      case 'resume':
        lastThrow = undefined;
        break;
      case 'throw':
        lastThrow = e.loc ?? lastLoc;
        break;
      case 'promise-settle':
        if (e.state === 'rejected') settledAt.set(e.promise, e.loc ?? lastLoc ?? { line: 0, column: 0 });
        break;
      case 'uncaught':
        reportLoc = e.loc ?? lastThrow ?? lastLoc;
        pendingReport = true;
        break;
      case 'unhandled-rejection': {
        const at = settledAt.get(e.promise);
        reportLoc = at && at.line > 0 ? at : undefined;
        pendingReport = true;
        break;
      }
      case 'console': {
        const uncaught = pendingReport;
        const loc = uncaught ? reportLoc : (e.loc ?? lastLoc);
        consoleLines.push({ text: e.text, level: e.level, line: loc?.line, uncaught, step: i + 1 });
        logSteps.push(i + 1);
        pendingReport = false;
        reportLoc = undefined;
        break;
      }
    }
    if (e.loc) lastLoc = e.loc;
  }
  return { console: consoleLines, logSteps, taskKey, timerKey, firedAt, frameLines, lineAt };
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
