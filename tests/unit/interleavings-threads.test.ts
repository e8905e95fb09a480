/**
 * Threads mode: the semantics of each operation (by replaying chosen schedules), and the levels:
 * every buggy program can fail or deadlock the way its level asks, every fix passes under every
 * schedule, and the engine's win checks agree.
 */
import { describe, expect, it } from 'vitest';
import { explore, replay, ScheduleSession } from '#sim/interleavings/explore';
import { compileThreads, threadsSystem, threadsView, traceThreads } from '#sim/interleavings/threads';
import { checkFound, checkProved, levelProgram, threadLevels } from '#sim/interleavings/levels';

function run(src: string, choices: number[]) {
  const sys = threadsSystem(src);
  const { state, status } = replay(sys, choices);
  return { status, view: threadsView(state), enabled: status === 'running' ? sys.enabled(state) : [] };
}

describe('operations', () => {
  it('increment is a read then a write: interleaving them loses an update', () => {
    const src = `shared({ x: 0 });
thread('A', function* () { yield* increment('x'); });
thread('B', function* () { yield* increment('x'); });`;
    expect(run(src, [0, 0, 1, 1]).view.shared.x).toBe(2);
    expect(run(src, [0, 1, 0, 1]).view.shared.x).toBe(1);
    const t = traceThreads(src, [0, 1, 0, 1]);
    expect(t.steps.map((s) => `${s.name}: ${s.op}`)).toEqual(['A: read x', 'B: read x', 'A: x = 1', 'B: x = 1']);
    expect(t.initial.threads.map((x) => x.next)).toEqual(['read x', 'read x']);
  });

  it('atomicAdd, compareExchange and exchange return the old value', () => {
    const src = `shared({ x: 5, r1: null, r2: null, r3: null, r4: null });
thread('A', function* () {
  const a = yield atomicAdd('x', 2); yield write('r1', a);
  const b = yield compareExchange('x', 7, 1); yield write('r2', b);
  const c = yield compareExchange('x', 7, 9); yield write('r3', c);
  const d = yield exchange('x', 4); yield write('r4', d);
});`;
    expect(run(src, new Array(8).fill(0)).view.shared).toEqual({ x: 4, r1: 5, r2: 7, r3: 1, r4: 1 });
  });

  it('a held mutex blocks; locking it twice deadlocks; unlocking one not held fails', () => {
    const two = `thread('A', function* () { yield lock('m'); yield unlock('m'); });
thread('B', function* () { yield lock('m'); yield unlock('m'); });`;
    expect(run(two, [0]).enabled).toEqual([0]);
    expect(run(two, [0]).view.threads[1].state).toBe('blocked');
    expect(run(two, [0]).view.mutexes).toEqual({ m: 'A' });
    const twice = run(`thread('A', function* () { yield lock('m'); yield lock('m'); });`, [0]);
    expect(twice.status).toBe('stuck');
    expect(twice.view.blocked).toEqual(['A waits for lock(m)']);
    const foreign = run(`thread('A', function* () { yield unlock('m'); });`, [0]);
    expect(foreign.status).toBe('failed');
    expect(foreign.view.failure).toEqual({ thread: 'A', message: 'A unlocked m, which it does not hold.' });
  });

  it('a semaphore blocks at 0 and counts releases', () => {
    const src = `semaphore('s', 0);
thread('A', function* () { yield acquire('s'); yield acquire('s'); });
thread('B', function* () { yield release('s'); yield release('s'); });`;
    expect(run(src, []).enabled).toEqual([1]);
    expect(run(src, [1, 1]).view.semaphores).toEqual({ s: 2 });
    expect(run(src, [1, 0, 1, 0]).status).toBe('done');
  });

  it('wait releases the lock, notify wakes the longest waiter, who relocks as its own step; a notify with no waiter is lost', () => {
    const src = `shared({ woke: '' });
function* waiter(name) { yield lock('m'); yield wait('cv', 'm'); yield write('woke', name); yield unlock('m'); }
thread('W1', function* () { yield* waiter('W1'); });
thread('W2', function* () { yield* waiter('W2'); });
thread('N', function* () { yield lock('m'); yield notify('cv'); yield unlock('m'); });`;
    // W1 then W2 sleep; N notifies once: W1 (the longest waiting) wakes, W2 sleeps on.
    const a = run(src, [0, 0, 1, 1, 2, 2]);
    expect(a.view.conditions).toEqual({ cv: ['W2'] });
    expect(a.view.threads.map((t) => t.state)).toEqual(['blocked', 'sleeping', 'ready']);
    expect(a.view.threads[0].next).toBe('relock m after wait(cv)');
    const b = run(src, [0, 0, 1, 1, 2, 2, 2, 0, 0, 0]);
    expect(b.view.shared.woke).toBe('W1');
    expect(b.status).toBe('stuck');
    expect(b.view.blocked).toEqual(['W2 sleeps in wait(cv)']);
    // Notify before anyone waits: lost, both sleep forever.
    const c = run(src, [2, 2, 2, 0, 0, 1, 1]);
    expect(c.status).toBe('stuck');
    // wait without holding the lock fails the run.
    expect(run(`thread('A', function* () { yield wait('cv', 'm'); });`, [0]).view.failure?.message).toBe('A called wait(cv, m) without holding m.');
  });

  it('assert fails the run with its message; the final check runs once all threads finish', () => {
    const src = `shared({ x: 0 });
thread('A', function* () { const v = yield read('x'); assert(v === 0, 'x changed under A'); });
thread('B', function* () { yield write('x', 1); });
check((s) => assert(s.x === 0, 'x ended at ' + s.x));`;
    expect(run(src, [1, 0]).view.failure).toEqual({ thread: 'A', message: 'x changed under A' });
    expect(run(src, [0, 1]).view.failure).toEqual({ thread: null, message: 'x ended at 1' });
  });

  it('rejects programs it cannot run, with a readable message', () => {
    expect(() => compileThreads('shared({ x: 0 });')).toThrow(/declares no thread/);
    expect(() => compileThreads('thread("A", function* () {')).toThrow(/does not parse/);
    expect(run(`thread('A', function* () { yield 42; });`, []).view.failure?.message).toMatch(/not an operation/);
    expect(run(`shared({ x: 0 }); thread('A', function* () { yield increment('x'); });`, []).view.failure?.message).toMatch(/yield\* increment/);
  });
});

describe('levels', () => {
  it('there are at least six, with distinct ids', () => {
    expect(threadLevels.length).toBeGreaterThanOrEqual(6);
    expect(new Set(threadLevels.map((l) => l.id)).size).toBe(threadLevels.length);
  });

  for (const level of threadLevels) {
    describe(level.id, () => {
      it('the buggy program can end the way the level asks, and the shortest such schedule wins', () => {
        const r = explore(threadsSystem(levelProgram(level)));
        expect(r.exhaustive).toBe(true);
        const hits = level.goal === 'failed' ? r.failing : level.goal === 'stuck' ? r.deadlocks : r.failing + r.deadlocks;
        expect(hits).toBeGreaterThan(0);
        // Not every order is bad: the learner has to find one.
        expect(r.passing).toBeGreaterThan(0);
        const ce = r.counterexample!;
        expect(checkFound(level, ce.choices)).toEqual({ won: true, end: ce.end, outcome: ce.outcome });
        // A passing schedule does not win.
        const ok = r.histogram.find((h) => h.end === 'done')!;
        expect(checkFound(level, ok.example).won).toBe(false);
        // The step-by-step trace of the counterexample ends in the same state.
        const t = traceThreads(levelProgram(level), ce.choices);
        expect(t.final.status).toBe(ce.end);
      });

      it('sleep-set reduction reaches the same verdicts on the buggy and the fixed program', () => {
        const buggy = explore(threadsSystem(levelProgram(level)), { reduction: 'sleep-sets' });
        const plain = explore(threadsSystem(levelProgram(level)));
        expect(buggy.failing > 0).toBe(plain.failing > 0);
        expect(buggy.deadlocks > 0).toBe(plain.deadlocks > 0);
        expect(buggy.explored).toBeLessThanOrEqual(plain.explored);
        const fixed = checkProved(level, level.fixed, { reduction: 'sleep-sets' });
        expect(fixed.won, fixed.reason).toBe(true);
        expect(fixed.result!.schedules).toBeNull();
        expect(checkProved(level, level.buggy, { reduction: 'sleep-sets' }).won).toBe(false);
      });

      it('the fix passes under every schedule, and the buggy program does not prove', () => {
        const fixed = checkProved(level, level.fixed);
        expect(fixed.won, fixed.reason).toBe(true);
        expect(fixed.result!.failing + fixed.result!.deadlocks).toBe(0);
        expect(fixed.result!.exhaustive).toBe(true);
        const buggy = checkProved(level, level.buggy);
        expect(buggy.won).toBe(false);
      });
    });
  }

  it('a "fix" that deletes the work or a thread does not win', () => {
    const counter = threadLevels.find((l) => l.id === 'counter')!;
    const empty = checkProved(counter, `shared({ x: 0 });\nthread('A', function* () {});\nthread('B', function* () {});`);
    expect(empty.won).toBe(false);
    expect(empty.reason).toMatch(/fail/);
    const oneThread = checkProved(counter, `shared({ x: 2 });\nthread('A', function* () {});`);
    expect(oneThread.won).toBe(false);
    expect(oneThread.reason).toMatch(/keep thread B/);
  });
});

describe('playing the scheduler by hand', () => {
  const src = `shared({ x: 0 });
thread('A', function* () { yield* increment('x'); });
thread('B', function* () { yield* increment('x'); });
check((s) => assert(s.x === 2, 'x should be 2'));`;

  it('choose, undo and goto, with and without clone, end where replay ends', () => {
    const sys = threadsSystem(src);
    for (const system of [sys, { ...sys, clone: undefined }]) {
      const p = new ScheduleSession(system);
      expect(p.enabled).toEqual([0, 1]);
      p.choose(0);
      p.choose(1);
      p.choose(0);
      expect(threadsView(p.state).shared.x).toBe(1);
      expect(p.enabled).toEqual([1]);
      expect(() => p.choose(0)).toThrow(/not enabled/);
      p.choose(1);
      expect(p.status).toBe('failed');
      expect(p.choices).toEqual([0, 1, 0, 1]);
      p.undo();
      p.undo();
      p.undo();
      expect(p.choices).toEqual([0]);
      expect(threadsView(p.state).shared.x).toBe(0);
      p.choose(0);
      p.choose(1);
      p.choose(1);
      expect(p.status).toBe('done');
      expect(threadsView(p.state).shared.x).toBe(2);
      p.goto(0);
      expect(p.choices).toEqual([]);
      expect(new ScheduleSession(system, [0, 1, 0, 1]).status).toBe('failed');
    }
  });
});
