import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  EngineHost,
  HARD_TIMEOUT_MS,
  LOAD_TIMEOUT_MS,
  MAIN_THREAD_WALL_MS,
  REPLACED_MESSAGE,
  WALL_MS,
  type EngineFn,
  type EngineHostOptions,
  type EngineSpec,
} from './engineHost';
import { FakeWorker, flush } from './fakeWorker';

/** A toy engine: the job says what to return; `spin` polls the budget until it says stop. */
interface Job {
  text: string;
  spin?: boolean;
  throws?: string;
}
interface Run {
  text: string;
  error?: { message: string };
  budget?: number;
}

const engine: EngineFn<Job, Run> = (job, budget) => {
  if (job.throws) throw new Error(job.throws);
  if (job.spin) {
    while (!budget.shouldStop()) {
      /* a learner's loop with a guard */
    }
    return { text: job.text, error: { message: 'stopped by the wall budget' }, budget: budget.wallMs };
  }
  return { text: job.text, budget: budget.wallMs };
};

function spec(loads: { count: number } = { count: 0 }): EngineSpec<Job, Run> {
  return {
    noun: 'program',
    bundledWorker: () => {
      throw new Error('no bundled Worker in tests');
    },
    loadEngine: async () => {
      loads.count++;
      return engine;
    },
    emptyRun: (message) => ({ text: '', error: { message } }),
  };
}

const run = (text: string, extra: Partial<Job> = {}): Job => ({ text, ...extra });

describe('EngineHost, queue mode', () => {
  let host: EngineHost<Job, Run>;
  const make = (options: EngineHostOptions = {}) => new EngineHost<Job, Run>(spec(), { createWorker: FakeWorker.create<Job, Run>(), ...options });
  beforeEach(() => {
    vi.useFakeTimers();
    FakeWorker.reset();
    host = make();
  });
  afterEach(() => vi.useRealTimers());

  it('uses one set of budgets: 2 s of wall time, a 5 s hard timeout, 20 s to load, 0.5 s on the main thread', () => {
    expect([WALL_MS, HARD_TIMEOUT_MS, LOAD_TIMEOUT_MS, MAIN_THREAD_WALL_MS]).toEqual([2_000, 5_000, 20_000, 500]);
  });

  it('sends any cloneable job with the wall budget and resolves with the run and where it ran', async () => {
    const job = { text: 'a', nested: { list: [1, 2, 3] } } as Job;
    const p = host.run(job);
    const w = FakeWorker.made[0];
    expect(w.posted).toEqual([{ type: 'run', id: 1, job, wallMs: WALL_MS }]);
    w.finish({ text: 'a' }, 12);
    const r = await p;
    expect(r).toMatchObject({ text: 'a', host: 'worker', runMs: 12 });
    expect(r.killed).toBeUndefined();
  });

  it('passes a job’s own wall budget', () => {
    void host.run(run('a'), { wallMs: 300 });
    expect(FakeWorker.made[0].posted[0].wallMs).toBe(300);
  });

  it('runs one job at a time, in order, on one reused Worker', async () => {
    const a = host.run(run('a'));
    const b = host.run(run('b'));
    const w = FakeWorker.made[0];
    expect(w.posted.map((m) => m.job.text)).toEqual(['a']);
    w.finish({ text: 'a' });
    expect((await a).text).toBe('a');
    expect(w.posted.map((m) => m.job.text)).toEqual(['a', 'b']);
    w.finish({ text: 'b' });
    expect((await b).text).toBe('b');
    expect(FakeWorker.made).toHaveLength(1);
  });

  it('answers only the job in flight: forged or stale messages are ignored', async () => {
    const p = host.run(run('a'));
    const w = FakeWorker.made[0];
    w.reply({ type: 'done', id: 99, run: { text: 'forged' }, ms: 1 });
    w.reply({ type: 'failed', id: 0, message: 'forged' });
    w.finish({ text: 'real' });
    expect((await p).text).toBe('real');
  });

  it('terminates a Worker that does not answer within the hard timeout after start, and the next job gets a fresh one', async () => {
    const p = host.run(run('spin'));
    const next = host.run(run('b'));
    const w = FakeWorker.made[0];
    w.reply({ type: 'start', id: 1 });
    vi.advanceTimersByTime(HARD_TIMEOUT_MS - 1);
    await flush();
    expect(w.terminated).toBe(false);
    vi.advanceTimersByTime(1);
    const r = await p;
    expect(w.terminated).toBe(true);
    expect(r).toMatchObject({ killed: true, host: 'worker', runMs: HARD_TIMEOUT_MS, text: '' });
    expect(r.error?.message).toBe('Stopped after 5 s of real time: the program did not finish (an infinite loop, or more work than the lab runs in that time).');
    const fresh = FakeWorker.made[1];
    expect(fresh.posted.map((m) => m.job.text)).toEqual(['b']);
    fresh.finish({ text: 'b' });
    expect((await next).text).toBe('b');
  });

  it('passes progress to the job that reported it, and a Worker that reports is alive (its hard timeout restarts)', async () => {
    const seen: unknown[] = [];
    const p = host.run(run('long'), { onProgress: (x) => seen.push(x) });
    const w = FakeWorker.made[0];
    w.reply({ type: 'start', id: 1 });
    vi.advanceTimersByTime(HARD_TIMEOUT_MS - 1);
    w.reply({ type: 'progress', id: 1, progress: { schedules: 10 } });
    w.reply({ type: 'progress', id: 99, progress: { forged: true } });
    vi.advanceTimersByTime(HARD_TIMEOUT_MS - 1);
    await flush();
    expect(w.terminated).toBe(false);
    expect(seen).toEqual([{ schedules: 10 }]);
    w.reply({ type: 'done', id: 1, run: { text: 'long' }, ms: 9_000 });
    expect((await p).text).toBe('long');
  });

  it('restarts the hard timeout for every job (a finished job does not leave its timer behind)', async () => {
    const a = host.run(run('a'));
    const w = FakeWorker.made[0];
    w.reply({ type: 'start', id: 1 });
    vi.advanceTimersByTime(HARD_TIMEOUT_MS - 100);
    w.reply({ type: 'done', id: 1, run: { text: 'a' }, ms: 1 });
    await a;
    const b = host.run(run('b'));
    w.reply({ type: 'start', id: 2 });
    vi.advanceTimersByTime(HARD_TIMEOUT_MS - 1);
    await flush();
    expect(w.terminated).toBe(false);
    w.reply({ type: 'done', id: 2, run: { text: 'b' }, ms: 1 });
    expect(await b).toMatchObject({ text: 'b', host: 'worker' });
  });

  it('gives a Worker that is still loading the longer allowance, then gives up on it', async () => {
    const a = host.run(run('a'));
    const w = FakeWorker.made[0];
    vi.advanceTimersByTime(HARD_TIMEOUT_MS * 2);
    await flush();
    expect(w.terminated).toBe(false);
    vi.advanceTimersByTime(LOAD_TIMEOUT_MS - HARD_TIMEOUT_MS * 2);
    const r = await a;
    expect(w.terminated).toBe(true);
    expect(r.error?.message).toBe("The lab's runner did not load within 20 s. Check the connection and run it again.");
    void host.run(run('b'));
    expect(FakeWorker.made).toHaveLength(2);
  });

  it('aborts: a queued job is dropped without touching the Worker, a running one stops its Worker', async () => {
    const first = new AbortController();
    const second = new AbortController();
    const a = host.run(run('a'), { signal: first.signal });
    const b = host.run(run('b'), { signal: second.signal });
    const c = host.run(run('c'));
    const w = FakeWorker.made[0];
    w.reply({ type: 'start', id: 1 });
    second.abort();
    await expect(b).rejects.toMatchObject({ name: 'AbortError' });
    expect(w.terminated).toBe(false);
    first.abort();
    await expect(a).rejects.toMatchObject({ name: 'AbortError' });
    expect(w.terminated).toBe(true);
    const fresh = FakeWorker.made[1];
    expect(fresh.posted.map((m) => m.job.text)).toEqual(['c']);
    fresh.finish({ text: 'c' });
    expect((await c).text).toBe('c');
    // the aborted job's timer is gone: nothing fires later
    vi.advanceTimersByTime(LOAD_TIMEOUT_MS * 2);
    expect(fresh.terminated).toBe(false);
  });

  it('rejects at once for a signal that is already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(host.run(run('a'), { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(FakeWorker.made).toHaveLength(0);
  });

  it('reports an engine failure as a run with an error, and keeps the Worker', async () => {
    const p = host.run(run('a'));
    const w = FakeWorker.made[0];
    w.reply({ type: 'start', id: 1 });
    w.reply({ type: 'failed', id: 1, message: 'boom' });
    expect((await p).error?.message).toBe('The lab could not run this program (boom).');
    expect(w.terminated).toBe(false);
  });

  it('reports a Worker that crashes after start, and replaces it', async () => {
    const p = host.run(run('a'));
    const next = host.run(run('b'));
    const w = FakeWorker.made[0];
    w.reply({ type: 'start', id: 1 });
    w.fail('out of memory');
    const r = await p;
    expect(r).toMatchObject({ host: 'worker', error: { message: "The lab's runner crashed (out of memory)." } });
    expect(w.terminated).toBe(true);
    FakeWorker.made[1].finish({ text: 'b' });
    expect((await next).host).toBe('worker');
  });
});

describe('EngineHost, latest mode', () => {
  let host: EngineHost<Job, Run>;
  beforeEach(() => {
    vi.useFakeTimers();
    FakeWorker.reset();
    host = new EngineHost<Job, Run>(spec(), { createWorker: FakeWorker.create<Job, Run>(), mode: 'latest' });
  });
  afterEach(() => vi.useRealTimers());

  it('a new job replaces the one in flight: that one stops its Worker and rejects; a stale answer is ignored', async () => {
    const first = host.run(run('a'));
    const w = FakeWorker.made[0];
    w.reply({ type: 'start', id: 1 });
    const second = host.run(run('b'));
    await expect(first).rejects.toMatchObject({ name: 'AbortError', message: REPLACED_MESSAGE });
    expect(w.terminated).toBe(true);
    const w2 = FakeWorker.made[1];
    expect(w2.posted.map((m) => m.job.text)).toEqual(['b']);
    w.reply({ type: 'done', id: 1, run: { text: 'stale' }, ms: 1 });
    w2.finish({ text: 'b' });
    expect((await second).text).toBe('b');
  });

  it('only the last of a burst runs', async () => {
    const results = ['a', 'b', 'c', 'd'].map((t) => host.run(run(t)).then((r) => r.text, (e: DOMException) => e.name));
    const last = FakeWorker.made.at(-1)!;
    expect(last.posted.map((m) => m.job.text)).toEqual(['d']);
    last.finish({ text: 'd' });
    expect(await Promise.all(results)).toEqual(['AbortError', 'AbortError', 'AbortError', 'd']);
    expect(FakeWorker.made.slice(0, -1).every((w) => w.terminated)).toBe(true);
  });

  it('the replacing job gets its own full hard timeout', async () => {
    void host.run(run('a')).catch(() => {});
    FakeWorker.made[0].reply({ type: 'start', id: 1 });
    vi.advanceTimersByTime(HARD_TIMEOUT_MS - 1000);
    const second = host.run(run('b'));
    const w2 = FakeWorker.made[1];
    w2.reply({ type: 'start', id: 2 });
    vi.advanceTimersByTime(HARD_TIMEOUT_MS - 1);
    await flush();
    expect(w2.terminated).toBe(false);
    vi.advanceTimersByTime(1);
    expect((await second).killed).toBe(true);
  });

  it('a job that finished is not disturbed by the next one', async () => {
    const first = host.run(run('a'));
    const w = FakeWorker.made[0];
    w.finish({ text: 'a' });
    expect((await first).text).toBe('a');
    void host.run(run('b'));
    expect(w.terminated).toBe(false);
    expect(FakeWorker.made).toHaveLength(1);
  });
});

describe('EngineHost main-thread fallback (shared by every engine)', () => {
  afterEach(() => vi.useRealTimers());

  it('with no Worker global, imports the engine and runs it here with the smaller budget, and says so', async () => {
    const loads = { count: 0 };
    const host = new EngineHost<Job, Run>(spec(loads)); // Node has no Worker
    expect(loads.count).toBe(0); // nothing is loaded before a job needs it
    const r = await host.run(run('here'));
    expect(r).toMatchObject({ text: 'here', host: 'main-thread', budget: MAIN_THREAD_WALL_MS });
    expect(r.note).toBe("Web Workers are not available here, so the program ran on this page's main thread, with a shorter time budget (0.5 s).");
    expect(loads.count).toBe(1);
  });

  it('stops a spinning engine at the main-thread budget, even when the job asked for more', async () => {
    const host = new EngineHost<Job, Run>(spec());
    const t0 = performance.now();
    const r = await host.run(run('spin', { spin: true }), { wallMs: 10_000 });
    const ms = performance.now() - t0;
    expect(r).toMatchObject({ budget: MAIN_THREAD_WALL_MS, error: { message: 'stopped by the wall budget' } });
    expect(ms).toBeGreaterThanOrEqual(MAIN_THREAD_WALL_MS - 5);
    expect(ms).toBeLessThan(3_000);
  });

  it('an engine that throws here is a run with an error, like `failed` from a Worker', async () => {
    const host = new EngineHost<Job, Run>(spec());
    const r = await host.run(run('x', { throws: 'boom' }));
    expect(r).toMatchObject({ host: 'main-thread', error: { message: 'The lab could not run this program (boom).' } });
  });

  it('falls back when the Worker fails before taking its job, and stays on the main thread', async () => {
    FakeWorker.reset();
    const host = new EngineHost<Job, Run>(spec(), { createWorker: FakeWorker.create<Job, Run>() });
    const p = host.run(run('fallback'));
    FakeWorker.made[0].fail('load failed');
    const r = await p;
    expect(r).toMatchObject({ text: 'fallback', host: 'main-thread' });
    expect(r.note).toMatch(/Web Worker could not start/);
    expect((await host.run(run('again'))).host).toBe('main-thread');
    expect(FakeWorker.made).toHaveLength(1);
  });

  it('falls back when the Worker cannot even be created', async () => {
    const host = new EngineHost<Job, Run>(spec(), {
      createWorker: () => {
        throw new Error('SecurityError');
      },
    });
    expect(await host.run(run('x'))).toMatchObject({ text: 'x', host: 'main-thread' });
  });

  it('in latest mode, a job replaced while the engine loads is not run', async () => {
    let calls = 0;
    const counting: EngineFn<Job, Run> = (job, budget) => {
      calls++;
      return engine(job, budget);
    };
    const host = new EngineHost<Job, Run>({ ...spec(), loadEngine: async () => counting }, { mode: 'latest' });
    const first = host.run(run('a'));
    const second = host.run(run('b'));
    await expect(first).rejects.toMatchObject({ name: 'AbortError' });
    expect((await second).text).toBe('b');
    expect(calls).toBe(1);
  });
});
