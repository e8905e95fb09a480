/**
 * Registers the site's service worker (src/offline/sw.js, built into dist/sw.js) on every page of
 * the built site, after the page has loaded. Not in `astro dev` (no dist/sw.js there).
 *
 * - A host that sends no isolation headers: the first page is not `crossOriginIsolated`; once the
 *   worker controls it, the page reloads once (a session flag stops any loop) and the worker's
 *   headers make it isolated.
 * - A new version (the worker's manifest version) is announced once, on the first visit it serves;
 *   it never replaces a page that is open (see sw.js).
 * - Once a worker controls the page, it is asked to store whatever of the site it has not stored
 *   yet (on the first visit: all of it), in the background.
 */
export const VERSION_KEY = 'under-the-await:site-version';
export const RELOAD_KEY = 'under-the-await:isolation-reload';

export function offlineSupported(): boolean {
  return typeof navigator !== 'undefined' && 'serviceWorker' in navigator && import.meta.env.PROD;
}

let requests = 0;
/** A fresh id for a message to the worker (its replies carry it). */
export const nextRequestId = () => `${Date.now().toString(36)}-${++requests}`;

/** Asks the controlling worker for its status (version, files stored); null without one. */
export function workerStatus(timeoutMs = 10_000): Promise<OfflineStatus | null> {
  const controller = navigator.serviceWorker?.controller;
  if (!controller) return Promise.resolve(null);
  const id = nextRequestId();
  return new Promise((resolve) => {
    const timer = setTimeout(() => (navigator.serviceWorker.removeEventListener('message', onMessage), resolve(null)), timeoutMs);
    const onMessage = (event: MessageEvent) => {
      if (event.data?.type !== 'status' || event.data.id !== id) return;
      clearTimeout(timer);
      navigator.serviceWorker.removeEventListener('message', onMessage);
      resolve(event.data as OfflineStatus);
    };
    navigator.serviceWorker.addEventListener('message', onMessage);
    controller.postMessage({ type: 'status', id });
  });
}

export interface OfflineStatus {
  type: 'status';
  version: string;
  total: number;
  stored: number;
  bytes: number;
  totalBytes: number;
}

function announceUpdate(): void {
  const bar = document.createElement('div');
  bar.className = 'site-updated';
  bar.setAttribute('role', 'status');
  bar.dataset.testid = 'site-updated';
  bar.innerHTML = '<span>The site was updated since your last visit.</span> <button type="button">OK</button>';
  bar.querySelector('button')?.addEventListener('click', () => bar.remove());
  document.body.append(bar);
}

/** Once a worker controls the page: announce a new version, and have it store what is missing. */
async function afterControl(): Promise<void> {
  const status = await workerStatus();
  if (!status) return;
  try {
    const seen = localStorage.getItem(VERSION_KEY);
    if (seen !== status.version) {
      localStorage.setItem(VERSION_KEY, status.version);
      if (seen) announceUpdate();
    }
  } catch {
    // storage denied: nothing to compare with
  }
  // the first visit (or an interrupted one): store the rest of the site in the background
  if (status.stored < status.total) navigator.serviceWorker.controller?.postMessage({ type: 'prepare', id: nextRequestId() });
}

export async function registerOffline(): Promise<void> {
  if (!offlineSupported()) return;
  try {
    await navigator.serviceWorker.register('/sw.js');
  } catch {
    return; // e.g. a private window that refuses service workers: the site still works online
  }
  const sw = navigator.serviceWorker;
  if (window.crossOriginIsolated === false) {
    const reloadOnce = () => {
      try {
        if (sessionStorage.getItem(RELOAD_KEY)) return;
        sessionStorage.setItem(RELOAD_KEY, '1');
      } catch {
        return; // without storage a reload could loop
      }
      location.reload();
    };
    if (sw.controller) reloadOnce();
    else sw.addEventListener('controllerchange', reloadOnce, { once: true });
  }
  if (sw.controller) await afterControl();
  else sw.addEventListener('controllerchange', () => void afterControl(), { once: true });
}
