/**
 * The views of a run: the fold (state at step i), the narration, and the examples.
 */
import { describe, expect, it } from 'vitest';
import {
  EXAMPLES,
  eventLoopFold,
  getExample,
  narrate,
  runProgramSync,
  SUPPORTED_FEATURES,
  type EventLoopRun,
  type EventLoopState,
} from '#sim/eventloop';
import { generateProgram } from './eventloop-fuzz';
import { generateNodeProgram } from './eventloop-node-fuzz';

const P02 = `console.log('script start');
setTimeout(() => console.log('setTimeout'), 0);
Promise.resolve().then(() => console.log('promise1')).then(() => console.log('promise2'));
console.log('script end');`;

function stepAfter(run: EventLoopRun, pred: (e: EventLoopRun['trace'][number]) => boolean): number {
  const i = run.trace.findIndex(pred);
  expect(i).toBeGreaterThanOrEqual(0);
  return i + 1;
}

describe('eventLoopFold', () => {
  const run = runProgramSync(P02);
  const fold = eventLoopFold(run);

  it('starts empty and ends empty, with the whole console', () => {
    const s0 = fold.at(0);
    expect(s0).toMatchObject({ step: 0, t: 0, stack: [], timers: [], tasks: [], microtasks: [], console: [], currentTask: null });
    const end = fold.at(fold.length);
    expect(end.stack).toEqual([]);
    expect(end.timers).toEqual([]);
    expect(end.tasks).toEqual([]);
    expect(end.microtasks).toEqual([]);
    expect(end.console.map((l) => l.text)).toEqual(run.console);
    expect(end.tasksDone).toBe(2);
    expect(end.microtasksDone).toBe(2);
  });

  it('shows the stack, the 0 ms timer already in the task queue and the queued microtask while the script runs', () => {
    const inLog = fold.at(stepAfter(run, (e) => e.kind === 'push' && e.name === 'console.log'));
    expect(inLog.stack.map((f) => f.name)).toEqual(['(main script)', 'console.log']);
    expect(inLog.stack[0].loc).toEqual({ line: 1, column: 1 });
    const scriptDone = fold.at(stepAfter(run, (e) => e.kind === 'pop' && e.fn === -1));
    expect(scriptDone.stack).toEqual([]);
    // A 0 ms timer's task is queued at once (HTML: wait 0 ms, then queue; Chromium posts it then).
    expect(scriptDone.timers).toEqual([]);
    expect(scriptDone.tasks.map((t) => t.label)).toEqual(['setTimeout callback (anonymous) (timer 1)']);
    expect(scriptDone.microtasks.map((j) => j.label)).toEqual(['then handler (anonymous): promise #1 fulfilled → #2']);
    expect(scriptDone.console.map((l) => l.text)).toEqual(['script start', 'script end']);
    expect(scriptDone.currentTask?.label).toBe('(main script)');
  });

  it('queues the 0 ms timer while the script runs (before its microtasks), then runs it after them', () => {
    const queued = fold.at(stepAfter(run, (e) => e.kind === 'task-enqueue' && e.source === 'timer'));
    expect(queued.timers).toEqual([]);
    expect(queued.tasks.map((t) => t.label)).toEqual(['setTimeout callback (anonymous) (timer 1)']);
    expect(queued.console.map((l) => l.text)).toEqual(['script start']);
    expect(queued.currentTask?.label).toBe('(main script)');
    const running = fold.at(stepAfter(run, (e) => e.kind === 'task-start' && e.source === 'timer'));
    expect(running.console.map((l) => l.text)).toEqual(['script start', 'script end', 'promise1', 'promise2']);
    expect(running.tasks).toEqual([]);
    expect(running.currentTask?.timer).toBe(1);
  });

  it('gives the same state from any snapshot interval (step back is exact)', () => {
    const program = runProgramSync(getExample('for-await').source);
    const coarse = eventLoopFold(program, 1_000_000);
    const fine = eventLoopFold(program, 7);
    for (const i of [0, 1, 6, 7, 8, 50, 99, 100, 101, program.trace.length - 1, program.trace.length]) {
      expect(fine.at(i)).toEqual(coarse.at(i));
    }
    // Out-of-range steps are clamped.
    expect(fine.at(-5)).toEqual(fine.at(0));
    expect(fine.at(1e9)).toEqual(fine.at(program.trace.length));
  });

  it('finds the step for a time', () => {
    const timers = runProgramSync(`setTimeout(() => console.log('a'), 10); setTimeout(() => console.log('b'), 20);`);
    const f = eventLoopFold(timers);
    const s = f.stepAtTime(10);
    expect(timers.trace[s - 1].t).toBe(10);
    expect(s === timers.trace.length || timers.trace[s].t > 10).toBe(true);
    expect(f.at(s).console.map((l) => l.text)).toEqual(['a']);
  });

  it('keeps both queues FIFO and the stack balanced on generated programs', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const r = runProgramSync(generateProgram(seed), { maxSteps: 100_000 });
      if (r.error) continue;
      const f = eventLoopFold(r, 64);
      let prev: EventLoopState = f.at(0);
      for (let i = 1; i <= r.trace.length; i++) {
        const e = r.trace[i - 1];
        if (e.kind === 'microtask-start' || e.kind === 'resume') expect(prev.microtasks[0]?.id).toBe(e.job);
        if (e.kind === 'task-start') expect(prev.tasks[0]?.id).toBe(e.task);
        if (e.kind === 'pop') expect(prev.stack.length).toBeGreaterThan(0);
        if (e.kind === 'task-start' || e.kind === 'microtask-start' || e.kind === 'resume') expect(prev.stack).toEqual([]);
        prev = f.at(i);
      }
      expect(prev.stack).toEqual([]);
      expect(prev.microtasks).toEqual([]);
      expect(prev.tasks).toEqual([]);
      expect(prev.console.map((l) => l.text)).toEqual(r.console);
    }
  });
});

const NODE_PROGRAM = `setTimeout(function later() { console.log('timeout'); }, 0);
setImmediate(function soon() { console.log('immediate'); });
process.nextTick(function first() { console.log('tick'); });
Promise.resolve().then(function job() { console.log('promise'); });
fs.readFile('data.txt', 'utf8', function done(err, text) { console.log(text); });`;

describe('eventLoopFold: Node runs', () => {
  const run = runProgramSync(NODE_PROGRAM, { runtime: 'node' });
  const fold = eventLoopFold(run);

  it('after the main script: the tick, the promise job, the immediate, the read and the 1 ms timer wait, and no phase has started', () => {
    const s = fold.at(stepAfter(run, (e) => e.kind === 'pop' && e.fn === -1));
    expect(s.ticks).toEqual([{ id: 1, fn: 'first' }]);
    expect(s.microtasks.map((j) => j.fn)).toEqual(['job']);
    expect(s.immediates).toEqual([{ id: 1, callback: 'soon' }]);
    expect(s.io).toEqual([{ id: 1, op: 'readFile', path: 'data.txt', due: 2, callback: 'done' }]);
    expect(s.timers).toMatchObject([{ id: 1, callback: 'later', delay: 0, timeout: 1, due: 1 }]);
    expect(s.phase).toBeNull();
    expect(s.exitCode).toBeNull();
  });

  it('runs the tick before the promise job: the tick leaves its queue for the stack, then the job takes over', () => {
    const tick = fold.at(stepAfter(run, (e) => e.kind === 'tick-start'));
    expect(tick.ticks).toEqual([]);
    expect(tick.currentTick).toEqual({ id: 1, fn: 'first' });
    expect(tick.microtasks).toHaveLength(1);
    const job = fold.at(stepAfter(run, (e) => e.kind === 'microtask-start'));
    expect(job.currentTick).toBeNull();
    expect(job.currentJob?.fn).toBe('job');
    expect(job.console.map((l) => l.text)).toEqual(['tick']);
  });

  it('follows the loop through its phases: the check phase takes the immediate, the poll phase the read, the timers phase the timer', () => {
    const check = fold.at(stepAfter(run, (e) => e.kind === 'phase' && e.phase === 'check'));
    expect(check.phase).toEqual({ phase: 'check', iteration: 1 });
    expect(check.immediates).toHaveLength(1);
    const imm = fold.at(stepAfter(run, (e) => e.kind === 'task-start' && e.source === 'immediate'));
    expect(imm.immediates).toEqual([]);
    expect(imm.currentTask?.label).toMatch(/setImmediate callback soon/);
    const timer = fold.at(stepAfter(run, (e) => e.kind === 'task-start' && e.source === 'timer'));
    expect(timer.phase?.phase).toBe('timers');
    expect(timer.timers).toEqual([]);
    const io = fold.at(stepAfter(run, (e) => e.kind === 'io-complete'));
    expect(io.phase?.phase).toBe('poll');
    expect(io.io).toEqual([]);
    expect(io.t).toBe(2);
  });

  it('ends with every queue empty, no phase, and the exit code', () => {
    const end = fold.at(fold.length);
    expect(end).toMatchObject({ ticks: [], immediates: [], io: [], timers: [], microtasks: [], stack: [], phase: null, exitCode: 0, currentTick: null });
    expect(end.console.map((l) => l.text)).toEqual(run.console);
    expect(run.console).toEqual(['tick', 'promise', 'immediate', 'timeout', 'hello from data.txt']);
  });

  it('a process that dies: the error is the last console line, exit code 1, the stack is cleared', () => {
    const dead = runProgramSync(`setTimeout(() => console.log('never'), 0);\nPromise.reject(new Error('boom'));`, { runtime: 'node' });
    const end = eventLoopFold(dead).at(dead.trace.length);
    expect(end.exitCode).toBe(1);
    expect(end.stack).toEqual([]);
    // the timer was pending when the process died: it will never run, so it is not shown waiting
    expect(eventLoopFold(dead).at(dead.trace.length - 1).timers).toHaveLength(1);
    expect(end.timers).toEqual([]);
    expect(end.console.at(-1)).toMatchObject({ text: 'Error: boom', level: 'error', uncaught: true, line: 2 });
    expect(end.console.map((l) => l.text)).not.toContain('never');
  });

  it('keeps the next-tick, microtask and immediate queues FIFO on generated Node programs', () => {
    let ended = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const r = runProgramSync(generateNodeProgram(seed), { runtime: 'node', maxSteps: 100_000 });
      if (r.error) continue;
      const f = eventLoopFold(r, 64);
      let prev: EventLoopState = f.at(0);
      for (let i = 1; i <= r.trace.length; i++) {
        const e = r.trace[i - 1];
        if (e.kind === 'tick-start') expect(prev.ticks[0]?.id).toBe(e.tick);
        if (e.kind === 'microtask-start' || e.kind === 'resume') {
          expect(prev.microtasks[0]?.id).toBe(e.job);
          // A drain of the microtask queue starts once the next-tick queue is empty (a tick queued
          // by a job waits until the whole microtask queue is done).
          if (prev.currentJob === null) expect(prev.ticks).toEqual([]);
        }
        if (e.kind === 'task-start' && e.source === 'immediate') {
          expect(prev.phase?.phase).toBe('check');
          expect(e.label).toContain(`(immediate ${prev.immediates[0]?.id})`);
        }
        if (e.kind === 'task-start' && e.source === 'io') expect(prev.phase?.phase).toBe('poll');
        if (e.kind === 'task-start' && e.source === 'timer') expect(prev.phase?.phase).toBe('timers');
        prev = f.at(i);
      }
      expect(prev.exitCode).toBe(r.exitCode);
      expect(prev.ticks).toEqual([]);
      expect(prev.microtasks).toEqual([]);
      if (r.exitCode === 0) {
        ended++;
        expect(prev.immediates).toEqual([]);
        expect(prev.io).toEqual([]);
        expect(prev.timers).toEqual([]);
      }
      expect(prev.console.map((l) => l.text)).toEqual(r.console);
    }
    expect(ended).toBeGreaterThan(30);
  });
});

describe('narrate', () => {
  it('describes the start, each step, and the end', () => {
    const run = runProgramSync(P02);
    expect(narrate(run, 0)).toBe('t=0 ms: Nothing has run yet; the main script is about to be queued as the first task.');
    expect(narrate(run, 1)).toBe('t=0 ms: The main script is queued as the first task.');
    expect(narrate(run, 2)).toBe('t=0 ms: The event loop runs its first task: the main script.');
    const log = stepAfter(run, (e) => e.kind === 'console');
    expect(narrate(run, log)).toBe('t=0 ms: console.log prints "script start".');
    const timer = stepAfter(run, (e) => e.kind === 'timer-set');
    expect(narrate(run, timer)).toBe("t=0 ms: setTimeout hands timer 1 to the browser's timers: (anonymous) runs as a task in 0 ms, at t=0 ms.");
    expect(narrate(run, run.trace.length)).toMatch(/The program is done: no task, timer or microtask is left\.$/);
    expect(narrate(run, 1e9)).toBe(narrate(run, run.trace.length));
  });

  it('explains await: which function suspends and what queues its continuation', () => {
    const run = runProgramSync(`async function f() { const p = delay(10); await p; console.log('after'); }\nf();`);
    const step = stepAfter(run, (e) => e.kind === 'await');
    expect(narrate(run, step)).toBe('t=0 ms: `await p` suspends f; its continuation is queued as a microtask when promise #2 settles.');
    const settled = runProgramSync(`async function f() { const p = Promise.resolve(1); await p; }\nf();`);
    expect(narrate(settled, stepAfter(settled, (e) => e.kind === 'await'))).toBe(
      't=0 ms: `await p` suspends f; promise #2 is already fulfilled, so its continuation is queued as a microtask right away.',
    );
    expect(narrate(settled, stepAfter(settled, (e) => e.kind === 'resume'))).toBe(
      't=0 ms: The next microtask resumes f after its await: its frame is back on the call stack (line 1).',
    );
    const thenable = runProgramSync(`async function g() { await { then(r) { r(); } }; }\ng();`);
    expect(narrate(thenable, stepAfter(thenable, (e) => e.kind === 'await'))).toMatch(/^t=0 ms: `await \{ then\(r\) \{ r\(\); \} \}` suspends g\. The value is a thenable/);
    const value = runProgramSync(`async function h() { await 42; }\nh();`);
    expect(narrate(value, stepAfter(value, (e) => e.kind === 'await'))).toMatch(/`await 42` suspends h, even though the value is not a promise/);
  });

  it('names the budget when a run is stopped, and says when the recording was capped', () => {
    const stopped = runProgramSync('while (true) {}');
    expect(narrate(stopped, stopped.trace.length)).toBe(`t=0 ms: ${stopped.error!.message}`);
    const capped = runProgramSync(P02, { traceCap: 10 });
    expect(narrate(capped, 10)).toMatch(/The recording stops here: this run has more events than the lab keeps \(10\)\.$/);
    const syntax = runProgramSync('let = ;');
    expect(narrate(syntax, 0)).toBe(`Nothing runs: ${syntax.error!.message}`);
  });

  it('has a readable sentence for every step of every example', () => {
    for (const ex of EXAMPLES) {
      const run = runProgramSync(ex.source, { runtime: ex.runtime });
      for (let i = 0; i <= run.trace.length; i++) {
        const line = narrate(run, i);
        expect(line).toMatch(/^t=\d+(\.\d+)? ms: [A-Za-z`(#]/);
        expect(line).not.toMatch(/#undefined|NaN|\[object|undefined ms|timer undefined|handler undefined/);
      }
    }
  });
});

describe('examples and features', () => {
  const expected: Record<string, string[]> = {
    'sync-vs-timeout': ['start', 'end', 'timeout callback'],
    'microtasks-before-timers': ['script end', 'promise 1', 'microtask', 'promise 2', 'timer'],
    'await-ticks': ['after await promise', 'tick 1', 'after await thenable', 'tick 2', 'returned value', 'tick 3', 'tick 4'],
    'promise-chain': ['got 2', 'caught too big: 20', 'finally', 'result recovered'],
    'error-in-task': ['first timer', 'Uncaught Error: boom', 'second timer still runs'],
    'unhandled-rejection': ['caught handled in time', 'the next task still runs', 'Uncaught (in promise) Error: nobody catches me'],
    'blocking-loop': ['loop done after 200 ms', 'microtask after 200 ms', 'timer fired after 200 ms'],
    'for-await': ['tick 3', 'timer at 75 ms', 'tick 2', 'tick 1', 'liftoff'],
    'async-interleave': ['A step 1', 'B step 1', 'both started', 'A step 2', 'B step 2', 'A step 3', "[ 'A done', 'B done' ]"],
    // eventloop-tasktree-preset.test.ts checks it against real Node 24 (with the lab's delay written out).
    'orphans-race-all': ['fast answered after 10 ms', 'race won by fast', 'all rejected: b failed', 'main done', 'a finished anyway', 'slow answered after 70 ms', 'c finished anyway'],
    // Lesson 8's (lesson-08.test.ts checks them against real Node 24, and their orphan counts).
    'scope-no-orphans': ['a cancelled', 'c cancelled', 'scope failed: b failed', 'main done'],
    'pool-leak-race': ['slow 1 timed out | free: 0', 'slow 2 timed out | free: 0', 'fast timed out | free: 0'],
    'pool-abort-finally': ['slow 1 TimeoutError | free: 1', 'slow 2 TimeoutError | free: 2', 'fast ok'],
    // Node examples (runtime 'node'; eventloop-node-presets.test.ts checks them against real Node 24).
    'node-tick-vs-promise': ['script start', 'script end', 'tick 1', 'tick 2', 'promise 1', 'promise 2', 'tick queued by promise 1'],
    'node-immediate-vs-timeout-io': ['reading…', 'read: hello from data.txt', 'immediate', 'timeout 0'],
    'node-tick-starvation': ['script done', 'promise job ran after 100 ticks', 'timer ran after 100 ticks'],
    'node-timer-1ms': ['A: setTimeout 1 ms, created first', 'B: setTimeout 0 ms, created second', 'C: setTimeout 2 ms'],
  };

  it('has about eight examples with unique ids, each printing what its lesson says', () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(8);
    expect(new Set(EXAMPLES.map((e) => e.id)).size).toBe(EXAMPLES.length);
    for (const ex of EXAMPLES) {
      const run = runProgramSync(ex.source, { runtime: ex.runtime });
      expect(run.error, ex.id).toBeUndefined();
      expect(run.console, ex.id).toEqual(expected[ex.id]);
    }
    expect(() => getExample('nope')).toThrow(/Unknown event-loop example "nope"/);
  });

  it('lists supported features and known limits', () => {
    expect(SUPPORTED_FEATURES.filter((f) => f.supported).length).toBeGreaterThan(8);
    expect(SUPPORTED_FEATURES.some((f) => !f.supported)).toBe(true);
  });
});
