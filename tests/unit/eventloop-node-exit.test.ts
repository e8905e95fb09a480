/**
 * The Node mode ends a program as Node 24 does: checked against real `node` processes (one
 * spawn per program, a handful). For each program: the engine's console lines before the error
 * report are Node's stdout, the engine's exit code is the process's, and the engine's last
 * console line (its error report) is a whole line of Node's stderr: the line that names the error.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runProgramSync } from '#sim/eventloop/run';
import { NODE_DEFAULT_FILES } from '#sim/eventloop/engine';

const PROGRAMS: Record<string, string> = {
  'an unhandled Error rejection, after the ticks of the main script': `console.log('a');
Promise.reject(new TypeError('boom'));
setTimeout(() => console.log('never'), 0);
process.nextTick(() => console.log('tick'));`,
  'an unhandled rejection with a string reason': `Promise.reject('x');
setImmediate(() => console.log('never'));`,
  'an unhandled rejection with an object reason': `Promise.reject({ code: 42 });`,
  'an error thrown by a timer callback stops the next timer': `setTimeout(() => { console.log('t'); throw new Error('thrown'); }, 0);
setTimeout(() => console.log('never'), 5);`,
  'a string thrown by a next-tick callback': `process.nextTick(() => { throw 'x'; });
Promise.resolve().then(() => console.log('never'));`,
  'a rejection in an I/O callback, handled too late': `require('fs').readFile('data.txt', 'utf8', (err, d) => {
  console.log(d);
  const p = Promise.reject(new RangeError('late'));
  setImmediate(() => p.catch(() => console.log('never')));
});`,
  'an async function throwing after an await': `(async () => { console.log('in'); await null; throw new Error('async'); })();
process.nextTick(() => console.log('tick'));`,
  'a clean exit': `setImmediate(() => console.log('i'));
process.nextTick(() => console.log('t'));`,
};

const dir = mkdtempSync(path.join(tmpdir(), 'eventloop-node-exit-'));
for (const [name, text] of Object.entries(NODE_DEFAULT_FILES)) writeFileSync(path.join(dir, name), text);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Node mode: exit on uncaught errors matches real Node 24', () => {
  Object.entries(PROGRAMS).forEach(([title, source], i) => {
    it(title, () => {
      const file = path.join(dir, `p${i}.js`);
      writeFileSync(file, source);
      const r = spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
      const stdout = r.stdout.split('\n').filter((l) => l !== '');
      const stderr = r.stderr.split('\n');
      const run = runProgramSync(source, { runtime: 'node' });
      expect(run.exitCode).toBe(r.status);
      if (r.status === 0) {
        expect(run.console).toEqual(stdout);
        return;
      }
      const report = run.console[run.console.length - 1];
      expect(run.console.slice(0, -1)).toEqual(stdout);
      expect(stderr).toContain(report);
      expect(run.console.join('\n')).not.toContain('never');
    });
  });
});
