/**
 * The global scope of a classic script, as the lab runs the learner's program.
 *
 * Host globals (setTimeout, queueMicrotask, console, Promise, Date, performance and the lab's own
 * `delay`) are properties of the global object, so a top-level let/const/class of the same name
 * shadows them and a top-level var/function reuses or overwrites them; top-level var/function
 * declarations are properties of globalThis. Only let/const/class declarations colliding with
 * each other (or with a var/function) are SyntaxErrors.
 *
 * - `NATIVE`: programs whose output must match real Node 24 running them as a script in a `vm`
 *   context (the differential test's runner, where `delay` is a global of the context too).
 * - Duplicate declarations: the SyntaxError and its line/column must match V8 compiling the same
 *   source as a script.
 * - Function metadata after the transform (length, name, generator prototypes, toString), and
 *   the host built-ins the engine adjusts (Array.fromAsync on its queues, structuredClone): the
 *   same output as native Node 24.
 */
import { spawnSync } from 'node:child_process';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { runProgramSync } from '#sim/eventloop';
import { describeAgreesWithNode } from '../support/eventloop-native';


const NATIVE: Record<string, string> = {
  'const delay: a promise helper named like the lab global': `
    const delay = (ms, v) => new Promise((r) => setTimeout(() => r(v), ms));
    delay(20, 'b').then(console.log);
    delay(10, 'a').then(console.log);
    (async () => { console.log('awaited', await delay(5, 'c')); })();
    console.log(typeof delay, typeof globalThis.delay, globalThis.delay === delay);
  `,
  'let delay and async/await plumbing with the name taken': `
    let delay = async function (ms) { await new Promise((r) => setTimeout(r, ms)); return 'waited ' + ms; };
    async function main() {
      console.log(await delay(3));
      for await (const x of [delay(2), 'plain']) console.log('for await', x);
    }
    main().then(() => console.log('done'));
  `,
  'function delay replaces the global': `
    function delay(ms) { return new Promise((r) => setTimeout(r, ms, 'mine ' + ms)); }
    console.log(globalThis.delay === delay, delay.name);
    delay(4).then(console.log);
    delay(1).then(console.log);
  `,
  "function setTimeout: calls get the program's own function": `
    function setTimeout(cb, ms) { console.log('my setTimeout', ms); queueMicrotask(cb); return -1; }
    console.log(globalThis.setTimeout === setTimeout, setTimeout.length);
    console.log('returned', setTimeout(() => console.log('ran'), 100));
    Promise.resolve().then(() => console.log('then'));
    console.log('sync end');
  `,
  'var setTimeout wrapping the host setTimeout (a var keeps the value until assigned)': `
    console.log(typeof setTimeout);
    var setTimeout = ((orig) => (cb, ms, ...args) => { console.log('set', ms); return orig(cb, ms, ...args); })(setTimeout);
    console.log(globalThis.setTimeout === setTimeout);
    setTimeout((x) => console.log('fired', x), 100, 'arg');
    setTimeout(() => console.log('fired first'), 5); // 95 ms apart: real Node keeps this order on a loaded machine
  `,
  'var and function of host names without an initialiser keep the host value': `
    var setTimeout;
    var queueMicrotask;
    var Map;
    console.log(typeof setTimeout, typeof queueMicrotask, typeof Map);
    queueMicrotask(() => console.log('micro'));
    setTimeout(() => console.log('macro'), 0);
  `,
  'let console shadows the host console, globalThis.console is still the host one': `
    let console = { log: (...a) => globalThis.console.log('[mine]', ...a), count: 0 };
    console.log('hello', 1);
    setTimeout(() => console.log('later'), 0);
    globalThis.console.log('host', typeof console.count);
  `,
  'var console replaces the global console': `
    var log = console.log;
    var console = { log: (...a) => log('>', ...a) };
    console.log('hi');
    globalThis.console.log('via globalThis');
  `,
  'class Promise: a subclass named Promise': `
    class Promise extends globalThis.Promise {
      then(a, b) { globalThis.console.log('then called'); return super.then(a, b); }
    }
    const p = new Promise((r) => r(1));
    p.then((v) => console.log('v', v));
    (async () => { const x = await p; console.log('awaited', x); })();
    console.log(p instanceof globalThis.Promise, p instanceof Promise, (async () => {})() instanceof Promise);
    console.log(Promise.resolve(2) instanceof Promise, globalThis.Promise.resolve(2) instanceof Promise);
    Promise.all([1, Promise.resolve(2)]).then((v) => console.log('all', v, v instanceof Array));
  `,
  'const Promise and async functions still return real promises': `
    const Promise = { resolve: (v) => ({ fake: v }) };
    async function f() { await null; return 'real'; }
    const r = f();
    console.log(Promise.resolve(1), r instanceof globalThis.Promise);
    r.then(console.log);
  `,
  'let queueMicrotask shadows, globalThis.queueMicrotask is the host one': `
    let queueMicrotask = (f) => { console.log('queued'); Promise.resolve().then(f); };
    queueMicrotask(() => console.log('job'));
    globalThis.queueMicrotask(() => console.log('real job'));
    console.log('sync');
  `,
  'let performance and const Date shadow the host ones': `
    let performance = { now: () => 42 };
    const Date = { now: () => 7 };
    console.log(performance.now(), Date.now(), typeof globalThis.Date.now());
  `,
  'class Map, const Set: standard globals can be shadowed too': `
    class Map { get size() { return 'mine'; } }
    const Set = 1;
    console.log(new Map().size, typeof globalThis.Map, new globalThis.Map([[1, 2]]).size, Set, typeof globalThis.Set);
  `,
  'top-level var and function are properties of globalThis, and the other way round': `
    var counter = 1;
    function helper() { return 'helper'; }
    console.log(globalThis.counter, typeof globalThis.helper, globalThis.helper === helper);
    globalThis.counter = 5;
    console.log(counter);
    counter = 7;
    console.log(globalThis.counter, 'counter' in globalThis, Object.keys(globalThis).includes('helper'));
    globalThis.extra = 'x';
    console.log(extra, typeof extra, typeof missing);
    implicitOne = 3;
    console.log(globalThis.implicitOne);
    let lexical = 1;
    const alsoLexical = 2;
    class Lexical {}
    console.log(globalThis.lexical, globalThis.alsoLexical, globalThis.Lexical, 'lexical' in globalThis);
    try { console.log(notThere); } catch (e) { console.log(e.name, e.message); }
  `,
  'patching a host global through globalThis reaches calls by name': `
    globalThis.setTimeout = (cb) => { console.log('patched'); queueMicrotask(cb); };
    setTimeout(() => console.log('cb'));
    Promise.resolve().then(() => console.log('then'));
  `,
  'strict mode: shadowing, and assigning a property of globalThis by name': `
    'use strict';
    const delay = (ms, v) => new Promise((r) => setTimeout(() => r(v), ms));
    let queueMicrotask = 'shadowed';
    function console2() {}
    globalThis.prop = 1;
    prop = 2;
    console.log(globalThis.prop, typeof queueMicrotask, typeof console2, globalThis.console2 === console2);
    try { undeclared = 1; } catch (e) { console.log(e.name, e.message); }
    delay(1, 'strict ok').then(console.log);
  `,
  'the engine keeps working when the program shadows everything': `
    const setTimeout = 1, setInterval = 2, clearTimeout = 3, clearInterval = 4, queueMicrotask = 5;
    let Promise = 6, console = { log: (...a) => globalThis.console.log(...a) }, delay = 7;
    const Object = null, Array = null, Symbol = null, Reflect = null, Error = null, TypeError = null, undefinedish = undefined;
    const arguments_ = 1, __el = 2, $ = 3, _ = 4;
    async function* gen() { yield 1; yield await 2; }
    class A { async m() { await null; return 'm'; } static { console.log('static block'); } }
    (async () => {
      for await (const x of gen()) console.log('gen', x);
      console.log(await new A().m());
      try { null.x; } catch (e) { console.log('caught', e instanceof globalThis.TypeError); }
      console.log(__el + $ + _ + arguments_);
    })();
    globalThis.setTimeout(() => console.log('timer'), 1);
  `,
};

describeAgreesWithNode('top-level declarations of host globals agree with native Node 24', NATIVE);

/** V8's early error for `source` compiled as a script: message and 1-based line/column. */
function nativeSyntaxError(source: string): { message: string; line: number; column: number } {
  try {
    new vm.Script(source, { filename: 'program.js' });
  } catch (e) {
    const err = e as Error;
    // The stack starts "program.js:LINE\n<source line>\n<spaces>^^^".
    const [where, , caret] = String(err.stack).split('\n');
    const line = Number(/program\.js:(\d+)/.exec(where)?.[1]);
    return { message: `${err.name}: ${err.message}`, line, column: caret.indexOf('^') + 1 };
  }
  throw new Error(`no SyntaxError for ${source}`);
}

describe('duplicate declarations are SyntaxErrors at the same place as in V8', () => {
  const cases = [
    'let a; let a;',
    'let a;\n  var a;',
    'var a; let a',
    'const delay = 1;\nlet delay = 2;',
    'function setTimeout() {}\nlet setTimeout;',
    'let console;\nclass console {}',
    'var Promise;\n  const Promise = 1;',
    'let g; async function g() {}',
    'let g; /* c */ function* g() {}',
    'const C = 1;\nclass C {}',
    'let x; { var x; }',
    'let [a, a] = [];',
    'function f() { let q; var q; }',
    'try {} catch (e) { let e; }',
    'switch (1) { case 1: let z; break; case 2: let z; }',
    'label: function q() {} let q;',
    'let q; label: function q() {}',
    'L: M: function q() {}\nclass q {}',
  ];
  for (const source of cases) {
    it(JSON.stringify(source), () => {
      const run = runProgramSync(source);
      const expected = nativeSyntaxError(source);
      expect(run.error).toEqual(expected);
      expect(run.console).toEqual([]);
    });
  }

  it('refuses let/const/class/function declarations of undefined, NaN and Infinity (non-configurable globals)', () => {
    for (const source of ['let undefined = 1;', 'const NaN = 1;', 'class Infinity {}', 'function undefined() {}']) {
      const name = /(undefined|NaN|Infinity)/.exec(source)![1];
      let nativeMessage = '';
      try {
        vm.runInContext(source, vm.createContext({}));
      } catch (e) {
        nativeMessage = `${(e as Error).name}: ${(e as Error).message}`;
      }
      expect(nativeMessage).toBe(`SyntaxError: Identifier '${name}' has already been declared`);
      const run = runProgramSync(source);
      // V8 reports these at the start of the script; the lab points at the declaration.
      expect(run.error).toEqual({ message: nativeMessage, line: 1, column: source.startsWith('let') || source.startsWith('const') ? source.indexOf(name) + 1 : 1 });
    }
    // A var of them is allowed (and the program is not run differently for it), and so are
    // function declarations repeating a name, labelled or not.
    expect(runProgramSync('var undefined; console.log(typeof undefined);').console).toEqual(['undefined']);
    expect(runProgramSync('L: function q() { return 1; } function q() { return 2; } console.log(q());').console).toEqual(['2']);
  });
});

describe('the runtime helpers cannot be named by the program', () => {
  it('refuses identifiers with the reserved __$ prefix, with their position', () => {
    for (const [source, column] of [
      ['let __$H = 1;', 5],
      ['const x = 1;\nfunction __$DG() {}', 10],
      ['var o = {}; o.__$ng = 1;', 15],
    ] as const) {
      const run = runProgramSync(source);
      expect(run.error?.message).toMatch(/^Names starting with __\$ are reserved by the lab: __\$/);
      expect(run.error?.column).toBe(column);
    }
  });

  it('keeps instrumenting the program (frames, awaits) whatever names it declares', () => {
    const run = runProgramSync(`
      const setTimeout = null, Promise = null, queueMicrotask = null;
      let console = { log: (...a) => globalThis.console.log(...a) };
      async function work() { await null; console.log('resumed'); }
      work();
      console.log('sync');
    `);
    expect(run.error).toBeUndefined();
    expect(run.console).toEqual(['sync', 'resumed']);
    const kinds = run.trace.map((e) => e.kind);
    expect(kinds).toContain('await');
    expect(kinds).toContain('resume');
    const pushes = run.trace.filter((e) => e.kind === 'push').map((e) => (e.kind === 'push' ? e.name : ''));
    expect(pushes).toContain('work');
    expect(pushes.filter((n) => n === 'log').length).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------- function metadata, host built-ins (issue 11)

const METADATA_NATIVE: Record<string, string> = {
  'length with default and rest parameters, for every kind of function': `
    function f(a, b = 1, ...c) {}
    async function g(a, b = 1, ...c) {}
    const h = async (a, {b}, c = 2) => {};
    function* k(a, b, c = 3) {}
    async function* m(x, ...r) {}
    const n = async (...r) => {};
    const p = async ([a], b) => a + b;
    class C { async m(a, b = 2) {} static async *s(a, b, c) {} *t(x = 1) {} }
    console.log(f.length, g.length, h.length, k.length, m.length, n.length, p.length, C.prototype.m.length, C.s.length, C.prototype.t.length);
    h(1, {}).then(() => console.log('h ran'));
    p([2], 3).then((v) => console.log('p', v));
    g(5).then(() => console.log('g ran'));
  `,
  'name of functions, methods, getters, classes and arrows assigned to const': `
    async function g() {}
    const h = async () => {};
    function* k() {}
    async function* m() {}
    const e = function* () {};
    class C { async m() {} static async *s() {} get x() { return 1; } set x(v) {} static #p() {} static q() { return C.#p.name; } }
    const o = { async am() {}, *gm() {}, ['comp' + 'uted']: async () => {} };
    console.log(g.name, h.name, k.name, m.name, e.name, C.name, C.prototype.m.name, C.s.name, C.q());
    const d = Object.getOwnPropertyDescriptor(C.prototype, 'x');
    console.log(d.get.name, d.set.name, o.am.name, o.gm.name, o.computed.name);
    console.log(JSON.stringify([async () => {}][0].name), (class {}).name === '');
  `,
  "generator objects inherit from their function's prototype": `
    function* g() { yield 1; }
    const it = g();
    console.log(it instanceof g, Object.getPrototypeOf(it) === g.prototype, [...it]);
    console.log(Object.prototype.hasOwnProperty.call(g.prototype, 'constructor'), typeof g.prototype.next);
    async function* ag() { yield 1; }
    const ai = ag();
    console.log(ai instanceof ag, Object.getPrototypeOf(ai) === ag.prototype, typeof ag.prototype.next);
    ai.next().then(console.log);
    const e = function* named() { yield 2; };
    console.log(e() instanceof e, e().next().value);
    g.prototype.extra = function () { return 'extra'; };
    console.log(g().extra());
  `,
  "toString of functions and classes is the learner's source": `
    function add(a, b) { return a + b; }
    const arrow = (x) => x * 2;
    const single = x => x;
    async function af(a = 1) { await 1; }
    const aa = async (...r) => { await r; };
    class K { static m() {} get v() { return 1; } async *gen() {} ['q']() {} constructor() { this.k = 1; } }
    const o = { async m() {}, *g() {}, set s(v) {}, f: function () { /* c */ } };
    console.log(add.toString());
    console.log(String(arrow), String(single), \`\${af}\`, String(aa));
    console.log(K.toString());
    console.log(K.m.toString(), Object.getOwnPropertyDescriptor(K.prototype, 'v').get.toString(), K.prototype.gen.toString(), K.prototype.q.toString());
    console.log(o.m.toString(), o.g.toString(), Object.getOwnPropertyDescriptor(o, 's').set.toString(), o.f.toString());
    console.log(Function.prototype.toString.call(class Z extends K {}));
  `,
};

METADATA_NATIVE['async and generator functions print by kind and have its [[Prototype]]'] = `
  const f = async function named() {};
  const a = async () => {};
  let b; b = async function* () {};
  const o = { p: async () => {}, q: function* () {} };
  class C { x = async () => {}; static y = function* () {}; }
  function* g() {}
  async function h() {}
  console.log(f, a, b, o.p, o.q, new C().x, C.y, g, h);
  console.log(Object.getPrototypeOf(h) === Object.getPrototypeOf(async function () {}), Object.getPrototypeOf(b) === Object.getPrototypeOf(async function* () {}));
  console.log(Object.hasOwn(g.prototype, 'constructor'), typeof g.prototype.next, g() instanceof g);
  console.log(function* () {}, [async () => {}][0], (cb = async () => {}) => cb);
  function dflt(cb = async () => {}) { return cb.name; }
  console.log(dflt(), a.name, b.name, C.y.name, a.toString(), String(b));
  { async function inBlock() {} console.log(inBlock); }
`;

describeAgreesWithNode('function metadata after the transform agrees with native Node 24', METADATA_NATIVE);

/** Microtask tickers: t1, t2... one per tick, to place another promise's result in the order. */
const TICKS = (n: number, p = 't'): string =>
  'Promise.resolve()' + Array.from({ length: n }, (_, i) => `.then(() => console.log('${p}${i + 1}'))`).join('') + ';';

const FROM_ASYNC_NATIVE: Record<string, string> = {
  'Array.fromAsync of an array of values and promises, against a chain of ticks': `
    async function main() {
      const r = await Array.fromAsync([1, Promise.resolve(2), 3]);
      console.log('fromAsync', r);
    }
    main();
    ${TICKS(10)}
    console.log('sync', Array.fromAsync.name, Array.fromAsync.length);
  `,
  'Array.fromAsync of an async generator with a mapping function': `
    async function* gen() { yield 'a'; yield 'b'; }
    Array.fromAsync(gen(), (x) => x.toUpperCase()).then((v) => console.log('mapped', v));
    ${TICKS(12)}
  `,
  'Array.fromAsync of array-likes, Sets, sync generators, with async mapping': `
    Array.fromAsync({ length: 2, 0: 'x', 1: Promise.resolve('y') }).then((v) => console.log('arraylike', v));
    Array.fromAsync(new Set([1, 2]), async (x) => x * 10).then((v) => console.log('set', v));
    function* sg() { yield Promise.resolve('a'); yield 'b'; }
    Array.fromAsync(sg()).then((v) => console.log('sync gen', v));
    Array.fromAsync({ length: 2, 0: 1, 1: 2 }, (v) => { console.log('map', v); return v * 2; }).then((v) => console.log('mapped', v));
    ${TICKS(12)}
  `,
  'Array.fromAsync errors: bad arguments, rejections, closing the iterator': `
    Array.fromAsync(null).catch((e) => console.log(e.constructor.name, e.message));
    Array.fromAsync(undefined).catch((e) => console.log(e.message));
    Array.fromAsync([1], 5).catch((e) => console.log(e.constructor.name, e.message));
    Array.fromAsync([Promise.reject(new Error('r')), 2]).catch((e) => console.log('rej', e.message));
    async function* g() { console.log('g1'); yield 1; console.log('g2'); throw new Error('bad'); }
    Array.fromAsync(g()).catch((e) => console.log('caught', e.message));
    const it = { [Symbol.asyncIterator]() { let i = 0; return { next() { i++; return Promise.resolve({ value: i, done: i > 2 }); }, return() { console.log('closed'); return {}; } }; } };
    Array.fromAsync(it, (v) => { if (v === 2) throw new Error('map'); return v; }).catch((e) => console.log('map err', e.message));
    const bad = { [Symbol.asyncIterator]() { return { next() { return 5; }, return() { console.log('closed bad'); return {}; } }; } };
    Array.fromAsync(bad).catch((e) => console.log(e.message));
    const rej = { [Symbol.asyncIterator]() { return { next() { return Promise.reject(new Error('n')); }, return() { console.log('closed rej'); return Promise.resolve({}); } }; } };
    Array.fromAsync(rej).catch((e) => console.log('rej next', e.message));
    ${TICKS(12)}
  `,
  'Array.fromAsync with a constructor as this, unhandled when nobody catches': `
    class MyArr extends Array {}
    Array.fromAsync.call(MyArr, [1, 2]).then((v) => console.log(v instanceof MyArr, v.length));
    Array.fromAsync.call(function () { return { tag: 'obj' }; }, { length: 1, 0: 'z' }).then((v) => console.log(v));
    Array.fromAsync([Promise.reject(new Error('nobody'))]);
    ${TICKS(4)}
  `,
};

describeAgreesWithNode('Array.fromAsync runs on the engine\'s queues in native Node 24\'s order', FROM_ASYNC_NATIVE);

describe('Array.fromAsync in the trace', () => {
  it('its awaits are microtasks of the modelled queue, in a frame named Array.fromAsync', () => {
    const run = runProgramSync('Array.fromAsync([1, 2]).then((v) => console.log(v));');
    expect(run.console).toEqual(['[ 1, 2 ]']);
    expect(run.trace.some((e) => e.kind === 'push' && e.name === 'Array.fromAsync')).toBe(true);
    expect(run.stats.microtasks).toBeGreaterThanOrEqual(3);
    expect(run.functions.at(-1)?.name).toBe('Array.fromAsync');
    // A program that does not call it has no such function.
    expect(runProgramSync('console.log(1);').functions.some((f) => f.name === 'Array.fromAsync')).toBe(false);
  });
});

describe('structuredClone and the names of the sandbox\'s functions agree with a real Node 24 script (Node mode)', () => {
  /** Runs `source` as a plain Node script (structuredClone is not a global of the vm runner). */
  const nodeScript = (source: string): string => {
    const r = spawnSync(process.execPath, ['-e', source], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    return r.stdout.trimEnd();
  };
  it.each([
    `const o = { a: [1, { b: new Map([[1, 2]]) }], d: new Date(0), s: new Set(['x']) };
     const c = structuredClone(o);
     console.log(c, c !== o, c.a[1].b.get(1), c.d instanceof Date);`,
    `try { structuredClone(() => {}); } catch (e) { console.log(e.name, e.message, e.constructor.name); }
     try { structuredClone({ f: function named(a) { return a; } }); } catch (e) { console.log(e.message); }
     try { structuredClone(Symbol('s')); } catch (e) { console.log(e.name, e.message); }
     try { structuredClone(); } catch (e) { console.log(e.name); }`,
    `console.log(setTimeout.name, clearTimeout.name, setInterval.name, queueMicrotask.name, structuredClone.name, Date.now.name, Math.random.name);
     console.log(structuredClone.length, typeof structuredClone(1n));`,
  ])('%s', (source) => {
    // Node mode: structuredClone's length is Node's (2; a browser's is 1).
    const engine = runProgramSync(source, { runtime: 'node' });
    expect(engine.error).toBeUndefined();
    expect(engine.console.join('\n')).toBe(nodeScript(source));
  });
  it('structuredClone has a browser\'s length (1) in browser runs', () => {
    expect(runProgramSync('console.log(structuredClone.length)').console).toEqual(['1']);
  });
});
