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
import type { EventLoopEvent, EventLoopRun, JobSource, Loc, NodePhase, ReactionVia, TaskSource } from './types';

export interface StackFrame {
  /** Function name, "(main script)", or a built-in such as "console.log" or "setTimeout". */
  name: string;
  /** Index into `run.functions` (-1: main script, -2: built-in). */
  fn: number;
  native: boolean;
  /**
   * Where this frame is: the statement it is at (the last located event inside it), or the call
   * site of the built-in it is calling. A built-in's own frame is at its call site.
   */
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

/** Node runs: a `process.nextTick` callback in the next-tick queue (or running). */
export interface QueuedTick {
  id: number;
  fn: string;
}

/** Node runs: a `setImmediate` callback waiting for a check phase. */
export interface QueuedImmediate {
  id: number;
  callback: string;
}

/** Node runs: an I/O request in flight (a modelled `fs.readFile`); it completes at `due`, in a poll phase. */
export interface PendingIo {
  id: number;
  op: 'readFile';
  path: string;
  due: number;
  callback: string;
}

export interface ConsoleLine {
  text: string;
  level: 'log' | 'info' | 'warn' | 'error' | 'debug';
  /**
   * Source line that printed it (its event's location, else the last location before it); for a
   * reported error, where the error was thrown or the promise rejected, when known.
   */
  line?: number;
  /** True for "Uncaught ..." and "Uncaught (in promise) ..." reports. */
  uncaught: boolean;
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
  /**
   * Current source location: the top learner frame's, or a built-in's call site while it runs
   * (the caller's location); undefined when the stack is empty.
   */
  loc?: Loc;
  /** Counts of events so far of interest for summaries. */
  tasksDone: number;
  microtasksDone: number;
  /**
   * Node runs only (empty / null in browser runs). `ticks`: the next-tick queue, front first;
   * `currentTick`: the next-tick callback running (until the next tick or job starts, or its
   * callback's task ends); `immediates`: setImmediate callbacks waiting for a check phase, in
   * order; `io`: I/O requests in flight; `phase`: the libuv phase the loop is in (null while the
   * main script and its ticks and microtasks run, and after the process exits); `exitCode` once
   * the process has exited (then every list is empty: nothing left will run).
   */
  ticks: QueuedTick[];
  currentTick: QueuedTick | null;
  immediates: QueuedImmediate[];
  io: PendingIo[];
  phase: { phase: NodePhase; iteration: number } | null;
  exitCode: number | null;
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
  tasksDone: number;
  microtasksDone: number;
  ticks: QueuedTick[];
  currentTick: QueuedTick | null;
  immediates: QueuedImmediate[];
  io: PendingIo[];
  phase: { phase: NodePhase; iteration: number } | null;
  exitCode: number | null;
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

/** Moves frame k to `loc` (frames are shared between states: replaced, never mutated). */
function setFrameLoc(s: Compact, k: number, loc: Loc): void {
  if (s.stack[k].loc !== loc) s.stack[k] = { ...s.stack[k], loc };
}

function pushFrame(s: Compact, name: string, fn: number, native: boolean, loc: Loc | undefined): void {
  const n = s.stack.length;
  // While a built-in runs, its caller is at the built-in's call site.
  if (native && loc && n > 0) setFrameLoc(s, n - 1, loc);
  s.stack.push({ name, fn, native, loc });
}

/** The current location: the top learner frame's, or (a built-in running) its caller's. */
function currentLoc(stack: readonly StackFrame[]): Loc | undefined {
  const n = stack.length;
  if (n === 0) return undefined;
  return stack[n - 1].native && n > 1 ? stack[n - 2].loc : stack[n - 1].loc;
}

function apply(s: Compact, e: EventLoopEvent): void {
  s.t = e.t;
  switch (e.kind) {
    case 'task-enqueue':
      s.tasks.push({ id: e.task, source: e.source, timer: e.timer, label: e.label });
      break;
    case 'task-start':
      s.currentTask = removeById(s.tasks, e.task) ?? { id: e.task, source: e.source, timer: e.timer, label: e.label };
      // Node: a check phase runs the immediates front first (cleared ones already left the queue).
      if (e.source === 'immediate') s.immediates.shift();
      break;
    case 'task-end':
      if (s.currentJob) s.microtasksDone++;
      s.currentJob = null;
      s.currentTick = null;
      s.currentTask = null;
      s.tasksDone++;
      if (s.stack.length > 0) s.stack = [];
      return;
    case 'microtask-enqueue':
      s.micro.push({ id: e.job, source: e.source, via: e.via, promise: e.promise, fn: e.fn, label: jobLabel(e) });
      break;
    case 'microtask-start':
      // The previous job (if any) is over: jobs end when the next starts or their task ends.
      if (s.currentJob) s.microtasksDone++;
      s.currentTick = null;
      s.currentJob = removeById(s.micro, e.job) ?? { id: e.job, source: 'reaction', label: `job ${e.job}` };
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
      return;
    }
    case 'resume':
      // A microtask-start and a push in one event.
      if (s.currentJob) s.microtasksDone++;
      s.currentTick = null;
      s.currentJob = removeById(s.micro, e.job) ?? { id: e.job, source: 'await', label: `job ${e.job}` };
      pushFrame(s, e.name, e.fn, false, e.loc);
      return;
    case 'push':
      pushFrame(s, e.name, e.fn, e.native === true, e.loc);
      return;
    case 'pop':
      s.stack.pop();
      return;
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
      break;
    }
    case 'timer-fire':
      removeById(s.timers, e.timer);
      break;
    case 'timer-clear': {
      removeById(s.timers, e.timer);
      const k = s.tasks.findIndex((x) => x.timer === e.timer);
      if (k >= 0) s.tasks.splice(k, 1);
      break;
    }
    case 'console':
      s.consoleCount++;
      break;
    // Node runs.
    case 'tick-enqueue':
      s.ticks.push({ id: e.tick, fn: e.fn });
      break;
    case 'tick-start':
      // Ticks run between microtasks only after the microtask queue is empty, so a job that was
      // running is over.
      if (s.currentJob) s.microtasksDone++;
      s.currentJob = null;
      s.currentTick = removeById(s.ticks, e.tick) ?? { id: e.tick, fn: `tick ${e.tick}` };
      break;
    case 'immediate-set':
      s.immediates.push({ id: e.immediate, callback: e.callback });
      break;
    case 'immediate-clear':
      removeById(s.immediates, e.immediate);
      break;
    case 'io-start':
      s.io.push({ id: e.io, op: e.op, path: e.path, due: e.due, callback: e.callback });
      break;
    case 'io-complete':
      removeById(s.io, e.io);
      break;
    case 'phase':
      s.phase = { phase: e.phase, iteration: e.iteration };
      break;
    case 'exit':
      // The process is gone: nothing it had pending will ever run, so nothing is shown waiting.
      s.exitCode = e.code;
      s.phase = null;
      s.currentTick = null;
      s.currentJob = null;
      s.currentTask = null;
      s.stack = [];
      s.timers = [];
      s.tasks = [];
      s.micro = [];
      s.ticks = [];
      s.immediates = [];
      s.io = [];
      break;
  }
  // Any other located event happens in the top frame: it moves there (and, in a built-in, so
  // does the built-in's caller).
  const n = s.stack.length;
  if (e.loc && n > 0) {
    setFrameLoc(s, n - 1, e.loc);
    if (s.stack[n - 1].native && n > 1) setFrameLoc(s, n - 2, e.loc);
  }
}

/**
 * The run's console lines, in order, each with the source line that printed it: its event's
 * location, else the last location before it. A reported error ("Uncaught ...") is located by
 * the report event before it (where the error was thrown, or the promise rejected), if anywhere.
 */
export function consoleLines(trace: readonly EventLoopEvent[]): ConsoleLine[] {
  const lines: ConsoleLine[] = [];
  let lastLoc: Loc | undefined;
  let report = false;
  for (const e of trace) {
    if (e.kind === 'uncaught' || e.kind === 'unhandled-rejection') report = true;
    else if (e.kind === 'console') {
      const loc = report ? e.loc : (e.loc ?? lastLoc);
      lines.push({ text: e.text, level: e.level, line: loc?.line, uncaught: report });
      report = false;
    }
    if (e.loc) lastLoc = e.loc;
  }
  return lines;
}

/** Builds the step-i view of a run. Cost: one pass to collect the console lines. */
export function eventLoopFold(run: Pick<EventLoopRun, 'trace'>, every?: number): EventLoopFold {
  const trace = run.trace;
  const lines = consoleLines(trace);

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
        tasksDone: 0,
        microtasksDone: 0,
        ticks: [],
        currentTick: null,
        immediates: [],
        io: [],
        phase: null,
        exitCode: null,
      }),
      clone: (s) => ({
        ...s,
        stack: s.stack.slice(),
        timers: s.timers.slice(),
        tasks: s.tasks.slice(),
        micro: s.micro.slice(),
        ticks: s.ticks.slice(),
        immediates: s.immediates.slice(),
        io: s.io.slice(),
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
        loc: currentLoc(c.stack),
        tasksDone: c.tasksDone,
        microtasksDone: c.microtasksDone,
        ticks: c.ticks,
        currentTick: c.currentTick,
        immediates: c.immediates,
        io: c.io,
        phase: c.phase,
        exitCode: c.exitCode,
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
