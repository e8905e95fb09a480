// Native side of the async-mode replay test (interleavings-async.test.ts).
//
// Usage: node interleavings-async-node-runner.mjs <input.json>
// input.json: { "source": string, "order": number[], "stepMs": number }
//
// Runs one lab program on this process's real Node event loop, with the lab's globals written
// for Node: `delay(ms, value)`, `db.get(key)`, `db.set(key, value)` (a Map) and `assert`. Every
// completion gets an id in issue order, as the lab numbers them, and fires at
// t0 + (1 + its position in `order`) * stepMs, a real timer whose duration forces the schedule's
// completion order (each completion is issued before the one before it in `order` fires, so its
// timer is set in time). The process then runs until Node's loop is empty, and prints on exit:
// { console, failures (assert messages), uncaught, db, pendingCompletions, fired, unresolved, errors, late }
// where `unresolved` counts promises created and never resolved (async_hooks): async functions
// suspended forever when the loop ran dry.
import fs from 'node:fs';
import util from 'node:util';
import { createHook } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';

const { source, order, stepMs } = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const fireAt = new Map(order.map((id, i) => [id, (i + 1) * stepMs]));
const lines = [];
const failures = [];
const uncaught = [];
const errors = [];
const fired = [];
const late = [];
const store = new Map();
let nextId = 1;
let pendingCompletions = 0;

const unresolved = new Set();
createHook({
  init(id, type) {
    if (type === 'PROMISE') unresolved.add(id);
  },
  promiseResolve(id) {
    unresolved.delete(id);
  },
}).enable();

const t0 = performance.now();
function completion(fn) {
  const id = nextId++;
  const at = fireAt.get(id);
  if (at === undefined) {
    errors.push(`completion ${id} is not in the schedule`);
    return;
  }
  pendingCompletions++;
  const wait = t0 + at - performance.now();
  // Issued after its turn (a loaded machine ran an earlier callback late): the test re-runs slower.
  if (wait < 1) late.push(id);
  setTimeout(() => {
    pendingCompletions--;
    fired.push(id);
    fn();
  }, Math.max(1, wait));
}

const delay = (ms, value) => new Promise((resolve) => completion(() => resolve(value)));
const db = {
  get: (key) => new Promise((resolve) => completion(() => resolve(store.get(String(key))))),
  set: (key, value) =>
    new Promise((resolve) =>
      completion(() => {
        store.set(String(key), value);
        resolve(undefined);
      }),
    ),
};
const assert = (condition, message) => {
  if (condition) return;
  const text = message === undefined ? 'assertion failed' : String(message);
  failures.push(text);
  throw new Error(`Assertion failed: ${text}`);
};
const console = { log: (...args) => lines.push(util.format(...args)) };

process.on('uncaughtException', (e) => uncaught.push(String(e && e.message)));
process.on('unhandledRejection', (e) => uncaught.push(String(e && e.message)));
process.on('exit', () => {
  const keys = [...store.keys()].sort();
  const out = {
    console: lines,
    failures,
    uncaught,
    db: Object.fromEntries(keys.map((k) => [k, store.get(k)])),
    pendingCompletions,
    fired,
    unresolved: unresolved.size,
    errors,
    late,
  };
  process.stdout.write(JSON.stringify(out));
});

new Function('delay', 'db', 'assert', 'console', source)(delay, db, assert, console);
