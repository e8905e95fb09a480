// @vitest-environment node
/**
 * The service worker's manifest (scripts/service-worker.mjs): every file of the build as the URL
 * a browser asks for, host configuration left out, and a version that changes with any file (a
 * new version is what makes browsers install the update).
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildManifest, urlOf, writeServiceWorker } from '../../scripts/service-worker.mjs';

function site(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sw-site-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('service worker manifest', () => {
  it('maps files to the URLs pages are asked for: a folder for its index.html, the root as /', () => {
    expect(urlOf('index.html')).toBe('/');
    expect(urlOf(join('lessons', 'the-event-loop', 'index.html'))).toBe('/lessons/the-event-loop/');
    expect(urlOf('404.html')).toBe('/404.html');
    expect(urlOf(join('_astro', 'monaco.TwwsICv9.css'))).toBe('/_astro/monaco.TwwsICv9.css');
  });

  it('lists every file with its size, leaves out _headers and the worker itself, and changes version with any byte', () => {
    const files = { 'index.html': '<h1>hi</h1>', 'labs/a/index.html': 'lab', '_astro/x.js': 'x()', '_headers': '/*\n  A: b', 'sw.js': 'old' };
    const m = buildManifest(site(files));
    expect(m.files).toEqual([
      { url: '/', size: 11 },
      { url: '/_astro/x.js', size: 3 },
      { url: '/labs/a/', size: 3 },
    ]);
    expect(m.version).toMatch(/^[0-9a-f]{12}$/);
    expect(buildManifest(site(files)).version).toBe(m.version);
    expect(buildManifest(site({ ...files, '_astro/x.js': 'y()' })).version).not.toBe(m.version);
    expect(buildManifest(site({ ...files, '_headers': 'changed' })).version).toBe(m.version);
  });

  it('writes dist/sw.js: the manifest, then the worker source', () => {
    const dir = site({ 'index.html': 'home' });
    const m = writeServiceWorker(dir);
    const text = readFileSync(join(dir, 'sw.js'), 'utf8');
    expect(text.startsWith(`self.OFFLINE_MANIFEST = ${JSON.stringify(m)};\n`)).toBe(true);
    expect(text).toContain("self.addEventListener('fetch'");
  });
});
