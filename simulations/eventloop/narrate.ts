/**
 * One learner-readable line per step, for the lab's aria-live narration and the presenter view.
 *
 * `narrate(run, i)` describes step i, the state after events 0..i-1: it tells what event i-1 did,
 * prefixed with the virtual time ("t=10 ms: ..."). Step 0 describes the starting point; the last
 * step also says how the run ended. Promises are named by their ids (#1, #2...), as the trace
 * numbers them; timers by theirs ("timer 1"). A Node run (`run.runtime === 'node'`) is told in
 * Node's words: libuv phases, the next-tick queue, immediates, and a process that exits.
 */
import { formatMs } from '../core/format';
import { jobLabel, type MicrotaskEnqueueEvent } from './labels';
import type { EventLoopEvent, EventLoopRun, NodePhase, Runtime } from './types';

/** Milliseconds for reading (the site's one rule, #sim/core/format): "12.25", "1,250". */
export { formatMs };

function code(text: string): string {
  return `\`${text}\``;
}

function quote(text: string): string {
  const one = text.length > 60 ? text.slice(0, 59) + '…' : text;
  return JSON.stringify(one);
}

function lineOf(e: EventLoopEvent): string {
  return e.loc ? ` (line ${e.loc.line})` : '';
}

/** Enqueue events by job id, per trace (narration of a microtask-start names its job). */
const jobsCache = new WeakMap<readonly EventLoopEvent[], Map<number, MicrotaskEnqueueEvent>>();

function jobsOf(trace: readonly EventLoopEvent[]): Map<number, MicrotaskEnqueueEvent> {
  let m = jobsCache.get(trace);
  if (!m) {
    m = new Map();
    for (const e of trace) if (e.kind === 'microtask-enqueue') m.set(e.job, e);
    jobsCache.set(trace, m);
  }
  return m;
}

/** Node runs: the source of each task (by id) and the function of each tick, per trace. */
const nodeCache = new WeakMap<readonly EventLoopEvent[], { tasks: Map<number, string>; ticks: Map<number, string> }>();

function nodeIndex(trace: readonly EventLoopEvent[]): { tasks: Map<number, string>; ticks: Map<number, string> } {
  let m = nodeCache.get(trace);
  if (!m) {
    m = { tasks: new Map(), ticks: new Map() };
    for (const e of trace) {
      if (e.kind === 'task-start') m.tasks.set(e.task, e.source);
      else if (e.kind === 'tick-enqueue') m.ticks.set(e.tick, e.fn);
    }
    nodeCache.set(trace, m);
  }
  return m;
}

const PHASE_WORK: Record<NodePhase, string> = {
  timers: 'the callbacks of the timers whose time has come run, earliest first',
  pending: 'I/O callbacks deferred from the previous turn run here',
  poll: 'the callbacks of completed I/O run here; with no immediate queued, the loop waits here for the next timer or I/O completion',
  check: 'the setImmediate callbacks queued before this phase started run, in order',
  close: "'close' callbacks (of closed sockets and handles) run here",
};

const PHASE_NAME: Record<NodePhase, string> = { timers: 'timers', pending: 'pending callbacks', poll: 'poll', check: 'check', close: 'close callbacks' };

/** The sentence for a Node run's event, where Node's loop differs from the browser's; null: as in a browser. */
function describeNodeEvent(e: EventLoopEvent, trace: readonly EventLoopEvent[]): string | null {
  switch (e.kind) {
    case 'task-enqueue':
      return e.source === 'script' ? 'Node is about to run the main script.' : null;
    case 'task-start':
      switch (e.source) {
        case 'script':
          return 'Node runs the main script first, before the event loop starts.';
        case 'timer':
          return `The timers phase runs the ${e.label}.`;
        case 'immediate':
          return `The check phase runs the next immediate: ${e.label}.`;
        case 'io':
          return `The poll phase runs the ${e.label}.`;
      }
      return null;
    case 'task-end':
      return nodeIndex(trace).tasks.get(e.task) === 'script'
        ? 'The main script is done, and so are the next-tick callbacks and microtasks it queued: the event loop starts.'
        : 'The callback is done, and so are the next-tick callbacks and microtasks it queued: the loop goes on.';
    case 'microtask-start': {
      const queued = jobsOf(trace).get(e.job);
      return `The next-tick queue is empty, so the next promise job runs: ${queued ? jobLabel(queued) : `job ${e.job}`}.`;
    }
    case 'timer-set': {
      if (e.api === 'delay') return null;
      const clamp = e.timeout !== e.delay ? ` (Node turns a delay of ${e.delay} ms into ${e.timeout} ms: any delay below 1 ms, or above 2³¹−1 ms, becomes 1 ms)` : '';
      const every = e.repeat ? `, then every ${formatMs(e.timeout)} ms until it is cleared` : '';
      return `${e.api} sets timer ${e.timer}: ${e.callback} runs in a timers phase once ${formatMs(e.timeout)} ms have passed, at t=${formatMs(e.due)} ms${clamp}${every}.`;
    }
    case 'timer-fire':
      return `Timer ${e.timer} is due: the timers phase takes it.`;
    case 'tick-start': {
      const fn = nodeIndex(trace).ticks.get(e.tick);
      return `The next-tick callback ${fn ?? ''}${fn ? ' ' : ''}runs (tick ${e.tick}): Node empties the next-tick queue before it runs any promise job.`;
    }
    case 'phase':
      return `Loop turn ${e.iteration}, ${PHASE_NAME[e.phase]} phase: ${PHASE_WORK[e.phase]}.`;
    case 'uncaught':
      return `Nothing catches the exception, so Node prints it (${e.text}) and ends the process: nothing else runs.`;
    case 'unhandled-rejection':
      return `Promise #${e.promise} was rejected and had no handler once the next-tick and microtask queues were empty, so Node prints the error and ends the process: ${e.text}.`;
    default:
      return null;
  }
}

/**
 * The sentence for one event (without the time prefix). `trace` is the run's trace, used to name
 * the job a microtask-start runs; `runtime` the loop that ran it (Node runs are told in Node's terms).
 */
export function describeEvent(e: EventLoopEvent, trace: readonly EventLoopEvent[] = [], runtime: Runtime = 'browser'): string {
  if (runtime === 'node') {
    const text = describeNodeEvent(e, trace);
    if (text !== null) return text;
  }
  switch (e.kind) {
    case 'task-enqueue':
      if (e.source === 'script') return 'The main script is queued as the first task.';
      if (e.source === 'rejection') return `The microtask checkpoint is over and a rejected promise has no handler, so a task is queued to report it if it still has none when that task runs: ${e.label}.`;
      return `Timer ${e.timer} is due, so its task joins the task queue: ${e.label}.`;
    case 'task-start':
      if (e.source === 'script') return 'The event loop runs its first task: the main script.';
      return `The call stack and the microtask queue are empty, so the event loop takes the next task: ${e.label}.`;
    case 'task-end':
      return 'The task and the microtasks it queued are done; the event loop can take the next task.';
    case 'microtask-enqueue':
      switch (e.source) {
        case 'await':
          return `Promise #${e.promise} ${e.handler === 'reject' ? 'rejected' : 'fulfilled'}, so the continuation of ${e.fn} after its await is queued as a microtask.`;
        case 'thenable':
          return `A thenable job is queued as a microtask: ${jobLabel(e)}. Adopting another promise's state costs this extra tick.`;
        case 'queueMicrotask':
          return `queueMicrotask puts ${e.fn} in the microtask queue.`;
        default: {
          const state = e.handler === 'reject' ? 'rejected' : 'fulfilled';
          if (e.fn === undefined) {
            return `Promise #${e.promise} ${state}; it has no ${e.handler === 'reject' ? 'rejection' : 'fulfilment'} handler here, so a pass-through job is queued${e.target !== undefined ? ` to settle promise #${e.target} the same way` : ''}.`;
          }
          const via = e.via === 'adopt' ? 'adoption' : e.via;
          return `Promise #${e.promise} ${state}, so its ${via} handler ${e.fn} is queued as a microtask.`;
        }
      }
    case 'microtask-start': {
      const queued = jobsOf(trace).get(e.job);
      return `The call stack is empty, so the next microtask runs: ${queued ? jobLabel(queued) : `job ${e.job}`}.`;
    }
    case 'push':
      if (e.fn === -1) return 'The main script starts running on the call stack.';
      if (e.native) return `${e.name} is called.`;
      return `${e.name} is called and pushed on the call stack${lineOf(e)}.`;
    case 'pop':
      if (e.fn === -1) return 'The main script is done: the call stack is empty.';
      return `${e.name} returns and is popped off the call stack.`;
    case 'timer-set': {
      const api = e.api === 'delay' ? 'delay()' : e.api;
      const what = e.api === 'delay' ? `its promise resolves` : `${e.callback} runs`;
      const clamp =
        e.timeout !== e.delay
          ? e.delay < 0
            ? ` (a negative delay counts as 0)`
            : ` (the ${e.delay} ms delay is raised to ${e.timeout} ms: timers nested more than 5 levels deep wait at least 4 ms)`
          : '';
      const every = e.repeat ? `, then every ${e.timeout} ms until it is cleared` : '';
      return `${api} hands timer ${e.timer} to the browser's timers: ${what} as a task in ${e.timeout} ms, at t=${formatMs(e.due)} ms${clamp}${every}.`;
    }
    case 'timer-fire':
      return `Timer ${e.timer}'s time has come.`;
    case 'timer-clear':
      if (e.was === 'none') return `clearTimeout/clearInterval finds no active timer ${e.timer}: nothing happens.`;
      if (e.was === 'queued') return `Timer ${e.timer} is cleared: its task is taken out of the task queue before it runs.`;
      if (e.was === 'running') return `Timer ${e.timer} is cleared while its callback runs: it will not repeat.`;
      return `Timer ${e.timer} is cleared before it is due: its callback will never run.`;
    case 'await': {
      const queued =
        e.job !== undefined
          ? `promise #${e.promise} is already ${e.handler === 'reject' ? 'rejected' : 'fulfilled'}, so its continuation is queued as a microtask right away`
          : `its continuation is queued as a microtask when promise #${e.promise} settles`;
      if (e.site === 'for-await') {
        return `${code(`for await (… of ${e.text})`)} suspends ${e.fn} until the next value is ready; ${queued}.`;
      }
      if (e.value === 'promise') return `${code(`await ${e.text}`)} suspends ${e.fn}; ${queued}.`;
      if (e.value === 'thenable') {
        return `${code(`await ${e.text}`)} suspends ${e.fn}. The value is a thenable, so promise #${e.promise} first adopts it through a thenable job (extra ticks); ${queued}.`;
      }
      return `${code(`await ${e.text}`)} suspends ${e.fn}, even though the value is not a promise: it is wrapped in promise #${e.promise}, which is already fulfilled, so its continuation is queued as a microtask right away.`;
    }
    case 'resume':
      return e.how === 'fulfilled'
        ? `The next microtask resumes ${e.name} after its await: its frame is back on the call stack${lineOf(e)}.`
        : `The next microtask resumes ${e.name}, and the await throws: the awaited promise was rejected${lineOf(e)}.`;
    case 'yield':
      return `The async generator ${e.fn} yields ${e.value}: the promise its caller got from next() is resolved.`;
    case 'promise-create':
      return `Promise #${e.promise} is created (${e.by}).`;
    case 'promise-settle':
      return e.state === 'fulfilled' ? `Promise #${e.promise} is fulfilled with ${e.value}.` : `Promise #${e.promise} is rejected with ${e.value}.`;
    case 'promise-follow':
      return e.thenable !== undefined
        ? `Promise #${e.promise} is resolved with promise #${e.thenable}, so it will follow it: a thenable job is queued.`
        : `Promise #${e.promise} is resolved with a thenable, so a job to call its then() is queued.`;
    case 'promise-then':
      return `${e.via === 'await' ? 'await' : e.via} registers handlers on promise #${e.promise}${e.result !== undefined ? `, which gives promise #${e.result}` : ''}.`;
    case 'console':
      return `console.${e.level} prints ${quote(e.text)}.`;
    case 'throw':
      return `An exception is thrown: ${e.error}.`;
    case 'caught':
      return `The exception is caught by a catch block: ${e.error}.`;
    case 'uncaught':
      return `Nothing catches the exception, so it is reported (${e.text}) and the event loop goes on.`;
    case 'unhandled-rejection':
      return `Promise #${e.promise} was rejected and still has no handler, so it is reported: ${e.text}.`;
    case 'rejection-handled':
      return `A handler is attached to promise #${e.promise} after its rejection was reported.`;
    case 'budget':
      return e.message;
    case 'signal-abort':
      if (e.made === 'abort') return `AbortSignal.abort() makes a signal that is already aborted, with the reason ${e.reason}: no abort event is dispatched.`;
      return `${e.made === 'timeout' ? 'The timeout of AbortSignal.timeout has elapsed: its signal' : e.made === 'any' ? 'A signal made by AbortSignal.any follows the one that aborted: it' : 'The signal'} aborts with the reason ${e.reason}; its abort event is dispatched now, synchronously, so its listeners run on this call stack.`;
    // Node runs.
    case 'tick-enqueue':
      return `process.nextTick queues ${e.fn} on the next-tick queue, which runs before any promise job.`;
    case 'tick-start':
      return 'The next next-tick callback runs (the next-tick queue is drained before the microtask queue).';
    case 'immediate-set':
      return `setImmediate queues ${e.callback}: it runs in the check phase, right after the poll phase.`;
    case 'immediate-clear':
      return e.was === 'queued' ? `Immediate ${e.immediate} is cleared: its callback will not run.` : `clearImmediate(${e.immediate}) finds nothing to clear.`;
    case 'io-start':
      return `fs.readFile('${e.path}') starts; it completes at ${formatMs(e.due)} ms and ${e.callback} then runs in a poll phase.`;
    case 'io-complete':
      return `The read${e.ok ? '' : ' (it failed)'} has completed: the poll phase runs its callback.`;
    case 'phase':
      return `Loop turn ${e.iteration}: the ${e.phase} phase.`;
    case 'nondeterministic':
      return e.message;
    case 'exit':
      return e.code === 0 ? 'Nothing keeps the loop alive any more: the process exits (code 0).' : 'The process exits with code 1: nothing else runs.';
  }
}

/** Narration of step i (see the module comment). `i` is clamped to [0, trace.length]. */
export function narrate(run: Pick<EventLoopRun, 'trace' | 'truncated' | 'error' | 'runtime'>, i: number): string {
  const trace = run.trace;
  const runtime: Runtime = run.runtime === 'node' ? 'node' : 'browser';
  const step = Math.max(0, Math.min(trace.length, Number.isFinite(i) ? Math.floor(i) : i > 0 ? trace.length : 0));
  if (step === 0) {
    if (run.error && trace.length === 0) return `Nothing runs: ${run.error.message}`;
    if (runtime === 'node') return 't=0 ms: Nothing has run yet; Node is about to run the main script.';
    return 't=0 ms: Nothing has run yet; the main script is about to be queued as the first task.';
  }
  const e = trace[step - 1];
  let line = `t=${formatMs(e.t)} ms: ${describeEvent(e, trace, runtime)}`;
  if (step === trace.length) {
    if (e.kind === 'budget' || e.kind === 'exit') {
      // The message already says why the run stopped.
    } else if (run.truncated) {
      line += ` The recording stops here: this run has more events than the lab keeps (${trace.length}).`;
    } else {
      line += ' The program is done: no task, timer or microtask is left.';
    }
  }
  return line;
}
