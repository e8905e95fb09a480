import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventLoopRunner } from './eventloopRunner';
import type { WorkerResponse, WorkerRunRequest } from './types';
import type { EventLoopRun } from '#sim/eventloop/types';

/** A stand-in for the sandbox Worker: records what it is sent; the test answers for it. */
class FakeWorker extends EventTarget {
  static made: FakeWorker[] = [];
  posted: WorkerRunRequest[] = [];
  terminated = false;
  constructor() {
    super();
    FakeWorker.made.push(this);
  }
  postMessage(message: WorkerRunRequest) {
    this.posted.push(message);
  }
  terminate() {
    this.terminated = true;
  }
  reply(message: WorkerResponse) {
    this.dispatchEvent(new MessageEvent('message', { data: message }));
  }
}

function fakeRun(text: string): EventLoopRun {
  return {
    console: [text],
    trace: [],
    truncated: false,
    stats: { steps: 1, loopIterations: 0, tasks: 1, microtasks: 0, endTime: 0, events: 0 },
    functions: [],
  };
}

const flush = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe('EventLoopRunner', () => {
  let runner: EventLoopRunner;
  beforeEach(() => {
    vi.useFakeTimers();
    FakeWorker.made = [];
    runner = new EventLoopRunner({ createWorker: () => new FakeWorker() as unknown as Worker, hardTimeoutMs: 5000, loadTimeoutMs: 20000, wallMs: 2000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the job with the wall budget and resolves with the worker’s run', async () => {
    const p = runner.run('console.log(1)', {});
    const w = FakeWorker.made[0];
    expect(w.posted).toEqual([{ type: 'run', id: 1, source: 'console.log(1)', options: { wallMs: 2000 } }]);
    w.reply({ type: 'start', id: 1 });
    w.reply({ type: 'done', id: 1, run: fakeRun('1'), ms: 12 });
    const run = await p;
    expect(run).toMatchObject({ console: ['1'], host: 'worker', runMs: 12 });
    expect(run.killed).toBeUndefined();
  });

  it('runs one job at a time, in order, on one reused worker', async () => {
    const a = runner.run('a', {});
    const b = runner.run('b', {});
    const w = FakeWorker.made[0];
    expect(w.posted.map((m) => m.source)).toEqual(['a']);
    w.reply({ type: 'start', id: 1 });
    w.reply({ type: 'done', id: 1, run: fakeRun('a'), ms: 1 });
    await a;
    expect(w.posted.map((m) => m.source)).toEqual(['a', 'b']);
    w.reply({ type: 'start', id: 2 });
    w.reply({ type: 'done', id: 2, run: fakeRun('b'), ms: 1 });
    expect((await b).console).toEqual(['b']);
    expect(FakeWorker.made).toHaveLength(1);
  });

  it('ignores messages for other jobs', async () => {
    const p = runner.run('a', {});
    const w = FakeWorker.made[0];
    w.reply({ type: 'done', id: 99, run: fakeRun('forged'), ms: 1 });
    w.reply({ type: 'start', id: 1 });
    w.reply({ type: 'done', id: 1, run: fakeRun('real'), ms: 1 });
    expect((await p).console).toEqual(['real']);
  });

  it('terminates a worker that does not answer within the hard timeout, and starts a fresh one for the next job', async () => {
    const p = runner.run('while (true) {}', {});
    const next = runner.run('b', {});
    const w = FakeWorker.made[0];
    w.reply({ type: 'start', id: 1 });
    vi.advanceTimersByTime(4999);
    await flush();
    expect(w.terminated).toBe(false);
    vi.advanceTimersByTime(1);
    const run = await p;
    expect(w.terminated).toBe(true);
    expect(run.killed).toBe(true);
    expect(run.error?.message).toBe('Stopped after 5 s of real time: the program did not finish. Is there an infinite loop?');
    expect(run.trace).toEqual([]);
    const fresh = FakeWorker.made[1];
    expect(fresh).toBeDefined();
    expect(fresh.posted.map((m) => m.source)).toEqual(['b']);
    fresh.reply({ type: 'start', id: 2 });
    fresh.reply({ type: 'done', id: 2, run: fakeRun('b'), ms: 1 });
    expect((await next).console).toEqual(['b']);
  });

  it('gives a worker that is still loading the longer allowance', async () => {
    const p = runner.run('a', {});
    const w = FakeWorker.made[0];
    vi.advanceTimersByTime(10_000);
    await flush();
    expect(w.terminated).toBe(false);
    w.reply({ type: 'start', id: 1 });
    w.reply({ type: 'done', id: 1, run: fakeRun('a'), ms: 1 });
    expect((await p).killed).toBeUndefined();
  });

  it('aborts: a queued job is dropped, a running one stops its worker', async () => {
    const first = new AbortController();
    const second = new AbortController();
    const a = runner.run('a', {}, first.signal);
    const b = runner.run('b', {}, second.signal);
    const c = runner.run('c', {});
    const w = FakeWorker.made[0];
    second.abort();
    await expect(b).rejects.toMatchObject({ name: 'AbortError' });
    first.abort();
    await expect(a).rejects.toMatchObject({ name: 'AbortError' });
    expect(w.terminated).toBe(true);
    const fresh = FakeWorker.made[1];
    expect(fresh.posted.map((m) => m.source)).toEqual(['c']);
    fresh.reply({ type: 'start', id: 3 });
    fresh.reply({ type: 'done', id: 3, run: fakeRun('c'), ms: 1 });
    expect((await c).console).toEqual(['c']);
  });

  it('reports an engine failure as a run with an error', async () => {
    const p = runner.run('a', {});
    const w = FakeWorker.made[0];
    w.reply({ type: 'start', id: 1 });
    w.reply({ type: 'failed', id: 1, message: 'boom' });
    expect((await p).error?.message).toBe('The lab could not run this program (boom).');
  });
});

describe('EventLoopRunner without a usable Worker', () => {
  it('runs on the main thread with a shorter budget, and says so', async () => {
    const runner = new EventLoopRunner(); // Node has no Worker global
    const run = await runner.run("console.log('here')", {});
    expect(run.host).toBe('main-thread');
    expect(run.console).toEqual(['here']);
    expect(run.note).toMatch(/main thread/);
  });

  it('falls back to the main thread when the worker fails before taking its job', async () => {
    let made: FakeWorker | null = null;
    const runner = new EventLoopRunner({
      createWorker: () => {
        made = new FakeWorker();
        return made as unknown as Worker;
      },
    });
    const p = runner.run("console.log('fallback')", {});
    made!.dispatchEvent(Object.assign(new Event('error'), { message: 'load failed' }));
    const run = await p;
    expect(run.host).toBe('main-thread');
    expect(run.console).toEqual(['fallback']);
    expect(run.note).toMatch(/could not start/);
  });
});
