/**
 * Supervision: one-for-one restarts only the failed child, one-for-all restarts every child;
 * a restart gives fresh state and keeps the mailbox; exceeding the restart intensity escalates
 * to the supervisor's supervisor, and at the guardian it stops the whole system.
 */
import { describe, expect, it } from 'vitest';
import { simulate, type ActorEvent, type ActorSpec, type Strategy } from '#sim/actors';

const count = { init: () => ({ n: 0 }), receive: (_m: unknown, ctx: { state: { n: number } }) => void ctx.state.n++ };

function family(strategy: Strategy, maxRestarts = 3, withinMs = 1000): ActorSpec[] {
  return [
    { name: 'sup', supervise: { strategy, maxRestarts, withinMs }, receive() {} },
    {
      name: 'bad',
      parent: 'sup',
      serviceMs: 1,
      init: () => ({ n: 0 }),
      receive(m: string, ctx) {
        if (m === 'boom') throw new Error('boom');
        ctx.state.n++;
      },
    },
    { name: 'good', parent: 'sup', serviceMs: 1, ...count },
    { name: 'other', serviceMs: 1, ...count }, // a top-level actor outside the family
  ];
}

const restarts = (trace: ActorEvent[]) => trace.filter((e) => e.kind === 'restart').map((e) => (e as { actor: string }).actor);

describe('strategies', () => {
  it('one-for-one restarts only the failed child, with fresh state', () => {
    const run = simulate({
      actors: family('one-for-one'),
      sends: [
        { to: 'good', message: 'x', count: 3 },
        { to: 'other', message: 'x', count: 3 },
        { to: 'bad', message: 'x', count: 2 },
        { to: 'bad', message: 'boom', at: 10 },
      ],
    });
    expect(restarts(run.trace)).toEqual(['bad']);
    const by = Object.fromEntries(run.metrics.actors.map((a) => [a.name, a]));
    expect(by.bad.state).toBe('{ n: 0 }'); // fresh state after the restart
    expect(by.good.state).toBe('{ n: 3 }');
    expect(by.other.state).toBe('{ n: 3 }');
    expect(by.bad.crashes).toBe(1);
    const restart = run.trace.find((e) => e.kind === 'restart')!;
    expect(restart).toMatchObject({ supervisor: 'sup', t: 11 });
  });

  it('one-for-all restarts every child of the supervisor, and nothing outside it', () => {
    const run = simulate({
      actors: family('one-for-all'),
      sends: [
        { to: 'good', message: 'x', count: 3 },
        { to: 'other', message: 'x', count: 3 },
        { to: 'bad', message: 'boom', at: 10 },
      ],
    });
    expect(restarts(run.trace).sort()).toEqual(['bad', 'good']);
    const by = Object.fromEntries(run.metrics.actors.map((a) => [a.name, a]));
    expect(by.good.state).toBe('{ n: 0 }');
    expect(by.other.state).toBe('{ n: 3 }');
  });

  it('a restart keeps the mailbox and cuts short the sibling message in progress', () => {
    const run = simulate({
      actors: family('one-for-all'),
      sends: [
        { to: 'bad', message: 'boom', at: 0 },
        { to: 'bad', message: 'x', count: 4, at: 0.5 },
        { to: 'good', message: 'slow', at: 0.5 },
      ],
    });
    // bad crashes at t=1 while good is busy with 'slow' (0.5..1.5): good's message is cut short.
    const good = run.trace.find((e) => e.kind === 'restart' && e.actor === 'good') as Extract<ActorEvent, { kind: 'restart' }>;
    expect(good.interrupted).toBeGreaterThanOrEqual(0);
    const by = Object.fromEntries(run.metrics.actors.map((a) => [a.name, a]));
    expect(by.bad.state).toBe('{ n: 4 }'); // the four queued messages survived the restart
    expect(run.metrics.ledger.crashed).toBe(2); // boom, and the interrupted 'slow'
  });
});

describe('restart intensity', () => {
  it('exceeding maxRestarts within the window escalates to the supervisor’s supervisor', () => {
    // bad crashes at t = 1, 2, 3: the third crash within 100 ms is one more than 2 allowed.
    const run = simulate({ actors: family('one-for-one', 2, 100), sends: [{ to: 'bad', message: 'boom', count: 3, everyMs: 1 }] });
    const kinds = run.trace.filter((e) => ['crash', 'restart', 'escalate'].includes(e.kind)).map((e) => `${e.kind}:${(e as { actor: string }).actor}@${e.t}`);
    expect(kinds).toEqual([
      'crash:bad@1',
      'restart:bad@1',
      'crash:bad@2',
      'restart:bad@2',
      'crash:bad@3',
      'escalate:sup@3',
      'crash:sup@3',
      'restart:sup@3', // the guardian restarts sup ...
      'restart:bad@3', // ... and its children with it
      'restart:good@3',
    ]);
    expect(run.metrics.escalations).toBe(1);
  });

  it('crashes spread out more than the window apart never escalate', () => {
    const run = simulate({ actors: family('one-for-one', 2, 100), sends: [{ to: 'bad', message: 'boom', count: 10, everyMs: 60 }] });
    // any 100 ms window holds at most 2 crashes
    expect(run.metrics.escalations).toBe(0);
    expect(run.metrics.actors.find((a) => a.name === 'bad')!.restarts).toBe(10);
  });

  it('when the guardian gives up, every actor stops and later messages are dead letters', () => {
    const run = simulate({
      actors: [{ name: 'w', serviceMs: 1, receive() { throw new Error('always'); } }],
      sends: [{ to: 'w', message: 'm', count: 10, everyMs: 5 }],
      guardian: { maxRestarts: 2, withinMs: 1000 },
    });
    expect(run.metrics.systemStopped).toBe(true);
    expect(run.metrics.ledger.crashed).toBe(3);
    expect(run.metrics.ledger.dead).toBe(7);
    expect(run.trace.some((e) => e.kind === 'stop' && e.reason === 'system')).toBe(true);
  });

  it('maxRestarts 0 escalates on the first crash', () => {
    const run = simulate({ actors: family('one-for-one', 0, 100), sends: [{ to: 'bad', message: 'boom' }] });
    expect(run.trace.filter((e) => e.kind === 'escalate').map((e) => (e as { actor: string }).actor)).toEqual(['sup']);
  });

  it('an init that always throws escalates instead of looping', () => {
    const run = simulate({
      actors: [{ name: 'sup', supervise: { maxRestarts: 3, withinMs: 100 }, receive() {} }, { name: 'x', parent: 'sup', init: () => { throw new Error('no'); }, receive() {} }],
      guardian: { maxRestarts: 1, withinMs: 100 },
    });
    expect(run.metrics.systemStopped).toBe(true);
    expect(run.metrics.escalations).toBeGreaterThanOrEqual(2);
  });
});

describe('injected faults', () => {
  it('faults.every crashes exactly every n-th message', () => {
    const run = simulate({ actors: [{ name: 'w', faults: { every: 3 }, receive() {} }], sends: [{ to: 'w', message: 'm', count: 9, everyMs: 400 }] });
    const crashes = run.trace.filter((e) => e.kind === 'crash') as Extract<ActorEvent, { kind: 'crash' }>[];
    expect(crashes.map((c) => c.injected)).toEqual([true, true, true]);
    expect(crashes.map((c) => c.msg)).toEqual([2, 5, 8]);
  });

  it('faults.rate crashes about that fraction, the same ones for the same seed', () => {
    const cfg = { actors: [{ name: 'w', serviceMs: 0.01, faults: { rate: 0.25 }, receive() {} }], sends: [{ to: 'w', message: 'm', count: 4000, everyMs: 1 }], untilMs: 2e6, guardian: { maxRestarts: 1000, withinMs: 1 } };
    const a = simulate(cfg, 5);
    const b = simulate(cfg, 5);
    expect(a.metrics.ledger.crashed).toBe(b.metrics.ledger.crashed);
    expect(a.metrics.ledger.crashed / 4000).toBeGreaterThan(0.22);
    expect(a.metrics.ledger.crashed / 4000).toBeLessThan(0.28);
    expect(simulate(cfg, 6).trace).not.toEqual(a.trace);
  });
});
