import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseOutput } from './results';
import { EventChannel, jobArgs, type RunEvent, type RunJob } from './runner';

describe('jobArgs', () => {
  it('turns a job into the CLI flags (camelCase params to --kebab-case), skipping empty values', () => {
    const job: RunJob = {
      exercise: 'io-db',
      variant: 'sync-batch',
      params: { clients: 5, ioMs: 2.5, perKeyMs: 0, dbLimit: null, cpuRounds: undefined, arrival: 'fixed', seed: '' },
      quiet: true,
    };
    expect(jobArgs(job)).toEqual(['--exercise', 'io-db', '--variant', 'sync-batch', '--clients', '5', '--io-ms', '2.5', '--per-key-ms', '0', '--arrival', 'fixed', '--quiet']);
    expect(jobArgs({ ...job, params: {}, quiet: false, handler: 'starter' })).toEqual(['--exercise', 'io-db', '--variant', 'sync-batch', '--handler', 'starter']);
    expect(jobArgs({ ...job, params: {}, quiet: false, handler: 'starter' }, './io-db/handler.learner.js')).toContain('./io-db/handler.learner.js');
  });
});

describe('EventChannel', () => {
  it('delivers pushed items in order, including those pushed before close', async () => {
    const c = new EventChannel<number>();
    const got: number[] = [];
    const done = (async () => {
      for await (const n of c) got.push(n);
    })();
    c.push(1);
    await Promise.resolve();
    c.push(2);
    c.push(3);
    c.close();
    c.push(4); // after close: dropped
    await done;
    expect(got).toEqual([1, 2, 3]);
  });
});

/**
 * The command line a WebContainer runs, with real Node: the exercises folder copied as it would be
 * mounted, the learner's handler written where the WebContainer runner writes it, and the output
 * parsed by results.ts from the raw stdout chunks.
 */
describe('the WebContainer command line against the real exercise CLI', () => {
  it('runs a learner handler and yields request events and one summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exercises-'));
    try {
      cpSync(resolve(__dirname, '../../content/exercises'), dir, { recursive: true });
      const handlerPath = './io-db/handler.learner.js';
      writeFileSync(
        join(dir, handlerPath),
        'export async function handle(req, ctx) { console.log("learner says hi"); const [u, c] = await Promise.all([ctx.db.get(`user:${req.userId}`), ctx.db.get(`cart:${req.cartId}`)]); return { u, c }; }\n',
      );
      const job: RunJob = { exercise: 'io-db', variant: 'async', params: { requests: 6, clients: 3, ioMs: 1 } };
      const child = spawn(process.execPath, ['run.js', ...jobArgs(job, handlerPath)], { cwd: dir });
      child.stdout.setEncoding('utf8');
      const events: RunEvent[] = [];
      for await (const e of parseOutput(child.stdout as AsyncIterable<string>, 'webcontainer')) events.push(e);
      const code = await new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.on('exit', r)));
      expect(code).toBe(0);
      const requests = events.filter((e) => e.type === 'request');
      expect(requests).toHaveLength(6);
      expect(requests.every((e) => e.type === 'request' && e.ok)).toBe(true);
      const summaries = events.filter((e) => e.type === 'summary');
      expect(summaries).toHaveLength(1);
      expect(summaries[0]).toMatchObject({ exercise: 'io-db', variant: 'async', runner: 'webcontainer' });
      // the handler's console.log is a plain line, not lost and not a crash
      expect(events.some((e) => e.type === 'line' && e.text === 'learner says hi')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('a bad option comes back as a usage error event', async () => {
    const child = spawn(process.execPath, ['run.js', ...jobArgs({ exercise: 'io-db', variant: 'async', params: { clients: 'many' } })], {
      cwd: resolve(__dirname, '../../content/exercises'),
    });
    child.stdout.setEncoding('utf8');
    const events: RunEvent[] = [];
    for await (const e of parseOutput(child.stdout as AsyncIterable<string>, 'worker')) events.push(e);
    expect(events).toEqual([{ type: 'error', runner: 'worker', usage: true, message: expect.stringContaining('--clients must be a number') }]);
  }, 30_000);
});
