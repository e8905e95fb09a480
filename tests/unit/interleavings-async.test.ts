/**
 * Async mode of the interleavings engine (simulations/interleavings/async.ts), checked against
 * what a formula and real Node predict:
 * - k independent async tasks of m sequential awaits of delay: (km)!/(m!)^k completion orders;
 * - every async level's buggy program fails or deadlocks as its goal says, its fix passes every
 *   order, and counterexamples replay to the same end;
 * - a counterexample's completion order, forced on real Node 24 with timers, ends the same way
 *   (same assert message, same db, same console; a stuck run leaves promises never resolved).
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asyncScheduleTrace, asyncSystem, exploreProgram, exploreProgramSync } from '#sim/interleavings/async';
import { ScheduleSession, replay } from '#sim/interleavings/explore';
import { asyncLevels, checkFound, checkProved, type AsyncLevel } from '#sim/interleavings/levels';

const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));

function independent(k: number, m: number): string {
  const starts = Array.from({ length: k }, (_, i) => `task(${i + 1});`).join('\n');
  return `async function task(id) {\n  for (let i = 0; i < ${m}; i++) await delay(10 * id, i);\n}\n${starts}\n`;
}

describe('async mode: counts', () => {
  for (const [k, m] of [
    [2, 1],
    [2, 3],
    [3, 2],
    [2, 4],
    [3, 3],
  ] as const) {
    it(`${k} tasks x ${m} awaits of delay: (km)!/(m!)^k schedules`, async () => {
      const r = await exploreProgram(independent(k, m));
      expect(r.schedules).toBe(factorial(k * m) / factorial(m) ** k);
      expect(r.exhaustive).toBe(true);
      expect(r.failing + r.deadlocks).toBe(0);
    });
  }

  it('db round trips are completions too: 2 tasks x (get, set) = 4!/(2!)^2 orders', () => {
    const r = exploreProgramSync(`async function t(k) { const v = await db.get(k); await db.set(k, 1); }\nt('a'); t('b');`);
    expect(r.schedules).toBe(6);
  });

  it('maxSchedules stops an exhaustive search short and says so', () => {
    const r = exploreProgramSync(independent(3, 3), { maxSchedules: 100 });
    expect(r.schedules).toBe(100);
    expect(r.exhaustive).toBe(false);
  });

  it('random and PCT sample the same space and find a lost update', () => {
    const level = asyncLevels.find((l) => l.id === 'lost-update')!;
    for (const strategy of ['random', 'pct'] as const) {
      const r = exploreProgramSync(level.buggy, { strategy, maxSchedules: 200, seed: 7 });
      expect(r.schedules).toBe(200);
      expect(r.exhaustive).toBe(false);
      expect(r.failing).toBeGreaterThan(0);
      expect(r.counterexample?.end).toBe('failed');
    }
  });

  it('microtask order inside a completion stays the language order', () => {
    // One completion resumes two awaits: their continuations run in registration order, and a
    // then-callback chained on the same promise runs between them as the spec orders reactions.
    const src = `const p = delay(10, 'x');
(async () => { await p; console.log('a'); })();
p.then(() => console.log('then'));
(async () => { await p; console.log('b'); })();`;
    const t = asyncScheduleTrace(src, []);
    expect(t.end.console).toEqual(['a', 'then', 'b']);
  });

  it('a syntax error is reported, nothing runs', () => {
    const r = exploreProgramSync('async function (');
    expect(r.error?.line).toBe(1);
    expect(r.schedules).toBe(0);
  });

  it('an uncaught error fails the run; an await on a promise nobody resolves is stuck', () => {
    const thrown = exploreProgramSync(`delay(5).then(() => { throw new Error('boom'); });`);
    expect(thrown.failing).toBe(1);
    expect(thrown.counterexample?.run.failure?.kind).toBe('unhandled-rejection');
    const stuck = exploreProgramSync(`async function waits() { await delay(5); await new Promise(() => {}); }\nwaits();`);
    expect(stuck.deadlocks).toBe(1);
    expect(stuck.counterexample?.run.suspended.map((s) => s.fn)).toContain('waits');
    const fine = exploreProgramSync(`async function waits() { await delay(5); }\nwaits();`);
    expect(fine.deadlocks + fine.failing).toBe(0);
  });
});

describe('async levels', () => {
  it('has at least 7 levels with distinct ids', () => {
    expect(asyncLevels.length).toBeGreaterThanOrEqual(7);
    expect(new Set(asyncLevels.map((l) => l.id)).size).toBe(asyncLevels.length);
  });

  for (const level of asyncLevels) {
    it(`${level.id}: the bug is found as the goal says, the fix is proved, the counterexample replays`, () => {
      const b = exploreProgramSync(level.buggy);
      expect(b.exhaustive).toBe(true);
      if (level.goal === 'failed') expect(b.failing).toBeGreaterThan(0);
      if (level.goal === 'stuck') expect(b.deadlocks).toBeGreaterThan(0);
      const ce = b.counterexample!;
      expect(ce.end === 'failed' ? 'failed' : 'stuck').toBe(level.goal === 'failed-or-stuck' ? ce.end : level.goal);
      // Replays to the same end, through the system and through the trace function.
      const found = checkFound(level, ce.choices);
      expect(found.won).toBe(true);
      expect(found.outcome).toBe(ce.outcome);
      const t = asyncScheduleTrace(level.buggy, ce.choices);
      expect(t.end).toEqual(ce.run);
      expect(t.points.map((p) => p.taken)).toEqual(ce.choices);
      expect(t.marks.length).toBe(ce.choices.length);
      // Stepping the schedule by hand reaches the same end.
      const session = new ScheduleSession(asyncSystem(level.buggy));
      for (const c of ce.choices) session.choose(c);
      expect(session.status).toBe(ce.end);
      // No counterexample is shorter: every schedule is at least as long (a shortest one).
      expect(ce.steps).toBeLessThanOrEqual(Math.min(...b.result!.histogram.filter((h) => h.end !== 'done').map((h) => h.example.length)));
      // The fix: every order passes the program's checks and the level's invariant.
      const proved = checkProved(level, level.fixed);
      expect(proved.reason).toMatch(/^0 failing of \d+ schedules/);
      expect(proved.won).toBe(true);
      // The natural order of the fix passes, and a passing schedule does not win "find the bug".
      expect(checkFound(level, [], level.fixed).won).toBe(false);
    });
  }

  it('start delays make the natural order pass, except where no order can (the await cycle)', () => {
    for (const level of asyncLevels) {
      const natural = asyncScheduleTrace(level.buggy, []).end.status;
      const any = exploreProgramSync(level.buggy);
      const everyOrderBad = any.failing + any.deadlocks === any.schedules;
      expect(natural === 'done' || everyOrderBad, level.id).toBe(true);
    }
    expect(asyncLevels.filter((l) => asyncScheduleTrace(l.buggy, []).end.status === 'done').length).toBeGreaterThanOrEqual(7);
  });

  it("the level's invariant catches a 'fix' that deletes the work", () => {
    const level = asyncLevels.find((l) => l.id === 'lost-update')!;
    const gutted = level.fixed.replace("await db.set('balance', balance + amount);", '').replace(/assert\(.*\);/, '');
    const r = checkProved(level, gutted);
    expect(r.won).toBe(false);
    expect(r.reason).toMatch(/balance is 100, not 175/);
  });

  it('replay refuses a completion that is not pending', () => {
    const level = asyncLevels[0];
    expect(() => replay(asyncSystem(level.buggy), [99])).toThrow(/not enabled/);
  });
});

// ---------------------------------------------------------------- real Node 24

const RUNNER = fileURLToPath(new URL('./interleavings-async-node-runner.mjs', import.meta.url));

interface NodeRun {
  console: string[];
  failures: string[];
  uncaught: string[];
  db: Record<string, unknown>;
  pendingCompletions: number;
  fired: number[];
  unresolved: number;
  errors: string[];
  /** Completions issued after their slot (the machine was slow): the run is repeated slower. */
  late: number[];
  exitCode: number | null;
}

function runInNode(dir: string, name: string, source: string, order: number[], stepMs: number): Promise<NodeRun> {
  const input = join(dir, `${name}.json`);
  writeFileSync(input, JSON.stringify({ source, order, stepMs }));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUNNER, input], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill(), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      try {
        resolve({ ...(JSON.parse(out) as Omit<NodeRun, 'exitCode'>), exitCode: code });
      } catch {
        reject(new Error(`node runner printed no result (exit ${code}): ${err}`));
      }
    });
  });
}

const learnerLines = (lines: string[]): string[] => lines.filter((l) => !l.startsWith('Uncaught'));

describe('a counterexample replayed in real Node ends the same way', () => {
  const REPLAYED = ['lost-update', 'double-booking', 'async-mutex', 'lock-order', 'await-cycle', 'promise-all-counter', 'timeout-leftover', 'cache-stampede'];

  it('runs on Node 24', () => {
    expect(process.versions.node.split('.')[0]).toBe('24');
  });

  it(
    'same failure, db and console for each level, and a passing order passes',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'il-async-'));
      try {
        const jobs: { level: AsyncLevel; kind: 'bad' | 'good'; choices: number[]; expected: ReturnType<typeof asyncScheduleTrace>['end'] }[] = [];
        for (const id of REPLAYED) {
          const level = asyncLevels.find((l) => l.id === id)!;
          const r = exploreProgramSync(level.buggy);
          const ce = r.counterexample!;
          jobs.push({ level, kind: 'bad', choices: ce.choices, expected: ce.run });
          // Control: a passing schedule of the same buggy program passes in Node too (so Node's
          // verdict follows the forced order, not the program alone).
          const good = r.result!.histogram.find((h) => h.end === 'done');
          if (good) jobs.push({ level, kind: 'good', choices: good.example, expected: asyncScheduleTrace(level.buggy, good.example).end });
        }
        // Two at a time (the machine is shared). 25 ms between completions; a run in which a
        // completion was issued after its slot (a loaded machine) is repeated with twice the gap.
        const results: NodeRun[] = [];
        for (let i = 0; i < jobs.length; i += 2) {
          const batch = jobs.slice(i, i + 2);
          results.push(
            ...(await Promise.all(
              batch.map(async (j, n) => {
                let run: NodeRun | undefined;
                for (let step = 25; step <= 200; step *= 2) {
                  run = await runInNode(dir, `${j.level.id}-${j.kind}-${i + n}-${step}`, j.level.buggy, j.choices, step);
                  if (run.late.length === 0) break;
                }
                return run!;
              }),
            )),
          );
        }
        for (let i = 0; i < jobs.length; i++) {
          const { level, kind, choices, expected } = jobs[i];
          const node = results[i];
          const what = `${level.id} (${kind}, order ${choices.join(',')})`;
          expect(node.errors, what).toEqual([]);
          expect(node.late, what).toEqual([]);
          // Node completed the same completions in the same order.
          expect(node.fired, what).toEqual(choices);
          expect(node.pendingCompletions, what).toBe(0);
          expect(node.db, what).toEqual(expected.db);
          expect(node.console, what).toEqual(learnerLines(expected.console));
          if (expected.status === 'failed') {
            expect(expected.failure?.kind, what).toBe('assert');
            expect(node.failures[0], what).toBe(expected.failure!.message);
          } else {
            expect(node.failures, what).toEqual([]);
            expect(node.uncaught, what).toEqual([]);
          }
          // Stuck in the lab: Node's loop ran dry with promises never resolved (the suspended
          // async functions and what they wait on); a finished run leaves none.
          if (expected.status === 'stuck') expect(node.unresolved, what).toBeGreaterThan(0);
          if (expected.status === 'done') expect(node.unresolved, what).toBe(0);
          expect(node.exitCode, what).toBe(0);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
