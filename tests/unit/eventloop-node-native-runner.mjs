// Native side of the Node-mode differential test (eventloop-node-differential.test.ts).
//
// Usage (cwd: a directory holding the virtual files, e.g. data.txt):
//   node eventloop-node-native-runner.mjs <programs.json> <results.json> [concurrency]
// programs.json: [{ "id": number, "source": string }]
// results.json:  [{ "id", "lines": string[], "maxDrift": number, "error"?: string }]
//
// Each program runs in a fresh `vm` context on this process's real Node loop: real
// process.nextTick, setImmediate/clearImmediate, setTimeout/clearTimeout, queueMicrotask and
// fs.readFile (relative paths, so a file is read from the cwd and a missing one's ENOENT message
// names the same path as the lab's virtual file system). A console collects one util.format line
// per call.
//
// Node would end the process at an uncaught exception or an unhandled rejection; here the
// program ends instead (its later callbacks and console lines are dropped), and its last line is
// the line of Node's stderr report that names the error, as the lab prints it: an Error's first
// stack line, a thrown non-Error as util.format prints it, or Node's UnhandledPromiseRejection
// sentence for a non-Error reason. (tests/unit/eventloop-node-exit.test.ts checks that format
// against real `node` processes.)
//
// A program is done when nothing of it is pending after a callback and its ticks and microtasks
// (checked from setImmediate). `maxDrift` is the largest lateness of a timer or read callback
// against the virtual schedule (ms), so the test can re-run a program whose timers ran late.
import vm from 'node:vm';
import util from 'node:util';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';

const [, , inFile, outFile, concArg] = process.argv;
const programs = JSON.parse(fs.readFileSync(inFile, 'utf8'));
const concurrency = Math.max(1, Number(concArg) || 8);
const PROGRAM_TIMEOUT_MS = 3000;
const READ_FILE_LATENCY_MS = 2;

let stray = null;
const dieByPromiseCtor = new Map();
const isError = (e) => Object.prototype.toString.call(e) === '[object Error]';
const errorLine = (e) => (isError(e) && typeof e.stack === 'string' ? e.stack.split('\n')[0] : util.format(e).split('\n')[0]);
const reasonString = (r) => (typeof r === 'symbol' ? r.toString() : r !== null && typeof r === 'object' ? '#<Object>' : String(r));
process.on('uncaughtException', (e) => {
  stray = `uncaught exception: ${e && e.message}`;
});
process.on('unhandledRejection', (reason, promise) => {
  const die = promise && dieByPromiseCtor.get(promise.constructor);
  if (!die) {
    stray = `unhandled rejection: ${reason && reason.message}`;
    return;
  }
  die(
    isError(reason)
      ? errorLine(reason)
      : 'UnhandledPromiseRejection: This error originated either by throwing inside of an async function without a catch block, ' +
          `or by rejecting a promise which was not handled with .catch(). The promise rejected with the reason "${reasonString(reason)}".`,
  );
});

function runOne(source) {
  return new Promise((resolveRun) => {
    const lines = [];
    let active = 0;
    let vnow = 0;
    let maxDrift = 0;
    let finished = false;
    const timers = new Set();
    const immediates = new Set();
    const t0 = performance.now();
    const finish = (error) => {
      if (finished) return;
      finished = true;
      clearTimeout(guard);
      for (const h of timers) clearTimeout(h);
      for (const h of immediates) clearImmediate(h);
      resolveRun({ lines, maxDrift, error });
    };
    const die = (text) => {
      if (finished) return;
      lines.push(text);
      finish();
    };
    const guard = setTimeout(() => finish('timeout'), PROGRAM_TIMEOUT_MS);
    const check = () => {
      setImmediate(() => {
        if (active === 0) finish();
      });
    };
    const guarded =
      (cb) =>
      (...args) => {
        if (finished) return;
        try {
          cb(...args);
        } catch (e) {
          die(errorLine(e));
        }
      };
    const setT = (cb, d, ...args) => {
      const n = Number(d);
      const vdue = vnow + (n >= 1 && n <= 2147483647 ? n : 1);
      active++;
      const h = setTimeout(() => {
        if (finished) return;
        const drift = performance.now() - t0 - vdue;
        if (drift > maxDrift) maxDrift = drift;
        vnow = vdue;
        active--;
        timers.delete(h);
        guarded(cb)(...args);
        check();
      }, d);
      timers.add(h);
      return h;
    };
    const clearT = (h) => {
      if (timers.delete(h)) active--;
      clearTimeout(h);
    };
    const setI = (cb, ...args) => {
      active++;
      const h = setImmediate(() => {
        if (finished) return;
        active--;
        immediates.delete(h);
        guarded(cb)(...args);
        check();
      });
      immediates.add(h);
      return h;
    };
    const clearI = (h) => {
      if (immediates.delete(h)) active--;
      clearImmediate(h);
    };
    const readFile = (name, options, cb) => {
      if (cb === undefined) {
        cb = options;
        options = undefined;
      }
      active++;
      const vstart = vnow;
      fs.readFile(name, options, (err, data) => {
        if (finished) return;
        active--;
        const vdone = vstart + READ_FILE_LATENCY_MS;
        // A read slower than the virtual schedule (a busy thread pool) is lateness, like a late timer.
        const drift = performance.now() - t0 - vdone;
        if (drift > maxDrift) maxDrift = drift;
        vnow = Math.max(vnow, vdone);
        guarded(cb)(err, data);
        check();
      });
    };
    const log = (...args) => {
      if (!finished) lines.push(util.format(...args));
    };
    const context = vm.createContext({
      console: { log, info: log, warn: log, error: log, debug: log },
      setTimeout: setT,
      clearTimeout: clearT,
      setImmediate: setI,
      clearImmediate: clearI,
      queueMicrotask: (cb) => queueMicrotask(guarded(cb)),
      process: { nextTick: (cb, ...args) => process.nextTick(guarded(cb), ...args) },
      fs: { readFile },
    });
    dieByPromiseCtor.set(vm.runInContext('Promise', context), die);
    // From a macrotask (not from this async worker's microtask): after it, its ticks run before its
    // promise jobs, then the loop goes on to the timers, poll and check phases, as after a main script.
    setImmediate(() => {
      try {
        vm.runInContext(source, context, { filename: 'program.js' });
      } catch (e) {
        die(errorLine(e));
      }
      check();
    });
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
fs.writeFileSync(outFile, JSON.stringify(results));
