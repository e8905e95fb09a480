/**
 * Error paths, budgets and the sandbox of runProgram.
 */
import { describe, expect, it } from 'vitest';
import { budgetMessage, DEFAULT_MAX_LOOP_ITERATIONS, DEFAULT_MAX_STEPS, DEFAULT_MAX_VIRTUAL_MS, runProgram } from '#sim/eventloop';

const defaults = { maxSteps: DEFAULT_MAX_STEPS, maxLoops: DEFAULT_MAX_LOOP_ITERATIONS, maxTime: DEFAULT_MAX_VIRTUAL_MS };

describe('syntax errors', () => {
  it('returns the error with its line and 1-based column, and runs nothing', async () => {
    const run = await runProgram("console.log('a');\nsetTimeout(() => {}, 0);\nlet x = ;\n");
    expect(run.error).toEqual({ message: 'SyntaxError: Unexpected token', line: 3, column: 9 });
    expect(run.console).toEqual([]);
    expect(run.trace).toEqual([]);
    expect(run.truncated).toBe(false);
  });

  it('rejects top-level await, import() and the reserved __$ names with a position', async () => {
    const tla = await runProgram('const v = await 1;');
    expect(tla.error).toEqual({ message: 'SyntaxError: Unexpected token', line: 1, column: 17 });
    const imp = await runProgram("console.log(1);\n  import('node:fs');");
    expect(imp.error).toEqual({ message: 'import() is not available in the event-loop lab.', line: 2, column: 3 });
    expect(imp.console).toEqual([]);
    const reserved = await runProgram('let __$E = 1;');
    expect(reserved.error?.message).toMatch(/reserved/);
  });
});

describe('uncaught errors', () => {
  it('reports an error thrown by the script and still runs its microtasks and timers', async () => {
    const run = await runProgram(`
      setTimeout(() => console.log('timer'), 0);
      Promise.resolve().then(() => console.log('microtask'));
      console.log('before');
      throw new Error('boom');
      console.log('never');
    `);
    expect(run.error).toBeUndefined();
    expect(run.console).toEqual(['before', 'Uncaught Error: boom', 'microtask', 'timer']);
    const uncaught = run.trace.find((e) => e.kind === 'uncaught');
    expect(uncaught).toMatchObject({ kind: 'uncaught', error: 'Error: boom', text: 'Uncaught Error: boom', loc: { line: 5 } });
  });

  it('reports an error in a timer callback and goes on with the next task', async () => {
    const run = await runProgram(`
      setTimeout(() => { console.log('first'); throw new RangeError('bad range'); }, 10);
      setTimeout(() => console.log('second'), 20);
      queueMicrotask(() => { throw 'a string'; });
      queueMicrotask(() => console.log('next microtask'));
    `);
    expect(run.console).toEqual(['Uncaught a string', 'next microtask', 'first', 'Uncaught RangeError: bad range', 'second']);
    expect(run.console.filter((l) => l.startsWith('Uncaught')).length).toBe(2);
    const levels = run.trace.filter((e) => e.kind === 'console').map((e) => (e.kind === 'console' ? e.level : ''));
    expect(levels).toEqual(['error', 'log', 'log', 'error', 'log']);
  });
});

describe('unhandled rejections', () => {
  it('are reported by a task queued after the microtask checkpoint (behind tasks queued before it, as in Chromium)', async () => {
    const run = await runProgram(`
      Promise.reject(new Error('nobody'));
      Promise.resolve().then(() => console.log('microtask first'));
      setTimeout(() => console.log('next task'), 0);
      console.log('sync');
    `);
    expect(run.console).toEqual(['sync', 'microtask first', 'next task', 'Uncaught (in promise) Error: nobody']);
    expect(run.trace.some((e) => e.kind === 'unhandled-rejection' && e.reason === 'Error: nobody')).toBe(true);
  });

  it('are not reported when a handler is attached later in the same checkpoint', async () => {
    const run = await runProgram(`
      const p = Promise.reject(new Error('saved'));
      Promise.resolve().then(() => Promise.resolve()).then(() => p.catch((e) => console.log('caught', e.message)));
    `);
    expect(run.console).toEqual(['caught saved']);
    expect(run.trace.some((e) => e.kind === 'unhandled-rejection')).toBe(false);
  });

  it('are reported once, and a handler attached in a later task is traced as handled late', async () => {
    const run = await runProgram(`
      const p = Promise.reject(new Error('late'));
      setTimeout(() => p.catch((e) => console.log('caught', e.message)), 1);
    `);
    expect(run.console).toEqual(['Uncaught (in promise) Error: late', 'caught late']);
    expect(run.trace.filter((e) => e.kind === 'rejection-handled').length).toBe(1);
  });

  it('include rejections of async functions nobody awaits', async () => {
    const run = await runProgram(`async function f() { await null; throw new TypeError('async'); } f();`);
    expect(run.console).toEqual(['Uncaught (in promise) TypeError: async']);
  });
});

describe('budgets', () => {
  it('stops `while (true) {}` with the loop budget and keeps the console', async () => {
    const run = await runProgram(`console.log('before'); setTimeout(() => console.log('never'), 0); while (true) {}`);
    expect(run.error?.message).toBe(budgetMessage('loops', defaults));
    expect(run.error?.message).toBe('Stopped after 1,000,000 loop iterations: the loop budget ran out. Is there an infinite loop?');
    expect(run.truncated).toBe(true);
    expect(run.console).toEqual(['before']);
    const last = run.trace[run.trace.length - 1];
    expect(last).toMatchObject({ kind: 'budget', budget: 'loops', loc: { line: 1 } });
    expect(run.stats.loopIterations).toBe(DEFAULT_MAX_LOOP_ITERATIONS + 1);
  });

  it('stops an endless chain of microtasks with the call budget', async () => {
    const run = await runProgram(`let n = 0; function f() { n++; queueMicrotask(f); } f(); setTimeout(() => console.log('starved'), 0);`);
    expect(run.error?.message).toBe(budgetMessage('steps', defaults));
    expect(run.error?.message).toMatch(/^Stopped after 1,000,000 calls: the call budget ran out/);
    expect(run.console).toEqual([]);
    expect(run.truncated).toBe(true);
    expect(run.stats.steps).toBe(DEFAULT_MAX_STEPS + 1);
  });

  it('stops an endless setInterval with the time budget', async () => {
    const run = await runProgram(`setInterval(() => console.log('tick'), 100);`);
    expect(run.error?.message).toBe(budgetMessage('time', defaults));
    expect(run.error?.message).toMatch(/^Stopped at 10,000 ms of virtual time: the time budget ran out/);
    expect(run.console.length).toBe(100);
    expect(run.stats.endTime).toBe(10_000);
  });

  it('stops a busy-wait on the clock past the time budget', async () => {
    const run = await runProgram(`const s = performance.now(); while (performance.now() - s < 5000) {} console.log('done');`, { maxVirtualMs: 1000 });
    expect(run.error?.message).toBe(budgetMessage('time', { ...defaults, maxTime: 1000 }));
    expect(run.console).toEqual([]);
  });

  it('cannot be swallowed by catch blocks or finally blocks', async () => {
    const run = await runProgram(`
      while (true) { try { for (;;) {} } catch (e) { console.log('swallowed'); } finally { console.log('finally'); } }
    `);
    expect(run.error?.message).toBe(budgetMessage('loops', defaults));
    expect(run.console).toEqual(['finally']);
    const asyncRun = await runProgram(`
      async function f() { try { await null; for (;;) {} } catch { console.log('swallowed'); } finally { await null; console.log('after'); } }
      f().catch(() => console.log('rejected'));
    `);
    expect(asyncRun.error?.message).toBe(budgetMessage('loops', defaults));
    expect(asyncRun.console).toEqual([]);
  });

  it('honours custom budgets and the shouldStop hook', async () => {
    const small = await runProgram(`function f(n) { return n === 0 ? 0 : 1 + f(n - 1); } console.log(f(100));`, { maxSteps: 50 });
    expect(small.error?.message).toMatch(/^Stopped after 50 calls/);
    const roomy = await runProgram(`function f(n) { return n === 0 ? 0 : 1 + f(n - 1); } console.log(f(100));`, { maxSteps: 200 });
    expect(roomy.console).toEqual(['100']);
    let polls = 0;
    const stopped = await runProgram(`let i = 0; while (true) { i++; }`, { shouldStop: () => ++polls >= 3 });
    expect(stopped.error?.message).toBe(budgetMessage('host', defaults));
    expect(stopped.stats.loopIterations).toBe(3 * 1024);
  });
});

describe('the sandbox', () => {
  it('hides host globals: process, require, fetch, document are not defined', async () => {
    const run = await runProgram(`
      console.log(typeof process, typeof require, typeof fetch, typeof document, typeof module);
      try { process.exit(1); } catch (e) { console.log(e.name, e.message); }
      console.log(globalThis.process, window.require, self === globalThis);
      console.log((function () { return this; })() === globalThis);
      console.log(Object.keys({ fetch: 1 }), [].constructor === Array);
    `);
    expect(run.console).toEqual([
      'undefined undefined undefined undefined undefined',
      'ReferenceError process is not defined',
      'undefined undefined true',
      'true',
      "[ 'fetch' ] true",
    ]);
  });

  it('refuses the Function constructor and eval', async () => {
    const run = await runProgram(`
      try { new Function('return process')(); } catch (e) { console.log(e.name, e.message); }
      try { eval('process'); } catch (e) { console.log(e.name, e.message); }
      console.log((() => {}) instanceof Function);
    `);
    expect(run.console).toEqual([
      'EvalError The Function constructor is not available in the event-loop lab.',
      'EvalError eval is not available in the event-loop lab.',
      'true',
    ]);
  });

  it('keeps implicit globals and top-level declarations out of the host', async () => {
    await runProgram(`leakedImplicit = 1; var leakedVar = 2; Map = null; globalThis.leakedProp = 3;`);
    const g = globalThis as Record<string, unknown>;
    expect(g.leakedImplicit).toBeUndefined();
    expect(g.leakedVar).toBeUndefined();
    expect(g.leakedProp).toBeUndefined();
    expect(typeof Map).toBe('function');
  });

  it('has a virtual, seeded clock and Math.random: the same program gives the same trace', async () => {
    const source = `
      console.log(Math.random(), Date.now(), performance.now(), new Date().toISOString());
      setTimeout(() => console.log(Math.random(), Date.now()), 25);
    `;
    const a = await runProgram(source);
    const b = await runProgram(source);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.console[0].split(' ').slice(1)).toEqual(['1735689600000', '0.02', '2025-01-01T00:00:00.000Z']);
    expect(a.console[1].split(' ')[1]).toBe('1735689600025');
    const c = await runProgram(source, { seed: 2 });
    expect(c.console[0]).not.toBe(a.console[0]);
  });
});

describe('the trace', () => {
  it('stops recording at the cap but the run goes on', async () => {
    const source = `for (let i = 0; i < 20; i++) Promise.resolve(i).then((v) => console.log(v));`;
    const full = await runProgram(source);
    const capped = await runProgram(source, { traceCap: 50 });
    expect(capped.trace.length).toBe(50);
    expect(capped.truncated).toBe(true);
    expect(capped.error).toBeUndefined();
    expect(capped.console).toEqual(full.console);
    expect(capped.stats.events).toBe(full.trace.length);
    expect(full.truncated).toBe(false);
  });

  it('numbers events and stamps them with virtual time and source locations', async () => {
    const run = await runProgram(`console.log('a');\nsetTimeout(function later() {\n  console.log('b');\n}, 30);`);
    run.trace.forEach((e, i) => expect(e.seq).toBe(i));
    const logs = run.trace.filter((e) => e.kind === 'console');
    expect(logs.map((e) => [e.t, e.loc?.line])).toEqual([
      [0, 1],
      [30, 3],
    ]);
    const set = run.trace.find((e) => e.kind === 'timer-set');
    expect(set).toMatchObject({ kind: 'timer-set', timer: 1, delay: 30, timeout: 30, due: 30, callback: 'later', api: 'setTimeout', loc: { line: 2, column: 1 } });
    expect(run.functions).toEqual([{ name: 'later', loc: { line: 2, column: 12 } }]);
  });
});
