import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DataflowRunner, HARD_TIMEOUT_MS, type DataflowWorkerRequest, type DataflowWorkerResponse } from './dataflowRunner';
import { compileOperator } from './dataflowCode';
import { getPreset, simulate } from '#sim/dataflow';

/** A stand-in for the sandbox Worker: records what it is sent; the test answers for it. */
class FakeWorker extends EventTarget {
  static made: FakeWorker[] = [];
  posted: DataflowWorkerRequest[] = [];
  terminated = false;
  constructor() {
    super();
    FakeWorker.made.push(this);
  }
  postMessage(message: DataflowWorkerRequest) {
    this.posted.push(message);
  }
  terminate() {
    this.terminated = true;
  }
  reply(message: DataflowWorkerResponse) {
    this.dispatchEvent(new MessageEvent('message', { data: message }));
  }
}

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
    FakeWorker.made = [];
    runner = new DataflowRunner(() => new FakeWorker() as unknown as Worker);
  });
  afterEach(() => vi.useRealTimers());

  it('sends the job and resolves with the worker’s run', async () => {
    const p = runner.run(job);
    const w = FakeWorker.made[0];
    expect(w.posted[0]).toMatchObject({ type: 'run', seed: 1, code: job.code });
    const run = simulate(job.config, 1);
    w.reply({ type: 'start', id: w.posted[0].id });
    w.reply({ type: 'done', id: w.posted[0].id, run, ms: 3 });
    await expect(p).resolves.toMatchObject({ kind: 'run', host: 'worker', ms: 3 });
  });

  it('passes code errors through, with their line', async () => {
    const p = runner.run(job);
    const w = FakeWorker.made[0];
    w.reply({ type: 'code-error', id: w.posted[0].id, message: 'Syntax error on line 2: Unexpected token.', line: 2 });
    await expect(p).resolves.toEqual({ kind: 'code-error', message: 'Syntax error on line 2: Unexpected token.', line: 2, column: undefined });
  });

  it('terminates a worker that does not answer in time, and the next job gets a new worker', async () => {
    const p = runner.run(job);
    const w = FakeWorker.made[0];
    w.reply({ type: 'start', id: w.posted[0].id });
    vi.advanceTimersByTime(HARD_TIMEOUT_MS + 1);
    await expect(p).resolves.toMatchObject({ kind: 'failed', message: expect.stringMatching(/did not return/) });
    expect(w.terminated).toBe(true);
    void runner.run(job);
    expect(FakeWorker.made).toHaveLength(2);
  });

  it('a newer job replaces one in flight; a stale answer is ignored', async () => {
    const first = runner.run(job);
    const w = FakeWorker.made[0];
    const staleId = w.posted[0].id;
    const second = runner.run({ ...job, seed: 2 });
    await expect(first).resolves.toEqual({ kind: 'failed', message: '' });
    expect(w.terminated).toBe(true);
    const w2 = FakeWorker.made[1];
    w.reply({ type: 'done', id: staleId, run: simulate(job.config, 1), ms: 1 });
    w2.reply({ type: 'done', id: w2.posted[0].id, run: simulate(job.config, 2), ms: 1 });
    const r = await second;
    expect(r.kind === 'run' && r.run.seed).toBe(2);
  });
});
