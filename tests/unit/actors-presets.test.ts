/**
 * The lab's presets do what their descriptions say, with the counts asserted: the lost-update
 * preset loses updates with shared state and none with the actor; the supervisor restarts only
 * the flaky worker; each overflow policy behaves as stated; asks time out and late replies are
 * dead letters.
 */
import { describe, expect, it } from 'vitest';
import { PRESETS, actorsFold, getPreset, ledgerTotal, runSource, type ActorEvent, type SourceRun } from '#sim/actors';

const run = (id: string, seed?: number, edit?: (s: string) => string): SourceRun => {
  const p = getPreset(id);
  const r = runSource(edit ? edit(p.source) : p.source, { seed: seed ?? p.seed });
  expect(r.sourceError).toBeUndefined();
  expect(r.error).toBeUndefined();
  return r;
};
const actor = (r: SourceRun, name: string) => r.metrics.actors.find((a) => a.name === name)!;
const stateOf = (r: SourceRun, name: string) => Function(`return (${actor(r, name).state})`)() as Record<string, number>;

describe('every preset', () => {
  it.each(PRESETS.map((p) => p.id))('%s runs, balances its ledger at every step and is deterministic', (id) => {
    const r = run(id);
    expect(r.truncated).toBe(false);
    const fold = actorsFold(r);
    for (let i = 0; i <= fold.length; i += 7) expect(ledgerTotal(fold.at(i).ledger)).toBe(fold.at(i).ledger.sent);
    expect(fold.at(fold.length).ledger).toEqual(r.metrics.ledger);
    expect(JSON.stringify(run(id).trace)).toBe(JSON.stringify(r.trace));
  });
});

describe('lost updates', () => {
  it('shared state with an await between read and write loses updates; the actor loses none', () => {
    const r = run('lost-updates');
    const shared = Number(r.metrics.watches['shared count']);
    expect(stateOf(r, 'counter').count).toBe(1000);
    expect(shared).toBe(21); // seed 1: 979 of the 1,000 updates lost
    expect(r.metrics.ledger.processed).toBe(3000); // 1,000 reads + 1,000 writes + 1,000 actor increments: nothing else went wrong
  });

  it('loses updates whatever the seed; the actor never does', () => {
    for (const seed of [2, 3, 4, 5]) {
      const r = run('lost-updates', seed);
      const shared = Number(r.metrics.watches['shared count']);
      expect(shared).toBeGreaterThan(0);
      expect(shared).toBeLessThan(100);
      expect(stateOf(r, 'counter').count).toBe(1000);
    }
  });

  it('with no await (read and write in one message) the shared variable loses nothing either', () => {
    const r = run('lost-updates', 1, (s) => s.replace('ctx.sendAfter(ctx.random() * 10, ctx.self, { write: seen + 1 }); // await', 'count = seen + 1;'));
    expect(Number(r.metrics.watches['shared count'])).toBe(1000);
  });
});

describe('supervisor', () => {
  it('restarts only the flaky worker (one-for-one), with fresh state each time', () => {
    const r = run('supervisor');
    const restarts = r.trace.filter((e) => e.kind === 'restart') as Extract<ActorEvent, { kind: 'restart' }>[];
    expect(restarts.every((e) => e.actor === 'flaky' && e.supervisor === 'supervisor' && e.state === '{ done: 0 }')).toBe(true);
    expect(actor(r, 'flaky').crashes).toBe(5);
    expect(actor(r, 'flaky').restarts).toBe(5);
    expect(stateOf(r, 'steady').done).toBe(30);
    expect(r.metrics.ledger).toMatchObject({ sent: 60, processed: 55, crashed: 5 });
  });

  it('one-for-all restarts the steady worker with it', () => {
    const r = run('supervisor', 1, (s) => s.replace("strategy: 'one-for-one'", "strategy: 'one-for-all'"));
    expect(actor(r, 'steady').restarts).toBe(actor(r, 'flaky').crashes);
    expect(stateOf(r, 'steady').done).toBeLessThan(30);
  });

  it('too many crashes in the window escalate: the supervisor fails and the guardian restarts it', () => {
    const r = run('supervisor', 1, (s) => s.replace('maxRestarts: 3, withinMs: 100', 'maxRestarts: 1, withinMs: 100'));
    expect(r.metrics.escalations).toBeGreaterThan(0);
    expect(r.trace.some((e) => e.kind === 'restart' && e.actor === 'supervisor')).toBe(true);
  });
});

describe('overflow', () => {
  it('drop-newest keeps the oldest messages, drop-oldest the newest, block loses none and slows the producer', () => {
    const r = run('overflow');
    const newest = stateOf(r, 'slow/drop-newest');
    const oldest = stateOf(r, 'slow/drop-oldest');
    const block = stateOf(r, 'slow/block');
    expect(newest.handled + actor(r, 'slow/drop-newest').dropped).toBe(40);
    expect(oldest.handled + actor(r, 'slow/drop-oldest').dropped).toBe(40);
    expect(actor(r, 'slow/drop-newest').dropped).toBe(19);
    expect(actor(r, 'slow/drop-oldest').dropped).toBe(19);
    expect(newest.last).toBeLessThan(40); // message 40 arrived at a full mailbox and was dropped
    expect(oldest.last).toBe(40); // the latest message always gets in
    expect(block).toEqual({ handled: 40, last: 40 });
    expect(actor(r, 'slow/block').dropped).toBe(0);
    for (const a of r.metrics.actors) expect(a.maxDepth).toBeLessThanOrEqual(a.capacity);
    // backpressure: the blocked producer's last send leaves long after the free producers' last
    const lastSend = (from: string) => Math.max(...r.trace.filter((e) => e.kind === 'send' && e.from === from && e.via === 'send').map((e) => e.t));
    expect(lastSend('fast/drop-newest')).toBe(78);
    expect(lastSend('fast/block')).toBeGreaterThan(150);
  });
});

describe('ask with a timeout', () => {
  it('every ask ends in a reply or a timeout; slow answers become dead letters', () => {
    const r = run('ask-timeout');
    const client = stateOf(r, 'client');
    expect(client.answered + client.timedOut).toBe(12);
    expect(r.metrics.asks).toEqual({ sent: 12, answered: 9, timedOut: 3, late: 3 });
    expect(r.metrics.ledger.dead).toBe(3); // answers to requests 4, 8 and 12
  });
});
