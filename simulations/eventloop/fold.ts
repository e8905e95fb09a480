/**
 * State of an event-loop run at step i, for the lab's stack / web APIs / queues / console views
 * and for step back.
 *
 * Step i is the state after applying trace events 0..i-1 (step 0: nothing has happened). Built
 * on core/fold (`createFold`, a snapshot every 256 events), so `at(i)` costs at most 255 event
 * applications plus copying the (small) lists. Entries of the lists are shared between states:
 * treat them as read-only.
 */
import { createFold, type Fold } from '../core/fold';
import { jobLabel } from './labels';
import type { EventLoopEvent, EventLoopRun, JobSource, Loc, ReactionVia, TaskSource } from './types';

export interface StackFrame {
  /** Function name, "(main script)", or a built-in such as "console.log" or "setTimeout". */
  name: string;
  /** Index into `run.functions` (-1: main script, -2: built-in). */
  fn: number;
  native: boolean;
  /** Where this frame is: the current statement for the top frame, the call site for the others. */
  loc?: Loc;
}

export interface PendingTimer {
  id: number;
  api: 'setTimeout' | 'setInterval' | 'delay';
  /** Name of the callback ("delay(100)" for the delay helper). */
  callback: string;
  delay: number;
  timeout: number;
  due: number;
  repeat: boolean;
  /** Virtual time when it was (re)scheduled. */
  setAt: number;
}

export interface QueuedTask {
  id: number;
  source: TaskSource;
  timer?: number;
  label: string;
}

export interface QueuedJob {
  id: number;
  source: JobSource;
  via?: ReactionVia;
  /** The settled promise (reactions) or the promise being resolved (thenable jobs). */
  promise?: number;
  fn?: string;
  label: string;
}

export interface ConsoleLine {
  text: string;
  level: 'log' | 'info' | 'warn' | 'error' | 'debug';
}

export interface EventLoopState {
  /** The step this state is at (0..trace.length). */
  step: number;
  /** Virtual time (ms) of the last applied event; 0 at step 0. */
  t: number;
  /** Call stack, bottom first. */
  stack: StackFrame[];
  /** Timers waiting in the "web APIs" for their due time, in the order they were set. */
  timers: PendingTimer[];
  /** Task queue, front first. */
  tasks: QueuedTask[];
  /** Microtask queue, front first. */
  microtasks: QueuedJob[];
  /** The task being run (it lasts until its microtask checkpoint is over), or null. */
  currentTask: QueuedTask | null;
  /** The microtask being run, or null. */
  currentJob: QueuedJob | null;
  /** Console output so far. */
  console: ConsoleLine[];
  /** Current source location (the statement running, or the last location an event named). */
  loc?: Loc;
  /** Counts of events so far of interest for summaries. */
  tasksDone: number;
  microtasksDone: number;
}

interface Compact {
  t: number;
  stack: StackFrame[];
  timers: PendingTimer[];
  tasks: QueuedTask[];
  micro: QueuedJob[];
  currentTask: QueuedTask | null;
  currentJob: QueuedJob | null;
  consoleCount: number;
  loc?: Loc;
  tasksDone: number;
  microtasksDone: number;
}

export interface EventLoopFold {
  /** Number of steps after the initial state (the trace length). */
  readonly length: number;
  /** State after events 0..i-1; i is clamped to [0, length]. */
  at(i: number): EventLoopState;
  /** The largest step whose time is <= t: for scrubbing by time. */
  stepAtTime(t: number): number;
}

function removeById<T extends { id: number }>(list: T[], id: number): T | null {
  // Queues are FIFO: the entry is nearly always at the front.
  for (let k = 0; k < list.length; k++) {
    if (list[k].id === id) return list.splice(k, 1)[0];
  }
  return null;
}

function pushFrame(s: Compact, name: string, fn: number, native: boolean, loc: Loc | undefined): void {
  const n = s.stack.length;
  // The caller's frame keeps the call site as its location.
  if (n > 0 && s.loc !== s.stack[n - 1].loc) s.stack[n - 1] = { ...s.stack[n - 1], loc: s.loc };
  s.stack.push({ name, fn, native, loc: native ? s.loc : loc });
  if (!native) s.loc = loc;
}

function apply(s: Compact, e: EventLoopEvent): void {
  s.t = e.t;
  switch (e.kind) {
    case 'task-enqueue':
      s.tasks.push({ id: e.task, source: e.source, timer: e.timer, label: e.label });
      break;
    case 'task-start':
      s.currentTask = removeById(s.tasks, e.task) ?? { id: e.task, source: e.source, timer: e.timer, label: e.label };
      break;
    case 'task-end':
      if (s.currentJob) s.microtasksDone++;
      s.currentJob = null;
      s.currentTask = null;
      s.tasksDone++;
      break;
    case 'microtask-enqueue':
      s.micro.push({ id: e.job, source: e.source, via: e.via, promise: e.promise, fn: e.fn, label: jobLabel(e) });
      break;
    case 'microtask-start':
      // The previous job (if any) is over: jobs end when the next starts or their task ends.
      if (s.currentJob) s.microtasksDone++;
      s.currentJob = removeById(s.micro, e.job) ?? { id: e.job, source: 'reaction', label: `job ${e.job}` };
      s.loc = undefined;
      break;
    case 'unhandled-rejection':
      // Reported after the checkpoint: no microtask is running any more.
      if (s.currentJob) s.microtasksDone++;
      s.currentJob = null;
      break;
    case 'await': {
      // The continuation is queued at once when the promise was already settled.
      if (e.job !== undefined) {
        const state = e.handler === 'reject' ? 'rejected' : 'fulfilled';
        s.micro.push({ id: e.job, source: 'await', via: 'await', promise: e.promise, fn: e.fn, label: `resume ${e.fn} after await (promise #${e.promise} ${state})` });
      }
      // The async function is suspended: its frame leaves the stack.
      s.stack.pop();
      const n = s.stack.length;
      s.loc = n > 0 ? s.stack[n - 1].loc : undefined;
      return;
    }
    case 'resume':
      // A microtask-start and a push in one event.
      if (s.currentJob) s.microtasksDone++;
      s.currentJob = removeById(s.micro, e.job) ?? { id: e.job, source: 'await', label: `job ${e.job}` };
      pushFrame(s, e.name, e.fn, false, e.loc);
      break;
    case 'push':
      pushFrame(s, e.name, e.fn, e.native === true, e.loc);
      break;
    case 'pop': {
      s.stack.pop();
      const n = s.stack.length;
      s.loc = n > 0 ? s.stack[n - 1].loc : undefined;
      break;
    }
    case 'timer-set': {
      const entry: PendingTimer = {
        id: e.timer,
        api: e.api,
        callback: e.callback,
        delay: e.delay,
        timeout: e.timeout,
        due: e.due,
        repeat: e.repeat,
        setAt: e.t,
      };
      const k = s.timers.findIndex((x) => x.id === e.timer);
      if (k >= 0) s.timers.splice(k, 1);
      s.timers.push(entry);
      if (e.loc) s.loc = e.loc;
      break;
    }
    case 'timer-fire':
      removeById(s.timers, e.timer);
      break;
    case 'timer-clear': {
      removeById(s.timers, e.timer);
      const k = s.tasks.findIndex((x) => x.timer === e.timer);
      if (k >= 0) s.tasks.splice(k, 1);
      if (e.loc) s.loc = e.loc;
      break;
    }
    case 'console':
      s.consoleCount++;
      if (e.loc) s.loc = e.loc;
      break;
    default:
      if (e.loc) s.loc = e.loc;
  }
  // Keep the top frame's location current, so a stack view can show where each frame is.
  const n = s.stack.length;
  if (n > 0 && s.loc && s.stack[n - 1].loc !== s.loc && e.kind !== 'pop' && !s.stack[n - 1].native) {
    s.stack[n - 1] = { ...s.stack[n - 1], loc: s.loc };
  }
}

/** Builds the step-i view of a run. Cost: one pass to collect the console lines. */
export function eventLoopFold(run: Pick<EventLoopRun, 'trace'>, every?: number): EventLoopFold {
  const trace = run.trace;
  const lines: ConsoleLine[] = [];
  for (const e of trace) if (e.kind === 'console') lines.push({ text: e.text, level: e.level });

  const fold: Fold<Compact> = createFold<EventLoopEvent, Compact>(
    trace,
    {
      init: () => ({
        t: 0,
        stack: [],
        timers: [],
        tasks: [],
        micro: [],
        currentTask: null,
        currentJob: null,
        consoleCount: 0,
        loc: undefined,
        tasksDone: 0,
        microtasksDone: 0,
      }),
      clone: (s) => ({
        ...s,
        stack: s.stack.slice(),
        timers: s.timers.slice(),
        tasks: s.tasks.slice(),
        micro: s.micro.slice(),
      }),
      apply,
    },
    { every },
  );

  return {
    length: trace.length,
    at(i: number): EventLoopState {
      const c = fold.at(i);
      const step = Math.max(0, Math.min(trace.length, Number.isFinite(i) ? Math.floor(i) : i > 0 ? trace.length : 0));
      return {
        step,
        t: c.t,
        stack: c.stack,
        timers: c.timers,
        tasks: c.tasks,
        microtasks: c.micro,
        currentTask: c.currentTask,
        currentJob: c.currentJob,
        console: lines.slice(0, c.consoleCount),
        loc: c.loc,
        tasksDone: c.tasksDone,
        microtasksDone: c.microtasksDone,
      };
    },
    stepAtTime(t: number): number {
      let lo = 0;
      let hi = trace.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (trace[mid].t <= t) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    },
  };
}
