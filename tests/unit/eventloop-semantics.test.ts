/**
 * Hand-written edge cases of the ECMAScript and HTML semantics the engine models.
 *
 * - `NATIVE`: programs whose output must match real Node 24, run natively in one child process
 *   (the differential test's runner). They probe corners the random generator rarely reaches:
 *   async generator queues and return()/throw(), yield*, closing iterators, species, thenables
 *   with throwing getters, language features (classes, super in async methods, arguments in
 *   async arrows, destructuring, labels...).
 * - The HTML timer rules Node does not follow (nesting clamp, 0 ms without Node's 1 ms, WebIDL
 *   conversion of the delay) are checked against the spec directly. When unhandled rejections are
 *   reported (a task, in HTML and Chromium; right after the microtasks, in Node) is checked against
 *   real Chromium in eventloop-html-model.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { runProgramSync } from '#sim/eventloop';
import { describeAgreesWithNode } from '../support/eventloop-native';


const NATIVE: Record<string, string> = {
  'async generator: queued next() calls settle in order': `
    async function* g() { console.log('start'); yield 1; await null; yield 2; return 3; }
    const it = g();
    it.next().then((r) => console.log('a', r.value, r.done));
    it.next().then((r) => console.log('b', r.value, r.done));
    it.next().then((r) => console.log('c', r.value, r.done));
    it.next().then((r) => console.log('d', r.value, r.done));
    Promise.resolve().then(() => console.log('t1')).then(() => console.log('t2')).then(() => console.log('t3'));
  `,
  'async generator: return() and throw() at the start and while suspended': `
    async function* g() { try { yield 1; yield 2; } finally { console.log('cleanup'); await null; console.log('cleanup done'); } }
    const a = g();
    a.return(Promise.resolve('early')).then((r) => console.log('a', r.value, r.done));
    const b = g();
    b.throw(new Error('at start')).catch((e) => console.log('b', e.message));
    const c = g();
    c.next().then((r) => console.log('c1', r.value));
    c.return('mid').then((r) => console.log('c2', r.value, r.done));
    c.next().then((r) => console.log('c3', r.value, r.done));
    const d = g();
    d.next().then(() => d.throw(new Error('inside'))).catch((e) => console.log('d', e.message));
  `,
  'async generator: yield* over async and sync iterables, return passes through': `
    async function* inner() { try { yield 'i1'; yield 'i2'; return 'inner-ret'; } finally { console.log('inner finally'); } }
    async function* outer() { const r = yield* inner(); console.log('got', r); yield* ['s1', Promise.resolve('s2')]; return 'outer-ret'; }
    (async () => { for await (const v of outer()) console.log('v', v); })();
    const it = outer();
    it.next().then((r) => { console.log('n', r.value); return it.return('stop'); }).then((r) => console.log('r', r.value, r.done));
    Promise.resolve().then(() => console.log('x1')).then(() => console.log('x2')).then(() => console.log('x3')).then(() => console.log('x4'));
  `,
  'for await: break and throw close the iterator, sync rejection closes the sync iterator': `
    async function* g() { try { yield 1; yield 2; } finally { console.log('closed g'); } }
    (async () => { for await (const x of g()) { console.log('x', x); break; } console.log('after break'); })();
    (async () => { try { for await (const x of g()) { throw new Error('body'); } } catch (e) { console.log('caught', e.message); } })();
    function* s() { try { yield 1; yield Promise.reject(new Error('rej')); yield 3; } finally { console.log('closed s'); } }
    (async () => { try { for await (const x of s()) console.log('s', x); } catch (e) { console.log('caught', e.message); } })();
    L: for (const k of [1]) { (async () => { outer: for await (const y of [1, 2, 3]) { if (y === 2) continue outer; console.log('y', y); } })(); }
  `,
  'await of subclass instances and thenables with getters': `
    class P extends Promise {}
    (async () => { console.log('sub', await P.resolve(1)); })();
    (async () => { console.log('own', await Promise.resolve(2)); })();
    const t = { get then() { console.log('get then'); return (r) => r(3); } };
    (async () => { console.log('thenable', await t); })();
    const bad = { get then() { throw new Error('getter'); } };
    (async () => { try { await bad; } catch (e) { console.log('bad', e.message); } })();
    Promise.resolve().then(() => console.log('m1')).then(() => console.log('m2')).then(() => console.log('m3')).then(() => console.log('m4'));
  `,
  'species, then with non-callables, finally values, withResolvers and try': `
    class Q extends Promise { static get [Symbol.species]() { return Promise; } }
    const q = Q.resolve(1);
    const q2 = q.then((x) => x);
    console.log(q instanceof Q, q2 instanceof Q, q2 instanceof Promise);
    Promise.resolve(5).then(null, 7).then(undefined).then((x) => console.log('passed', x));
    Promise.reject(new Error('r')).finally(() => 'ignored').catch((e) => console.log('finally keeps', e.message));
    Promise.resolve('v').finally(() => { throw new Error('f'); }).catch((e) => console.log('finally throws', e.message));
    const { promise, resolve } = Promise.withResolvers();
    promise.then((x) => console.log('withResolvers', x));
    resolve('ok');
    Promise.try((a, b) => a + b, 2, 3).then((x) => console.log('try', x));
    Promise.try(() => { throw new Error('sync'); }).catch((e) => console.log('try caught', e.message));
  `,
  'combinators: empty inputs, non-promises, rejections and AggregateError': `
    Promise.all([]).then((v) => console.log('all empty', v.length));
    Promise.race([]).then(() => console.log('never'));
    Promise.allSettled([1, Promise.reject(new Error('no'))]).then((r) => console.log(r.map((x) => x.status).join()));
    Promise.any([Promise.reject(new Error('a')), Promise.reject(new Error('b'))]).catch((e) => console.log(e.constructor.name, e.message, e.errors.map((x) => x.message).join()));
    Promise.all([1, { then(r) { r(2); } }, Promise.resolve(3)]).then((v) => console.log('all', v.join()));
    Promise.race([new Promise(() => {}), Promise.resolve('fast')]).then((v) => console.log('race', v));
    Promise.all({ [Symbol.iterator]() { throw new Error('iter'); } }).catch((e) => console.log('iter', e.message));
  `,
  'async function details: param defaults reject, arguments, this, super, return in finally': `
    async function f(a = (() => { throw new Error('default'); })()) { return a; }
    const p = f();
    console.log('f returned a promise:', p instanceof Promise);
    p.catch((e) => console.log('rejected', e.message));
    function outer() { const g = async () => arguments.length; return g(); }
    outer(1, 2, 3).then((n) => console.log('arguments', n));
    class A { greet() { return 'A'; } }
    class B extends A { async greet() { await null; return 'B>' + super.greet(); } }
    new B().greet().then((s) => console.log(s));
    const o = { x: 7, async m() { await null; return this.x; } };
    o.m().then((x) => console.log('this', x));
    async function fin() { try { return 'try'; } finally { await null; console.log('finally ran'); } }
    fin().then((x) => console.log('fin', x));
    async function override() { try { throw new Error('x'); } finally { return 'overridden'; } }
    override().then((x) => console.log(x));
  `,
  'language features survive the transform': `
    const { a, b: [c, ...rest], ...others } = { a: 1, b: [2, 3, 4], d: 5, e: 6 };
    console.log(a, c, rest, others);
    class Counter { #n = 0; static created = 0; constructor() { Counter.created++; } inc() { return ++this.#n; } get value() { return this.#n; } }
    const k = new Counter(); k.inc(); k.inc();
    console.log(k.value, Counter.created, \`tpl \${k.value * 2}\`);
    label: for (let i = 0; i < 3; i++) { for (let j = 0; j < 3; j++) { if (j === 1) continue label; if (i === 2) break label; console.log('ij', i, j); } }
    try { null.x; } catch ({ name }) { console.log('caught', name); }
    try { throw 1; } catch { console.log('no binding'); }
    function* gen() { const x = yield 1; console.log('sent', x); yield x * 2; }
    const it = gen(); console.log(it.next().value, it.next(21).value, it.next().done);
    console.log([..."ab"].map((ch) => ch.toUpperCase()), typeof undeclaredThing, -0, [-0], 0.1 + 0.2);
    const obj = { x: 1, nested: { y: [1, 2, { z: 3 }] } };
    console.log(obj, new Map([['k', 1]]), new Set([1, 2]), [1, 2, 3, 4, 5, 6, 7], 'str', null, undefined, 10n, Symbol('s'));
    console.log('%s has %d items', 'list', 3, 'extra');
    switch (3) { case 1: console.log('one'); case 3: console.log('three'); default: console.log('fall'); }
    do { console.log('do once'); } while (false);
    for (const key in { p: 1, q: 2 }) console.log('key', key);
  `,
  'errors thrown in tasks and microtask callbacks are reported, the loop goes on': `
    setTimeout(() => { console.log('t1'); throw new TypeError('in timer'); }, 0);
    setTimeout(() => console.log('t2'), 0);
    Promise.resolve().then(() => { throw new Error('in then'); }).catch((e) => console.log('then error caught', e.message));
    console.log('sync');
  `,
  'timers: equal due times run in the order set, clearTimeout removes a due timer': `
    setTimeout(() => {
      console.log('A at 10');
    }, 10);
    setTimeout(() => {
      console.log('B at 5');
      setTimeout(() => console.log('C at 20'), 15);
    }, 5);
    const t1 = setTimeout(() => { console.log('D'); clearTimeout(t2); }, 30);
    const t2 = setTimeout(() => console.log('E (cleared)'), 30);
    let n = 0;
    const iv = setInterval(() => { n++; console.log('interval', n); if (n === 3) clearInterval(iv); }, 40);
  `,
  'sync generators, iterators and spreading': `
    function* nums() { try { yield 1; yield 2; yield 3; } finally { console.log('nums closed'); } }
    for (const n of nums()) { if (n === 2) break; console.log('n', n); }
    console.log([...nums()], Array.from(nums(), (x) => x * 10));
    const [first] = nums();
    console.log('first', first);
    const g = nums(); g.next(); console.log(g.return(9), g.next());
  `,
};

describeAgreesWithNode('edge cases agree with native Node 24', NATIVE);

describe('HTML timer rules (where Node differs from the spec)', () => {
  it('clamps timeouts below 4 ms to 4 ms once the nesting level is above 5', () => {
    const run = runProgramSync(`
      let depth = 0;
      function again() { depth++; console.log(depth, performance.now()); if (depth < 9) setTimeout(again, 0); }
      setTimeout(again, 0);
    `);
    const sets = run.trace.filter((e) => e.kind === 'timer-set');
    expect(sets.map((e) => (e.kind === 'timer-set' ? e.timeout : -1))).toEqual([0, 0, 0, 0, 0, 0, 4, 4, 4]);
    expect(sets.map((e) => (e.kind === 'timer-set' ? e.nesting : -1))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Each line: depth and the time read (every clock read costs 0.01 ms).
    const times = run.console.map((l) => Math.round(Number(l.split(' ')[1])));
    expect(times).toEqual([0, 0, 0, 0, 0, 0, 4, 8, 12]);
  });

  it('clamps a 0 ms setInterval after its fifth run, and the interval keeps its id', () => {
    const run = runProgramSync(`
      let n = 0;
      const id = setInterval(() => { n++; console.log(n, Math.round(performance.now())); if (n === 8) clearInterval(id); }, 0);
    `);
    expect(run.console).toEqual(['1 0', '2 0', '3 0', '4 0', '5 0', '6 0', '7 4', '8 8']);
    const ids = new Set(run.trace.filter((e) => e.kind === 'timer-set').map((e) => (e.kind === 'timer-set' ? e.timer : 0)));
    expect([...ids]).toEqual([1]);
  });

  it('converts the delay like a WebIDL long: negatives and NaN become 0, 2^32 + 5 becomes 5', () => {
    const run = runProgramSync(`
      setTimeout(() => console.log('5ms'), 2 ** 32 + 5);
      setTimeout(() => console.log('negative'), -20);
      setTimeout(() => console.log('NaN'), 'soon');
      setTimeout(() => console.log('2.9 -> 2'), 2.9);
      setTimeout((a, b) => console.log('args', a, b), 1, 'x', 'y');
    `);
    expect(run.console).toEqual(['negative', 'NaN', 'args x y', '2.9 -> 2', '5ms']);
  });

  it('runs a 0 ms timer before a 1 ms timer set after it (no 1 ms minimum, unlike Node)', () => {
    const run = runProgramSync(`setTimeout(() => console.log('1ms'), 1); setTimeout(() => console.log('0ms'), 0);`);
    expect(run.console).toEqual(['0ms', '1ms']);
  });

  it('calls timer callbacks with the global object as this, and a cleared interval does not repeat', () => {
    const run = runProgramSync(`
      setTimeout(function () { console.log(this === globalThis, this === window); }, 0);
      const id = setInterval(() => { console.log('once'); clearInterval(id); }, 5);
    `);
    expect(run.console).toEqual(['true true', 'once']);
  });
});
