import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DataflowRunner, HARD_TIMEOUT_MS, TIMEOUT_MESSAGE } from './dataflowRunner';
import type { DataflowJob, DataflowOutcome } from './dataflowEngine';
import { compileOperator } from './dataflowCode';
import { FakeWorker, flush } from './fakeWorker';
import { getPreset, simulate } from '#sim/dataflow';

type W = FakeWorker<DataflowJob, DataflowOutcome>;
const made = () => FakeWorker.made as W[];

describe('compileOperator', () => {
  it('returns the named function', () => {
    const c = compileOperator('function keep(r) { return r.value < 10; }', 'keep');
    expect(c.ok).toBe(true);
    if (c.ok) expect([c.fn({ key: 1, value: 3 }), c.fn({ key: 1, value: 30 })]).toEqual([true, false]);
  });

  it('names the line of a syntax error', () => {
    const c = compileOperator('function keep(r) {\n  return r.value <;\n}', 'keep');
    expect(c).toMatchObject({ ok: false, line: 2 });
    if (!c.ok) expect(c.message).toMatch(/^Syntax error on line 2: Unexpected token/);
  });

  it('says when the function is missing, and runs in strict mode with risky globals shadowed', () => {
    expect(compileOperator('function other() {}', 'keep')).toMatchObject({ ok: false, message: 'The code must define a function called keep(record).' });
    const c = compileOperator('function keep() { return typeof fetch + typeof globalThis + typeof this; }', 'keep');
    if (!c.ok) throw new Error(c.message);
    const fn = c.fn; // called the way the engine calls it: as a plain function
    expect(fn({ key: 0, value: 0 })).toBe('undefinedundefinedundefined');
    expect(compileOperator('x'.repeat(5000), 'keep')).toMatchObject({ ok: false });
  });
});

describe('DataflowRunner', () => {
  let runner: DataflowRunner;
  const job = { config: getPreset('operator').config, seed: 1, code: { op: 'keep', name: 'keep', source: 'function keep() { return true; }' } };
  beforeEach(() => {
    vi.useFakeTimers();
    FakeWorker.reset();
    runner = new DataflowRunner({ createWorker: FakeWorker.create() });
  });
  afterEach(() => vi.useRealTimers());

  it('sends the job and resolves with the worker’s run', async () => {
    const p = runner.run(job);
    const w = made()[0];
    expect(w.posted[0]).toMatchObject({ type: 'run', job: { seed: 1, code: job.code }, wallMs: 2_000 });
    w.finish({ kind: 'run', run: simulate(job.config, 1) }, 3);
    await expect(p).resolves.toMatchObject({ kind: 'run', host: 'worker', ms: 3 });
  });

  it('passes code errors through, with their line', async () => {
    const p = runner.run(job);
    made()[0].finish({ kind: 'code-error', message: 'Syntax error on line 2: Unexpected token.', line: 2 });
    await expect(p).resolves.toEqual({ kind: 'code-error', message: 'Syntax error on line 2: Unexpected token.', line: 2, column: undefined });
  });

  it('terminates a worker that does not answer within the same 5 s as every engine; the next job gets a new worker', async () => {
    const p = runner.run(job);
    const w = made()[0];
    w.reply({ type: 'start', id: w.posted[0].id });
    vi.advanceTimersByTime(4_999);
    await flush();
    expect(w.terminated).toBe(false);
    vi.advanceTimersByTime(1);
    await expect(p).resolves.toEqual({ kind: 'failed', message: TIMEOUT_MESSAGE });
    expect(TIMEOUT_MESSAGE).toBe('Stopped after 5 s of real time: your function did not return (an infinite loop, or more work than the lab runs in that time).');
    expect(HARD_TIMEOUT_MS).toBe(5_000);
    expect(w.terminated).toBe(true);
    void runner.run(job);
    expect(made()).toHaveLength(2);
  });

  it('a newer job replaces one in flight (resolved as superseded); a stale answer is ignored', async () => {
    const first = runner.run(job);
    const w = made()[0];
    const staleId = w.posted[0].id;
    const second = runner.run({ ...job, seed: 2 });
    await expect(first).resolves.toEqual({ kind: 'failed', message: '' });
    expect(w.terminated).toBe(true);
    const w2 = made()[1];
    w.reply({ type: 'done', id: staleId, run: { kind: 'run', run: simulate(job.config, 1) }, ms: 1 });
    w2.finish({ kind: 'run', run: simulate(job.config, 2) });
    const r = await second;
    expect(r.kind === 'run' && r.run.seed).toBe(2);
  });

  it('an engine that threw is a failure with a message', async () => {
    const p = runner.run(job);
    const w = made()[0];
    w.reply({ type: 'start', id: 1 });
    w.reply({ type: 'failed', id: 1, message: 'boom' });
    await expect(p).resolves.toEqual({ kind: 'failed', message: 'The lab could not run this code (boom).' });
  });
});

describe('DataflowRunner without a Worker (the engine is imported only now)', () => {
  const job = { config: getPreset('operator').config, seed: 1 };

  it('runs the engine on the main thread with the same result as the engine itself, and says so', async () => {
    const r = await new DataflowRunner().run({ ...job, code: { op: 'keep', name: 'keep', source: 'function keep(r) { return r.value < 500; }' } });
    if (r.kind !== 'run') throw new Error(JSON.stringify(r));
    expect(r.host).toBe('main-thread');
    expect(r.note).toMatch(/so the code ran on this page's main thread/);
    const keep = compileOperator('function keep(r) { return r.value < 500; }', 'keep');
    if (!keep.ok) throw new Error(keep.message);
    const direct = simulate(job.config, 1, { hooks: { keep: keep.fn } });
    expect(r.run.metrics).toEqual(direct.metrics);
  });

  it('reports code that does not compile, with its line', async () => {
    const r = await new DataflowRunner().run({ ...job, code: { op: 'keep', name: 'keep', source: 'function keep(r) {\n  return r.value <;\n}' } });
    expect(r).toMatchObject({ kind: 'code-error', line: 2 });
  });
});
