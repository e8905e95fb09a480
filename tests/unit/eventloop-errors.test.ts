/**
 * Error paths, budgets and the sandbox of runProgram; error messages that must read as V8 prints
 * them for the learner's code (compared with native Node 24), and the host APIs the lab refuses
 * by name (simulations/eventloop/features.ts).
 */
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { budgetMessage, DEFAULT_MAX_LOOP_ITERATIONS, DEFAULT_MAX_STEPS, DEFAULT_MAX_VIRTUAL_MS, runProgram, runProgramSync } from '#sim/eventloop';
import { UNSUPPORTED_GLOBALS } from '#sim/eventloop/features';
import { describeAgreesWithNode } from '../support/eventloop-native';

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

// ---------------------------------------------------------------- no silent gaps (issue 11)

/**
 * Programs whose errors go through the transform's rewrites (`this`, free names, `super` in
 * async methods, awaits): every message must read as V8 prints it for the learner's code.
 */
const MESSAGES_NATIVE: Record<string, string> = {
  'a lost `this` in a timer callback': `
    const o = { n: 1, tick() { console.log('tick', this.n); }, start() { setTimeout(function () { this.tick(); }, 0); } };
    o.start();
  `,
  '`this` in constructors, methods and promise handlers': `
    function F() { this.a.b(); }
    try { new F(); } catch (e) { console.log(e.message); }
    const o = { m() { return this.missing(); }, async n() { await null; this.nope(); } };
    try { o.m(); } catch (e) { console.log(e.message); }
    o.n().catch((e) => console.log(e.message));
    Promise.resolve().then(function () { this.x.y(); }).catch((e) => console.log(e.message));
    for (const x of [1]) { try { this.q(); } catch (e) { console.log(e.message); } }
  `,
  'properties of globalThis read by a free name, called, constructed, iterated': `
    globalThis.x = 5;
    try { x(); } catch (e) { console.log(e.message); }
    try { new x(); } catch (e) { console.log(e.message); }
    try { x.foo(); } catch (e) { console.log(e.message); }
    try { x\`t\`; } catch (e) { console.log(e.message); }
    try { for (const a of x) ; } catch (e) { console.log(e.message); }
    globalThis.f = function () { return typeof this; };
    globalThis.g = function () { 'use strict'; return typeof this; };
    console.log(f(), g());
  `,
  'undeclared names': `
    function outer() { return inner(); }
    function inner() { return undefinedThing.foo; }
    try { outer(); } catch (e) { console.log(e.name, e.message); }
    try { undefinedFn(); } catch (e) { console.log(e.message); }
    try { new Nope(); } catch (e) { console.log(e.message); }
    try { const { a } = missingObj; } catch (e) { console.log(e.message); }
    try { arguments; } catch (e) { console.log(e.message); }
    console.log(typeof nowhere);
    new Nope();
  `,
  'super calls inside async methods': `
    class A { m() { return 1; } }
    class B extends A {
      async m() { await null; return super.m() + super.nope?.(); }
      async k() { return super.gone(); }
      async j() { const q = 'x'; return super[q](); }
    }
    new B().m().then(console.log);
    new B().k().catch((e) => console.log(e.message));
    new B().j().catch((e) => console.log(e.message));
  `,
  'awaited callees and for await over non-iterables': `
    async function f() { const x = 5; (await x)(); }
    f().catch((e) => console.log(e.message));
    async function h() { for await (const v of 5) {} }
    h().catch((e) => console.log(e.message));
    async function q() { for await (const v of undefined) {} }
    q().catch((e) => console.log(e.message));
    const obj = {};
    async function z() { await obj.method(); }
    z().catch((e) => console.log(e.message));
  `,
  "error.stack starts with V8's line and names no helper": `
    function tick() { throw new Error('boom'); }
    try { tick(); } catch (e) { console.log(e.stack.includes('__$'), e.stack.split('\\n')[0]); }
    try { null.x; } catch (e) { console.log(e.stack.split('\\n')[0]); }
    const o = { run() { this.go(); } };
    try { o.run(); } catch (e) { console.log(/__\\$|transform|engine/.test(e.stack), e.stack.split('\\n')[0]); }
    o.run();
  `,
  'uncaught errors thrown through the rewrites': `
    Promise.resolve().then(() => { notHere(); });
    setTimeout(function () { this.later(); }, 1);
    const o = { async go() { await 1; this.missing(); } };
    o.go();
  `,
};

describeAgreesWithNode('error messages name the learner\'s code, as native Node 24 prints them', MESSAGES_NATIVE);

describe('the same messages in Node mode', () => {
  it('are identical to the browser mode (no timers involved, so the loops agree)', () => {
    for (const name of ['`this` in constructors, methods and promise handlers', 'undeclared names', 'super calls inside async methods', 'awaited callees and for await over non-iterables']) {
      const source = MESSAGES_NATIVE[name];
      const browser = runProgramSync(source).console;
      const node = runProgramSync(source, { runtime: 'node' }).console;
      // Node stops at the first uncaught error and prints it without "Uncaught ".
      expect(node.slice(0, -1)).toEqual(browser.slice(0, -1));
      expect(node.at(-1)).toBe(browser.at(-1)!.replace(/^Uncaught /, ''));
    }
  });
});

describe('no runtime helper name ever reaches the learner', () => {
  it('in console lines, uncaught reports, stacks, function names and toString of any program here', () => {
    const programs = [
      ...Object.values(MESSAGES_NATIVE),
      `console.log(String(setTimeout), String(Promise.prototype.then), String(console.log), String(Date.now), String(structuredClone));`,
      `console.log(setTimeout, queueMicrotask, structuredClone, Date.now, eval, Function, delay, Array.fromAsync);`,
      `async function f(a = 1) { await null; } const g = async (x, ...r) => x; function* h() {} class K { async *m() {} }
       console.log(f.toString(), g.toString(), h.toString(), K.toString(), K.prototype.m.toString());`,
      `try { structuredClone(() => 1); } catch (e) { console.log(e.name, e.message); }
       try { structuredClone({ f() {} }); } catch (e) { console.log(e.message); }`,
      `const c = new AbortController(); console.log(c, String(AbortController), String(c.abort), String(AbortSignal.timeout));
       c.abort(); console.log(c.signal.reason, c.signal.reason.stack); try { new AbortSignal(); } catch (e) { console.log(e.stack); }`,
      `const e = new Error('x'); console.log(e.stack); Error.captureStackTrace(e); console.log(e.stack);`,
    ];
    for (const runtime of ['browser', 'node'] as const) {
      for (const source of programs) {
        const run = runProgramSync(source, { runtime });
        expect(run.error).toBeUndefined();
        expect(run.console.length).toBeGreaterThan(0);
        for (const line of run.console) expect(line, source).not.toMatch(/__\$|eval at|runProgram|node_modules|simulations\//);
      }
    }
  });

  it('leaves the host as it was: Function.prototype.toString, Error.prepareStackTrace, Array.fromAsync', () => {
    const before = [Function.prototype.toString, Error.prepareStackTrace, Array.fromAsync];
    runProgramSync('console.log(String(setTimeout)); new Error("x").stack; Array.fromAsync([1]);');
    runProgramSync('throw new Error("stop");');
    expect([Function.prototype.toString, Error.prepareStackTrace, Array.fromAsync]).toEqual(before);
    expect(String(function hostFn() { return 1; })).toMatch(/^function hostFn\(\) \{\s*return 1;\s*\}$/);
  });
});

describe('host APIs the lab does not model say so', () => {
  const browserNames = Object.keys(UNSUPPORTED_GLOBALS).filter((n) => UNSUPPORTED_GLOBALS[n].browser);
  const nodeNames = Object.keys(UNSUPPORTED_GLOBALS).filter((n) => UNSUPPORTED_GLOBALS[n].node);

  it('each one, read, called or constructed, throws "X is not supported in this lab"; typeof is "undefined"', () => {
    for (const [runtime, names] of [['browser', browserNames], ['node', nodeNames]] as const) {
      for (const name of names) {
        const run = runProgramSync(
          `console.log(typeof ${name});
           try { ${name}; } catch (e) { console.log(e.name, e.message); }
           try { ${name}(); } catch (e) { console.log(e.message); }
           try { new ${name}(); } catch (e) { console.log(e.message); }`,
          { runtime },
        );
        const msg = `${name} is not supported in this lab`;
        expect(run.console, `${runtime} ${name}`).toEqual(['undefined', `ReferenceError ${msg}`, msg, msg]);
      }
    }
  });

  it('uncaught, prints as the runtime prints an uncaught ReferenceError (and Node ends the run)', () => {
    const browser = runProgramSync(`console.log('a'); const c = new MessageChannel(); console.log('b');`);
    expect(browser.console).toEqual(['a', 'Uncaught ReferenceError: MessageChannel is not supported in this lab']);
    const node = runProgramSync(`setTimeout(() => console.log('never'), 1); fetch('https://example.com');`, { runtime: 'node' });
    expect(node.console).toEqual(['ReferenceError: fetch is not supported in this lab']);
    expect(node.exitCode).toBe(1);
  });

  it('names what the runtime itself lacks as "not defined", like that runtime', () => {
    const browser = runProgramSync(`try { require('fs'); } catch (e) { console.log(e.message); }
      try { setImmediate(() => {}); } catch (e) { console.log(e.message); }`);
    expect(browser.console).toEqual(['require is not defined', 'setImmediate is not defined']);
    const node = runProgramSync(`try { new XMLHttpRequest(); } catch (e) { console.log(e.message); }
      try { requestAnimationFrame(() => {}); } catch (e) { console.log(e.message); }
      console.log(typeof require('node:fs').readFile, typeof require('fs').readFile);
      try { require('http'); } catch (e) { console.log(e.code, e.message); }`, { runtime: 'node' });
    expect(node.console).toEqual([
      'XMLHttpRequest is not defined',
      'requestAnimationFrame is not defined',
      'function function',
      "MODULE_NOT_FOUND require('http') is not supported in this lab: it models only 'fs' (and 'node:fs')",
    ]);
  });

  it('module syntax fails as V8 fails it in a classic script', () => {
    for (const source of ["import fs from 'fs';\nconsole.log(1);", "console.log(1);\nexport const a = 1;"]) {
      let native: { message: string; line: number } | undefined;
      try {
        new vm.Script(source, { filename: 'program.js' });
      } catch (e) {
        native = { message: `SyntaxError: ${(e as Error).message}`, line: Number(String((e as Error).stack).split('\n')[0].split(':')[1]) };
      }
      const run = runProgramSync(source);
      expect(run.error?.message).toBe(native!.message);
      expect(run.error?.line).toBe(native!.line);
      expect(run.console).toEqual([]);
    }
  });

  it('the supported ones work: setInterval, queueMicrotask, structuredClone', () => {
    const run = runProgramSync(`
      let n = 0;
      const id = setInterval(() => { console.log('iv', ++n); if (n === 3) clearInterval(id); }, 5);
      queueMicrotask(() => console.log('micro'));
      const o = { a: [1, { b: new Map([[1, 2]]) }] };
      const c = structuredClone(o);
      console.log(c.a[1].b.get(1), c !== o, c.a !== o.a);
    `);
    expect(run.console).toEqual(['2 true true', 'micro', 'iv 1', 'iv 2', 'iv 3']);
  });
});
