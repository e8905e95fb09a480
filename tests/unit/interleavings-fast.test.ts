/**
 * The async explorer's fast runtime (simulations/interleavings/fast.ts) against the event-loop
 * engine: the same explorations (schedules, verdicts, histogram with each outcome's first
 * schedule, counterexample) on every async level and on generated programs that use the promise
 * API the runtime writes again (then/catch/finally, the four combinators, thenables, async
 * functions returning promises, rejections handled late or never, timers, queueMicrotask), and
 * the programs it must leave to the engine.
 */
import { describe, expect, it } from 'vitest';
import { exploreProgramSync, type ExploreProgramResult } from '#sim/interleavings/async';
import { fastProgram, fastRun, fastSupported } from '#sim/interleavings/fast';
import { transformProgram } from '#sim/eventloop/transform';
import { asyncLevels } from '#sim/interleavings/levels';
import { Rng } from '#sim/core/rng';

/** What an exploration shows, every field a learner could see. */
function shown(r: ExploreProgramResult): unknown {
  return {
    error: r.error,
    schedules: r.schedules,
    failing: r.failing,
    deadlocks: r.deadlocks,
    exhaustive: r.exhaustive,
    histogram: r.result?.histogram.map((h) => ({ end: h.end, outcome: h.outcome, count: h.count, example: h.example })),
    counterexample: r.counterexample,
    cut: r.result?.cut,
  };
}

function both(source: string): { fast: ExploreProgramResult; engine: ExploreProgramResult } {
  return { fast: exploreProgramSync(source), engine: exploreProgramSync(source, { runtime: 'engine' }) };
}

describe('the fast runtime explores the async levels exactly as the engine does', () => {
  for (const level of asyncLevels) {
    it(`${level.id}: buggy and fixed, every schedule on the fast runtime`, () => {
      for (const source of [level.buggy, level.fixed]) {
        const { fast, engine } = both(source);
        expect(shown(fast)).toEqual(shown(engine));
        expect(fast.runs).toEqual({ fast: fast.schedules, engine: 0, check: 'agreed' });
        expect(engine.runs).toEqual({ fast: 0, engine: engine.schedules, check: 'off' });
      }
    });
  }
});

describe('the fast runtime against the engine on 200 generated programs', () => {
  /** One operation of a task: each exercises a part of the promise machinery written again. */
  const op = (rng: Rng, t: number): string => {
    const n = rng.int(1, 3);
    switch (rng.int(0, 20)) {
      case 19:
        return `log.push(await Promise.any([Promise.reject(${n}), delay(5).then(() => { throw ${n + 1}; })]).catch((e) => e.constructor.name + ' ' + e.errors.join()));`;
      // Microtask order: tasks started in one script interleave tick by tick, and the log shows it.
      case 14:
        return `await null; log.push('t${t} after null');`;
      case 15:
        return `log.push('t${t} ' + (await Promise.resolve(${n}).then((v) => v + 1)));`;
      case 16:
        return `log.push('t${t} ' + (await (async () => ${n})()));`;
      case 17:
        return `log.push('t${t} ' + (await helper(2)));`;
      case 18:
        return `{ const p = Promise.reject(new Error('soon')); await null; p.catch(() => log.push('t${t} handled in time')); }`;
      case 0:
        return `await delay(${rng.int(0, 3) * 5}, ${n});`;
      case 1:
        return `{ const v = await db.get('x'); await db.set('x', (v ?? 0) + ${n}); }`;
      case 2:
        return `await db.set('x', await Promise.all([db.get('x'), delay(${n * 5}, ${n})]).then(([a, b]) => (a ?? 0) * 2 + b));`;
      case 3:
        return `log.push(await Promise.race([delay(${n * 5}, 'slow'), db.get('x')]));`;
      case 4:
        return `log.push((await Promise.allSettled([Promise.reject(new Error('no')), delay(5, ${n})])).map((s) => s.status).join());`;
      case 5:
        return `log.push(await Promise.any([Promise.reject(1), db.get('x').then((v) => v ?? 'none')]));`;
      case 6:
        return `log.push(await { then(resolve) { resolve(${n}); } });`;
      case 7:
        return `log.push(await helper(${n}));`;
      case 8:
        return `await new Promise((resolve) => { const id = setTimeout(resolve, ${n * 5}); if (${n} === 3) clearTimeout(id), resolve(); });`;
      case 9:
        return `queueMicrotask(() => log.push('micro t${t}'));`;
      case 10:
        return `try { await delay(${n * 5}).then(() => { throw new Error('boom t${t}'); }); } catch (e) { log.push(e.message); } finally { log.push('finally t${t}'); }`;
      case 11:
        return `await db.get('x').finally(() => log.push('got t${t}'));`;
      case 12:
        return `{ const p = Promise.reject(new Error('late t${t}')); await delay(${n * 5}); p.catch(() => log.push('caught late t${t}')); }`;
      case 13:
        return `if ((await db.get('x')) <= ${n}) await new Promise(() => {});`;
      default:
        return `if ((await db.get('x')) > ${rng.int(3, 6)}) throw new Error('too big in t${t}');`;
    }
  };

  function program(rng: Rng): string {
    const tasks = rng.int(2, 3);
    const body: string[] = [];
    for (let t = 0; t < tasks; t++) {
      const ops = Array.from({ length: tasks === 3 ? 1 : rng.int(1, 2) }, () => `  ${op(rng, t)}`);
      body.push(`async function t${t}() {\n${ops.join('\n')}\n}`);
    }
    const all = Array.from({ length: tasks }, (_, t) => `t${t}()`).join(', ');
    const check = rng.chance(0.5) ? `  assert((await db.get('x')) % 2 === 0, 'x is odd');\n` : '';
    return [
      'const log = [];',
      // An async function that returns a promise: its own promise follows it (two extra ticks).
      'async function helper(n) { return n > 1 ? delay(5, n) : n; }',
      ...body,
      `async function main() {\n  await db.set('x', 0);\n  await Promise.all([${all}]);\n  await db.set('log', log.join('|'));\n${check}}`,
      'main();',
    ].join('\n');
  }

  it('same explorations; only runs ending with an uncaught error go to the engine', () => {
    const rng = new Rng('interleavings-fast');
    let fastRuns = 0;
    let engineRuns = 0;
    let failing = 0;
    let stuck = 0;
    const checks = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      const source = program(rng);
      const { fast, engine } = both(source);
      expect(shown(fast), source).toEqual(shown(engine));
      expect(fast.runs!.fast + fast.runs!.engine, source).toBe(fast.schedules);
      // The natural order's runs agree (or the fast runtime declined it): never a disagreement,
      // after which the engine alone would explore and this comparison would prove nothing.
      expect(['agreed', 'declined'], source).toContain(fast.runs!.check);
      checks.set(fast.runs!.check!, (checks.get(fast.runs!.check!) ?? 0) + 1);
      // Exactly the runs that end with an uncaught error or an unhandled rejection went to the
      // engine (their text is its console's); these programs use nothing else it declines.
      const uncaught = fast.result!.histogram.filter((h) => h.outcome.includes('Uncaught')).reduce((n, h) => n + h.count, 0);
      expect(fast.runs!.engine, source).toBe(uncaught);
      fastRuns += fast.runs!.fast;
      engineRuns += fast.runs!.engine;
      if (fast.failing > 0) failing++;
      if (fast.deadlocks > 0) stuck++;
    }
    // The generator must reach every verdict, and most runs must be the fast runtime's, or the
    // comparison says little. (As generated: 1,174 runs on the fast runtime, 394 on the engine;
    // 40 programs with failing runs, 22 with stuck ones; 173 natural runs agreed, 27 declined.)
    expect(fastRuns).toBeGreaterThan(engineRuns);
    expect(failing).toBeGreaterThan(30);
    expect(stuck).toBeGreaterThan(15);
    expect(checks.get('agreed')).toBeGreaterThan(150);
  }, 120_000);
});

describe('what the fast runtime leaves to the engine', () => {
  const race = (use: string): string => `async function a() { await delay(5); ${use} await db.set('k', 'a'); }
async function b() { await delay(10); await db.set('k', 'b'); }
a(); b();`;

  it('a program naming a reflective API, a stack, toString or Array.fromAsync never runs there', () => {
    for (const use of ['Object.getPrototypeOf(db).x = 1;', 'Reflect.set(db, "x", 1);', "Object.defineProperty(db, 'x', { value: 1 });", 'globalThis.x = 1;', 'const s = new Error().stack;', 'const t = a.toString();', 'await Array.fromAsync([1]);']) {
      const source = race(use);
      expect(fastSupported(source), use).toBe(false);
      const r = exploreProgramSync(source);
      expect(r.runs, use).toEqual({ fast: 0, engine: r.schedules, check: 'not supported' });
    }
  });

  it('a variable named stack is no reason to decline', () => {
    const r = exploreProgramSync(race('const stack = [1]; stack.pop();'));
    expect(r.runs).toEqual({ fast: r.schedules, engine: 0, check: 'agreed' });
  });

  it('an unmodelled global declines the run: the engine runs it, with the same result', () => {
    for (const use of ['const t = Date.now();', 'const r = Math.random();', 'const c = new AbortController();', 'function* g() {} g();', 'setInterval(() => {}, 1000);']) {
      const source = race(use);
      const { fast, engine } = both(source);
      expect(shown(fast), use).toEqual(shown(engine));
      expect(fast.runs, use).toEqual({ fast: 0, engine: fast.schedules, check: 'declined' });
    }
  });

  it('a run that ends with an uncaught error goes to the engine; the others stay fast', () => {
    const source = `async function a() { await delay(5); const v = await db.get('k'); if (v === 'b') throw new Error('b was first'); await db.set('k', 'a'); }
async function b() { await delay(10); await db.set('k', 'b'); }
a(); b();`;
    const { fast, engine } = both(source);
    expect(shown(fast)).toEqual(shown(engine));
    expect(fast.failing).toBeGreaterThan(0);
    expect(fast.runs).toEqual({ fast: fast.schedules - fast.failing, engine: fast.failing, check: 'agreed' });
  });

  it('a rejection handled before the microtask checkpoint ends is not reported: the run stays fast', () => {
    const source = `async function a() { const p = Promise.reject(new Error('soon')); await null; await p.catch(() => db.set('handled', true)); }
async function b() { await delay(10); await db.set('k', 'b'); }
a(); b();`;
    const { fast, engine } = both(source);
    expect(shown(fast)).toEqual(shown(engine));
    expect(fast.failing).toBe(0);
    expect(fast.runs).toEqual({ fast: fast.schedules, engine: 0, check: 'agreed' });
  });

  it('errors made during a run capture no stack; the host setting is restored after it', () => {
    const before = Error.stackTraceLimit;
    // fastRun itself, as an exploration never would for a program naming .stack: the stack of an
    // error made in the run is its first line only
    const r = fastRun(fastProgram(transformProgram(`try { null.x; } catch (e) { db.set('stack', e.stack); }`)), []);
    expect(r?.db.stack).toMatch(/^TypeError: Cannot read properties of null/);
    expect(r?.db.stack).not.toMatch(/\n\s+at /);
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error('after').stack).toMatch(/\n\s+at /);
  });
});

describe('the multinomial count on the fast runtime', () => {
  it('k tasks of m awaits of delay: (km)!/(m!)^k schedules, all on the fast runtime', () => {
    const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
    for (const [k, m] of [
      [2, 3],
      [3, 2],
      [2, 5],
      [3, 3],
      [4, 2],
    ]) {
      const source = `async function task(id) {\n  for (let i = 0; i < ${m}; i++) await delay(10 * id, i);\n}\n${Array.from({ length: k }, (_, i) => `task(${i + 1});`).join('\n')}`;
      const r = exploreProgramSync(source);
      expect(r.schedules, `${k}x${m}`).toBe(fact(k * m) / fact(m) ** k);
      expect(r.exhaustive).toBe(true);
      expect(r.runs).toEqual({ fast: r.schedules, engine: 0, check: 'agreed' });
    }
  });
});
