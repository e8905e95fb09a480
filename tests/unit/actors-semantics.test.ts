/**
 * The actor engine's semantics against closed forms: one message at a time, FIFO, latency,
 * threads, ask with a timeout, dead letters, become, stop, spawn; and determinism.
 */
import { describe, expect, it } from 'vitest';
import { simulate, type ActorEvent, type SystemConfig } from '#sim/actors';
import { randomSystem } from './actors-random';

type Ev<K extends ActorEvent['kind']> = Extract<ActorEvent, { kind: K }>;
const of = <K extends ActorEvent['kind']>(trace: ActorEvent[], kind: K) => trace.filter((e) => e.kind === kind) as Ev<K>[];

describe('determinism', () => {
  it('the same config and seed give the same trace, bit for bit', () => {
    for (const seed of [1, 2, 3, 99]) {
      const a = simulate(randomSystem(seed), seed);
      const b = simulate(randomSystem(seed), seed);
      expect(JSON.stringify(b.trace)).toBe(JSON.stringify(a.trace));
      expect(b.metrics).toEqual(a.metrics);
    }
  });

  it('a different seed changes what seeded behaviours do', () => {
    const cfg = (): SystemConfig => ({
      actors: [{ name: 'r', init: () => ({ sum: 0 }), receive: (_m, ctx) => void (ctx.state.sum += ctx.random()) }],
      sends: [{ to: 'r', message: 1, count: 5 }],
    });
    expect(simulate(cfg(), 1).metrics.actors[0].state).not.toBe(simulate(cfg(), 2).metrics.actors[0].state);
    expect(simulate(cfg(), 'seven').metrics.actors[0].state).toBe(simulate(cfg(), 'seven').metrics.actors[0].state);
  });
});

describe('one message at a time, FIFO', () => {
  it('an actor with service time s handles n queued messages in n * s, in arrival order', () => {
    const seen: number[] = [];
    const run = simulate({
      actors: [{ name: 'w', serviceMs: 2.5, receive: (m: number) => void seen.push(m) }],
      sends: Array.from({ length: 8 }, (_, k) => ({ to: 'w', message: k, at: 0 })),
    });
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(run.metrics.endT).toBe(8 * 2.5);
    // never two messages in progress at once
    let busy = 0;
    for (const e of run.trace) {
      if (e.kind === 'start') busy++;
      if (e.kind === 'done') busy--;
      expect(busy).toBeLessThanOrEqual(1);
    }
    // a saturated actor's throughput is 1 / s
    expect(run.metrics.throughput).toBeCloseTo(1000 / 2.5, 9);
  });

  it('messages travel latencyMs; timers travel their delay; both keep per-pair order', () => {
    const got: [string, number][] = [];
    const run = simulate({
      latencyMs: 3,
      actors: [
        { name: 'a', serviceMs: 1, receive: (_m, ctx) => { ctx.send('b', 'x'); ctx.sendAfter(10, 'b', 'later'); ctx.send('b', 'y'); } },
        { name: 'b', serviceMs: 0, receive: (m: string, ctx) => void got.push([m, ctx.now]) },
      ],
      sends: [{ to: 'a', message: 'go' }],
    });
    expect(got).toEqual([['x', 4], ['y', 4], ['later', 11]]);
    const sends = of(run.trace, 'send').filter((e) => e.from === 'a');
    expect(sends.map((e) => e.arrive)).toEqual([4, 11, 4]);
  });
});

describe('threads', () => {
  it('N actors with m messages of s ms on k threads take N * m * s / k (work conservation)', () => {
    const actors = Array.from({ length: 4 }, (_, i) => ({ name: `w${i}`, serviceMs: 1, receive() {} }));
    const sends = actors.map((a) => ({ to: a.name, message: 'job', count: 10 }));
    expect(simulate({ actors, sends, threads: 2 }).metrics.endT).toBe((4 * 10 * 1) / 2);
    expect(simulate({ actors, sends, threads: 1 }).metrics.endT).toBe(40);
    expect(simulate({ actors, sends }).metrics.endT).toBe(10); // one thread each
  });

  it('never runs more actors at once than there are threads', () => {
    const actors = Array.from({ length: 6 }, (_, i) => ({ name: `w${i}`, serviceMs: 1 + i * 0.3, receive() {} }));
    const run = simulate({ actors, sends: actors.map((a) => ({ to: a.name, message: 1, count: 5 })), threads: 3 });
    const busy = new Set<string>();
    for (const e of run.trace) {
      if (e.kind === 'start') {
        busy.add(e.actor);
        expect(e.thread).toBeGreaterThanOrEqual(0);
        expect(e.thread).toBeLessThan(3);
      }
      if (e.kind === 'done') busy.delete(e.actor);
      expect(busy.size).toBeLessThanOrEqual(3);
    }
  });

  it('a blocked sender keeps its thread (a blocking send), so others wait', () => {
    const cfg = (threads: number | null): SystemConfig => ({
      threads,
      latencyMs: 0,
      actors: [
        { name: 'sink', serviceMs: 10, mailbox: { capacity: 1, overflow: 'block' }, receive() {} },
        { name: 'pusher', serviceMs: 0, receive: (_m, ctx) => { ctx.send('sink', 1); ctx.send('sink', 2); ctx.send('sink', 3); } },
        { name: 'bystander', serviceMs: 1, receive() {} },
      ],
      sends: [{ to: 'pusher', message: 'go' }, { to: 'bystander', message: 'hi', at: 0.5 }],
    });
    const two = simulate(cfg(2));
    // with 2 threads: sink and the blocked pusher hold both from t=0; the bystander, ready at
    // t=0.5, gets a thread only when sink finishes its first message at t=10
    const start = of(two.trace, 'start').find((e) => e.actor === 'bystander')!;
    const unblock = of(two.trace, 'unblock').find((e) => e.actor === 'pusher')!;
    expect(start.t).toBe(10);
    expect(unblock.t).toBeGreaterThan(start.t);
    const free = simulate(cfg(null));
    expect(of(free.trace, 'start').find((e) => e.actor === 'bystander')!.t).toBe(0.5);
  });
});

describe('ask', () => {
  const system = (serverDelay: number): SystemConfig => ({
    latencyMs: 1,
    actors: [
      {
        name: 'client',
        serviceMs: 0,
        init: () => ({ got: [] as string[] }),
        receive(m: { type?: string; value?: unknown } | string, ctx) {
          if (m === 'go') ctx.ask('server', 'q', 10);
          else ctx.state.got.push(`${(m as { type: string }).type}:${(m as { value?: unknown }).value ?? ''}@${ctx.now}`);
        },
      },
      { name: 'server', serviceMs: 0, receive: (_m, ctx) => (serverDelay ? ctx.sendAfter(serverDelay, ctx.sender!, 'a') : ctx.reply('a')) },
    ],
    sends: [{ to: 'client', message: 'go' }],
  });

  it('a reply before the timeout reaches the asker as { type: "reply" }', () => {
    const run = simulate(system(0));
    expect(run.metrics.actors[0].state).toBe('{ got: ["reply:a@2"] }');
    expect(run.metrics.asks).toEqual({ sent: 1, answered: 1, timedOut: 0, late: 0 });
  });

  it('no reply in time: the asker gets { type: "timeout" } and the late reply is a dead letter', () => {
    const run = simulate(system(20));
    expect(run.metrics.actors[0].state).toBe('{ got: ["timeout:@10"] }');
    expect(run.metrics.asks).toEqual({ sent: 1, answered: 0, timedOut: 1, late: 1 });
    expect(of(run.trace, 'dead').map((e) => e.reason)).toEqual(['ask-expired']);
  });
});

describe('dead letters, stop, become, spawn', () => {
  it('messages to an unknown actor, or to one that stopped, are dead letters', () => {
    const run = simulate({
      actors: [
        { name: 'quitter', serviceMs: 1, receive: (m: string, ctx) => (m === 'quit' ? ctx.stop() : undefined) },
        { name: 'talker', serviceMs: 1, receive: (_m, ctx) => void ctx.send('nobody', 'hello?') },
      ],
      sends: [
        { to: 'quitter', message: 'quit' },
        { to: 'quitter', message: 'after', count: 3, at: 0.5 },
        { to: 'quitter', message: 'late', at: 5 },
        { to: 'talker', message: 'go' },
      ],
    });
    const dead = of(run.trace, 'dead');
    expect(dead.map((e) => e.reason).sort()).toEqual(['stopped', 'unknown']);
    const stop = of(run.trace, 'stop')[0];
    expect(stop.drained).toHaveLength(3); // the three queued messages
    expect(run.metrics.ledger.dead).toBe(3 + 1 + 1);
  });

  it('become switches the behaviour for the next messages; a restart switches it back', () => {
    const log: string[] = [];
    const shy = (m: string) => void log.push(`shy:${m}`);
    const run = simulate({
      actors: [
        {
          name: 'a',
          serviceMs: 1,
          receive(m: string, ctx) {
            log.push(`bold:${m}`);
            if (m === 'hush') ctx.become(function quiet(x: string) { if (x === 'boom') throw new Error('x'); shy(x); });
          },
        },
      ],
      sends: ['one', 'hush', 'two', 'boom', 'three'].map((message, k) => ({ to: 'a', message, at: k * 10 })),
    });
    expect(log).toEqual(['bold:one', 'bold:hush', 'shy:two', 'bold:three']);
    expect(of(run.trace, 'done').find((e) => e.became)!.became).toBe('quiet');
  });

  it('spawned children are supervised by their parent and get unique names', () => {
    const run = simulate({
      actors: [
        {
          name: 'boss',
          serviceMs: 1,
          receive: (_m, ctx) => {
            const a = ctx.spawn('helper', { receive: () => { throw new Error('nope'); } });
            const b = ctx.spawn('helper', { receive() {} });
            ctx.send(a, 'work');
            ctx.send(b, 'work');
          },
        },
      ],
      sends: [{ to: 'boss', message: 'go' }],
    });
    expect(of(run.trace, 'spawn').map((e) => [e.actor, e.parent])).toEqual([
      ['boss', null],
      ['helper', 'boss'],
      ['helper-2', 'boss'],
    ]);
    expect(of(run.trace, 'restart')).toEqual([expect.objectContaining({ actor: 'helper', supervisor: 'boss' })]);
  });

  it('a behaviour that throws still sends what it sent before the throw', () => {
    const run = simulate({
      actors: [
        { name: 'a', receive: (_m, ctx) => { ctx.send('b', 'first'); throw new Error('then fails'); } },
        { name: 'b', init: () => ({ got: 0 }), receive: (_m, ctx) => void ctx.state.got++ },
      ],
      sends: [{ to: 'a', message: 'go' }],
    });
    expect(run.metrics.actors[1].state).toBe('{ got: 1 }');
  });

  it('misusing ctx crashes the actor with a message that says what was wrong', () => {
    const run = simulate({ actors: [{ name: 'a', receive: (_m, ctx) => void ctx.send(undefined as unknown as string, 1) }], sends: [{ to: 'a', message: 1 }] });
    expect(of(run.trace, 'crash')[0].error).toMatch(/ctx\.send: the first argument must be an actor's name/);
  });

  it('an async receive crashes with an explanation', () => {
    const run = simulate({ actors: [{ name: 'a', receive: async () => {} }], sends: [{ to: 'a', message: 1 }] });
    expect(of(run.trace, 'crash')[0].error).toMatch(/receive returned a promise/);
  });
});

describe('budgets', () => {
  it('untilMs stops a system that never ends, leaving the ledger balanced', () => {
    const run = simulate({
      untilMs: 50,
      actors: [{ name: 'ticker', serviceMs: 1, receive: (_m, ctx) => void ctx.sendAfter(5, ctx.self, 'tick') }],
      sends: [{ to: 'ticker', message: 'tick' }],
    });
    expect(run.metrics.endT).toBeLessThanOrEqual(50);
    expect(run.trace.at(-1)!.kind).toBe('halt');
    expect(run.metrics.ledger.inFlight).toBe(1);
  });

  it('the trace is capped, the metrics stay exact', () => {
    const cfg: SystemConfig = { actors: [{ name: 'w', serviceMs: 0.001, receive() {} }], sends: [{ to: 'w', message: 1, count: 5000 }] };
    const capped = simulate(cfg, 1, { traceCap: 100 });
    expect(capped.trace).toHaveLength(100);
    expect(capped.truncated).toBe(true);
    expect(capped.metrics.ledger).toEqual(simulate(cfg).metrics.ledger);
  });
});
