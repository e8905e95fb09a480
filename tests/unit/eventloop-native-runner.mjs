// Native side of the event-loop differential test (eventloop-differential.test.ts).
//
// Usage: node eventloop-native-runner.mjs <programs.json> <results.json> [concurrency]
// programs.json: [{ "id": number, "source": string }]
// results.json:  [{ "id", "lines": string[], "maxDrift": number, "error"?: string }]
//
// Each program runs in a fresh `vm` context with the real Node timers, queueMicrotask and a
// console that collects one util.format line per call. `delay(ms, v)` is
// `new Promise(r => setTimeout(r, ms, v))`, as the lab's helper. A program is done when it has no
// pending timer left after a timer callback and its microtasks (checked from setImmediate, which
// runs after the microtask queue is drained). Programs run `concurrency` at a time: each has its
// own context, and its own virtual clock to measure lateness: `maxDrift` is the largest
// (real start of a timer callback - script start - virtual due time) in ms, so the test can re-run
// a program whose timers fired so late that their order might be jitter.
import vm from 'node:vm';
import util from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const [, , inFile, outFile, concArg] = process.argv;
const programs = JSON.parse(readFileSync(inFile, 'utf8'));
const concurrency = Math.max(1, Number(concArg) || 16);
const PROGRAM_TIMEOUT_MS = 3000;

let stray = null;
// Each context's %Promise% -> its program's console lines, to attribute unhandled rejections.
const linesByPromiseCtor = new Map();
const isError = (e) => Object.prototype.toString.call(e) === '[object Error]';
const describe = (e) => (isError(e) ? `${e.name}: ${e.message}` : util.format(e));
process.on('uncaughtException', (e) => {
  stray = `uncaught exception: ${e && e.message}`;
});
process.on('unhandledRejection', (reason, promise) => {
  const lines = promise && linesByPromiseCtor.get(promise.constructor);
  if (lines) lines.push(`Uncaught (in promise) ${describe(reason)}`);
  else stray = `unhandled rejection: ${reason && reason.message}`;
});

function runOne(source) {
  return new Promise((resolveRun) => {
    const lines = [];
    let active = 0;
    let vnow = 0;
    let maxDrift = 0;
    let finished = false;
    const pending = new Map();
    const t0 = performance.now();
    const finish = (error) => {
      if (finished) return;
      finished = true;
      clearTimeout(guard);
      for (const h of pending.keys()) clearTimeout(h);
      resolveRun({ lines, maxDrift, error });
    };
    const guard = setTimeout(() => finish('timeout'), PROGRAM_TIMEOUT_MS);
    const check = () => {
      setImmediate(() => {
        if (active === 0) finish();
      });
    };
    const wrap = (cb, vdue, repeat, period, handleRef) => (...args) => {
      if (finished) return;
      const drift = performance.now() - t0 - vdue.t;
      if (drift > maxDrift) maxDrift = drift;
      vnow = vdue.t;
      if (!repeat) {
        active--;
        pending.delete(handleRef.h);
      } else {
        vdue.t += period;
      }
      try {
        cb(...args);
      } catch (e) {
        lines.push(`Uncaught ${describe(e)}`);
      }
      check();
    };
    const setT = (cb, d, ...args) => {
      const delay = Math.max(0, Math.trunc(Number(d)) || 0);
      const vdue = { t: vnow + delay };
      const ref = {};
      active++;
      ref.h = setTimeout(wrap(cb, vdue, false, 0, ref), d, ...args);
      pending.set(ref.h, true);
      return ref.h;
    };
    const setI = (cb, d, ...args) => {
      const delay = Math.max(0, Math.trunc(Number(d)) || 0);
      const vdue = { t: vnow + delay };
      const ref = {};
      active++;
      ref.h = setInterval(wrap(cb, vdue, true, delay, ref), d, ...args);
      pending.set(ref.h, true);
      return ref.h;
    };
    const clear = (h) => {
      if (pending.has(h)) {
        pending.delete(h);
        active--;
      }
      clearTimeout(h);
    };
    const log = (...args) => {
      if (!finished) lines.push(util.format(...args));
    };
    const context = vm.createContext({
      console: { log, info: log, warn: log, error: log, debug: log },
      setTimeout: setT,
      setInterval: setI,
      clearTimeout: clear,
      clearInterval: clear,
      queueMicrotask: (cb) => queueMicrotask(cb),
    });
    vm.runInContext('globalThis.delay = (ms, v) => new Promise((r) => setTimeout(r, ms, v));', context);
    linesByPromiseCtor.set(vm.runInContext('Promise', context), lines);
    try {
      vm.runInContext(source, context, { filename: 'program.js' });
    } catch (e) {
      lines.push(`Uncaught ${describe(e)}`);
    }
    check();
  });
}

const results = [];
let next = 0;
async function worker() {
  while (next < programs.length) {
    const p = programs[next++];
    stray = null;
    const r = await runOne(p.source);
    results.push({ id: p.id, lines: r.lines, maxDrift: r.maxDrift, error: r.error ?? (stray ?? undefined) });
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
writeFileSync(outFile, JSON.stringify(results));
