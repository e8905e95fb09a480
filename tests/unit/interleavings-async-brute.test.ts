/**
 * The async explorer (exploreProgramSync: one transform per program, reused by every run, its
 * counterexample replay and the lab's plays) against a brute force written from the public
 * single-run API alone (one run per prefix, on a transform of its own: the source with a unique
 * trailing comment, so nothing compiled is shared with the explorer), on 200 generated programs:
 * the same schedules, failing, deadlocks, outcome histogram and counterexample (choices, end,
 * outcome, and how the replayed run ends).
 */
import { describe, expect, it } from 'vitest';
import { asyncOutcomeOf, asyncScheduleTrace, exploreProgramSync, type AsyncRunEnd } from '#sim/interleavings/async';
import { Rng } from '#sim/core/rng';

interface Brute {
  schedules: number;
  failing: number;
  deadlocks: number;
  outcomes: Map<string, number>;
  /** The first shortest failing or stuck schedule in depth-first order (natural choice first). */
  bad?: { choices: number[]; end: AsyncRunEnd };
}

let fresh = 0;

function bruteForce(source: string): Brute {
  // A transform of its own (not the explorer's): the source with a unique trailing comment.
  const own = `${source}\n// brute force ${fresh++}`;
  const out: Brute = { schedules: 0, failing: 0, deadlocks: 0, outcomes: new Map() };
  const visit = (prefix: number[]): void => {
    const r = asyncScheduleTrace(own, prefix);
    if (r.points.length > prefix.length) {
      for (const p of r.points[prefix.length].pending) visit([...prefix, p.id]);
      return;
    }
    out.schedules++;
    const end = r.end;
    if (end.status === 'failed') out.failing++;
    if (end.status === 'stuck') out.deadlocks++;
    if (end.status !== 'done' && (out.bad === undefined || prefix.length < out.bad.choices.length)) out.bad = { choices: prefix, end };
    const key = `${end.status} ${asyncOutcomeOf(end)}`;
    out.outcomes.set(key, (out.outcomes.get(key) ?? 0) + 1);
  };
  visit([]);
  return out;
}

/**
 * A small async program: 2 tasks of 1 or 2 operations or 3 tasks of one, each among a delay, a db read-modify-write
 * (racy), a console line, a throw, an await on a promise nobody resolves (only in some branch of
 * the db value, so only some orders get stuck), then main checks the db with assert.
 */
function randomProgram(rng: Rng): string {
  const tasks = rng.int(2, 3);
  const body: string[] = [];
  for (let t = 0; t < tasks; t++) {
    const ops: string[] = [];
    // Three tasks of two operations reach a thousand orders: three tasks get one each.
    const n = tasks === 3 ? 1 : rng.int(1, 2);
    for (let i = 0; i < n; i++) {
      switch (rng.int(0, 6)) {
        case 0:
          ops.push(`  await delay(${rng.int(0, 3) * 5});`);
          break;
        case 1:
        case 2:
          ops.push(`  { const v = await db.get('x'); await db.set('x', v + ${rng.int(1, 3)}); }`);
          break;
        case 3:
          ops.push(`  console.log('t${t}', await db.get('x'));`);
          break;
        case 4:
          ops.push(`  if ((await db.get('x')) === ${rng.int(1, 3)}) await new Promise(() => {});`);
          break;
        case 5:
          ops.push(`  if ((await db.get('x')) < ${rng.int(1, 3)}) await new Promise(() => {});`);
          break;
        default:
          ops.push(`  if ((await db.get('x')) > ${rng.int(2, 5)}) throw new Error('too big in t${t}');`);
      }
    }
    body.push(`async function t${t}() {\n${ops.join('\n')}\n}`);
  }
  const all = Array.from({ length: tasks }, (_, t) => `t${t}()`).join(', ');
  const check = rng.chance(0.5) ? `  assert((await db.get('x')) % 2 === 0, 'x is odd');\n` : '';
  return `${body.join('\n')}\nasync function main() {\n  await db.set('x', 0);\n  await Promise.all([${all}]);\n${check}}\nmain();\n`;
}

describe('async explorer against a brute force (own transform) on 200 generated programs', () => {
  const rng = new Rng('interleavings-async-brute');
  const programs = Array.from({ length: 200 }, () => randomProgram(rng));

  it('same schedules, failing, deadlocks, histogram and counterexample', () => {
    let withFailures = 0;
    let withStuck = 0;
    let clean = 0;
    for (const src of programs) {
      const b = bruteForce(src);
      const r = exploreProgramSync(src);
      expect(r.error, src).toBeUndefined();
      expect(r.exhaustive, src).toBe(true);
      expect(r.schedules, src).toBe(b.schedules);
      expect(r.failing, src).toBe(b.failing);
      expect(r.deadlocks, src).toBe(b.deadlocks);
      const hist = new Map(r.result!.histogram.map((h) => [`${h.end} ${h.outcome}`, h.count]));
      expect(hist, src).toEqual(b.outcomes);
      if (b.bad === undefined) {
        expect(r.counterexample, src).toBeUndefined();
        clean++;
      } else {
        expect(r.counterexample?.choices, src).toEqual(b.bad.choices);
        expect(r.counterexample?.end, src).toBe(b.bad.end.status);
        expect(r.counterexample?.outcome, src).toBe(asyncOutcomeOf(b.bad.end));
        expect(r.counterexample?.run, src).toEqual(b.bad.end);
      }
      if (b.failing > 0) withFailures++;
      if (b.deadlocks > 0) withStuck++;
    }
    // The generator must exercise every verdict, or the comparison says little.
    // (As generated: 40 programs with failures, 78 with stuck runs, 97 clean.)
    expect(withFailures).toBeGreaterThan(30);
    expect(withStuck).toBeGreaterThan(40);
    expect(clean).toBeGreaterThan(40);
  }, 120_000);
});
