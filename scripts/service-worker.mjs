#!/usr/bin/env node
// Writes dist/sw.js: the service worker of src/offline/sw.js with the build's manifest above it
// (every file of dist/ as the URL it is served at, its size, and a version that changes when any
// file does). Runs after `astro build` and pagefind, so the search index is in it too.
//
// usage: node scripts/service-worker.mjs [dist]
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Files a browser never asks for (host configuration), and the worker itself. */
const SKIP = new Set(['_headers', '_redirects', 'sw.js']);

/** The URL a file of dist/ is served at: folders' index.html as the folder. */
export function urlOf(path) {
  const url = '/' + path.split(sep).join('/');
  if (url === '/index.html') return '/';
  return url.endsWith('/index.html') ? url.slice(0, -'index.html'.length) : url;
}

/** { version, files: [{ url, size }] } for a built site, files sorted by URL. */
export function buildManifest(dist) {
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else {
        const rel = relative(dist, full);
        if (!SKIP.has(rel)) files.push({ rel, full });
      }
    }
  };
  walk(dist);
  const hash = createHash('sha256');
  const out = files
    .map(({ rel, full }) => {
      const data = readFileSync(full);
      hash.update(rel).update('\0').update(data).update('\0');
      return { url: urlOf(rel), size: data.length };
    })
    .sort((a, b) => (a.url < b.url ? -1 : 1));
  return { version: hash.digest('hex').slice(0, 12), files: out };
}

export function writeServiceWorker(dist) {
  const manifest = buildManifest(dist);
  const source = readFileSync(fileURLToPath(new URL('../src/offline/sw.js', import.meta.url)), 'utf8');
  writeFileSync(join(dist, 'sw.js'), `self.OFFLINE_MANIFEST = ${JSON.stringify(manifest)};\n${source}`);
  return manifest;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dist = process.argv[2] ?? 'dist';
  const m = writeServiceWorker(dist);
  const mb = m.files.reduce((s, f) => s + f.size, 0) / 1e6;
  console.log(`service worker: ${m.files.length} files, ${mb.toFixed(1)} MB, version ${m.version}`);
}
