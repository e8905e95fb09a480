/**
 * Random event-loop programs for the differential test (eventloop-differential.test.ts).
 *
 * `generateProgram(seed)` writes a small program from the features the engine supports: nested
 * timers with small delays, setInterval, queueMicrotask, promise chains (then/catch/finally,
 * two-argument then), handlers returning values, promises, thenables and delays, throws,
 * `new Promise` executors, Promise.all/race/allSettled/any, async functions awaiting promises,
 * plain values, thenables and other async calls, async loops, try/catch/finally around awaits,
 * async generators consumed by `for await`, and `for await` over arrays of promises.
 *
 * Nearly every rejection is handled (each chain ends in `.catch`, each async call gets
 * `.catch`); a few programs leave one unhandled, or handle it in a later microtask or task, or
 * throw from a timer callback, so "Uncaught ..." reports are compared too (the native runner
 * writes Node's unhandledRejection events and errors thrown by timer callbacks in the lab's
 * format, at the moment Node reports them). Programs log strings and numbers, and a few arrays
 * and objects of them (through console.log's own formatting).
 *
 * Timing rule (native Node timers are real): delays come from {0, 5, 10, 15, 20, 30}, so two
 * timers set in the same task with different delays are >= 4 ms apart even with Node's 0 -> 1 ms;
 * `timingSafe(run)` then rejects a program if two timers set in *different* tasks are due less
 * than GAP_MS apart in virtual time (native lateness could reorder them), if a timer was clamped
 * by HTML's nesting rule (Node does not clamp), or if the program runs past MAX_END_MS. The
 * native runner measures each timer's lateness and the test re-runs programs whose timers fired
 * more than MAX_DRIFT_MS late, so a loaded machine cannot turn jitter into a false failure.
 */
import { Rng } from '#sim/core/rng';
import type { EventLoopRun } from '#sim/eventloop/types';

export const GAP_MS = 8;
export const MAX_DRIFT_MS = 3;
export const MAX_END_MS = 150;
const DELAYS = [0, 5, 10, 15, 20, 30];

class Gen {
  private label = 0;
  private err = 0;
  private vars = 0;
  private budget: number;

  constructor(private readonly rng: Rng) {
    this.budget = rng.int(12, 40);
  }

  private L(): string {
    return `L${++this.label}`;
  }
  private E(): string {
    return `E${++this.err}`;
  }
  private v(): string {
    return `v${++this.vars}`;
  }
  private n(): number {
    return this.rng.int(0, 99);
  }
  private delay(): number {
    return this.rng.pick(DELAYS);
  }
  private spend(): boolean {
    return --this.budget > 0;
  }

  program(): string {
    return this.syncBlock(0, this.rng.int(2, 5));
  }

  syncBlock(depth: number, count: number): string {
    const out: string[] = [];
    for (let i = 0; i < count; i++) out.push(this.syncStmt(depth));
    return out.join('\n');
  }

  private log(extra = ''): string {
    return `console.log('${this.L()}'${extra});`;
  }

  syncStmt(depth: number): string {
    if (!this.spend() || depth > 3) return this.log();
    const r = this.rng.int(0, 99);
    if (r < 16) return this.log();
    if (r < 30) return `setTimeout(() => {\n${this.syncBlock(depth + 1, this.rng.int(1, 3))}\n}, ${this.delay()});`;
    if (r < 38) return `queueMicrotask(() => {\n${this.syncBlock(depth + 1, this.rng.int(1, 2))}\n});`;
    if (r < 58) return this.chain(depth);
    if (r < 78) return this.asyncCall(depth);
    if (r < 86) return `${this.combinator(depth)}.then((x) => console.log('${this.L()}', x)).catch((e) => console.log('${this.L()}', e.message));`;
    if (r < 90) {
      const k = this.v();
      const c = this.rng.int(1, 3);
      return `{ let ${k} = 0; const id${k} = setInterval(() => { console.log('${this.L()}', ++${k}); ${this.rng.chance(0.5) ? `Promise.resolve().then(() => console.log('${this.L()}', ${k}));` : ''} if (${k} === ${c}) clearInterval(id${k}); }, ${this.rng.pick([5, 10, 15])}); }`;
    }
    if (r < 93) return this.asyncCall(depth, true);
    if (r < 95) return `try { ${this.syncBlock(depth + 1, 1)} throw new Error('${this.E()}'); } catch (e) { console.log('${this.L()}', e.message); } finally { console.log('${this.L()}'); }`;
    return this.extra(depth);
  }

  /** Rarer constructs: classes with async methods, generators, iterator protocol, uncaught errors. */
  private extra(depth: number): string {
    const r = this.rng.int(0, 9);
    const k = this.v();
    switch (r) {
      case 0:
        return (
          `class C${k} { constructor(n) { this.n = n; } async get(x) { await ${this.awaitable(depth + 1)}; console.log('${this.L()}', this.n); return this.n + x; } ` +
          `static async make() { return new C${k}(await delay(${this.delay()}, ${this.n()})); } }
` +
          `C${k}.make().then((o) => o.get(${this.n()})).then((x) => console.log('${this.L()}', x)).catch((e) => console.log('${this.L()}', e.message));`
        );
      case 1:
        return `function* g${k}() { console.log('${this.L()}'); yield ${this.n()}; console.log('${this.L()}'); yield ${this.n()}; }
for (const x of g${k}()) console.log('${this.L()}', x);
console.log('${this.L()}', [...g${k}()]);`;
      case 2:
        return (
          `(async () => {
for await (const x of (async function* () { yield* (async function* () { yield ${this.n()}; await null; yield ${this.n()}; })(); yield* [${this.n()}, Promise.resolve(${this.n()})]; return ${this.n()}; })()) console.log('${this.L()}', x);
` +
          `})().catch((e) => console.log('${this.L()}', e.message));`
        );
      case 3:
        return (
          `{ const it${k} = (async function* () { try { yield ${this.n()}; yield ${this.n()}; } finally { console.log('${this.L()}'); await null; console.log('${this.L()}'); } })();
` +
          `it${k}.next().then((r) => console.log('${this.L()}', r.value, r.done));
` +
          `it${k}.${this.rng.pick(['next()', `return(${this.n()})`, `return(Promise.resolve(${this.n()}))`])}.then((r) => console.log('${this.L()}', r.value, r.done));
` +
          `it${k}.next().then((r) => console.log('${this.L()}', r.value, r.done)); }`
        );
      case 4:
        return `setTimeout(() => { console.log('${this.L()}'); throw new Error('${this.E()}'); }, ${this.delay()});`;
      case 5:
        return `Promise.reject(new Error('${this.E()}'));`;
      case 6:
        return `{ const p${k} = Promise.reject(new Error('${this.E()}')); ${this.rng.chance(0.5) ? 'Promise.resolve().then(() => ' : 'setTimeout(() => '}p${k}.catch((e) => console.log('${this.L()}', e.message))); }`;
      case 7:
        return `{ class P${k} extends Promise {}
(async () => { const x = await P${k}.resolve(${this.n()}); console.log('${this.L()}', x); })();
P${k}.resolve(${this.n()}).then((x) => console.log('${this.L()}', x, x instanceof P${k})).finally(() => console.log('${this.L()}')); }`;
      case 8:
        return `(async () => { try { return await ${this.awaitable(depth + 1)}; } finally { console.log('${this.L()}'); await null; console.log('${this.L()}'); } })().then((x) => console.log('${this.L()}', [x, { x }]));`;
      default:
        return `(async () => {
for await (const x of [${this.n()}, Promise.resolve(${this.n()}), Promise.reject(new Error('${this.E()}'))]) console.log('${this.L()}', x);
})().catch((e) => console.log('${this.L()}', e.message));`;
    }
  }

  /** A value a handler or async function may return. */
  private ret(depth: number, canReject: boolean): string {
    const r = this.rng.int(0, canReject ? 11 : 9);
    switch (r) {
      case 0:
      case 1:
        return `${this.n()}`;
      case 2:
        return `Promise.resolve(${this.n()})`;
      case 3:
        return `{ then(res) { console.log('${this.L()}'); res(${this.n()}); } }`;
      case 4:
        return `delay(${this.delay()}, ${this.n()})`;
      case 5:
        return `new Promise((res) => setTimeout(() => res(${this.n()}), ${this.delay()}))`;
      case 6:
        return depth < 3 && this.spend() ? `(async () => {\n${this.asyncBlock(depth + 1, this.rng.int(1, 2))}\nreturn ${this.n()};\n})()` : `${this.n()}`;
      case 7:
        return `{ then(res) { queueMicrotask(() => res(${this.n()})); } }`;
      case 8:
        return 'undefined';
      case 9:
        return `Promise.resolve({ then(res) { res(${this.n()}); } })`;
      case 10:
        return `Promise.reject(new Error('${this.E()}'))`;
      default:
        return `{ then(res, rej) { rej(new Error('${this.E()}')); } }`;
    }
  }

  /** An expression that evaluates to a promise (may reject: consumers always handle it). */
  promise(depth: number): string {
    const r = this.rng.int(0, 9);
    switch (r) {
      case 0:
        return `Promise.resolve(${this.n()})`;
      case 1:
        return `Promise.reject(new Error('${this.E()}'))`;
      case 2: {
        const body = depth < 3 && this.spend() ? this.syncBlock(depth + 1, 1) : this.log();
        const settle = this.rng.pick([
          `res(${this.n()});`,
          `rej(new Error('${this.E()}'));`,
          `setTimeout(() => res(${this.n()}), ${this.delay()});`,
          `res(${this.ret(depth + 1, true)});`,
        ]);
        return `new Promise((res, rej) => {\n${body}\n${settle}\n})`;
      }
      case 3:
        return `delay(${this.delay()}, ${this.n()})`;
      case 4:
      case 5:
        return depth < 3 && this.spend()
          ? `(async () => {\n${this.asyncBlock(depth + 1, this.rng.int(1, 3))}\nreturn ${this.ret(depth + 1, true)};\n})()`
          : `Promise.resolve(${this.n()})`;
      case 6:
        return depth < 3 && this.spend() ? this.combinator(depth + 1) : `Promise.resolve(${this.n()})`;
      case 7:
        return `Promise.resolve({ then(res) { console.log('${this.L()}'); res(${this.n()}); } })`;
      case 8:
        return `Promise.resolve().then(() => (${this.ret(depth + 1, true)}))`;
      default:
        return `Promise.resolve(${this.n()}).finally(() => console.log('${this.L()}'))`;
    }
  }

  combinator(depth: number): string {
    const items: string[] = [];
    const k = this.rng.int(1, 3);
    for (let i = 0; i < k; i++) {
      const r = this.rng.int(0, 3);
      items.push(r === 0 ? `${this.n()}` : r === 1 ? `{ then(res) { res(${this.n()}); } }` : this.promise(depth + 1));
    }
    const which = this.rng.pick(['all', 'race', 'allSettled', 'any']);
    const list = `[${items.join(', ')}]`;
    if (which === 'allSettled') return `Promise.allSettled(${list}).then((rs) => rs.map((r) => r.status + ':' + (r.status === 'fulfilled' ? r.value : r.reason.message)).join(','))`;
    if (which === 'any') return `Promise.any(${list}).catch((e) => e.errors.length)`;
    return `Promise.${which}(${list})`;
  }

  chain(depth: number): string {
    let code = this.promise(depth);
    const links = this.rng.int(1, 4);
    for (let i = 0; i < links; i++) {
      const r = this.rng.int(0, 9);
      const body = depth < 3 && this.rng.chance(0.3) && this.spend() ? this.syncBlock(depth + 1, 1) + '\n' : '';
      if (r < 4) code += `\n.then((x) => {\n${body}console.log('${this.L()}', x);\nreturn ${this.ret(depth + 1, true)};\n})`;
      else if (r < 5) code += `\n.then(() => { throw new Error('${this.E()}'); })`;
      else if (r < 7) code += `\n.catch((e) => {\n${body}console.log('${this.L()}', e.message);\nreturn ${this.ret(depth + 1, false)};\n})`;
      else if (r < 9) {
        const fin = this.rng.int(0, 3);
        const tail = fin === 0 ? `return delay(${this.delay()});` : fin === 1 ? 'return Promise.resolve(1);' : fin === 2 ? `throw new Error('${this.E()}');` : '';
        code += `\n.finally(() => {\n${body}console.log('${this.L()}');\n${tail}\n})`;
      } else code += `\n.then((x) => console.log('${this.L()}', x), (e) => console.log('${this.L()}', e.message))`;
    }
    return `${code}\n.catch((e) => console.log('${this.L()}', e.message));`;
  }

  asyncCall(depth: number, generator = false): string {
    if (generator) {
      const yields: string[] = [];
      const k = this.rng.int(1, 3);
      for (let i = 0; i < k; i++) {
        const r = this.rng.int(0, 4);
        if (r === 0) yields.push(`yield ${this.n()};`);
        else if (r === 1) yields.push(`yield Promise.resolve(${this.n()});`);
        else if (r === 2) yields.push(`await ${this.rng.chance(0.5) ? 'null' : `delay(${this.delay()})`}; yield ${this.n()};`);
        else if (r === 3) yields.push(`console.log('${this.L()}'); yield ${this.n()};`);
        else yields.push(`yield delay(${this.delay()}, ${this.n()});`);
      }
      const src = this.rng.chance(0.75)
        ? `(async function* () {\n${yields.join('\n')}\n})()`
        : `[${this.n()}, Promise.resolve(${this.n()}), delay(${this.delay()}, ${this.n()})]`;
      const brk = this.rng.chance(0.2) ? `if (x === x) break;` : '';
      return `(async () => {\nfor await (const x of ${src}) {\nconsole.log('${this.L()}', x);\n${this.rng.chance(0.4) ? 'await null;' : ''}${brk}\n}\nconsole.log('${this.L()}');\n})().catch((e) => console.log('${this.L()}', e.message));`;
    }
    const body = this.asyncBlock(depth + 1, this.rng.int(1, 4));
    const ret = this.rng.chance(0.5) ? `\nreturn ${this.ret(depth + 1, true)};` : '';
    const consume = this.rng.chance(0.5) ? `.then((x) => console.log('${this.L()}', x))` : '';
    return `(async () => {\n${body}${ret}\n})()${consume}.catch((e) => console.log('${this.L()}', e.message));`;
  }

  private awaitable(depth: number): string {
    const r = this.rng.int(0, 7);
    if (r === 0) return 'null';
    if (r === 1) return `${this.n()}`;
    if (r === 2) return `{ then(res) { console.log('${this.L()}'); res(${this.n()}); } }`;
    if (r === 3) return `delay(${this.delay()}, ${this.n()})`;
    return this.promise(depth + 1);
  }

  asyncBlock(depth: number, count: number): string {
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      if (!this.spend() || depth > 3) {
        out.push(this.log());
        continue;
      }
      const r = this.rng.int(0, 99);
      if (r < 40) {
        const v = this.v();
        out.push(`const ${v} = await ${this.awaitable(depth)};\nconsole.log('${this.L()}', ${v});`);
      } else if (r < 50) {
        out.push(`await null;\n${this.log()}`);
      } else if (r < 62) {
        const inner = this.asyncBlock(depth + 1, this.rng.int(1, 2));
        const thr = this.rng.chance(0.4) ? `\nthrow new Error('${this.E()}');` : '';
        out.push(`try {\n${inner}${thr}\n} catch (e) {\nconsole.log('${this.L()}', e.message);\n} finally {\nconsole.log('${this.L()}');\n}`);
      } else if (r < 72) {
        const k = this.rng.int(1, 3);
        out.push(`for (let i = 0; i < ${k}; i++) {\nconsole.log('${this.L()}', i);\nawait ${this.rng.chance(0.5) ? 'null' : this.awaitable(depth + 1)};\n}`);
      } else if (r < 77) {
        out.push(`throw new Error('${this.E()}');`);
        break;
      } else {
        out.push(this.syncStmt(depth));
      }
    }
    return out.join('\n');
  }
}

/** A random program for `seed`. */
export function generateProgram(seed: number): string {
  return new Gen(new Rng(seed)).program();
}

/**
 * True when the program's timer order cannot depend on native timing jitter (see the module
 * comment), judged on the engine's own run.
 */
export function timingSafe(run: EventLoopRun): boolean {
  if (run.error || run.truncated) return false;
  if (run.stats.endTime > MAX_END_MS) return false;
  let task = 0;
  const sets: { due: number; task: number }[] = [];
  for (const e of run.trace) {
    if (e.kind === 'task-start') task = e.task;
    else if (e.kind === 'timer-set') {
      if (e.timeout !== Math.max(0, e.delay)) return false;
      sets.push({ due: e.due, task });
    }
  }
  for (let i = 0; i < sets.length; i++) {
    for (let j = i + 1; j < sets.length; j++) {
      if (sets[i].task !== sets[j].task && Math.abs(sets[i].due - sets[j].due) < GAP_MS) return false;
    }
  }
  return true;
}
