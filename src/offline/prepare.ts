/**
 * "Prepare for offline" (tracks page, Talk demos): makes sure the service worker has stored every
 * file of the site, with progress, and says when a talk can go on without a network.
 */
import { nextRequestId, offlineSupported, workerStatus, type OfflineStatus } from './register';

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export function statusText(s: OfflineStatus): string {
  return s.stored === s.total
    ? `Ready offline: all ${s.total} files (${mb(s.totalBytes)}) are stored in this browser. Every lesson, lab and presenter page works without a network; only the WebContainer needs one (offline, the labs use the browser Worker and say so).`
    : `${s.stored} of ${s.total} files stored (${mb(s.bytes)} of ${mb(s.totalBytes)}). Press the button to store the rest.`;
}

export function setupPrepare(root: HTMLElement): void {
  const button = root.querySelector<HTMLButtonElement>('[data-offline-prepare]');
  const out = root.querySelector<HTMLElement>('[data-offline-status]');
  const bar = root.querySelector<HTMLProgressElement>('progress');
  if (!button || !out || !bar) return;
  const say = (text: string, state: string) => {
    out.textContent = text;
    root.dataset.state = state;
  };
  if (!offlineSupported()) {
    button.disabled = true;
    say('Offline use needs a browser with service workers and the built site (not the development server).', 'unsupported');
    return;
  }
  const show = (s: OfflineStatus | null) => {
    if (!s) return say('Not stored yet.', 'idle');
    bar.max = s.total;
    bar.value = s.stored;
    say(statusText(s), s.stored === s.total ? 'ready' : 'partial');
  };
  void navigator.serviceWorker.ready
    .then(() => workerStatus())
    .then((s) => {
      if (root.dataset.state !== 'working') show(s);
    });

  button.addEventListener('click', async () => {
    button.disabled = true;
    bar.hidden = false;
    say('Starting…', 'working');
    try {
      const reg = await navigator.serviceWorker.register('/sw.js');
      await navigator.serviceWorker.ready;
      const worker = reg.active;
      if (!worker) throw new Error('no active service worker');
      const id = nextRequestId();
      await new Promise<void>((resolve) => {
        const onMessage = (event: MessageEvent) => {
          const d = event.data;
          if (d?.id !== id) return;
          if (d?.type === 'progress') {
            bar.max = d.total;
            bar.value = d.stored;
            say(`Storing… ${d.stored} of ${d.total} files (${mb(d.bytes)})${d.failed ? `, ${d.failed} could not be fetched` : ''}.`, 'working');
          } else if (d?.type === 'status') {
            navigator.serviceWorker.removeEventListener('message', onMessage);
            show(d as OfflineStatus);
            if (d.stored < d.total) say(`${statusText(d)} Some files could not be fetched: check the network and try again.`, 'partial');
            resolve();
          }
        };
        navigator.serviceWorker.addEventListener('message', onMessage);
        worker.postMessage({ type: 'prepare', id });
      });
    } catch (error) {
      say(`Could not prepare for offline: ${error instanceof Error ? error.message : String(error)}.`, 'error');
    } finally {
      button.disabled = false;
    }
  });
}
