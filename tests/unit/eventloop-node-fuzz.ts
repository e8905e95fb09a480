/**
 * Random Node programs for the Node-mode differential test (eventloop-node-differential.test.ts).
 *
 * `generateNodeProgram(seed)` writes a small program from what the Node mode models:
 * `process.nextTick` (with arguments, nested, queued from promise jobs), `setImmediate` and
 * `clearImmediate`, `setTimeout`/`clearTimeout`, `fs.readFile` (the file `data.txt`, or a missing
 * one: its ENOENT message is printed), `queueMicrotask`, promise chains with then/catch/finally,
 * async functions awaiting promises and plain values, each nested inside the others' callbacks
 * (so timers and immediates set inside I/O, timer and immediate callbacks are compared: that is
 * where Node's order is deterministic). A few programs end Node's way: an uncaught throw in a
 * callback, tick or microtask, or an unhandled rejection (Error or string reason).
 *
 * Deterministic programs only (`nodeTimingSafe(run)`, judged on the engine's run; the engine does
 * not make the choice itself beyond its own `nondeterministic` notes):
 * - the run has no `nondeterministic` note, no budget stop, and ends before MAX_END_MS;
 * - a timer is not due within GAP_MS of an immediate or I/O callback that runs before it in a
 *   later loop turn than the one that armed it (real time passes between turns; virtual time
 *   does not), and no two pending timers are due within GAP_MS of each other, even when one
 *   callback armed both (Node reads the real clock at each setTimeout: equal delays can be due a
 *   millisecond apart and fire in separate loop turns, with immediates between them);
 * - I/O (real fs.readFile on the native side: several thread-pool round trips, each a poll
 *   phase) runs alone: no other read in flight, no timer firing while it is in flight, no timer
 *   due within GAP_MS after it completes, and no immediate from a later loop turn than the one
 *   that started the read runs before its callback, nor one of the same turn unless the read
 *   started in its poll or check phase (a missing file fails after one thread-pool round trip, a
 *   read takes several, so the turn its callback lands in varies). The native runner counts a
 *   read that completes late against the virtual schedule as drift too (re-run). Delays come from
 *   {0, 10, 20, 30} ms, so timers armed in one callback are 9+ ms apart.
 */
import { Rng } from '#sim/core/rng';
import type { EventLoopRun } from '#sim/eventloop/types';

export const NODE_GAP_MS = 8;
export const NODE_MAX_DRIFT_MS = 3;
export const NODE_MAX_END_MS = 120;
const DELAYS = [0, 10, 20, 30];

class NodeGen {
  private label = 0;
  private err = 0;
  private vars = 0;
  private budget: number;

  constructor(private readonly rng: Rng) {
    this.budget = rng.int(10, 30);
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
  private spend(): boolean {
    return --this.budget > 0;
  }
  private log(extra = ''): string {
    return `console.log('${this.L()}'${extra});`;
  }

  program(): string {
    return this.block(0, this.rng.int(2, 5));
  }

  block(depth: number, count: number): string {
    const out: string[] = [];
    for (let i = 0; i < count; i++) out.push(this.stmt(depth));
    return out.join('\n');
  }

  private inner(depth: number): string {
    return depth < 4 && this.spend() ? this.block(depth + 1, this.rng.int(1, 3)) : this.log();
  }

  stmt(depth: number): string {
    if (!this.spend() || depth > 4) return this.log();
    const r = this.rng.int(0, 99);
    if (r < 12) return this.log();
    if (r < 26) {
      const args = this.rng.chance(0.3) ? `, ${this.n()}` : '';
      const param = args ? 'a' : '';
      return `process.nextTick((${param}) => {\nconsole.log('${this.L()}'${args ? ', a' : ''});\n${this.inner(depth)}\n}${args});`;
    }
    if (r < 40) {
      if (this.rng.chance(0.15)) {
        const k = this.v();
        return `const ${k} = setImmediate(() => {\n${this.inner(depth)}\n});\n${this.rng.chance(0.5) ? `clearImmediate(${k});` : `process.nextTick(() => clearImmediate(${k}));`}`;
      }
      return `setImmediate(() => {\n${this.log()}\n${this.inner(depth)}\n});`;
    }
    if (r < 52) {
      if (this.rng.chance(0.1)) {
        const k = this.v();
        return `const ${k} = setTimeout(() => {\n${this.inner(depth)}\n}, ${this.rng.pick(DELAYS)});\nclearTimeout(${k});`;
      }
      return `setTimeout(() => {\n${this.log()}\n${this.inner(depth)}\n}, ${this.rng.pick(DELAYS)});`;
    }
    if (r < 62) {
      if (this.rng.chance(0.15)) return `fs.readFile('missing-${this.n()}.txt', 'utf8', (err) => {\nconsole.log('${this.L()}', err.code, err.message);\n${this.inner(depth)}\n});`;
      return `fs.readFile('data.txt', 'utf8', (err, data) => {\nconsole.log('${this.L()}', err, data);\n${this.inner(depth)}\n});`;
    }
    if (r < 68) return `queueMicrotask(() => {\n${this.log()}\n${this.inner(depth)}\n});`;
    if (r < 82) return this.chain(depth);
    if (r < 92) return this.asyncCall(depth);
    return this.rng.chance(0.3) ? this.fatal() : this.log();
  }

  /** Rare: the ways a Node process dies (or almost: a rejection handled in time). */
  private fatal(): string {
    const r = this.rng.int(0, 5);
    const where = this.rng.pick(['setImmediate', 'process.nextTick', 'queueMicrotask', 'setTimeout']);
    switch (r) {
      case 0:
        return `${where}(() => { console.log('${this.L()}'); throw new Error('${this.E()}'); }${where === 'setTimeout' ? `, ${this.rng.pick(DELAYS)}` : ''});`;
      case 1:
        return `Promise.reject(new ${this.rng.pick(['Error', 'TypeError', 'RangeError'])}('${this.E()}'));`;
      case 2:
        return `Promise.reject('${this.E()}');`;
      case 3:
        return `(async () => { ${this.log()} await null; throw new Error('${this.E()}'); })();`;
      default: {
        // Handled in a later tick or microtask of the same drain: no report.
        const k = this.v();
        return `const ${k} = Promise.reject(new Error('${this.E()}'));\n${this.rng.pick(['process.nextTick', 'queueMicrotask'])}(() => ${k}.catch((e) => console.log('${this.L()}', e.message)));`;
      }
    }
  }

  private promise(depth: number): string {
    const r = this.rng.int(0, 5);
    switch (r) {
      case 0:
        return `Promise.resolve(${this.n()})`;
      case 1:
        return `Promise.reject(new Error('${this.E()}'))`;
      case 2:
        return `new Promise((res) => process.nextTick(res, ${this.n()}))`;
      case 3:
        return `new Promise((res) => setImmediate(() => res(${this.n()})))`;
      case 4:
        return `new Promise((res, rej) => fs.readFile('data.txt', 'utf8', (err, d) => (err ? rej(err) : res(d.length))))`;
      default:
        return depth < 4 && this.spend() ? `(async () => {\n${this.asyncBlock(depth + 1, this.rng.int(1, 2))}\nreturn ${this.n()};\n})()` : `Promise.resolve(${this.n()})`;
    }
  }

  chain(depth: number): string {
    let code = this.promise(depth);
    const links = this.rng.int(1, 3);
    for (let i = 0; i < links; i++) {
      const r = this.rng.int(0, 9);
      const body = depth < 4 && this.rng.chance(0.35) && this.spend() ? this.block(depth + 1, 1) + '\n' : '';
      if (r < 5) code += `\n.then((x) => {\n${body}console.log('${this.L()}', x);\nreturn ${this.rng.chance(0.3) ? `new Promise((res) => process.nextTick(res, ${this.n()}))` : this.n()};\n})`;
      else if (r < 6) code += `\n.then(() => { throw new Error('${this.E()}'); })`;
      else if (r < 8) code += `\n.catch((e) => {\n${body}console.log('${this.L()}', e.message);\nreturn ${this.n()};\n})`;
      else code += `\n.finally(() => {\n${body}console.log('${this.L()}');\n})`;
    }
    return `${code}\n.catch((e) => console.log('${this.L()}', e.message));`;
  }

  asyncCall(depth: number): string {
    const body = this.asyncBlock(depth + 1, this.rng.int(1, 3));
    return `(async () => {\n${body}\n})().then(() => console.log('${this.L()}')).catch((e) => console.log('${this.L()}', e.message));`;
  }

  asyncBlock(depth: number, count: number): string {
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      if (!this.spend() || depth > 4) {
        out.push(this.log());
        continue;
      }
      const r = this.rng.int(0, 9);
      if (r < 4) {
        const v = this.v();
        out.push(`const ${v} = await ${this.rng.chance(0.3) ? this.n() : this.promise(depth + 1)};\nconsole.log('${this.L()}', ${v});`);
      } else if (r < 5) out.push(`await null;\n${this.log()}`);
      else if (r < 6) out.push(`await new Promise((res) => setTimeout(res, ${this.rng.pick(DELAYS)}));\n${this.log()}`);
      else out.push(this.stmt(depth));
    }
    return out.join('\n');
  }
}

/** A random Node program for `seed`. */
export function generateNodeProgram(seed: number): string {
  return new NodeGen(new Rng(seed)).program();
}

/** True when real Node's order for this program cannot depend on timing (see the module comment), judged on the engine's run. */
export function nodeTimingSafe(run: EventLoopRun): boolean {
  if (run.error || run.truncated || run.nondeterministic) return false;
  if (run.stats.endTime > NODE_MAX_END_MS) return false;
  let iteration = 0;
  let phase = 'main';
  const timers = new Map<number, { due: number; iteration: number }>();
  const ios = new Map<number, { iteration: number; phase: string; done: number; completed: boolean }>();
  let inFlight = 0;
  for (const e of run.trace) {
    switch (e.kind) {
      case 'phase':
        iteration = e.iteration;
        phase = e.phase;
        break;
      case 'task-start':
        if (e.source === 'immediate' || e.source === 'io') {
          // Real reads take a varying number of loop turns (a missing file fails after one thread-pool
          // round trip, a read needs several): only the immediates of the turn that started it run
          // first for sure, and only if it started in the poll or check phase (else that turn's poll may
          // already see it).
          for (const io of ios.values()) {
            if (!io.completed && e.source === 'immediate' && (iteration > io.iteration || (io.phase !== 'poll' && io.phase !== 'check'))) return false;
          }
          // A timer armed in an earlier turn and due soon could fire first in real Node.
          for (const tm of timers.values()) if (tm.iteration < iteration && tm.due - e.t < NODE_GAP_MS) return false;
        }
        break;
      case 'timer-set':
        // Even two timers armed by one callback: Node reads the clock (uv_update_time) at each
        // setTimeout, so equal delays can land a millisecond apart and fire in separate loop turns.
        for (const [id, tm] of timers) if (id !== e.timer && Math.abs(tm.due - e.due) < NODE_GAP_MS) return false;
        timers.set(e.timer, { due: e.due, iteration });
        break;
      case 'timer-clear':
        timers.delete(e.timer);
        break;
      case 'timer-fire':
        if (inFlight > 0) return false;
        timers.delete(e.timer);
        break;
      case 'io-start':
        if (inFlight > 0) return false;
        inFlight++;
        ios.set(e.io, { iteration, phase, done: e.due, completed: false });
        break;
      case 'io-complete': {
        const io = ios.get(e.io)!;
        io.completed = true;
        inFlight--;
        for (const tm of timers.values()) if (tm.due >= io.done && tm.due - io.done < NODE_GAP_MS) return false;
        break;
      }
      default:
        break;
    }
  }
  return true;
}
