/**
 * Lesson 7 ("Races and deadlocks in async code") proves its bugs and fixes with the lab's Explore
 * counts: how many completion orders there are and how many fail or get stuck. Every such figure
 * in the lesson is computed here by the same engine the lab's Explore runs (exploreProgramSync,
 * the threads explorer) and looked up in the lesson's text, so the prose cannot drift from what
 * the learner sees when pressing Explore.
 */
import { describe, expect, it } from 'vitest';
import { sourceArticle } from '../support/sources';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { asyncLevelById, exploreProgramSync, explore, threadsSystem, compileThreads, levelById, checkProved, type ExploreProgramResult } from '#sim/interleavings';

const raw = readFileSync(resolve(__dirname, '../../content/lessons/07-races-and-deadlocks.mdx'), 'utf8');
/** The lesson's text with line breaks and runs of spaces made single spaces. */
const text = raw.replace(/\s+/g, ' ');
const says = (phrase: string) => expect(text, `the lesson should say: ${phrase}`).toContain(phrase);

const level = (id: string, which: 'buggy' | 'fixed'): ExploreProgramResult => {
  const r = exploreProgramSync(asyncLevelById(id)[which]);
  expect(r.exhaustive, `${id} ${which} explored exhaustively`).toBe(true);
  return r;
};

describe('lesson 7: the Explore figures it states', () => {
  it('lost update: the orders, the failing ones, and the lock’s fewer orders with none failing', () => {
    const bug = level('lost-update', 'buggy');
    const fix = level('lost-update', 'fixed');
    says(`Explore finds **${bug.schedules}** possible orders of the completions, and **${bug.failing}** of them lose a deposit`);
    says(`**${fix.schedules}** orders instead of ${bug.schedules}, and **${fix.failing}** lose a deposit`);
    expect(fix.schedules).toBeLessThan(bug.schedules);
    expect(checkProved(asyncLevelById('lost-update'), asyncLevelById('lost-update').fixed).won).toBe(true);
  });

  it('double booking: the orders that give two tickets, and the synchronous claim', () => {
    const bug = level('double-booking', 'buggy');
    const fix = level('double-booking', 'fixed');
    says(`In **${bug.failing}** of the **${bug.schedules}** orders`);
    expect(bug.counterexample?.outcome).toMatch(/two tickets for one seat/);
    says(`Explore finds **${fix.schedules}** orders, **${fix.failing}** of them with two tickets`);
  });

  it('lock order: the stuck orders, and none with one global order', () => {
    const bug = level('lock-order', 'buggy');
    const fix = level('lock-order', 'fixed');
    expect(bug.failing).toBe(0);
    says(`Explore finds **${bug.deadlocks}** such orders among **${bug.schedules}**`);
    expect(bug.counterexample?.outcome).toContain("transfer at locks[to].lock()");
    says(`**${fix.schedules}** orders, **${fix.deadlocks + fix.failing}** stuck`);
  });

  it('await cycle: every order is stuck, and every order of the fix finishes', () => {
    const bug = level('await-cycle', 'buggy');
    const fix = level('await-cycle', 'fixed');
    expect(bug.deadlocks).toBe(bug.schedules);
    expect(bug.schedules).toBe(2);
    says(`Explore finds **${bug.schedules}** orders, and **both** are stuck`);
    expect(fix).toMatchObject({ schedules: 2, deadlocks: 0, failing: 0 });
    says('and both orders finish');
  });

  it('timeout: the double charges, and the fix that waits for the first attempt', () => {
    const bug = level('timeout-leftover', 'buggy');
    const fix = level('timeout-leftover', 'fixed');
    says(`Explore finds **${bug.schedules}** orders, and in **${bug.failing}** the customer is charged twice`);
    expect(bug.counterexample?.outcome).toMatch(/charged twice/);
    says(`**${fix.schedules}** orders, **${fix.failing}** double charges`);
  });

  it('threads: x++ in two threads, and atomicAdd', () => {
    const bug = explore(threadsSystem(compileThreads(levelById('counter').buggy)), { maxSchedules: 10_000 });
    const fix = explore(threadsSystem(compileThreads(levelById('counter').fixed)), { maxSchedules: 10_000 });
    expect(bug.exhaustive && fix.exhaustive).toBe(true);
    says(`**${bug.failing}** of **${bug.explored}**: every order in which both reads come before both writes`);
    expect(fix.failing).toBe(0);
    says(`leaves **${fix.explored}** orders, both ending at 2`);
  });

  it('the “deadlock factory” test: four dependent operations, no stuck order', () => {
    const block = /```js\n(\/\/ Four operations[\s\S]*?)```/.exec(raw);
    expect(block, 'the four-operations program').not.toBeNull();
    const r = exploreProgramSync(block![1]);
    expect(r.error).toBeUndefined();
    expect(r.exhaustive).toBe(true);
    says(`**${r.schedules}** orders, **${r.deadlocks}** stuck`);
    expect(r.deadlocks + r.failing).toBe(0);
  });
});

const ARTICLE = sourceArticle('004_14908737dec87e6e.txt');

describe('lesson 7: quotes from the sources are verbatim', () => {
  it.skipIf(!ARTICLE)('quotes only text that is in the deadlock-factory article', () => {
    const article = readFileSync(ARTICLE!, 'utf8');
    for (const q of ['Your “Async Everything” Migration Is a Deadlock Factory', 'If you need to coordinate more than three async operations that depend on each other, you’re building a deadlock.', 'introduces a shared thread pool where any stalled promise can silently block the next hundred requests']) {
      says(q);
      expect(article).toContain(q);
    }
  });
});
