/**
 * Cancellation against real Node 24: AbortController, AbortSignal (abort, timeout, any,
 * throwIfAborted, onabort), EventTarget, Event, CustomEvent, DOMException and the abortable
 * `delay` (eventloop-abort-programs.ts). Each program runs as its own `node` process (the lab's
 * `delay` given as NATIVE_DELAY) and through runProgramSync in both runtimes; the console must be
 * identical. The program runs from a setImmediate callback (a macrotask, like the lab's script
 * task; its ticks and microtasks run right after it). Node prints an error's stack frames, the lab does not: frame lines ("    at ...")
 * are dropped from Node's output. Browser runs print Chromium's texts for the default reasons,
 * mapped to Node's before the comparison (ABORT_MESSAGES).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runProgramSync } from '#sim/eventloop/run';
import { ABORT_MESSAGES } from '#sim/eventloop/engine/abort';
import { ABORT_PROGRAMS, NATIVE_DELAY } from './eventloop-abort-programs';

const dir = mkdtempSync(path.join(tmpdir(), 'eventloop-abort-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function native(source: string, i: number): string {
  const file = path.join(dir, `p${i}.js`);
  // Run from a callback, as the lab's script task: timers set at the top level then count from
  // the loop's fresh time, not from the time cached before Node loaded the program.
  writeFileSync(file, `${NATIVE_DELAY}\nsetImmediate(() => {\n${source}\n});\n`);
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`node failed (${r.status}): ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => !/^\s+at /.test(l))
    .join('\n')
    .replace(/\n$/, '');
}

function lab(source: string, runtime: 'node' | 'browser'): string {
  const run = runProgramSync(source, { runtime });
  expect(run.error, `${runtime} run error`).toBeUndefined();
  let text = run.console.join('\n');
  if (runtime === 'browser') {
    text = text.split(ABORT_MESSAGES.browser.abort).join(ABORT_MESSAGES.node.abort).split(ABORT_MESSAGES.browser.timeout).join(ABORT_MESSAGES.node.timeout);
  }
  return text;
}

describe('browser runs: a listener that throws is reported at once, and dispatch goes on (HTML "report the exception")', () => {
  it('prints Uncaught Error between the listeners', () => {
    const run = runProgramSync(`const t = new EventTarget();
t.addEventListener('x', () => { throw new Error('in listener'); });
t.addEventListener('x', () => console.log('second listener runs'));
Promise.resolve().then(() => console.log('microtask'));
console.log(t.dispatchEvent(new Event('x')));
console.log('after dispatch');`);
    expect(run.console).toEqual(['Uncaught Error: in listener', 'second listener runs', 'true', 'after dispatch', 'microtask']);
  });
});

describe('cancellation: the lab prints what Node 24 prints', () => {
  it('runs on Node 24 with at least 40 programs', () => {
    expect(Number(process.versions.node.split('.')[0])).toBe(24);
    expect(ABORT_PROGRAMS.length).toBeGreaterThanOrEqual(40);
  });
  // Node ends the process at an uncaught DOMException: the lab's last line is the line of
  // Node's report that names it, and the lines before it are Node's stdout.
  const UNCAUGHT: [string, RegExp][] = [
    [`console.log('start');\nconst c = new AbortController();\nc.abort();\nc.signal.throwIfAborted();\nconsole.log('never');`, /^DOMException \[AbortError\]: /],
    [`const c = new AbortController();\ndelay(100, 1, { signal: c.signal });\nsetTimeout(() => { console.log('abort'); c.abort(); }, 10);`, /^DOMException \[AbortError\]: /],
    [`const s = AbortSignal.timeout(10);\nsetTimeout(() => s.throwIfAborted(), 30);`, /^DOMException \[TimeoutError\]: /],
    [`try { structuredClone(() => 1); } catch (e) { console.log(e instanceof DOMException, e.name); throw e; }`, /^DOMException \[DataCloneError\]: /],
    // A listener that throws: the other listeners and the code after dispatch still run; Node
    // rethrows the error from a next-tick callback, before the promise jobs, and exits.
    [`const t = new EventTarget();
t.addEventListener('x', () => { throw new Error('in listener'); });
t.addEventListener('x', () => console.log('second listener runs'));
Promise.resolve().then(() => console.log('never: the tick ends the process first'));
console.log(t.dispatchEvent(new Event('x')));
console.log('after dispatch');`, /^Error: in listener$/],
  ];
  UNCAUGHT.forEach(([source, report], i) => {
    it(`uncaught error ${i + 1} ends Node as Node reports it`, () => {
      const file = path.join(dir, `u${i}.js`);
      writeFileSync(file, `${NATIVE_DELAY}\nsetImmediate(() => {\n${source}\n});\n`);
      const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000 });
      expect(r.status).toBe(1);
      const run = runProgramSync(source, { runtime: 'node' });
      expect(run.exitCode).toBe(1);
      const last = run.console.at(-1)!;
      expect(last).toMatch(report);
      expect(r.stderr.split('\n')).toContain(last);
      expect(run.console.slice(0, -1).join('\n')).toBe(r.stdout.replace(/\n$/, ''));
    });
  });

  ABORT_PROGRAMS.forEach((p, i) => {
    it(p.name, () => {
      let expected = native(p.source, i);
      // Real timers can run late on a loaded machine: a program whose output differs is run once more.
      if (expected !== lab(p.source, 'node')) expected = native(p.source, i);
      expect(expected.length).toBeGreaterThan(0);
      expect(lab(p.source, 'node')).toBe(expected);
      if (p.browser !== false) expect(lab(p.source, 'browser')).toBe(expected);
    });
  });
});
