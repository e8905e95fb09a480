/**
 * playAsync (the lab's view of an async schedule: picks are indices into the pending completions)
 * and asyncPickIndices (a counterexample's completion ids as picks), checked against the engine's
 * own verdicts: the picks that replay the explorer's counterexample fail exactly as checkFound
 * says, and every view's db is what the program wrote by then.
 */
import { describe, expect, test } from 'vitest';
import { asyncLevelById, asyncPickIndices, checkFound, checkProved, exploreProgramSync, playAsync, provedVerdictAsync } from '#sim/interleavings/index';

const level = asyncLevelById('lost-update');

describe('playAsync', () => {
  test('the start: the main script ran up to its first round trip, the only card', () => {
    const p = playAsync(level.buggy, []);
    expect(p.steps).toEqual([]);
    expect(p.initial.status).toBe('running');
    expect(p.initial.pending.map((c) => c.name)).toEqual(['db.set("balance", 100)']);
    expect(p.initial.pending[0].issuer).toBe('main');
    expect(p.initial.db).toEqual({});
    expect(p.startEvents).toContain('main script runs');
  });

  test('a pick completes that card: the db changes when the set completes, and both deposits wait on their delays', () => {
    const p = playAsync(level.buggy, [0]);
    expect(p.steps).toHaveLength(1);
    expect(p.steps[0].completion.name).toBe('db.set("balance", 100)');
    expect(p.steps[0].after.db).toEqual({ balance: '100' });
    expect(p.steps[0].after.pending.map((c) => c.name)).toEqual(['delay(5)', 'delay(30)']);
    expect(p.steps[0].events).toContain('main resumes (fulfilled)');
    expect(p.ids).toEqual([p.initial.pending[0].id]);
  });

  test("the explorer's counterexample, as picks, fails as checkFound says, with both reads before either write", () => {
    const ex = exploreProgramSync(level.buggy);
    expect(ex.failing).toBeGreaterThan(0);
    const picks = asyncPickIndices(level.buggy, ex.counterexample!.choices);
    expect(picks.every((i) => i >= 0)).toBe(true);
    const p = playAsync(level.buggy, picks);
    expect(p.ids).toEqual(ex.counterexample!.choices);
    const last = p.steps.at(-1)!.after;
    expect(last.status).toBe('failed');
    expect(last.failure?.message).toMatch(/balance is 1(25|50), not 175/);
    const found = checkFound(level, p.ids, level.buggy);
    expect(found.won).toBe(true);
    expect(found.outcome).toContain(`balance: ${last.db.balance}`);
    // the db only changes when a db.set completes
    let before = p.initial.db;
    for (const s of p.steps) {
      if (JSON.stringify(s.after.db) !== JSON.stringify(before)) expect(s.completion.name).toMatch(/^db\.set/);
      before = s.after.db;
    }
  });

  test('picks past the pending list are cut where they stop existing', () => {
    const p = playAsync(level.buggy, [0, 5, 0]);
    expect(p.cutAt).toBe(1);
    expect(p.steps).toHaveLength(1);
  });
});

describe('provedVerdictAsync', () => {
  test('agrees with checkProved: the fix is proved, the buggy code is not', () => {
    for (const source of [level.fixed, level.buggy]) {
      const v = provedVerdictAsync(level, source, exploreProgramSync(source));
      const c = checkProved(level, source);
      expect(v.won).toBe(c.won);
      expect(v.reason).toBe(c.reason);
    }
    expect(checkProved(level, level.fixed).won).toBe(true);
  });
});
