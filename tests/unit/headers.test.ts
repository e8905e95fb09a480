/**
 * Cross-origin isolation headers in `npm start` (astro dev) and in public/_headers. The built
 * site, served through _headers, is checked end to end in tests/e2e/site.spec.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isolationHeaders } from '../../astro.config.mjs';
import { astroChildEnv } from '../support/child-env';

const repo = resolve(__dirname, '../..');

describe('public/_headers', () => {
  it('gives every path the same three headers as the dev server', () => {
    const text = readFileSync(resolve(repo, 'public/_headers'), 'utf8');
    const lines = text.split('\n');
    expect(lines[0].trim()).toBe('/*');
    const parsed = Object.fromEntries(
      lines
        .slice(1)
        .filter((l) => l.trim())
        .map((l) => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()]),
    );
    expect(parsed).toEqual(isolationHeaders);
  });
});

describe('astro dev', () => {
  const port = 4460 + Math.floor(Math.random() * 100);
  let dev: ChildProcess;

  beforeAll(async () => {
    dev = spawn(resolve(repo, 'node_modules/.bin/astro'), ['dev', '--host', '127.0.0.1', '--port', String(port)], {
      cwd: repo,
      env: astroChildEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let log = '';
    dev.stdout!.on('data', (d) => (log += d));
    dev.stderr!.on('data', (d) => (log += d));
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/`);
        if (r.ok) break;
        log += `\nstatus ${r.status}`;
      } catch (e) {
        log += `\n${(e as Error).message} ${(e as Error & { cause?: Error }).cause?.message}`;
      }
      if (Date.now() > deadline) throw new Error(`astro dev did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 70_000);

  afterAll(() => {
    try {
      process.kill(-dev.pid!);
    } catch {
      dev.kill();
    }
  });

  it.each(['/', '/lessons/concurrency-vs-parallelism/', '/favicon.svg', '/no-such-page/'])(
    'serves %s with the isolation headers',
    async (path) => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      expect(res.status).toBe(path === '/no-such-page/' ? 404 : 200);
      for (const [name, value] of Object.entries(isolationHeaders)) expect(res.headers.get(name)).toBe(value);
    },
    30_000,
  );
});
