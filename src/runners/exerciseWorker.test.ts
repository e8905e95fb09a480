import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExerciseWorkerRunner, NO_WORKERS_MESSAGE, notIsolatedMessage, type ExerciseWorkerRequest, type WorkerLike } from './exerciseWorker';
import type { RunEvent, RunJob } from './runner';

class FakeWorker implements WorkerLike {
  posted: ExerciseWorkerRequest[] = [];
  terminated = 0;
  private target = new EventTarget();
  postMessage(message: ExerciseWorkerRequest) {
    this.posted.push(message);
  }
  terminate() {
    this.terminated++;
  }
  addEventListener(type: string, listener: (event: never) => void) {
    this.target.addEventListener(type, listener as EventListener);
  }
  send(data: unknown) {
    this.target.dispatchEvent(new MessageEvent('message', { data }));
  }
  fail(message: string) {
    const event = new Event('error') as Event & { message: string };
    event.message = message;
    this.target.dispatchEvent(event);
  }
}

const job: RunJob = { exercise: 'io-db', variant: 'sync', params: { clients: 5 }, handlerSource: 'export const handle = () => 1;' };
const flush = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

function setup(options: { wallMs?: number; isolated?: boolean } = {}) {
  const workers: FakeWorker[] = [];
  const runner = new ExerciseWorkerRunner({
    createWorker: () => {
      const w = new FakeWorker();
      workers.push(w);
      return w;
    },
    wallMs: options.wallMs ?? 1000,
    isIsolated: () => options.isolated ?? true,
  });
  return { runner, workers };
}

function start(runner: ExerciseWorkerRunner, j: RunJob, signal = new AbortController().signal) {
  const events: RunEvent[] = [];
  const done = (async () => {
    for await (const e of runner.run(j, signal)) events.push(e);
  })();
  return { events, done };
}

afterEach(() => vi.useRealTimers());

describe('ExerciseWorkerRunner', () => {
  it('is ready with a Worker factory, and says why not without one', async () => {
    await expect(setup().runner.ready()).resolves.toBeUndefined();
    await expect(new ExerciseWorkerRunner().ready()).rejects.toThrow(NO_WORKERS_MESSAGE);
  });

  it('posts the job, parses the output chunks, ends at exit and terminates the Worker', async () => {
    const { runner, workers } = setup();
    const { events, done } = start(runner, job);
    await flush();
    const w = workers[0];
    expect(w.posted).toEqual([{ type: 'run', job }]);
    w.send({ type: 'output', text: '{"i":0,"start":0,"end":2,"latency":2,"ok":true}\n{"summ' });
    w.send({ type: 'output', text: 'ary":{"exercise":"io-db","variant":"sync","runtime":"browser worker"}}' });
    w.send({ type: 'exit', code: 0 });
    await done;
    expect(events.map((e) => e.type)).toEqual(['request', 'summary', 'exit']);
    expect(events.every((e) => e.runner === 'worker')).toBe(true);
    expect(w.terminated).toBeGreaterThanOrEqual(1);
  });

  it('past the wall-time budget, terminates the Worker and ends with a timedOut error', async () => {
    vi.useFakeTimers();
    const { runner, workers } = setup({ wallMs: 1000 });
    const { events, done } = start(runner, job);
    await vi.advanceTimersByTimeAsync(0);
    workers[0].send({ type: 'output', text: '{"i":0,"start":0,"end":2,"latency":2,"ok":true}\n' });
    await vi.advanceTimersByTimeAsync(999);
    expect(workers[0].terminated).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    await done;
    expect(workers[0].terminated).toBeGreaterThanOrEqual(1);
    expect(events.map((e) => e.type)).toEqual(['request', 'error']);
    expect(events[1]).toMatchObject({ timedOut: true, message: expect.stringContaining('Stopped after 1 s of real time') });
  });

  it('terminates the Worker when the signal aborts', async () => {
    const { runner, workers } = setup();
    const controller = new AbortController();
    const { events, done } = start(runner, job, controller.signal);
    await flush();
    controller.abort();
    await done;
    expect(workers[0].terminated).toBeGreaterThanOrEqual(1);
    expect(events).toEqual([{ type: 'error', message: 'The run was stopped.', aborted: true, runner: 'worker' }]);
    // late messages from a terminated worker are ignored
    workers[0].send({ type: 'exit', code: 0 });
  });

  it('does not start a Worker for an already aborted signal', async () => {
    const { runner, workers } = setup();
    const controller = new AbortController();
    controller.abort();
    const { events, done } = start(runner, job, controller.signal);
    await done;
    expect(workers).toHaveLength(0);
    expect(events[0]).toMatchObject({ type: 'error', aborted: true });
  });

  it('turns a Worker error (entry failed to load, uncaught exception) into an error event', async () => {
    const { runner, workers } = setup();
    const { events, done } = start(runner, job);
    await flush();
    workers[0].fail('Uncaught SyntaxError: Unexpected token');
    await done;
    expect(events).toEqual([{ type: 'error', message: 'The exercise Worker failed: Uncaught SyntaxError: Unexpected token.', runner: 'worker' }]);
    expect(workers[0].terminated).toBeGreaterThanOrEqual(1);
  });

  it('terminates the Worker when the consumer stops iterating early', async () => {
    const { runner, workers } = setup();
    const done = (async () => {
      for await (const e of runner.run(job, new AbortController().signal)) if (e.type === 'request') break;
    })();
    await flush();
    workers[0].send({ type: 'output', text: '{"i":0,"start":0,"end":2,"latency":2,"ok":true}\n' });
    await done;
    expect(workers[0].terminated).toBe(1);
  });

  it('refuses blocking variants on a page without cross-origin isolation, but runs async', async () => {
    const { runner, workers } = setup({ isolated: false });
    const blocked = start(runner, job);
    await blocked.done;
    expect(blocked.events).toEqual([{ type: 'error', message: notIsolatedMessage('sync'), runner: 'worker' }]);
    expect(workers).toHaveLength(0);
    const ok = start(runner, { ...job, variant: 'async' });
    await flush();
    workers[0].send({ type: 'exit', code: 0 });
    await ok.done;
    expect(ok.events).toEqual([{ type: 'exit', code: 0, runner: 'worker' }]);
  });
});
