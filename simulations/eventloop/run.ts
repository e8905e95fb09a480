/**
 * `runProgram(source, options)`: parse, transform, and run learner code on the modelled event loop.
 *
 * - A syntax error (or a construct the lab refuses, such as `import()`) is returned in `error`
 *   with its line and column; nothing runs and the console is empty.
 * - Otherwise the program runs as the first task; the loop then runs until no task, timer or
 *   microtask is left, or a budget stops it (`error.message` names the budget, `truncated` is
 *   true, the console produced so far is kept).
 * - Same source and options, same result, bit for bit.
 */
import { Engine, StopSignal } from './engine';
import { ProgramError, transformProgram, type Transformed } from './transform';
import type { EventLoopRun, RunOptions } from './types';

function emptyStats(): EventLoopRun['stats'] {
  return { steps: 0, loopIterations: 0, tasks: 0, microtasks: 0, endTime: 0, events: 0 };
}

export async function runProgram(source: string, options: RunOptions = {}): Promise<EventLoopRun> {
  return runProgramSync(source, options);
}

/** The synchronous core of runProgram (the engine never waits on anything real). */
export function runProgramSync(source: string, options: RunOptions = {}): EventLoopRun {
  let transformed: Transformed;
  try {
    transformed = transformProgram(source);
  } catch (e) {
    if (e instanceof ProgramError) {
      return {
        console: [],
        trace: [],
        error: { message: e.message, line: e.line, column: e.column },
        truncated: false,
        stats: emptyStats(),
        functions: [],
      };
    }
    throw e;
  }
  const engine = new Engine(transformed, options);
  const { names, values } = engine.globals();
  let program: Function;
  try {
    program = new Function(...names, transformed.code);
  } catch (e) {
    // The transform produced code the host cannot compile: a bug of the lab, reported plainly.
    return {
      console: [],
      trace: [],
      error: { message: `The lab could not run this program (${(e as Error).message}).` },
      truncated: false,
      stats: emptyStats(),
      functions: [],
    };
  }
  engine.run(program, values);
  const stopped: StopSignal | null = engine.stopped;
  const node: Partial<EventLoopRun> =
    engine.runtime === 'node'
      ? { runtime: 'node', exitCode: engine.exitCode, ...(engine.notes.length ? { nondeterministic: engine.notes.slice() } : {}) }
      : {};
  return {
    console: engine.consoleLines,
    trace: engine.rec.events,
    error: stopped ? { message: stopped.message } : undefined,
    truncated: stopped !== null || engine.rec.truncated,
    stats: {
      steps: engine.steps,
      loopIterations: engine.loops,
      tasks: engine.tasksRun,
      microtasks: engine.jobsRun,
      endTime: engine.clock,
      events: engine.rec.emitted,
    },
    functions: transformed.fns.map((f) => ({ name: f.name, loc: transformed.locs[f.loc] })),
    ...node,
  };
}
