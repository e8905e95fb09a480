import { describe, expect, it } from 'vitest';
import type { EngineFn, EngineResponse } from './engineHost';
import { serveEngine, type EngineScope } from './serveEngine';

/** A stand-in for a Worker's global scope: its own postMessage and a few globals to remove. */
function fakeScope() {
  const posted: EngineResponse<unknown>[] = [];
  class Scope extends EventTarget {
    fetch = () => 'network';
    indexedDB = {};
    postMessage(message: EngineResponse<unknown>) {
      posted.push(structuredClone(message));
    }
  }
  const scope = new Scope();
  const send = (data: unknown) => scope.dispatchEvent(new MessageEvent('message', { data }));
  return { scope, posted, send };
}

const echo: EngineFn<{ text: string; throws?: boolean; spin?: boolean; uncloneable?: boolean }, unknown> = (job, budget) => {
  if (job.throws) throw new Error('engine bug');
  if (job.uncloneable) return { fn: () => 1 };
  let polls = 0;
  if (job.spin) while (!budget.shouldStop()) polls++;
  return { text: job.text.toUpperCase(), wallMs: budget.wallMs, polled: polls > 0 };
};

describe('serveEngine', () => {
  it('hardens the scope before the first job, keeping its own way to answer', () => {
    const { scope, posted, send } = fakeScope();
    serveEngine(echo, scope as unknown as EngineScope);
    const s = scope as unknown as Record<string, unknown>;
    expect([s.fetch, s.indexedDB, s.postMessage]).toEqual([undefined, undefined, undefined]);
    send({ type: 'run', id: 1, job: { text: 'a' }, wallMs: 2000 });
    expect(posted.map((m) => m.type)).toEqual(['start', 'done']);
  });

  it('answers start, then done with the run and the time the engine took', () => {
    const { scope, posted, send } = fakeScope();
    serveEngine(echo, scope as unknown as EngineScope);
    send({ type: 'run', id: 7, job: { text: 'spin', spin: true }, wallMs: 30 });
    expect(posted[0]).toEqual({ type: 'start', id: 7 });
    const done = posted[1] as Extract<EngineResponse<unknown>, { type: 'done' }>;
    expect(done).toMatchObject({ type: 'done', id: 7, run: { text: 'SPIN', wallMs: 30, polled: true } });
    expect(done.ms).toBeGreaterThanOrEqual(30);
    expect(done.ms).toBeLessThan(1_000);
  });

  it('posts the engine’s progress reports for its job, between start and done', () => {
    const { scope, posted, send } = fakeScope();
    const reporting: EngineFn<{ n: number }, unknown> = (job, budget) => {
      for (let i = 1; i <= job.n; i++) budget.progress?.({ done: i });
      return { n: job.n };
    };
    serveEngine(reporting, scope as unknown as EngineScope);
    send({ type: 'run', id: 3, job: { n: 2 }, wallMs: 100 });
    expect(posted.map((m) => m.type)).toEqual(['start', 'progress', 'progress', 'done']);
    expect(posted[2]).toEqual({ type: 'progress', id: 3, progress: { done: 2 } });
  });

  it('answers failed when the engine throws or its run cannot be sent back', () => {
    const { scope, posted, send } = fakeScope();
    serveEngine(echo, scope as unknown as EngineScope);
    send({ type: 'run', id: 1, job: { text: 'x', throws: true }, wallMs: 100 });
    send({ type: 'run', id: 2, job: { text: 'x', uncloneable: true }, wallMs: 100 });
    expect(posted).toEqual([
      { type: 'start', id: 1 },
      { type: 'failed', id: 1, message: 'engine bug' },
      { type: 'start', id: 2 },
      { type: 'failed', id: 2, message: expect.stringMatching(/^the run could not be sent back: /) },
    ]);
  });

  it('ignores messages that are not jobs', () => {
    const { scope, posted, send } = fakeScope();
    serveEngine(echo, scope as unknown as EngineScope);
    for (const data of [null, 'run', { type: 'start', id: 1 }, { type: 'run', job: {}, wallMs: 1 }, { type: 'run', id: 1, job: {} }]) send(data);
    expect(posted).toEqual([]);
  });
});
