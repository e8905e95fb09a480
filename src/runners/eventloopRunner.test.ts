import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventLoopRunner, TIMEOUT_MESSAGE } from './eventloopRunner';
import type { EventLoopJob } from './eventloopEngine';
import { FakeWorker, flush } from './fakeWorker';
import type { EventLoopRun } from '#sim/eventloop/types';

/**
 * The event-loop lab's runner: its protocol through EngineHost (fake Workers; the host's own
 * logic is tested in engineHost.test.ts), and its engine for real on the main thread.
 */
function fakeRun(text: string): EventLoopRun {
  return {
    console: [text],
    trace: [],
    truncated: false,
    stats: { steps: 1, loopIterations: 0, tasks: 1, microtasks: 0, endTime: 0, events: 0 },
    functions: [],
  };
}

type W = FakeWorker<EventLoopJob, EventLoopRun>;
const made = () => FakeWorker.made as W[];

describe('EventLoopRunner', () => {
  let runner: EventLoopRunner;
  beforeEach(() => {
    vi.useFakeTimers();
    FakeWorker.reset();
    runner = new EventLoopRunner({ createWorker: FakeWorker.create() });
  });
  afterEach(() => vi.useRealTimers());

  it('sends the source and engine options as the job, the wall budget beside it', async () => {
    const p = runner.run('console.log(1)', { maxSteps: 50, seed: 3, wallMs: 700 });
    const w = made()[0];
    expect(w.posted).toEqual([{ type: 'run', id: 1, job: { source: 'console.log(1)', options: { maxSteps: 50, seed: 3 } }, wallMs: 700 }]);
    w.finish(fakeRun('1'), 12);
    expect(await p).toMatchObject({ console: ['1'], host: 'worker', runMs: 12 });
  });

  it('runs jobs in order on one Worker (queue mode)', async () => {
    const a = runner.run('a');
    const b = runner.run('b');
    const w = made()[0];
    expect(w.posted.map((m) => m.job.source)).toEqual(['a']);
    w.finish(fakeRun('a'));
    await a;
    w.finish(fakeRun('b'));
    expect((await b).console).toEqual(['b']);
    expect(made()).toHaveLength(1);
  });

  it('a program that never yields is stopped after 5 s with an empty, truncated trace', async () => {
    const p = runner.run("/(a+)+$/.test('a'.repeat(40) + 'b')");
    const w = made()[0];
    w.reply({ type: 'start', id: 1 });
    vi.advanceTimersByTime(4_999);
    await flush();
    expect(w.terminated).toBe(false);
    vi.advanceTimersByTime(1);
    const run = await p;
    expect(run).toMatchObject({ killed: true, truncated: true, trace: [], error: { message: TIMEOUT_MESSAGE } });
    expect(TIMEOUT_MESSAGE).toBe('Stopped after 5 s of real time: the program did not finish (an infinite loop, or more work than the lab runs in that time).');
  });

  it('aborts a running program by terminating its Worker', async () => {
    const ac = new AbortController();
    const p = runner.run('a', {}, ac.signal);
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(made()[0].terminated).toBe(true);
  });

  it('reports an engine failure as a run with an error that was not cut short', async () => {
    const p = runner.run('a');
    const w = made()[0];
    w.reply({ type: 'start', id: 1 });
    w.reply({ type: 'failed', id: 1, message: 'boom' });
    expect(await p).toMatchObject({ error: { message: 'The lab could not run this program (boom).' }, truncated: false });
  });
});

describe('EventLoopRunner without a usable Worker', () => {
  it('runs on the main thread with a shorter budget, and says so', async () => {
    const run = await new EventLoopRunner().run("console.log('here')"); // Node has no Worker global
    expect(run.host).toBe('main-thread');
    expect(run.console).toEqual(['here']);
    expect(run.note).toMatch(/main thread/);
  });

  it('stops a slow loop at the main-thread budget (0.5 s), not the 2 s one', async () => {
    const t0 = performance.now();
    const run = await new EventLoopRunner().run("let s = 'x'; while (true) { s = s.split('').reverse().join('') + 'x'; }", { maxLoopIterations: 1e12 });
    expect(performance.now() - t0).toBeLessThan(1_900);
    expect(run.error?.message).toMatch(/too long in real time/);
  });

  it('falls back to the main thread when the Worker fails before taking its job', async () => {
    FakeWorker.reset();
    const runner = new EventLoopRunner({ createWorker: FakeWorker.create() });
    const p = runner.run("console.log('fallback')");
    made()[0].fail('load failed');
    const run = await p;
    expect(run).toMatchObject({ host: 'main-thread', console: ['fallback'] });
    expect(run.note).toMatch(/could not start/);
  });
});
