/**
 * The event-loop engine: a modelled JavaScript agent (ECMAScript jobs and promises) inside a
 * modelled HTML event loop (tasks, timers, microtask checkpoints), on a virtual clock.
 *
 * Learner code, transformed by transform.ts, runs as real JavaScript in this realm, but every
 * asynchronous mechanism it can reach is the engine's. One module per chapter of the specs, all
 * working on one shared agent record (engine/agent.ts: queues, clock, trace recorder, budgets):
 *
 * - engine/promises.ts: `Promise` written from ECMAScript 27.2 (records, capabilities, reaction
 *   and thenable jobs, the statics, HostPromiseRejectionTracker);
 * - engine/async-functions.ts: Await and async-function coroutines (ES2022+ tick counts);
 * - engine/generators.ts and engine/iterators.ts: sync and async generators, `yield*`,
 *   `for await`, CreateAsyncFromSyncIterator, the iteration operations;
 * - engine/console.ts: the sandbox's console, uncaught errors and unhandled rejections;
 * - engine/tasks.ts: timers, tasks, microtask checkpoints, the event loop itself;
 * - engine/node.ts: Node's loop instead (runtime 'node'): libuv phases, process.nextTick,
 *   setImmediate, a virtual fs.readFile, Node's exit on uncaught errors;
 * - engine/host.ts: the host built-ins adjusted while a program runs (Function.prototype.toString
 *   shows the learner's source, error stacks, Array.fromAsync on the engine's promises);
 * - engine/globals.ts: the sandbox's globals (virtual Date, performance, Math.random...) and the
 *   instrumentation hooks the transformed code calls.
 *
 * Every push, pop, enqueue, dequeue, settle, timer and console line is a trace event.
 */
import { Agent, type EngineProgram } from './engine/agent';
import { installAsyncFromSync, installAsyncGenerator, installGeneratorWrapper } from './engine/generators';
import { programGlobals } from './engine/globals';
import { installPromise } from './engine/promises';
import { runNodeLoop } from './engine/node';
import { runEventLoop } from './engine/tasks';
import { withHostPatches } from './engine/host';
import type { RunOptions } from './types';

export {
  CLOCK_READ_MS,
  VIRTUAL_EPOCH_MS,
  DEFAULT_MAX_STEPS,
  DEFAULT_MAX_LOOP_ITERATIONS,
  DEFAULT_MAX_VIRTUAL_MS,
  POLL_EVERY,
  StopSignal,
  budgetMessage,
  type EngineProgram,
} from './engine/agent';
export { preview } from './engine/values';
export { NODE_DEFAULT_FILES, NODE_RACE_WINDOW_MS, READ_FILE_LATENCY_MS } from './engine/node';

export class Engine extends Agent {
  constructor(program: EngineProgram, options: RunOptions = {}) {
    super(program, options);
    installPromise(this);
    installAsyncGenerator(this);
    installGeneratorWrapper(this);
    installAsyncFromSync(this);
  }

  /** Parameter names and values of the program function: the runtime's helpers and `__$H`. */
  globals(): { names: string[]; values: unknown[] } {
    return programGlobals(this);
  }

  /** Runs the event loop until nothing is left to do or a budget stops it. */
  run(program: Function, programArgs: unknown[]): void {
    withHostPatches(this, () => {
      if (this.runtime === 'node') runNodeLoop(this, program, programArgs);
      else runEventLoop(this, program, programArgs);
    });
  }
}
