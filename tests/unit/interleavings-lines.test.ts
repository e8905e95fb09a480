/**
 * Issue 14: the lab's lanes show where each thread or task is in the source, and pending I/O
 * cards of the same function can be told apart. Both come from the engines: threads mode tags
 * each `yield` with its line (lineTagged), async mode follows the async calls through the
 * event-loop trace (AsyncView.tasks, AsyncCompletion.awaitedBy).
 */
import { describe, expect, it } from 'vitest';
import { traceThreads, threadLevels, levelById, lineTagged, playAsync, asyncLevelById, asyncLevels, exploreProgramSync, explore, threadsSystem, compileThreads } from '#sim/interleavings';

const lineOf = (source: string, needle: string, from = 0) => source.split('\n').findIndex((l, i) => i >= from && l.includes(needle)) + 1;

describe('threads mode: the current statement', () => {
  it('each thread is at the line of the yield that makes its next operation', () => {
    const l = levelById('check-then-act');
    const t = traceThreads(l.buggy, [0]);
    const read = lineOf(l.buggy, "yield read('seats')");
    const write = lineOf(l.buggy, "yield write('seats'");
    expect(t.initial.threads.map((x) => x.line)).toEqual([read, read]);
    expect(t.final.threads[0]).toMatchObject({ line: write, text: "yield write('seats', seats - 1);" });
    expect(t.final.threads[1].line).toBe(read);
  });

  it('an operation made inside a helper (yield* increment) keeps the line of the yield*', () => {
    const l = levelById('counter');
    const t = traceThreads(l.buggy, [0]);
    const a = lineOf(l.buggy, "yield* increment('x')");
    expect(t.initial.threads[0]).toMatchObject({ next: 'read x', line: a });
    expect(t.final.threads[0]).toMatchObject({ next: 'x = 1', line: a });
  });

  it('every line shown in every level is a line with a yield, and a finished thread has none', () => {
    for (const l of threadLevels) {
      const src = l.buggy.split('\n');
      const t = traceThreads(l.buggy, []);
      for (const th of t.initial.threads) {
        expect(th.line, `${l.id} ${th.name}`).toBeGreaterThan(0);
        expect(src[th.line! - 1]).toContain('yield');
        expect(th.text).toBe(src[th.line! - 1].trim());
      }
    }
    const done = traceThreads(levelById('counter').fixed, [0, 1]);
    expect(done.final.threads.every((x) => x.state === 'done' && x.line === undefined)).toBe(true);
  });

  it('tagging the yields changes no schedule count', () => {
    expect(lineTagged('function* f() { const v = yield read("x"); yield* increment("y"); }')).toBe(
      'function* f() { const v = yield __ln(1) || (read("x")); yield* __ln(1) || (increment("y")); }',
    );
    // x++ in two threads: each a read then a write, so C(4, 2) = 6 orders; the 4 where both reads
    // come before both writes lose an update.
    const r = explore(threadsSystem(compileThreads(levelById('counter').buggy)), { maxSchedules: 1_000 });
    expect(r).toMatchObject({ exhaustive: true, explored: 6, failing: 4 });
  });
});

describe('async mode: tasks and their cards', () => {
  it('lists each async call with the line of the await it is suspended at', () => {
    const l = asyncLevelById('double-booking');
    const p = playAsync(l.buggy, [0]);
    const names = p.steps[0].after.tasks.map((t) => t.name);
    expect(names).toEqual(['main', 'book #1', 'book #2']);
    const [, ada, grace] = p.steps[0].after.tasks;
    expect(ada).toMatchObject({ state: 'suspended', line: lineOf(l.buggy, "await db.get('seat 12A')"), text: "db.get('seat 12A')" });
    expect(grace).toMatchObject({ state: 'suspended', line: lineOf(l.buggy, 'await delay(arriveMs)'), text: 'delay(arriveMs)' });
  });

  it('two cards of the same db.get say which call awaits each, and carry distinct numbers', () => {
    const l = asyncLevelById('double-booking');
    // Ada arrives (delay 5), then Grace (delay 40): both are now reading the seat.
    const p = playAsync(l.buggy, [0, 1]);
    const cards = p.steps[1].after.pending;
    expect(cards.map((c) => c.name)).toEqual(['db.get("seat 12A")', 'db.get("seat 12A")']);
    expect(cards.map((c) => c.awaitedBy)).toEqual([['book #1'], ['book #2']]);
    expect(cards.map((c) => c.awaitedAt)).toEqual([3, 3].map(() => lineOf(l.buggy, "await db.get('seat 12A')")));
    // the line is the one at that moment: after Ada's read comes back, her next card is her write
    const later = playAsync(l.buggy, [0, 1, 0]).steps[2].after.pending.find((c) => c.awaitedBy?.[0] === 'book #1');
    expect(later).toMatchObject({ name: 'db.set("seat 12A", "Ada")', awaitedAt: lineOf(l.buggy, "await db.set('seat 12A', name)") });
    expect(new Set(cards.map((c) => c.id)).size).toBe(2);
  });

  it('a finished call says so, and a stuck run ends with its calls still at their awaits', () => {
    const l = asyncLevelById('await-cycle');
    const ex = exploreProgramSync(l.buggy);
    expect(ex.deadlocks).toBe(ex.schedules);
    const end = playAsync(l.buggy, Array(10).fill(0));
    const last = end.steps[end.steps.length - 1].after;
    expect(last.status).toBe('stuck');
    const byName = Object.fromEntries(last.tasks.map((t) => [t.name, t]));
    expect(byName.loadUser).toMatchObject({ state: 'suspended', line: lineOf(l.buggy, 'await settingsLoad') });
    expect(byName.loadSettings).toMatchObject({ state: 'suspended', line: lineOf(l.buggy, 'await userLoad') });
    for (const lv of asyncLevels) {
      const fixedEnd = playAsync(lv.fixed, Array(40).fill(0));
      const v = fixedEnd.steps.length ? fixedEnd.steps[fixedEnd.steps.length - 1].after : fixedEnd.initial;
      expect(v.status, lv.id).toBe('done');
      expect(v.tasks.every((t) => t.state === 'done'), lv.id).toBe(true);
    }
  });
});
