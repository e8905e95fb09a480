// @vitest-environment node
/**
 * The exercises' browser adapter (content/exercises/_runtime/browser-adapter.js): one run inside a
 * Worker, in the protocol of the site's Worker runner ({ type: 'output', text } JSON lines, then
 * { type: 'exit', code }). Driven from Node by tests/support/exercises-browser-driver.ts, with
 * worker_threads for Workers (each pool thread runs the real browser-worker.js) and data: URLs
 * for the learner's blob: URLs. No timing claims here: exercises.test.ts makes them through the CLI.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { mapLimit, type RequestLine, type Summary } from '../support/exercises-cli';

const driver = resolve(__dirname, '../support/exercises-browser-driver.ts');

interface Posted {
  messages: { type: string; text?: string; code?: number }[];
  lines: Record<string, unknown>[];
  requests: RequestLine[];
  summary?: Summary;
  fatal?: { message: string; usage: boolean };
  exit?: number;
  stderr: string;
}

function runJob(job: object): Promise<Posted> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [driver, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => (child.kill('SIGKILL'), fail(new Error(`driver took too long\n${stderr}`))), 30_000);
    child.on('error', fail);
    child.on('close', () => {
      clearTimeout(timer);
      const messages = out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
      const text = messages.filter((m) => m.type === 'output').map((m) => m.text).join('');
      const lines = text.split('\n').filter(Boolean).map((l: string) => JSON.parse(l));
      done({
        messages,
        lines,
        requests: lines.filter((l: Record<string, unknown>) => typeof l.i === 'number') as unknown as RequestLine[],
        summary: lines.find((l: Record<string, unknown>) => l.summary)?.summary as Summary | undefined,
        fatal: lines.find((l: Record<string, unknown>) => l.fatal)?.fatal as Posted['fatal'],
        exit: messages.find((m) => m.type === 'exit')?.code,
        stderr,
      });
    });
  });
}

describe('browser-adapter runJob', () => {
  it('runs every variant with the built-in handlers and posts the CLI lines, then exit 0 last', async () => {
    const variants = ['sync', 'async', 'sync-batch', 'parallel'];
    const runs = await mapLimit(variants, 2, (variant) =>
      runJob({ exercise: 'mixed-downstream', variant, params: { requests: 24, clients: 6, ioMs: 3, cpuRounds: 10_000, pool: 2, limit: 2 } }),
    );
    runs.forEach((r, k) => {
      expect(r.exit, r.stderr).toBe(0);
      expect(r.messages.at(-1)).toEqual({ type: 'exit', code: 0 });
      expect(r.requests).toHaveLength(24);
      expect(r.summary).toMatchObject({ exercise: 'mixed-downstream', variant: variants[k], handler: 'solution', completed: 24, errors: 0, cpuTimeMs: null });
      expect(r.summary!.resources.downstream.maxConcurrent).toBeLessThanOrEqual(2);
    });
    expect(runs[3].summary!.workers).toHaveLength(2);
  }, 30_000);

  it("runs a learner's source under every variant, pool threads included; a throw fails only its request", async () => {
    const handlerSource = `export async function handle(req, ctx) {
  const user = await ctx.db.get('user:' + req.userId);
  if (req.userId % 2) throw new Error('odd user ' + req.userId);
  return user;
}`;
    const runs = await mapLimit(['sync', 'async', 'sync-batch', 'parallel'], 2, (variant) =>
      runJob({ exercise: 'io-db', variant, handlerSource, quiet: true, params: { requests: 30, clients: 5, ioMs: 2, pool: 2 } }),
    );
    const errors = runs.map((r) => r.summary!.errors);
    expect(errors[0]).toBeGreaterThan(5);
    for (const r of runs) {
      expect(r.exit, r.stderr).toBe(0);
      expect(r.requests).toHaveLength(0); // quiet
      expect(r.summary).toMatchObject({ handler: 'learner', completed: 30, errors: errors[0] });
      expect(r.summary!.errorSamples[0]).toMatch(/^Error: odd user \d+$/);
    }
  }, 30_000);

  it('answers a bad job with one fatal line and its exit code, never a throw', async () => {
    const [unknown, range, syntax, noExport] = await Promise.all([
      runJob({ exercise: 'nope', variant: 'sync' }),
      runJob({ exercise: 'io-db', variant: 'sync', params: { clients: 0 } }),
      runJob({ exercise: 'io-db', variant: 'async', handlerSource: 'export async function handle( {' }),
      runJob({ exercise: 'io-db', variant: 'async', handlerSource: 'export const x = 1;' }),
    ]);
    expect(unknown).toMatchObject({ exit: 2, fatal: { usage: true } });
    expect(unknown.fatal!.message).toMatch(/no exercise "nope": choose one of .*io-db/);
    expect(range).toMatchObject({ exit: 2 });
    expect(range.fatal!.message).toMatch(/--clients must be between 1 and 500/);
    expect(syntax).toMatchObject({ exit: 1, fatal: { usage: false } });
    expect(syntax.fatal!.message).toMatch(/^the handler could not be loaded: SyntaxError/);
    expect(noExport.exit).toBe(1);
    expect(noExport.fatal!.message).toMatch(/must export a function: export async function handle\(req, ctx\)/);
    for (const r of [unknown, range, syntax, noExport]) expect(r.messages.at(-1)?.type).toBe('exit');
  }, 30_000);
});
