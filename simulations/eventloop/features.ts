/**
 * What the event-loop lab runs, for its docs page and the lab's help panel. Each entry is a
 * short statement a learner can check; `supported: false` entries are known limits.
 */
export interface Feature {
  area: 'language' | 'promises' | 'async' | 'timers' | 'console' | 'sandbox' | 'budgets';
  feature: string;
  supported: boolean;
  note?: string;
}

export const SUPPORTED_FEATURES: readonly Feature[] = [
  { area: 'language', feature: 'Modern JavaScript (ES2025 syntax, classic script): let/const, arrow functions, classes and private fields, destructuring, spread, template literals, optional chaining, generators', supported: true },
  { area: 'language', feature: 'try / catch / finally and throw', supported: true },
  { area: 'language', feature: 'Top-level await, import/export and import()', supported: false, note: 'The program is a classic script, as in a browser <script> tag.' },
  { area: 'promises', feature: 'Promise: new Promise, then/catch/finally, resolve/reject/all/allSettled/any/race/withResolvers/try, subclassing and Symbol.species', supported: true, note: 'The engine\'s own Promise, written from the ECMAScript spec, so every reaction is a visible microtask.' },
  { area: 'promises', feature: 'Thenables (objects with a then method), adopted through a thenable job', supported: true },
  { area: 'promises', feature: 'Unhandled rejections reported as "Uncaught (in promise) ..." (Chromium\'s console wording; the spec fires unhandledrejection) by a task queued after the microtask checkpoint, as HTML specifies and Chromium does; a handler attached before that task runs (in the same checkpoint, or in a task queued earlier) prevents the report', supported: true },
  { area: 'async', feature: 'async functions, arrows and methods; await of promises, thenables and plain values, with the tick counts of ES2022+ engines', supported: true },
  { area: 'async', feature: 'Async generators, yield*, for await (over async and sync iterables)', supported: true },
  { area: 'async', feature: 'queueMicrotask', supported: true },
  { area: 'timers', feature: 'setTimeout, setInterval, clearTimeout, clearInterval on a virtual clock (HTML timer rules: negative delays count as 0, nesting deeper than 5 levels raises delays below 4 ms to 4 ms, equal due times run in the order they were set). As in Chromium, a 0 ms timer\'s task is queued at once; a longer timer\'s task is queued when the loop next picks a task, so one that elapsed during a long script runs after a 0 ms timer set later in it', supported: true },
  { area: 'timers', feature: 'delay(ms, value): a promise fulfilled with value after ms virtual milliseconds (a stand-in for a network request)', supported: true },
  { area: 'timers', feature: 'Date.now, new Date(), performance.now on the virtual clock; each read costs 0.01 ms, so a busy-wait loop ends and delays the timers', supported: true },
  { area: 'timers', feature: 'setTimeout with a string of code', supported: false, note: 'Pass a function.' },
  { area: 'console', feature: 'console.log/info/warn/error/debug/dir/assert/count/group/time, formatted like Node (arrays as [ 1, 2 ], objects as { a: 1 }, -0, format strings)', supported: true, note: 'Errors print as "Name: message" without a stack.' },
  { area: 'sandbox', feature: 'No access to the host: process, require, fetch, document and other host globals are "not defined"; Function and eval throw', supported: true, note: 'A best effort inside the page; the Worker running the lab is the real boundary. Host objects reached through prototypes (e.g. (() => {}).constructor) are not hidden.' },
  { area: 'language', feature: 'The global scope of a classic script: top-level let/const/class may shadow the lab\'s globals (const delay = ..., class Promise ...); a top-level function replaces one (function setTimeout() {} is what setTimeout(...) calls), a var keeps its value until assigned; only let/const/class colliding with each other or with a var/function are SyntaxErrors', supported: true },
  { area: 'sandbox', feature: 'Top-level var and function declarations (and implicit globals) as properties of globalThis / window, and properties added to globalThis readable by name', supported: true, note: 'let/const/class stay out of globalThis, as in browsers. Not modelled: deleting a global property does not remove the variable, and a top-level var of undefined, NaN or Infinity can be assigned.' },
  { area: 'sandbox', feature: 'Math.random', supported: true, note: 'Seeded: the same program prints the same numbers on every run.' },
  { area: 'language', feature: 'Deep recursion', supported: true, note: 'The instrumented code uses more host stack than plain JavaScript: about 6,000 nested calls (about 1,500 nested async calls) end in "Uncaught RangeError: Maximum call stack size exceeded", as a browser reports it, where a browser would go deeper.' },
  { area: 'console', feature: 'Printing async and generator functions as [AsyncFunction: f] / [GeneratorFunction: f]', supported: false, note: 'They print as [Function: f]: after the transform they are plain functions (also constructible, with a prototype property).' },
  { area: 'budgets', feature: 'Call budget: 1,000,000 calls (function calls, microtasks and tasks); loop budget: 1,000,000 loop iterations; time budget: 10,000 ms of virtual time. Running out stops the run with a message naming the budget and keeps the console so far', supported: true },
];
