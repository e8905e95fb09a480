/**
 * The event-loop model: learner code run on a modelled JavaScript event loop.
 *
 * This file is the contract between the engine (simulations/eventloop) and its views
 * (src/widgets/EventLoopLab). Everything a view shows is in the trace or computed by a pure
 * helper exported from this folder (`eventLoopFold`, `narrate`).
 *
 * Locations: `line` is 1-based and `column` is 1-based (as editors and DevTools show them).
 * Times: `t` is virtual milliseconds since the script started.
 */
import type { TraceEventBase } from '../core/trace';

export interface Loc {
  line: number;
  column: number;
}

/** The console method that printed a line. */
export type ConsoleLevel = 'log' | 'info' | 'warn' | 'error' | 'debug';

/** What a microtask job is. */
export type JobSource =
  /** A promise reaction: a `then`/`catch`/`finally` handler (or a pass-through) for a settled promise. */
  | 'reaction'
  /** The continuation of an `await` (or of `for await`): resumes the async function. */
  | 'await'
  /** NewPromiseResolveThenableJob: calls `thenable.then(resolve, reject)` to adopt its state. */
  | 'thenable'
  /** A callback given to `queueMicrotask`. */
  | 'queueMicrotask';

/**
 * How a reaction was registered: `then`/`catch`/`finally` are the prototype methods; `await` is an
 * `await` (or `for await`, or `yield` in an async generator); `adopt` is the `then` call of a
 * thenable job adopting another promise's state; `all`/`allSettled`/`any`/`race` are the statics;
 * `async-generator` is the internal bookkeeping of an async generator's `return()`.
 */
export type ReactionVia = 'then' | 'catch' | 'finally' | 'await' | 'adopt' | 'all' | 'allSettled' | 'any' | 'race' | 'async-generator' | 'internal';

/**
 * What a task (a macrotask callback) is. Browser runs have 'script', 'timer' and 'rejection'
 * (HTML's "notify about rejected promises": a task queued after a microtask checkpoint that left
 * rejected promises without a handler; it reports those still unhandled when it runs). Node runs
 * have 'script', 'timer', 'immediate' (a setImmediate callback, check phase) and 'io' (an I/O
 * callback, poll phase).
 */
export type TaskSource = 'script' | 'timer' | 'immediate' | 'io' | 'rejection';

/** Which runtime's event loop runs the program (RunOptions.runtime). */
export type Runtime = 'browser' | 'node';

/** The libuv phases of one turn of Node's event loop (the idle/prepare phases run no JS). */
export type NodePhase = 'timers' | 'pending' | 'poll' | 'check' | 'close';

/** Why the run stopped early, when it did. */
export type BudgetKind = 'steps' | 'loops' | 'time' | 'host';

export type EventLoopEvent = TraceEventBase & { loc?: Loc } & (
    | {
        /** A task joins the task queue (the script at the start, a timer when it elapses). */
        kind: 'task-enqueue';
        task: number;
        source: TaskSource;
        /** The timer id for timer tasks. */
        timer?: number;
        /** Short description: "(main script)", "setTimeout callback f (timer 1)". */
        label: string;
      }
    | { kind: 'task-start'; task: number; source: TaskSource; timer?: number; label: string }
    | { kind: 'task-end'; task: number }
    | {
        kind: 'microtask-enqueue';
        job: number;
        source: JobSource;
        /** For reactions: the promise that settled. For thenable jobs: the promise being resolved. */
        promise?: number;
        /** For reactions: which handler runs. */
        handler?: 'fulfill' | 'reject';
        via?: ReactionVia;
        /**
         * Name of the handler, async function or callback ("(anonymous)" when it has none);
         * absent for a pass-through reaction (no handler for that outcome).
         */
        fn?: string;
        /** For reactions with a result promise: the promise the handler's result resolves. */
        target?: number;
        /** For thenable jobs: the adopted promise's id when it is one of the engine's promises. */
        thenable?: number;
      }
    | {
        /**
         * The microtask starts (it is dequeued); it ends when the next one starts or its task
         * ends. Await continuations start with a `resume` event instead.
         */
        kind: 'microtask-start';
        job: number;
      }
    | {
        /** A frame is pushed on the call stack. `fn` indexes the program's functions (-1: main script, -2: a built-in). */
        kind: 'push';
        name: string;
        fn: number;
        native?: boolean;
      }
    | { kind: 'pop'; name: string; fn: number }
    | {
        kind: 'timer-set';
        timer: number;
        /** The delay the code asked for. */
        delay: number;
        /** The delay in force after HTML's clamping (negative to 0, nested >5 levels to >= 4 ms). */
        timeout: number;
        due: number;
        repeat: boolean;
        /** Timer nesting level of the task it will queue (HTML). */
        nesting: number;
        callback: string;
        /** 'setTimeout' | 'setInterval' | 'delay'. */
        api: 'setTimeout' | 'setInterval' | 'delay';
      }
    | { kind: 'timer-fire'; timer: number }
    | { kind: 'timer-clear'; timer: number; was: 'pending' | 'queued' | 'running' | 'none' }
    | {
        /**
         * `await` suspends an async function: its frame leaves the call stack (this event is that
         * pop); the continuation is queued when `promise` settles and comes back as `resume`.
         */
        kind: 'await';
        fn: string;
        promise: number;
        /** What was awaited: one of our promises (1 tick), a thenable (a thenable job first), or a plain value. */
        value: 'promise' | 'thenable' | 'value';
        /** Source text of the awaited expression (shortened). */
        text: string;
        site: 'await' | 'yield' | 'yield*' | 'for-await' | 'return';
        /**
         * When `promise` is already settled, the continuation is queued at once: this is that
         * microtask's job id (no separate microtask-enqueue event), and `handler` says whether the
         * await will return or throw.
         */
        job?: number;
        handler?: 'fulfill' | 'reject';
        /** The async function call that suspends, named by its promise's id (async functions only; absent for generators). */
        by?: number;
      }
    | {
        /**
         * The microtask `job` (an await continuation) starts, and the suspended async function's
         * frame goes back on the stack: a microtask-start and a push in one step.
         */
        kind: 'resume';
        job: number;
        name: string;
        fn: number;
        /** Whether the awaited promise fulfilled (await returns) or rejected (await throws). */
        how: 'fulfilled' | 'rejected';
        /** The async function call that resumes, named by its promise's id (async functions only). */
        by?: number;
      }
    | {
        /** An async generator yields a value and suspends (or continues at once when more requests wait). */
        kind: 'yield';
        fn: string;
        value: string;
      }
    | { kind: 'promise-create'; promise: number; by: string }
    | {
        kind: 'promise-settle';
        promise: number;
        state: 'fulfilled' | 'rejected';
        /** Short preview of the value or reason. */
        value: string;
      }
    | {
        /** Resolved with a thenable: the promise now follows it (a thenable job is queued). */
        kind: 'promise-follow';
        promise: number;
        /** The thenable's promise id when it is one of ours. */
        thenable?: number;
      }
    | {
        /** Handlers registered on a promise (`then`/`catch`/`finally`, combinators...; an `await` has its own event). */
        kind: 'promise-then';
        promise: number;
        via: ReactionVia;
        /** The promise `then` returned, if any. */
        result?: number;
      }
    | { kind: 'console'; level: ConsoleLevel; text: string; index: number }
    | { kind: 'throw'; error: string }
    | { kind: 'caught'; error: string }
    | { kind: 'uncaught'; error: string; text: string }
    | { kind: 'unhandled-rejection'; promise: number; reason: string; text: string }
    | { kind: 'rejection-handled'; promise: number }
    | { kind: 'budget'; budget: BudgetKind; message: string }
    | {
        /**
         * An AbortSignal aborts (engine/abort.ts): its abort algorithms run, then its `abort`
         * event is dispatched (synchronously: the listeners' events follow). `signal` numbers the
         * run's signals from 1; `made` says how it was made ('controller': an AbortController's,
         * 'timeout': AbortSignal.timeout, 'any': AbortSignal.any, following others; 'abort':
         * AbortSignal.abort(), which makes a signal already aborted: no event is dispatched).
         */
        kind: 'signal-abort';
        signal: number;
        made: 'controller' | 'abort' | 'timeout' | 'any';
        /** Short preview of the reason. */
        reason: string;
      }
    // ---- Node runs only (RunOptions.runtime 'node'); browser traces never contain these.
    | {
        /** `process.nextTick(fn)`: `fn` joins the next-tick queue (drained before promise jobs). */
        kind: 'tick-enqueue';
        tick: number;
        fn: string;
      }
    | {
        /** The next-tick callback `tick` starts (dequeued); it ends when the next job or tick starts, or its callback ends. */
        kind: 'tick-start';
        tick: number;
      }
    | {
        /** `setImmediate(fn)`: `fn` joins the immediate queue (run in a check phase). */
        kind: 'immediate-set';
        immediate: number;
        callback: string;
      }
    | { kind: 'immediate-clear'; immediate: number; was: 'queued' | 'none' }
    | {
        /** An I/O request starts (a modelled `fs.readFile`); it completes at `due` and its callback runs in a poll phase. */
        kind: 'io-start';
        io: number;
        op: 'readFile';
        path: string;
        due: number;
        callback: string;
      }
    | {
        /** An I/O request completed; its callback (a task with source 'io') is about to run in this poll phase. */
        kind: 'io-complete';
        io: number;
        ok: boolean;
      }
    | {
        /** The loop enters a phase of loop turn `iteration` (1 is the first turn after the main script). Only phases with work are traced, plus every poll. */
        kind: 'phase';
        phase: NodePhase;
        iteration: number;
      }
    | {
        /** Real Node could run the next callbacks in another order (a race the model settles one way). */
        kind: 'nondeterministic';
        message: string;
      }
    | {
        /** The process ends: `code` 1 after an uncaught exception or unhandled rejection (nothing else runs), 0 when the loop ran dry. */
        kind: 'exit';
        code: number;
      }
  );

export type EventLoopEventKind = EventLoopEvent['kind'];

export interface RunOptions {
  /**
   * Step budget: function calls (learner functions, each generator/async resume) + microtask
   * jobs + tasks. Default 1,000,000 (its message says "calls": the lab's steps are trace events).
   */
  maxSteps?: number;
  /** Loop budget: loop iterations (every back edge of while/for/do/for-of/for-in). Default 1,000,000. */
  maxLoopIterations?: number;
  /** Virtual-time budget in ms: no task runs after this time. Default 10,000. */
  maxVirtualMs?: number;
  /** Trace cap (events); past it the trace stops but the run goes on. Default 100,000. */
  traceCap?: number;
  /** Polled every 1,024 steps and loop iterations; returning true stops the run (wall-time caps). */
  shouldStop?: () => boolean;
  /** Seed of the sandbox's Math.random (core/rng). Default 1. */
  seed?: number | string;
  /**
   * Which event loop runs the program. 'browser' (default): HTML tasks, timers and microtask
   * checkpoints. 'node': Node 24's loop (libuv phases, process.nextTick, setImmediate, the
   * virtual file system's fs.readFile); see engine/node.ts.
   */
  runtime?: Runtime;
  /** Node runs: the virtual file system read by `fs.readFile` (name -> contents). Default NODE_DEFAULT_FILES. */
  files?: Record<string, string>;
  /**
   * Browser runs only (the interleavings lab's async mode): makes the order of timer and I/O
   * completions a choice. Without it (the default) the loop fires timers by due time. With it,
   * whenever the task queue is empty and timers are pending, the loop calls `chooser` with every
   * pending one in natural order (due time, then set order: index 0 is what the default loop
   * would fire next) and fires the one at the returned index alone, moving the clock forward to
   * its due time if it is later; a negative index ends the run there. Everything else (microtask
   * order, tasks already queued, 0 ms timers queued at once) is unchanged.
   */
  chooser?: (pending: readonly PendingCompletion[]) => number;
}

/** A pending timer or simulated I/O completion, as `RunOptions.chooser` sees it. */
export interface PendingCompletion {
  /** The timer's id: set order, stable across runs that make the same choices. */
  timer: number;
  api: 'setTimeout' | 'setInterval' | 'delay';
  /** `delay(10)`, the callback's name, or a simulated I/O's name (`db.get("x")`). */
  name: string;
  due: number;
}

export interface EventLoopStats {
  steps: number;
  loopIterations: number;
  tasks: number;
  microtasks: number;
  /** Virtual time when the run ended (ms). */
  endTime: number;
  /** Events emitted, recorded or not. */
  events: number;
}

export interface EventLoopRun {
  /** One string per console call, arguments joined by one space (Node's util.inspect style). */
  console: string[];
  trace: EventLoopEvent[];
  /** Set for a syntax error (nothing ran) or when a budget stopped the run. */
  error?: { message: string; line?: number; column?: number };
  /** True when the run stopped before the program was done, or the trace hit its cap. */
  truncated: boolean;
  /** Counts for the lab's footer and tests. */
  stats: EventLoopStats;
  /** Source locations of the program's functions, by `fn` index of push events. */
  functions: { name: string; loc: Loc }[];
  /** Node runs only: 'node' (absent for browser runs, whose results are unchanged). */
  runtime?: 'node';
  /** Node runs only: the process's exit code (1 after an uncaught exception or unhandled rejection). */
  exitCode?: number;
  /**
   * Node runs only, when real Node's order is not deterministic for this program (a top-level
   * `setTimeout(fn, 0)` against `setImmediate`...): one sentence per race found. The run shows
   * one possible order; real Node may print another.
   */
  nondeterministic?: string[];
}
