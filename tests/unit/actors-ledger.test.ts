/**
 * The message ledger: every message sent is handled, crashed, in progress, queued, travelling,
 * held, dropped by a stated policy, or a dead letter, at every step of randomized systems; and
 * no bounded mailbox ever holds more than its capacity.
 */
import { describe, expect, it } from 'vitest';
import { actorsFold, ledgerTotal, simulate } from '#sim/actors';
import { randomSystem } from './actors-random';

const SEEDS = Array.from({ length: 60 }, (_, i) => i + 1);

describe('the ledger balances at every step of randomized systems', () => {
  it.each(SEEDS)('system %i', (seed) => {
    const run = simulate(randomSystem(seed), seed);
    expect(run.truncated).toBe(false);
    const fold = actorsFold(run, 16);
    const capacity = new Map(fold.actors.map((a) => [a.name, a.capacity]));
    let lastSent = 0;
    for (let i = 0; i <= fold.length; i++) {
      const s = fold.at(i);
      const l = s.ledger;
      expect(ledgerTotal(l), `step ${i}: ${JSON.stringify(l)}`).toBe(l.sent);
      expect(l.sent).toBeGreaterThanOrEqual(lastSent);
      lastSent = l.sent;
      for (const a of s.actors) {
        expect(a.mailbox.length, `${a.name} at step ${i}`).toBeLessThanOrEqual(capacity.get(a.name)!);
        if (a.status === 'busy') expect(a.current).toBeGreaterThanOrEqual(0);
      }
    }
    // The fold (counted from events) and the engine (counted from its own structures) agree.
    expect(fold.at(fold.length).ledger).toEqual(run.metrics.ledger);
    expect(ledgerTotal(run.metrics.ledger)).toBe(run.metrics.ledger.sent);
    for (const a of run.metrics.actors) expect(a.maxDepth).toBeLessThanOrEqual(a.capacity);
  });

  it('the random systems exercise every way a message can end', () => {
    const totals = { processed: 0, crashed: 0, dropped: 0, dead: 0, held: 0, inFlight: 0, restarts: 0, escalations: 0 };
    let everHeld = 0;
    for (const seed of SEEDS) {
      const run = simulate(randomSystem(seed), seed);
      const l = run.metrics.ledger;
      totals.processed += l.processed;
      totals.crashed += l.crashed;
      totals.dropped += l.dropped;
      totals.dead += l.dead;
      totals.inFlight += l.inFlight;
      totals.restarts += run.metrics.actors.reduce((s, a) => s + a.restarts, 0);
      totals.escalations += run.metrics.escalations;
      everHeld += run.trace.filter((e) => e.kind === 'block' || e.kind === 'hold').length;
    }
    for (const [k, v] of Object.entries(totals)) if (k !== 'held') expect(v, k).toBeGreaterThan(0);
    expect(everHeld).toBeGreaterThan(0);
  });
});

describe('bounded mailboxes', () => {
  for (const overflow of ['drop-newest', 'drop-oldest', 'block'] as const) {
    it(`never exceed their bound under ${overflow}, even when flooded`, () => {
      const run = simulate({
        actors: [
          { name: 'sink', serviceMs: 3, mailbox: { capacity: 4, overflow }, receive() {} },
          {
            name: 'source',
            serviceMs: 0,
            receive(n: number, ctx) {
              for (let k = 0; k < 5; k++) ctx.send('sink', n * 5 + k);
            },
          },
        ],
        sends: [{ to: 'source', message: 0, count: 20, everyMs: 1 }, { to: 'sink', message: 'direct', count: 30 }],
        latencyMs: 0.5,
      });
      const fold = actorsFold(run);
      let deepest = 0;
      for (let i = 0; i <= fold.length; i++) deepest = Math.max(deepest, fold.at(i).actors[0].mailbox.length);
      expect(deepest).toBe(4);
      expect(run.metrics.actors[0].maxDepth).toBe(4);
      const l = run.metrics.ledger;
      expect(l.sent).toBe(20 + 30 + 100);
      if (overflow === 'block') {
        expect(l.dropped).toBe(0);
        expect(l.processed).toBe(l.sent); // backpressure loses nothing
      } else {
        expect(l.dropped).toBeGreaterThan(0);
        expect(l.processed + l.dropped).toBe(l.sent);
      }
    });
  }
});
