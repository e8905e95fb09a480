/**
 * Node's event loop (RunOptions.runtime 'node'): Node 24 on libuv, around the same agent
 * (promises, async functions, generators are shared with the browser mode).
 *
 * - The main script runs first; then the loop turns while anything keeps it alive (a pending
 *   timer, a queued immediate, an I/O request in flight). Each turn (`iteration` 1, 2, ...) runs
 *   the libuv phases in order: timers, pending callbacks, poll, check, close. The model has no
 *   deferred I/O callbacks and no close handlers, so the pending and close phases never run
 *   JavaScript (they are not traced).
 * - timers: every timer whose due time is at or before the loop time at the start of the phase
 *   runs, in due order (ties in the order they were set). Node's delay rules: a delay outside
 *   [1, 2^31-1] ms becomes 1 ms (`setTimeout(fn, 0)` is 1 ms), fractions are kept, no nesting
 *   clamp. A setInterval is re-armed right after its callback, before its microtasks.
 * - poll: when no immediate is queued, the loop blocks until the next timer is due or the next
 *   I/O request completes (the virtual clock jumps there); then the callbacks of every completed
 *   request run, in completion order.
 * - check: the immediates queued before the phase started run in order (immediates they queue
 *   wait for the next turn's check phase); clearImmediate removes one that has not run yet.
 * - After every callback (the main script, a timer, an I/O callback, an immediate) Node's
 *   `processTicksAndRejections` runs: all next-tick callbacks (ticks queued by ticks included),
 *   then all microtasks (promise jobs, queueMicrotask), again while a microtask queued a tick;
 *   then unhandled rejections are processed.
 * - An uncaught exception (in any callback, tick or microtask) or an unhandled rejection ends the
 *   process as Node 24 does (`--unhandled-rejections=throw`): its report is the last console line,
 *   the run's exit code is 1, nothing else runs. The console line is the line of Node's stderr
 *   report that names the error (after the source excerpt): for an Error, the first line of its
 *   stack (`TypeError: boom`); for a thrown non-Error value, the value as console.log prints it;
 *   for a promise rejected with a non-Error, Node's `UnhandledPromiseRejection: This error
 *   originated ... The promise rejected with the reason "x".`
 * - I/O: `fs.readFile(path[, options], callback)` (also `require('fs')`) reads the virtual file
 *   system (RunOptions.files, default NODE_DEFAULT_FILES). It completes READ_FILE_LATENCY_MS of
 *   virtual time after the call; its callback gets `(null, data)` (a string when an encoding is
 *   given, else a Uint8Array of the UTF-8 bytes) or an ENOENT error as Node words it.
 * - Races: callbacks take no virtual time in the model (only clock reads do); real Node's do. When
 *   an immediate or I/O callback runs while a timer armed in an earlier loop turn is due within
 *   NODE_RACE_WINDOW_MS, real Node could run the timer first (the classic case: a top-level
 *   `setTimeout(fn, 0)` against `setImmediate(fn)`); the run records a `nondeterministic` event and
 *   a sentence in `EventLoopRun.nondeterministic`. The same when a timer fires while a read is in
 *   flight, or a read completes with a timer due within that window: a real read's duration
 *   varies. Inside an I/O callback, or a timer callback, a setImmediate always runs before a
 *   setTimeout(fn, 0), and the model agrees.
 *   Not flagged (known limits): a real read lands after a varying number of loop turns (a failed
 *   open after one thread-pool round trip, a read after several), while the model completes it
 *   only when the loop would wait, after every queued immediate; and Node reads the real clock at
 *   each setTimeout, so two equal delays set by one callback can, rarely, fall a millisecond apart.
 */
import type { EventLoopEvent } from '../types';
import { ExitSignal, StopSignal, type Agent, type Immediate, type IoRequest, type Task, type Timer } from './agent';
import { drainMicrotasks, initTimer, nextTimerTime } from './tasks';
import { describeThrown } from './console';
import { fnName, isObject, preview } from './values';

/** Virtual latency of `fs.readFile` (ms from the call to its completion in a poll phase). */
export const READ_FILE_LATENCY_MS = 2;
/** A timer due within this much of the loop time races with an immediate or I/O callback. */
export const NODE_RACE_WINDOW_MS = 1;
/** The virtual file system when RunOptions.files is not given. */
export const NODE_DEFAULT_FILES: Readonly<Record<string, string>> = Object.freeze({
  'data.txt': 'hello from data.txt',
  'config.json': '{"port":8080}',
});
const MAX_NOTES = 5;

// ------------------------------------------------------------------ APIs

export function nextTick(ag: Agent, callback: unknown, args: unknown[]): void {
  if (typeof callback !== 'function') throw invalidCallback('callback', callback);
  const id = ag.nextTickId++;
  if (ag.live()) ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'tick-enqueue', tick: id, fn: fnName(callback), loc: ag.here() } as EventLoopEvent);
  ag.ticks.push(id, callback, args);
}

export function setImmediate(ag: Agent, callback: unknown, args: unknown[]): number {
  if (typeof callback !== 'function') throw invalidCallback('callback', callback);
  const imm: Immediate = { id: ag.nextImmediateId++, callback, args, name: fnName(callback), cleared: false };
  ag.immediates.push(imm);
  ag.immediateById.set(imm.id, imm);
  if (ag.live()) ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'immediate-set', immediate: imm.id, callback: imm.name, loc: ag.here() } as EventLoopEvent);
  return imm.id;
}

export function clearImmediate(ag: Agent, id: unknown): void {
  const imm = typeof id === 'number' ? ag.immediateById.get(id) : undefined;
  let was: 'queued' | 'none' = 'none';
  if (imm && !imm.cleared) {
    imm.cleared = true;
    ag.immediateById.delete(imm.id);
    const i = ag.immediates.indexOf(imm);
    if (i >= 0) ag.immediates.splice(i, 1);
    was = 'queued';
  }
  if (ag.live()) ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'immediate-clear', immediate: typeof id === 'number' ? id : -1, was, loc: ag.here() } as EventLoopEvent);
}

function invalidCallback(name: string, v: unknown): TypeError {
  const e = new TypeError(`The "${name}" argument must be of type function. Received ${v === undefined ? 'undefined' : typeof v === 'string' ? `type string ('${v}')` : preview(v)}`);
  (e as { code?: string }).code = 'ERR_INVALID_ARG_TYPE';
  return e;
}

/** `fs.readFile(path[, options], callback)` on the virtual file system. */
export function readFile(ag: Agent, path: unknown, options: unknown, callback: unknown): void {
  if (callback === undefined && typeof options === 'function') {
    callback = options;
    options = undefined;
  }
  if (typeof callback !== 'function') throw invalidCallback('cb', callback);
  const encoding = typeof options === 'string' ? options : isObject(options) ? (options as { encoding?: unknown }).encoding : undefined;
  const name = String(path);
  const files = ag.files ?? NODE_DEFAULT_FILES;
  const ok = Object.prototype.hasOwnProperty.call(files, name);
  let args: unknown[];
  if (ok) {
    const text = files[name];
    args = [null, typeof encoding === 'string' && encoding !== '' ? text : new TextEncoder().encode(text)];
  } else {
    const err = new Error(`ENOENT: no such file or directory, open '${name}'`);
    Object.assign(err, { errno: -2, code: 'ENOENT', syscall: 'open', path: name });
    args = [err];
  }
  const io: IoRequest = {
    id: ag.nextIoId++,
    callback,
    args,
    due: Math.round((ag.clock + READ_FILE_LATENCY_MS) * 1e6) / 1e6,
    name: fnName(callback),
    path: name,
    ok,
    iteration: ag.iteration,
  };
  ag.ios.push(io);
  if (ag.live()) {
    ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'io-start', io: io.id, op: 'readFile', path: name, due: io.due, callback: io.name, loc: ag.here() } as EventLoopEvent);
  }
}

// ------------------------------------------------------------------ errors and exit

/** The line of Node's stderr report that names an uncaught error. */
function errorLine(ag: Agent, e: unknown): string {
  // A DOMException's stack starts with its name ("AbortError: ..."); Node prints it as inspect does.
  if (e instanceof Error && Object.prototype.toString.call(e) !== '[object DOMException]') {
    try {
      const stack = e.stack;
      if (typeof stack === 'string' && stack !== '') return stack.split('\n')[0];
    } catch {
      // fall through
    }
  }
  return describeThrown(ag, e).split('\n')[0];
}

/** V8's NoSideEffectsToString, for the reasons Node quotes (primitives as String(), objects as #<Ctor>). */
function noSideEffectsToString(v: unknown): string {
  if (typeof v === 'symbol') return v.toString();
  if (!isObject(v)) return String(v);
  if (typeof v === 'function') return `function ${fnName(v)}`;
  let ctor = 'Object';
  try {
    const proto = Object.getPrototypeOf(v) as { constructor?: { name?: unknown } } | null;
    const d = proto && Object.getOwnPropertyDescriptor(proto, 'constructor');
    if (d && 'value' in d && typeof d.value === 'function' && typeof d.value.name === 'string' && d.value.name) ctor = d.value.name;
  } catch {
    // keep Object
  }
  return `#<${ctor}>`;
}

function die(ag: Agent, text: string, event: EventLoopEvent | null): never {
  const idx = ag.consoleLines.length;
  ag.consoleLines.push(text);
  if (event && ag.live()) {
    ag.emit(event);
    ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'console', level: 'error', text, index: idx, loc: event.loc } as EventLoopEvent);
  }
  ag.exitCode = 1;
  if (ag.live()) ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'exit', code: 1 } as EventLoopEvent);
  throw new ExitSignal(1);
}

/** An uncaught exception: Node prints it and exits with code 1. */
export function nodeUncaught(ag: Agent, e: unknown): never {
  const text = errorLine(ag, e);
  const loc = ag.here() ?? ag.throwLoc ?? ag.lastLoc;
  return die(ag, text, { seq: ag.rec.events.length, t: ag.clock, kind: 'uncaught', error: preview(e), text, loc } as EventLoopEvent);
}

/** processPromiseRejections in throw mode: the first rejection still unhandled ends the process. */
function processRejections(ag: Agent): void {
  if (ag.aboutToBeNotified.length === 0) return;
  const list = ag.aboutToBeNotified;
  ag.aboutToBeNotified = [];
  for (const rec of list) {
    if (rec.handled) continue;
    const reason = rec.result;
    const text =
      reason instanceof Error
        ? errorLine(ag, reason)
        : 'UnhandledPromiseRejection: This error originated either by throwing inside of an async function without a catch block, ' +
          `or by rejecting a promise which was not handled with .catch(). The promise rejected with the reason "${noSideEffectsToString(reason)}".`;
    die(ag, text, { seq: ag.rec.events.length, t: ag.clock, kind: 'unhandled-rejection', promise: rec.id, reason: preview(reason), text, loc: rec.rejectedAt } as EventLoopEvent);
  }
}

// ------------------------------------------------------------------ the loop

/** Node's processTicksAndRejections: ticks, then microtasks, again while ticks were queued; then rejections. */
function processTicksAndRejections(ag: Agent): void {
  do {
    while (ag.tickHead < ag.ticks.length) {
      const t = ag.ticks;
      const h = ag.tickHead;
      const id = t[h] as number;
      const callback = t[h + 1] as Function;
      const args = t[h + 2] as unknown[];
      t[h + 1] = t[h + 2] = undefined;
      ag.tickHead = h + 3;
      ag.countStep();
      ag.jobsRun++;
      ag.L.p = -1;
      ag.throwLoc = undefined;
      if (ag.live()) ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'tick-start', tick: id } as EventLoopEvent);
      try {
        callback.apply(undefined, args);
      } catch (e) {
        ag.guard(e);
        nodeUncaught(ag, e);
      }
      ag.L.p = -1;
    }
    ag.ticks = [];
    ag.tickHead = 0;
    drainMicrotasks(ag);
  } while (ag.tickHead < ag.ticks.length);
  processRejections(ag);
}

function startTask(ag: Agent, kind: Task['kind'], label: string, timer: Timer | null): Task {
  const task: Task = { id: ag.nextTaskId++, kind, timer, nesting: 0, label };
  ag.countStep();
  ag.tasksRun++;
  ag.currentTask = task;
  ag.throwLoc = undefined;
  if (ag.live()) ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'task-start', task: task.id, source: kind, timer: timer?.id, label } as EventLoopEvent);
  ag.L.p = -1;
  return task;
}

function endTask(ag: Agent, task: Task): void {
  ag.L.p = -1;
  processTicksAndRejections(ag);
  if (ag.live()) ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'task-end', task: task.id } as EventLoopEvent);
  ag.currentTask = null;
}

function callback(ag: Agent, fn: Function, thisArg: unknown, args: unknown[]): void {
  try {
    fn.apply(thisArg, args);
  } catch (e) {
    ag.guard(e);
    nodeUncaught(ag, e);
  }
}

function phase(ag: Agent, p: 'timers' | 'poll' | 'check'): void {
  ag.phase = p;
  if (ag.live()) ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'phase', phase: p, iteration: ag.iteration } as EventLoopEvent);
}

/** The earliest live timer (stale agenda entries are dropped), or null. */
function earliestTimer(ag: Agent): Timer | null {
  return nextTimerTime(ag) === Infinity ? null : ag.agenda.peek()!.t;
}

const flagged = new WeakMap<Agent, Set<string>>();

function note(ag: Agent, key: string, message: string): void {
  let seen = flagged.get(ag);
  if (!seen) flagged.set(ag, (seen = new Set()));
  if (seen.has(key) || ag.notes.length >= MAX_NOTES) return;
  seen.add(key);
  ag.notes.push(message);
  if (ag.live()) ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'nondeterministic', message } as EventLoopEvent);
}

/** Before a timer callback: a read in flight could complete first in real Node (its real duration varies). */
function timerVsReadCheck(ag: Agent, timer: Timer): void {
  for (const io of ag.ios) {
    note(
      ag,
      `io${io.id}`,
      `Not deterministic in real Node: here the ${timer.api} callback ${timer.name} (timer ${timer.id}) runs while fs.readFile('${io.path}') is in flight ` +
        `(it completes at ${io.due} ms in the model), but a real read takes a varying time, so its callback ${io.name} could run first.`,
    );
  }
}

/** Before a read's callback: a timer due about now could run first in real Node (a real read can take longer). */
function readVsTimerCheck(ag: Agent, io: IoRequest): void {
  const timer = earliestTimer(ag);
  if (!timer || timer.due - ag.clock > NODE_RACE_WINDOW_MS) return;
  note(
    ag,
    `timer${timer.id}`,
    `Not deterministic in real Node: here the callback ${io.name} of fs.readFile('${io.path}') runs before the ${timer.api} callback ${timer.name} (timer ${timer.id}, due at ${timer.due} ms), ` +
      'but a real read takes a varying time, so the timer could run first.',
  );
}

/** Before an immediate or I/O callback: does a timer armed in an earlier turn race with it? */
function raceCheck(ag: Agent, what: string): void {
  const timer = earliestTimer(ag);
  if (!timer || timer.iteration >= ag.iteration || timer.due - ag.clock > NODE_RACE_WINDOW_MS) return;
  const gap = Math.max(0, Math.round((timer.due - ag.clock) * 1000) / 1000);
  note(
    ag,
    `timer${timer.id}`,
    `Not deterministic in real Node: here the ${what} runs before the ${timer.api} callback ${timer.name} (timer ${timer.id}, due at ${timer.due} ms), ` +
      `but Node runs the timer first if ${gap === 0 ? 'its due time has passed' : `${gap} ms of real time have passed`} when the loop checks its timers ` +
      '(as with a top-level setTimeout(fn, 0) against setImmediate(fn)); inside an I/O callback the order is fixed.',
  );
}

function timersPhase(ag: Agent): void {
  const now = ag.clock;
  let traced = false;
  for (;;) {
    if (nextTimerTime(ag) > now) break;
    const { t: timer } = ag.agenda.pop()!;
    if (!traced) {
      phase(ag, 'timers');
      traced = true;
    }
    timer.state = 'running';
    if (ag.live()) ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'timer-fire', timer: timer.id } as EventLoopEvent);
    timerVsReadCheck(ag, timer);
    const task = startTask(ag, 'timer', `${timer.api} callback ${timer.name} (timer ${timer.id})`, timer);
    callback(ag, timer.callback as Function, ag.fakeGlobal, timer.args);
    if (timer.state === 'running') {
      if (timer.repeat) initTimer(ag, timer);
      else {
        timer.state = 'done';
        ag.timers.delete(timer.id);
      }
    }
    endTask(ag, task);
  }
}

function pollPhase(ag: Agent): void {
  phase(ag, 'poll');
  if (ag.immediates.length === 0) {
    // Block until the next timer is due or the next I/O request completes.
    let wake = nextTimerTime(ag);
    for (const io of ag.ios) if (io.due < wake) wake = io.due;
    if (wake !== Infinity && wake > ag.clock) {
      if (wake > ag.maxTime) ag.stop('time');
      ag.clock = wake;
    }
  }
  if (ag.ios.length === 0) return;
  const done = ag.ios.filter((io) => io.due <= ag.clock).sort((a, b) => a.due - b.due || a.id - b.id);
  if (done.length === 0) return;
  ag.ios = ag.ios.filter((io) => io.due > ag.clock);
  for (const io of done) {
    if (ag.live()) ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'io-complete', io: io.id, ok: io.ok } as EventLoopEvent);
    readVsTimerCheck(ag, io);
    raceCheck(ag, `readFile callback ${io.name}`);
    const task = startTask(ag, 'io', `readFile callback ${io.name} (I/O ${io.id})`, null);
    callback(ag, io.callback, undefined, io.args);
    endTask(ag, task);
  }
}

function checkPhase(ag: Agent): void {
  if (ag.immediates.length === 0) return;
  const batch = ag.immediates;
  ag.immediates = [];
  phase(ag, 'check');
  for (const imm of batch) {
    if (imm.cleared) continue;
    imm.cleared = true;
    ag.immediateById.delete(imm.id);
    raceCheck(ag, `setImmediate callback ${imm.name}`);
    const task = startTask(ag, 'immediate', `setImmediate callback ${imm.name} (immediate ${imm.id})`, null);
    callback(ag, imm.callback, undefined, imm.args);
    endTask(ag, task);
  }
}

function alive(ag: Agent): boolean {
  return ag.immediates.length > 0 || ag.ios.length > 0 || (nextTimerTime(ag) !== Infinity && refTimer(ag));
}

/** Is a pending timer keeping the loop alive? (An unref'd one, AbortSignal.timeout's, does not.) */
function refTimer(ag: Agent): boolean {
  for (const t of ag.timers.values()) if (t.state === 'pending' && !t.unref) return true;
  return false;
}

/** Runs the main script, then Node's loop until nothing keeps it alive, the process dies, or a budget stops it. */
export function runNodeLoop(ag: Agent, program: Function, programArgs: unknown[]): void {
  try {
    const label = '(main script)';
    const script: Task = { id: ag.nextTaskId++, kind: 'script', timer: null, nesting: 0, label };
    if (ag.live()) ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'task-enqueue', task: script.id, source: 'script', label } as EventLoopEvent);
    ag.countStep();
    ag.tasksRun++;
    ag.currentTask = script;
    if (ag.live()) ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'task-start', task: script.id, source: 'script', label } as EventLoopEvent);
    ag.L.p = ag.programLoc;
    ag.pushFrame(-1, ag.programLoc);
    let threw = false;
    let error: unknown;
    try {
      program.apply(ag.fakeGlobal, programArgs);
    } catch (e) {
      ag.guard(e);
      threw = true;
      error = e;
    }
    if (threw) ag.L.p = ag.L.p >= 0 ? ag.L.p : ag.programLoc;
    ag.popFrame();
    if (threw) nodeUncaught(ag, error);
    endTask(ag, script);
    while (alive(ag)) {
      ag.iteration++;
      timersPhase(ag);
      pollPhase(ag);
      checkPhase(ag);
      ag.phase = null;
    }
    ag.exitCode = 0;
    if (ag.live()) ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'exit', code: 0 } as EventLoopEvent);
  } catch (e) {
    if (!(e instanceof StopSignal) && !(e instanceof ExitSignal)) throw e;
  }
}
