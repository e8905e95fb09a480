import { beforeEach, describe, expect, it } from 'vitest';
import { ActorsRunner, MAIN_THREAD_WALL_MS } from './actorsRunner';
import type { ActorsJob } from './actorsEngine';
import { FakeWorker } from './fakeWorker';
import type { SourceRun } from '#sim/actors/source';

/**
 * The actor runner is EngineHost (engineHost.test.ts) plus its engine: its job as the Worker gets
 * it (fake Worker), and the engine for real on the main thread, where Node has no Worker.
 */
describe('ActorsRunner', () => {
  beforeEach(() => FakeWorker.reset());

  it('sends source, seed and threads as the job and the wall budget beside it', () => {
    void new ActorsRunner({ createWorker: FakeWorker.create() }).run('send()', { seed: 4, threads: 2, wallMs: 900 });
    expect((FakeWorker.made[0] as FakeWorker<ActorsJob, SourceRun>).posted).toEqual([{ type: 'run', id: 1, job: { source: 'send()', seed: 4, threads: 2 }, wallMs: 900 }]);
  });
});

describe('ActorsRunner without a Worker', () => {
  it('runs an actor system on the main thread and says so', async () => {
    const source = [
      "actor('echo', { receive(msg, ctx) { ctx.state.n = (ctx.state.n ?? 0) + 1; } , init: () => ({}) });",
      "send('echo', 'hello');",
    ].join('\n');
    const run = await new ActorsRunner().run(source, { seed: 1 });
    expect(run.host).toBe('main-thread');
    expect(run.note).toBe(`Web Workers are not available here, so the system ran on this page's main thread, with a shorter time budget (${MAIN_THREAD_WALL_MS / 1000} s).`);
    expect(run.error).toBeUndefined();
    expect(run.metrics.ledger.sent).toBeGreaterThan(0);
  });

  it('stops a system that never yields at the main-thread budget', async () => {
    const started = performance.now();
    const run = await new ActorsRunner().run("actor('spin', { receive() { for (;;) {} } });\nsend('spin', 1);", { seed: 1, wallMs: 5_000 });
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(run.error?.message).toMatch(/Stopped after 0.5 s of real time/);
  });
});
