/**
 * Cross-origin isolation headers in `npm start` (astro dev) and in public/_headers. The built
 * site, served through _headers, is checked end to end in tests/e2e/site.spec.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
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

/** A port nobody listens on now, from the OS (a fixed or random one can be taken by another run). */
function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

describe('astro dev', () => {
  let port: number;
  let dev: ChildProcess;

  beforeAll(async () => {
    port = await freePort();
    // `--config` names the config file: without it astro dev restarts whenever ANY file named
    // astro.config.* changes under the root, such as the fixture project that content-build.test.ts
    // writes into tests/.fixtures/ while this file runs beside it; requests during the restart fail.
    // --ignore-lock: a developer's own `npm start` (or another checkout's sharing node_modules) may hold
    // Astro's one-dev-server lock; this server runs beside it and leaves the lock alone
    const args = ['dev', '--ignore-lock', '--config', 'astro.config.mjs', '--host', '127.0.0.1', '--port', String(port)];
    dev = spawn(resolve(repo, 'node_modules/.bin/astro'), args, {
      cwd: repo,
      env: astroChildEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let log = '';
    dev.stdout!.on('data', (d) => (log += d));
    dev.stderr!.on('data', (d) => (log += d));
    // a real wait: a cold dev server optimises dependencies first (tens of seconds on a busy machine)
    const deadline = Date.now() + 110_000;
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
  }, 120_000);

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
    60_000, // the first request for a page compiles it
  );
});
