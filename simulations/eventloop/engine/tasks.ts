/**
 * Timers and tasks: the HTML event loop around the agent, as Chromium runs it.
 *
 * - The script is the first task; after every task the microtask queue is drained completely.
 *   When no task is queued, the clock jumps to the next timer.
 * - Timers follow HTML's timer initialization steps: the timeout is converted like a WebIDL
 *   `long`, negative becomes 0, and when the timer nesting level is above 5 a timeout below 4 ms
 *   becomes 4 ms. setInterval reschedules after its callback and its microtasks have run.
 * - When a timer's task is queued (measured against real Chromium, tests/unit/eventloop-html-model):
 *   a timeout of 0 queues the task at once, while the code that set it is still running (HTML:
 *   wait 0 ms, then queue; Chromium posts it as an immediate task). A longer timeout queues it when
 *   the loop next looks for a task, in due-time order (ties in the order the timers were set),
 *   behind every task queued before that moment: Chromium moves due delayed tasks into its queues
 *   only then, so a timer that elapsed during a long script runs after a `setTimeout(f, 0)` set
 *   later in that script, and after that script's unhandled-rejection report.
 * - Unhandled rejections follow HTML's "notify about rejected promises": a microtask checkpoint
 *   that leaves rejected promises without a handler queues a task; when it runs, it reports
 *   ("Uncaught (in promise) ...", Chromium's console wording) those still unhandled. A handler
 *   attached before it runs (in a later microtask, or in a task queued before it) prevents the
 *   report; one attached after it is traced as `rejection-handled`.
 */
import type { EventLoopEvent } from '../types';
import { JOB_REACTION, JOB_THENABLE, StopSignal, type Agent, type InternalHandler, type PRec, type Reaction, type Task, type Timer } from './agent';
import { notifyRejected, reportException } from './console';
import { reactionJob, resolveWith, thenableJob } from './promises';
import { fnName, preview, toLong } from './values';

/** `io`: a lab's simulated I/O (a 'delay' timer with its own name, whose value is computed when it completes). */
export function setTimer(
  ag: Agent,
  api: Timer['api'],
  callback: Function | null,
  requested: unknown,
  args: unknown[],
  delayRec: PRec | null,
  delayValue: unknown,
  io?: { name: string; complete: () => unknown },
): number {
  const timer: Timer = {
    id: ag.nextTimerId++,
    callback,
    delayRec,
    delayValue,
    args,
    requested: 0,
    timeout: 0,
    due: 0,
    repeat: api === 'setInterval',
    nesting: 0,
    state: 'pending',
    api,
    gen: 0,
    iteration: 0,
    name: io ? io.name : api === 'delay' ? `delay(${preview(requested)})` : fnName(callback),
  };
  if (io) timer.complete = io.complete;
  // Node keeps a fractional delay (`after *= 1`); HTML converts it like a WebIDL long.
  timer.requested = ag.runtime === 'node' ? Number(requested) : toLong(requested);
  ag.timers.set(timer.id, timer);
  initTimer(ag, timer);
  return timer.id;
}

/** HTML timer initialization steps (scheduling part). */
export function initTimer(ag: Agent, timer: Timer): void {
  const task = ag.currentTask;
  const nesting = task && task.kind === 'timer' ? task.nesting : 0;
  let timeout = timer.requested;
  if (ag.runtime === 'node') {
    // Node (lib/internal/timers.js): a delay outside [1, TIMEOUT_MAX] becomes 1; no nesting clamp.
    timeout = timeout >= 1 && timeout <= 2147483647 ? timeout : 1;
    timer.iteration = ag.iteration;
  } else {
    if (timeout < 0) timeout = 0;
    if (nesting > 5 && timeout < 4) timeout = 4;
  }
  timer.timeout = timeout;
  timer.nesting = nesting + 1;
  timer.due = Math.round((ag.clock + timeout) * 1e6) / 1e6;
  timer.state = 'pending';
  timer.gen++;
  // Browser: a 0 ms timer is queued at once (below, after its timer-set event); others wait.
  const now = ag.runtime !== 'node' && timeout === 0;
  if (!now) ag.agenda.push(timer.due, { t: timer, gen: timer.gen });
  if (ag.live()) {
    ag.emit({
      seq: ag.rec.events.length,
      t: ag.clock,
      kind: 'timer-set',
      timer: timer.id,
      delay: timer.requested,
      timeout,
      due: timer.due,
      repeat: timer.repeat,
      nesting: timer.nesting,
      callback: timer.name,
      api: timer.api,
      loc: ag.here(),
    } as EventLoopEvent);
  }
  if (now) queueTimerTask(ag, timer);
}

export function clearTimer(ag: Agent, id: unknown): void {
  const n = toLong(id);
  const timer = ag.timers.get(n);
  let was: 'pending' | 'queued' | 'running' | 'none' = 'none';
  if (timer) {
    was = timer.state === 'done' ? 'none' : timer.state;
    ag.timers.delete(n);
    if (timer.state === 'queued') {
      const i = ag.taskQueue.findIndex((t) => t.timer === timer);
      if (i >= 0) ag.taskQueue.splice(i, 1);
    }
    timer.state = 'done';
    timer.gen++;
  }
  if (ag.live()) ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'timer-clear', timer: n, was, loc: ag.here() } as EventLoopEvent);
}

function enqueueTask(ag: Agent, task: Task): void {
  ag.taskQueue.push(task);
  if (ag.live()) ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'task-enqueue', task: task.id, source: task.kind, timer: task.timer?.id, label: task.label } as EventLoopEvent);
}

/** Moves every timer whose due time has come into the task queue (due order, ties by set order). */
function queueDueTimers(ag: Agent): void {
  while (ag.agenda.size > 0 && ag.agenda.peekTime() <= ag.clock) {
    const { t: timer, gen } = ag.agenda.pop()!;
    if (gen !== timer.gen || timer.state !== 'pending') continue;
    queueTimerTask(ag, timer);
  }
}

/** The timer's time has come: its task joins the task queue. */
function queueTimerTask(ag: Agent, timer: Timer): void {
  timer.state = 'queued';
  if (ag.live()) ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'timer-fire', timer: timer.id } as EventLoopEvent);
  const label =
    timer.api === 'delay' ? `${timer.name} resolves (timer ${timer.id})` : `${timer.api} callback ${timer.name} (timer ${timer.id})`;
  enqueueTask(ag, { id: ag.nextTaskId++, kind: 'timer', timer, nesting: timer.nesting, label });
}

/** Time of the next live timer, skipping stale agenda entries. */
export function nextTimerTime(ag: Agent): number {
  while (ag.agenda.size > 0) {
    const top = ag.agenda.peek()!;
    if (top.gen === top.t.gen && top.t.state === 'pending') return ag.agenda.peekTime();
    ag.agenda.pop();
  }
  return Infinity;
}

/**
 * HTML "perform a microtask checkpoint": drain the queue, then "notify about rejected promises":
 * the promises rejected without a handler since the last checkpoint (and still without one) are
 * handed to a task, which reports those still unhandled when it runs.
 */
function microtaskCheckpoint(ag: Agent): void {
  if (ag.checkpointing) return;
  drainMicrotasks(ag);
  if (ag.aboutToBeNotified.length === 0) return;
  const rejections = ag.aboutToBeNotified;
  ag.aboutToBeNotified = [];
  const label = rejections.length === 1 ? `report unhandled rejection of promise #${rejections[0].id}` : `report unhandled rejections of promises ${rejections.map((r) => `#${r.id}`).join(', ')}`;
  enqueueTask(ag, { id: ag.nextTaskId++, kind: 'rejection', timer: null, nesting: 0, label, rejections });
}

/** Runs microtask jobs until the queue is empty (jobs queued meanwhile included). */
export function drainMicrotasks(ag: Agent): void {
  if (ag.checkpointing) return;
  ag.checkpointing = true;
  try {
    const q = ag.micro;
    while (ag.microHead < ag.micro.length) {
      const m = ag.micro;
      const h = ag.microHead;
      const id = m[h] as number;
      const kind = m[h + 1] as number;
      const a = m[h + 2];
      const b = m[h + 3];
      const c = m[h + 4];
      m[h + 2] = m[h + 3] = m[h + 4] = undefined;
      ag.microHead = h + 5;
      if (ag.microHead > 20480 && ag.microHead * 2 > m.length) {
        ag.micro = m.slice(ag.microHead);
        ag.microHead = 0;
      }
      runJob(ag, id, kind, a, b, c);
    }
    void q;
    ag.micro = [];
    ag.microHead = 0;
  } finally {
    ag.checkpointing = false;
  }
}

function runTask(ag: Agent, task: Task, program: Function, programArgs: unknown[]): void {
  ag.countStep();
  ag.tasksRun++;
  ag.currentTask = task;
  ag.throwLoc = undefined;
  if (ag.live()) ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'task-start', task: task.id, source: task.kind, timer: task.timer?.id, label: task.label } as EventLoopEvent);
  ag.L.p = -1;
  if (task.kind === 'script') {
    ag.L.p = ag.programLoc;
    ag.pushFrame(-1, ag.programLoc);
    try {
      program.apply(ag.fakeGlobal, programArgs);
    } catch (e) {
      ag.guard(e);
      reportException(ag, e);
    }
    ag.popFrame();
    ag.L.p = -1;
    microtaskCheckpoint(ag);
  } else if (task.kind === 'rejection') {
    notifyRejected(ag, task.rejections!);
    microtaskCheckpoint(ag);
  } else {
    const timer = task.timer!;
    if (timer.state === 'queued') {
      timer.state = 'running';
      try {
        if (timer.delayRec) {
          resolveWith(ag, timer.delayRec, timer.complete ? timer.complete() : timer.delayValue);
        } else {
          (timer.callback as Function).apply(ag.fakeGlobal, timer.args);
        }
      } catch (e) {
        ag.guard(e);
        reportException(ag, e);
      }
      ag.L.p = -1;
      microtaskCheckpoint(ag);
      if (timer.state === 'running') {
        if (timer.repeat) initTimer(ag, timer);
        else {
          timer.state = 'done';
          ag.timers.delete(timer.id);
        }
      }
    }
  }
  if (ag.live()) ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'task-end', task: task.id } as EventLoopEvent);
  ag.currentTask = null;
}

/** Runs the event loop until nothing is left to do or a budget stops it. */
export function runEventLoop(ag: Agent, program: Function, programArgs: unknown[]): void {
  enqueueTask(ag, { id: ag.nextTaskId++, kind: 'script', timer: null, nesting: 0, label: '(main script)' });
  try {
    for (;;) {
      if (ag.chooser) {
        // RunOptions.chooser: no timer is due by itself; when no task is left, one is chosen.
        if (ag.taskQueue.length === 0 && !chooseTimer(ag, ag.chooser)) break;
        if (ag.taskQueue.length === 0) continue;
      } else queueDueTimers(ag);
      if (ag.taskQueue.length === 0) {
        const next = nextTimerTime(ag);
        if (next === Infinity) break;
        if (next > ag.maxTime) ag.stop('time');
        ag.clock = Math.max(ag.clock, next);
        continue;
      }
      const task = ag.taskQueue.shift()!;
      runTask(ag, task, program, programArgs);
    }
  } catch (e) {
    if (!(e instanceof StopSignal)) throw e;
  }
}

/**
 * RunOptions.chooser: offers every pending timer in natural order (due time, then set order) and
 * queues the chosen one, the clock moving forward to its due time. False when none is pending or
 * the chooser ends the run (a negative index).
 */
function chooseTimer(ag: Agent, chooser: NonNullable<Agent['chooser']>): boolean {
  const pending: Timer[] = [];
  for (const t of ag.timers.values()) if (t.state === 'pending') pending.push(t);
  if (pending.length === 0) return false;
  pending.sort((a, b) => a.due - b.due || a.id - b.id);
  const i = chooser(pending.map((t) => ({ timer: t.id, api: t.api, name: t.name, due: t.due })));
  if (i < 0) return false;
  const timer = pending[i];
  if (timer === undefined) throw new Error(`RunOptions.chooser returned ${i}, not the index of one of the ${pending.length} pending timers.`);
  if (timer.due > ag.maxTime) ag.stop('time');
  ag.clock = Math.max(ag.clock, timer.due);
  queueTimerTask(ag, timer);
  return true;
}

/** Runs one microtask job (a promise reaction, a thenable job or a queueMicrotask callback). */
function runJob(ag: Agent, id: number, kind: number, a: unknown, b: unknown, c: unknown): void {
  ag.countStep();
  ag.jobsRun++;
  ag.L.p = -1;
  ag.throwLoc = undefined;
  // An await continuation starts with its `resume` event (which names the job), not a
  // separate microtask-start: one step for "the next microtask resumes f".
  let resumes = false;
  if (kind === JOB_REACTION) {
    const h = (b === 0 ? (a as Reaction).f : (a as Reaction).r) as InternalHandler | undefined;
    resumes = h !== undefined && typeof h !== 'function' && h.hk !== 3;
  }
  if (resumes) ag.resumeJob = id;
  else if (ag.live()) ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'microtask-start', job: id });
  try {
    if (kind === JOB_REACTION) reactionJob(ag, a as Reaction, b as 0 | 1, c);
    else if (kind === JOB_THENABLE) thenableJob(ag, a as PRec, b as object, c as Function);
    else (a as () => void)();
  } catch (e) {
    ag.guard(e);
    reportException(ag, e);
  }
  ag.L.p = -1;
  // No end event: the job ends when the next microtask starts, or when its task ends.
}
