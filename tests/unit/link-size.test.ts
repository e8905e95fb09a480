/**
 * Links stay under MAX_LINK_QUERY (a longer one is refused by servers: the site's own answered a
 * 39 KB link with 431), and a program too large for a link travels as a file instead.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { packText, packTextSync, writeNamespace } from '#lib/permalink';
import { fitSearch, linkFits, LOCAL_KEY, MAX_LINK_QUERY, queryLength, readLocalMark } from '#widgets/shared/urlState';
import { kb, MAX_PROGRAM_FILE_BYTES, programFileName, programFileText, readProgramFile } from '#widgets/shared/programFile';
import { readLink } from '#widgets/shared/labModel';
import { eventLoopModel, presetSettings } from '#widgets/EventLoopLab/model';
import { PRESETS } from '#widgets/EventLoopLab/lab';
import { rng } from '#sim/core/rng';

/** A program of about `bytes` bytes that compresses poorly (random hex strings), like a pasted log. */
function bigProgram(bytes: number, seed = 1): string {
  const r = rng(seed);
  const rand = () => r.next();
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const hex = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16)).join('');
    const line = `console.log('${i} ${hex}');`;
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join('\n');
}

describe('MAX_LINK_QUERY', () => {
  it('a link at the limit opens on a Node server with default limits (scripts/serve.mjs), a 39 KB one gets 431', async () => {
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    // Headers like a browser's: user agent, accept, client hints, fetch metadata, a cookie.
    const headers = {
      'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
      'Accept-Language': 'en-GB,en;q=0.9',
      'Sec-CH-UA': '"Chromium";v="131", "Not_A Brand";v="24"',
      Referer: `http://127.0.0.1:${port}/labs/event-loop/?` + 'r'.repeat(MAX_LINK_QUERY),
      Cookie: 'c='.padEnd(1000, 'x'),
    };
    const status = (query: string) =>
      new Promise<number>((done, fail) => {
        const req = request({ host: '127.0.0.1', port, path: `/labs/event-loop/?${query}`, headers }, (res) => {
          res.resume();
          done(res.statusCode ?? 0);
        });
        req.on('error', fail);
        req.end();
      });
    try {
      expect(await status('ev.code='.padEnd(MAX_LINK_QUERY, 'x'))).toBe(200);
      expect(await status('ev.code='.padEnd(39_000, 'x'))).toBe(431);
    } finally {
      server.close();
    }
  });

  it('queryLength counts the percent-encoded query, as a server receives it', () => {
    expect(queryLength('https://x.test/labs/?a=1&b=%C3%A9#lab')).toBe('a=1&b=%C3%A9'.length);
    expect(linkFits('https://x.test/?' + 'a='.padEnd(MAX_LINK_QUERY, 'x'))).toBe(true);
    expect(linkFits('https://x.test/?' + 'a='.padEnd(MAX_LINK_QUERY + 1, 'x'))).toBe(false);
  });
});

describe('fitSearch', () => {
  const others = new URLSearchParams('other.seed=4&other.step=2');

  it('writes everything, with no mark, when it fits', () => {
    const r = fitSearch(others, 'ev', { preset: 'a', code: packTextSync('console.log(1)'), step: 3 }, ['code']);
    expect(r.fits).toBe(true);
    expect(r.dropped).toEqual([]);
    expect(r.search.get('ev.code')).not.toBeNull();
    expect(r.search.has(`ev.${LOCAL_KEY}`)).toBe(false);
    expect(r.search.get('other.seed')).toBe('4');
  });

  it('leaves a 39 KB program out and marks it, keeping the other fields and namespaces', async () => {
    const code = await packText(bigProgram(39_000));
    expect(code.length).toBeGreaterThan(MAX_LINK_QUERY);
    const r = fitSearch(others, 'ev', { preset: 'a', code, step: 3 }, ['code', 'res']);
    expect(r.fits).toBe(true);
    expect(r.dropped).toEqual(['code']);
    expect(r.search.toString().length).toBeLessThanOrEqual(MAX_LINK_QUERY);
    expect(r.search.has('ev.code')).toBe(false);
    expect(r.search.get(`ev.${LOCAL_KEY}`)).toBe('code');
    expect(r.search.get('ev.step')).toBe('3');
    expect(r.search.get('other.step')).toBe('2');
  });

  it('says it does not fit when even the rest is too long (the caller then leaves the URL alone)', () => {
    const r = fitSearch(new URLSearchParams(), 'ev', { note: 'x'.repeat(MAX_LINK_QUERY), code: 'y' }, ['code']);
    expect(r.fits).toBe(false);
  });

  it('a stale mark is cleared once the program fits again', () => {
    const params = new URLSearchParams(`ev.${LOCAL_KEY}=code&ev.preset=a`);
    const r = fitSearch(params, 'ev', { preset: 'a', code: packTextSync('1') }, ['code']);
    expect(r.search.has(`ev.${LOCAL_KEY}`)).toBe(false);
  });

  it('readLocalMark keeps field names only', () => {
    expect(readLocalMark('code,res')).toEqual(['code', 'res']);
    expect(readLocalMark('code,<x>')).toEqual(['code']);
    expect(readLocalMark(null)).toEqual([]);
  });
});

describe('readLink with a local mark', () => {
  const base = presetSettings(PRESETS[0].id);

  it('reads the mark instead of calling it a bad link', async () => {
    const search = '?' + writeNamespace(new URLSearchParams(), 'ev', { preset: PRESETS[0].id, [LOCAL_KEY]: 'code', step: 4 }).toString();
    const r = await readLink(eventLoopModel, search, 'ev', base, false);
    expect(r.notice).toBeNull();
    expect(r.local).toEqual(['code']);
    expect(r.step).toBe(4);
  });

  it('a mark with no field name is a bad link', async () => {
    const r = await readLink(eventLoopModel, `?ev.${LOCAL_KEY}=%3C%3E`, 'ev', base, false);
    expect(r.notice).toMatch(/could not be read/);
  });
});

describe('program files', () => {
  const info = { labId: 'event-loop', ns: 'loop', page: '/labs/event-loop/', preset: 'microtasks-first', settings: 'preset=microtasks-first' };
  const enc = (s: string) => new TextEncoder().encode(s);

  it('round-trips a program through its file, header stripped', () => {
    const code = bigProgram(39_000);
    const text = programFileText(info, code);
    expect(text.startsWith('// Under the Await: a program for the event-loop lab (instance "loop" on /labs/event-loop/).')).toBe(true);
    expect(text).toContain('// preset: microtasks-first');
    const r = readProgramFile('event-loop-loop.js', enc(text));
    expect(r).toEqual({ ok: true, code, labId: 'event-loop', settings: 'preset=microtasks-first' });
    expect(programFileName(info)).toBe('event-loop-loop.js');
  });

  it('reads a plain .js file whole, and Windows line ends as Unix ones', () => {
    expect(readProgramFile('a.js', enc('console.log(1);\r\nconsole.log(2);'))).toEqual({ ok: true, code: 'console.log(1);\nconsole.log(2);', labId: null, settings: null });
  });

  it('refuses a file over the size limit without reading it whole', () => {
    const r = readProgramFile('big.js', enc('x'), undefined, MAX_PROGRAM_FILE_BYTES + 1);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toBe(`“big.js” is ${kb(MAX_PROGRAM_FILE_BYTES + 1)}; the lab opens program files up to ${kb(MAX_PROGRAM_FILE_BYTES)}.`);
  });

  it('refuses binary and non-UTF-8 files and empty ones, with a sentence', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
    const r1 = readProgramFile('cat.png', png);
    expect(r1.ok === false && r1.message).toMatch(/“cat.png” is not a text file/);
    const r2 = readProgramFile('nul.js', enc('a\u0000b'));
    expect(r2.ok === false && r2.message).toMatch(/not a text file \(it holds binary data\)/);
    const r3 = readProgramFile('e.js', new Uint8Array());
    expect(r3.ok === false && r3.message).toMatch(/is empty/);
  });
});
