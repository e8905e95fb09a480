/**
 * The site's service worker (built into dist/sw.js by scripts/service-worker.mjs, which puts
 * `self.OFFLINE_MANIFEST = { version, files }` above this code). Plain JavaScript: it is not
 * bundled, and runs as a classic worker script.
 *
 * - Offline: it stores every file of the build (pages, fonts, engines, Workers, Monaco, the
 *   search index) in a cache named after the build's version (an update before it takes over; the
 *   first install when a page asks, right after it took over), and answers every
 *   same-origin GET from that cache first. Cross-origin requests (the WebContainer's StackBlitz
 *   runtime) are left alone: the labs fall back to the Worker and say so.
 * - Cross-origin isolation: every response it serves carries COOP/COEP/CORP when the host did not
 *   send them, so a static host that cannot set headers still gets `crossOriginIsolated` (the
 *   page reloads once after the first install; see src/offline/register.ts).
 * - Updates: the first install takes over at once (so that the first page can be isolated); a new
 *   version installs in the background and waits until no page of the old one is open, so a
 *   lesson never changes under a reader. The page announces it on the next visit.
 * - Messages from a page ({ type, id }; replies carry the id): 'status' -> { type: 'status',
 *   version, total, stored, bytes, totalBytes }; 'prepare' -> progress messages while it stores
 *   what is missing, then a final status.
 */
/* eslint-env serviceworker */
const MANIFEST = self.OFFLINE_MANIFEST;
const CACHE = `under-the-await-${MANIFEST.version}`;
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** A response with the isolation headers added where missing (opaque and error responses as they are). */
function isolated(response) {
  if (!response || response.type === 'opaque' || response.type === 'opaqueredirect' || response.status === 0) return response;
  if (response.headers.get('Cross-Origin-Embedder-Policy') && !response.redirected) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION)) if (!headers.has(name)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/** Stores every file of the manifest that is not stored yet; reports progress. */
async function store(report) {
  const cache = await caches.open(CACHE);
  const files = MANIFEST.files;
  let stored = 0;
  let bytes = 0;
  let failed = 0;
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++];
      let ok = Boolean(await cache.match(file.url));
      if (!ok) {
        try {
          const response = await fetch(file.url, { cache: 'no-cache' });
          if (response.ok) {
            await cache.put(file.url, response);
            ok = true;
          }
        } catch {
          // offline or gone: counted as missing, the next 'prepare' tries again
        }
      }
      if (ok) {
        stored++;
        bytes += file.size;
      } else failed++;
      report?.({ stored, failed, total: files.length, bytes });
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return { stored, failed, total: files.length, bytes };
}

async function status() {
  const cache = await caches.open(CACHE);
  // one listing of the cache, not a lookup per file: this answers while a store is under way
  const have = new Set((await cache.keys()).map((request) => new URL(request.url).pathname));
  let stored = 0;
  let bytes = 0;
  for (const file of MANIFEST.files) {
    if (have.has(file.url)) {
      stored++;
      bytes += file.size;
    }
  }
  const totalBytes = MANIFEST.files.reduce((sum, f) => sum + f.size, 0);
  return { type: 'status', version: MANIFEST.version, total: MANIFEST.files.length, stored, bytes, totalBytes };
}

self.addEventListener('install', (event) => {
  // The very first install takes over at once: the page needs it to become isolated, and while a
  // worker activates, the pages it controls wait for every request. The pages then ask it to
  // store the site ('prepare', see register.ts). An update stores everything first, then waits
  // until no page of the old version is open.
  event.waitUntil(self.registration.active ? store() : self.skipWaiting());
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      await self.clients.claim();
      for (const name of await caches.keys()) if (name.startsWith('under-the-await-') && name !== CACHE) await caches.delete(name);
    })(),
  );
});

/** The cached answer for a URL: exact, then without its query, then the folder's page. */
async function cached(cache, request, url) {
  const hit = (await cache.match(request, { ignoreVary: true })) ?? (await cache.match(url.pathname, { ignoreVary: true }));
  if (hit) return hit;
  if (request.mode === 'navigate' && !url.pathname.endsWith('/') && !/\.[a-z0-9]+$/i.test(url.pathname)) {
    return cache.match(url.pathname + '/');
  }
  return undefined;
}

async function respond(request) {
  const url = new URL(request.url);
  const cache = await caches.open(CACHE);
  const hit = await cached(cache, request, url);
  if (hit) return isolated(hit);
  try {
    return isolated(await fetch(request));
  } catch (error) {
    if (request.mode === 'navigate') {
      const notFound = await cache.match('/404.html');
      if (notFound) return isolated(new Response(notFound.body, { status: 404, headers: notFound.headers }));
    }
    throw error;
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  if (new URL(request.url).origin !== self.location.origin) return; // StackBlitz and friends: untouched
  event.respondWith(respond(request));
});

self.addEventListener('message', (event) => {
  const source = event.source;
  const { type, id } = event.data || {};
  // replies carry the request's id: a page may have several requests in flight
  if (type === 'status') event.waitUntil(status().then((s) => source.postMessage({ ...s, id })));
  if (type === 'prepare') {
    event.waitUntil(
      store((p) => source.postMessage({ type: 'progress', id, ...p }))
        .then(status)
        .then((s) => source.postMessage({ ...s, id })),
    );
  }
});
