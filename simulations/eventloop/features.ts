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

/**
 * Host APIs a learner may reach for that the lab does not model. Reading one throws
 * `ReferenceError: X is not supported in this lab` (printed as any uncaught error); `typeof X` is
 * "undefined", as in a runtime without it. Remove a name from here when the lab implements it
 * (AbortController, AbortSignal, EventTarget, Event and CustomEvent are modelled: engine/abort.ts).
 */
export const UNSUPPORTED_GLOBALS: Readonly<Record<string, { browser: boolean; node: boolean }>> = {
  fetch: { browser: true, node: true },
  XMLHttpRequest: { browser: true, node: false },
  WebSocket: { browser: true, node: true },
  Worker: { browser: true, node: false },
  SharedWorker: { browser: true, node: false },
  MessageChannel: { browser: true, node: true },
  MessagePort: { browser: true, node: true },
  MessageEvent: { browser: true, node: true },
  BroadcastChannel: { browser: true, node: true },
  requestAnimationFrame: { browser: true, node: false },
  cancelAnimationFrame: { browser: true, node: false },
  requestIdleCallback: { browser: true, node: false },
  cancelIdleCallback: { browser: true, node: false },
  importScripts: { browser: true, node: false },
  document: { browser: true, node: false },
  localStorage: { browser: true, node: false },
  sessionStorage: { browser: true, node: false },
  navigator: { browser: true, node: true },
  crypto: { browser: true, node: true },
  Blob: { browser: true, node: true },
  Response: { browser: true, node: true },
  Request: { browser: true, node: true },
  Headers: { browser: true, node: true },
  ReadableStream: { browser: true, node: true },
  WritableStream: { browser: true, node: true },
  TransformStream: { browser: true, node: true },
};

/** The message for an unsupported host API (a ReferenceError's). */
export function unsupportedMessage(name: string): string {
  return `${name} is not supported in this lab`;
}

/** Is `name` a host API of `runtime` that the lab does not model? */
export function isUnsupported(name: string, runtime: 'browser' | 'node'): boolean {
  const entry = Object.prototype.hasOwnProperty.call(UNSUPPORTED_GLOBALS, name) ? UNSUPPORTED_GLOBALS[name] : undefined;
  return entry !== undefined && entry[runtime];
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
  { area: 'timers', feature: 'delay(ms, value, { signal }): a promise fulfilled with value after ms virtual milliseconds (a stand-in for a network request); aborting the signal clears its timer and rejects it with the signal\'s reason', supported: true },
  { area: 'timers', feature: 'AbortController and AbortSignal (aborted, reason, throwIfAborted, onabort, AbortSignal.abort, AbortSignal.timeout on the virtual clock, AbortSignal.any), EventTarget (addEventListener with once and signal, removeEventListener, synchronous dispatchEvent), Event, CustomEvent and DOMException (AbortError, TimeoutError), with Node 24\'s and Chromium\'s messages by runtime', supported: true, note: 'Checked against real Node 24. In Node runs AbortSignal.timeout\'s timer does not keep the process alive, as in Node. Events have no capture or bubbling phases (there is no DOM tree).' },
  { area: 'timers', feature: 'Date.now, new Date(), performance.now on the virtual clock; each read costs 0.01 ms, so a busy-wait loop ends and delays the timers', supported: true },
  { area: 'timers', feature: 'setTimeout with a string of code', supported: false, note: 'Pass a function.' },
  { area: 'console', feature: 'console.log/info/warn/error/debug/dir/table/assert/count/group/time, formatted as Node 24\'s util.inspect formats them (arrays, typed arrays in aligned columns, ArrayBuffer and DataView bytes, Map/Set, promises and their results, errors with [cause], getters, circular references, classes and subclasses of built-ins, Symbol.toStringTag, %s %d %i %f %j %o %O %c %%), checked against real Node on 300+ programs', supported: true, note: 'Errors print without their stack frames. A Proxy prints as its target and its traps never run.' },
  { area: 'console', feature: 'The remaining entries of a Map or Set iterator, and the constructor name of an object whose prototype chain has no constructor', supported: false, note: 'JavaScript cannot read them without side effects: an iterator prints [Map Iterator] { <items unknown> }, such an object [Object: null prototype] {}.' },
  { area: 'sandbox', feature: 'No access to the host: process, require, fetch, document and other host globals are "not defined"; Function and eval throw', supported: true, note: 'A best effort inside the page; the Worker running the lab is the real boundary. Host objects reached through prototypes (e.g. (() => {}).constructor) are not hidden.' },
  { area: 'language', feature: 'The global scope of a classic script: top-level let/const/class may shadow the lab\'s globals (const delay = ..., class Promise ...); a top-level function replaces one (function setTimeout() {} is what setTimeout(...) calls), a var keeps its value until assigned; only let/const/class colliding with each other or with a var/function are SyntaxErrors', supported: true },
  { area: 'sandbox', feature: 'Top-level var and function declarations (and implicit globals) as properties of globalThis / window, and properties added to globalThis readable by name', supported: true, note: 'let/const/class stay out of globalThis, as in browsers. Not modelled: deleting a global property does not remove the variable, and a top-level var of undefined, NaN or Infinity can be assigned.' },
  { area: 'sandbox', feature: 'Math.random', supported: true, note: 'Seeded: the same program prints the same numbers on every run.' },
  { area: 'language', feature: 'Deep recursion', supported: true, note: 'The instrumented code uses more host stack than plain JavaScript: about 6,000 nested calls (about 1,500 nested async calls) end in "Uncaught RangeError: Maximum call stack size exceeded", as a browser reports it, where a browser would go deeper.' },
  { area: 'console', feature: 'Printing async and generator functions as [AsyncFunction: f] / [GeneratorFunction: f] / [AsyncGeneratorFunction: f]', supported: true, note: 'Methods included ({ async m() {} }, static *g() {}). After the transform async and generator methods are plain functions (also constructible, with a prototype property); the console reads their kind from their source.' },
  { area: 'promises', feature: 'Array.fromAsync, on the engine\'s promises: its awaits are microtasks in V8\'s order (V8 also closes the iterator when a step fails)', supported: true },
  { area: 'sandbox', feature: 'structuredClone (synchronous, the host\'s algorithm)', supported: true },
  { area: 'sandbox', feature: 'fetch, XMLHttpRequest, WebSocket, Worker, MessageChannel, BroadcastChannel, requestAnimationFrame, requestIdleCallback and other host APIs (UNSUPPORTED_GLOBALS)', supported: false, note: 'Using one throws "ReferenceError: X is not supported in this lab"; typeof X is "undefined". Names a runtime lacks itself (require in a browser, XMLHttpRequest in Node) are "not defined", as there. In Node runs require(\'fs\') and require(\'node:fs\') give the virtual file system.' },
  { area: 'language', feature: 'Error messages, error.stack and toString() of functions and classes show the learner\'s code, never the lab\'s instrumentation', supported: true, note: 'Stacks list the learner\'s function names (at f (program.js)) without line numbers. Destructuring a non-iterable property of globalThis by its free name reads "number 5 is not iterable (...)" where V8 names the variable.' },
  { area: 'language', feature: 'Function metadata: length with default and rest parameters, names of functions, methods, getters and classes; generator objects inherit from their function\'s prototype', supported: true, note: 'Generator methods ({ *m() {} }) and anonymous generator expressions give objects of one shared prototype (m() instanceof m is false there).' },
  { area: 'budgets', feature: 'Call budget: 1,000,000 calls (function calls, microtasks and tasks); loop budget: 1,000,000 loop iterations; time budget: 10,000 ms of virtual time. Running out stops the run with a message naming the budget and keeps the console so far', supported: true },
];
