/**
 * The security boundary of the site's sandboxes, for browser Workers only: remove the globals a
 * learner's code has no business with (network, storage, spawning, messaging) from a Worker's
 * global scope, before that code is loaded. The caller keeps private references to what it needs
 * first (postMessage, the Worker constructor).
 *
 * Two identical copies, kept so by src/runners/harden.test.ts:
 * - src/runners/harden.js: the site's sandboxes (serveEngine.ts for the lab engines, and the
 *   exercise run Worker, exerciseWorkerEntry.ts);
 * - content/exercises/_runtime/harden.js: the exercise pool threads (browser-worker.js), because
 *   the exercises run in plain Node and WebContainers and may not import the site.
 * Change src/runners/harden.js and copy it over the other.
 *
 * MessageChannel stays (the async server uses one for its macrotask hops): without postMessage,
 * a channel made in here cannot reach outside.
 *
 * Best effort, and a second wall: the page is cross-origin isolated (COEP require-corp), and
 * a Worker has no DOM. Dynamic import() is syntax, not a global; the lab refuses handler source
 * that contains it.
 */
export const NETWORK_STORAGE_AND_MESSAGING = [
  'fetch',
  'XMLHttpRequest',
  'WebSocket',
  'WebTransport',
  'EventSource',
  'importScripts',
  'indexedDB',
  'caches',
  'BroadcastChannel',
  'Worker',
  'SharedWorker',
  'postMessage',
  'close',
  'navigator',
];

/** Redefines each name as undefined, read-only, on the scope and its prototypes. */
export function harden(scope, names = NETWORK_STORAGE_AND_MESSAGING) {
  for (const name of names) {
    for (let o = scope; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
      try {
        if (Object.prototype.hasOwnProperty.call(o, name)) {
          Object.defineProperty(o, name, { value: undefined, configurable: false, writable: false });
        }
      } catch {
        /* not configurable: leave it */
      }
    }
  }
}
