/**
 * The task tree (simulations/eventloop/tasktree.ts): orphan counts of the classic leaks and of
 * their structured versions, states over time, and invariants on generated programs.
 */
import { describe, expect, it } from 'vitest';
import { runProgramSync } from '#sim/eventloop/run';
import { orphanCount, taskTree, taskTreeAt, type TaskTree } from '#sim/eventloop/tasktree';
import type { Runtime } from '#sim/eventloop/types';
import { generateProgram } from './eventloop-fuzz';
import { generateNodeProgram } from './eventloop-node-fuzz';

function tree(source: string, runtime: Runtime = 'browser'): TaskTree {
  const run = runProgramSync(source, { runtime });
  expect(run.error).toBeUndefined();
  return taskTree(run);
}
const labels = (t: TaskTree, ids: number[]): string[] => ids.map((id) => t.nodes[id].label);

const RACE = `async function main() {
  const winner = await Promise.race([delay(10, 'fast'), delay(100, 'slow')]);
  console.log(winner);
}
main();`;

const ALL_FAILS = `async function part(name, ms, fail) {
  await delay(ms);
  if (fail) throw new Error(name + ' failed');
  console.log(name, 'done');
  return name;
}
async function main() {
  try {
    await Promise.all([part('a', 50), part('b', 10, true), part('c', 80)]);
  } catch (e) {
    console.log('caught', e.message);
  }
}
main();`;

const ALL_FAILS_ABORT = `async function part(name, ms, signal, fail) {
  await delay(ms, null, { signal });
  if (fail) throw new Error(name + ' failed');
  console.log(name, 'done');
  return name;
}
async function main() {
  const controller = new AbortController();
  const parts = [part('a', 50, controller.signal), part('b', 10, controller.signal, true), part('c', 80, controller.signal)];
  try {
    await Promise.all(parts);
  } catch (e) {
    controller.abort();
    await Promise.allSettled(parts);
    console.log('caught', e.message);
  }
}
main();`;

const TIMER = (clear: boolean): string => `async function main() {
  const t = setTimeout(() => console.log('late callback'), 100);
  await delay(10);
  ${clear ? 'clearTimeout(t);' : ''}
  return 'done';
}
main();`;

describe('orphans of the classic leaks, and none once they are structured', () => {
  for (const runtime of ['browser', 'node'] as const) {
    describe(runtime, () => {
      it('Promise.race with a slow loser: the loser is the one orphan', () => {
        const t = tree(RACE, runtime);
        expect(orphanCount(t)).toBe(1);
        expect(labels(t, t.orphans)).toEqual(['delay(100)']);
        const loser = t.nodes[t.orphans[0]];
        // It still ran to the end: an orphan is marked, not stopped.
        expect(loser.state).toBe('settled');
        expect(loser.awaitedBy.map((id) => t.nodes[id].label)).toEqual(['Promise.race']);
        expect(t.nodes[loser.parent!].label).toBe('main()');
        // It became an orphan when main settled, before it settled itself.
        const main = t.nodes[loser.parent!];
        expect(loser.orphanedAt).toBeGreaterThanOrEqual(main.end!);
        expect(loser.orphanedAt).toBeLessThan(loser.end!);
      });

      it('Promise.all with a failing sibling: the siblings still running are orphans', () => {
        const run = runProgramSync(ALL_FAILS, { runtime });
        expect(run.console).toEqual(['caught b failed', 'a done', 'c done']);
        const t = taskTree(run);
        // The three part() calls, in call order: a, b, c.
        const [a, b, c] = t.nodes.filter((n) => n.label === 'part()');
        expect(t.orphans).toEqual([a.id, c.id]);
        expect(b.outcome).toBe('rejected');
        expect(orphanCount(run)).toBe(2);
      });

      it('the same with an AbortController wired through: no orphan, the siblings are cancelled', () => {
        const run = runProgramSync(ALL_FAILS_ABORT, { runtime });
        expect(run.console).toEqual(['caught b failed']);
        const t = taskTree(run);
        expect(orphanCount(t)).toBe(0);
        const [a, b, c] = t.nodes.filter((n) => n.label === 'part()');
        expect(a.state).toBe('cancelled');
        expect(c.state).toBe('cancelled');
        expect(b.state).toBe('settled');
        expect(b.outcome).toBe('rejected');
        expect(t.nodes.filter((n) => n.kind === 'delay').map((n) => n.state)).toEqual(['cancelled', 'settled', 'cancelled']);
      });

      it('a timer nobody clears is an orphan; a cleared one is not', () => {
        const leaked = tree(TIMER(false), runtime);
        expect(labels(leaked, leaked.orphans)).toEqual(['setTimeout (anonymous) (timer 1)']);
        const cleared = tree(TIMER(true), runtime);
        expect(orphanCount(cleared)).toBe(0);
        expect(cleared.nodes.find((n) => n.kind === 'timer')!.state).toBe('cancelled');
      });
    });
  }

  it('work the main script starts, and work observed by a then callback, is never an orphan', () => {
    expect(orphanCount(tree(`Promise.race([delay(10), delay(100)]); setTimeout(() => {}, 50);`))).toBe(0);
    expect(orphanCount(tree(`async function main() { delay(100).then(() => console.log('seen')); } main();`))).toBe(0);
    expect(orphanCount(tree(`async function main() { delay(100); } main();`))).toBe(1);
  });

  it('a timer callback belongs to the scope that set the timer', () => {
    // Set by main, which returns: the timer is an orphan, and so is the work its callback starts.
    const t = tree(`async function work() { await delay(5); }
async function main() { setTimeout(() => work(), 20); }
main();`);
    expect(labels(t, t.orphans)).toEqual(['setTimeout (anonymous) (timer 1)', 'work()']);
    // Set by the main script: nothing is an orphan.
    expect(orphanCount(tree(`async function work() { await delay(5); } setTimeout(() => work(), 20);`))).toBe(0);
  });

  it('a promisified setTimeout is done once its callback returns: the call that awaited it settling in the checkpoint leaves no orphan', () => {
    // resolve() runs in the timer's callback; fetchUser resumes (and settles) in the microtask
    // checkpoint of the same task, when the callback has already returned.
    const source = `const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function fetchUser() { await sleep(30); return 'user'; }
async function main() { await fetchUser(); await sleep(10); }
main();`;
    for (const runtime of ['browser', 'node'] as Runtime[]) {
      const t = tree(source, runtime);
      expect(orphanCount(t), runtime).toBe(0);
      const timers = t.nodes.filter((n) => n.kind === 'timer');
      expect(timers.map((n) => n.state)).toEqual(['settled', 'settled']);
      // the timer settles before the async call that awaited its promise
      const user = t.nodes.find((n) => n.label === 'fetchUser()')!;
      expect(timers[0].end!).toBeLessThan(user.end!);
    }
    // a timer whose own scope ends while its callback is pending is still an orphan
    expect(orphanCount(tree(`async function main() { setTimeout(() => {}, 30); } main();`))).toBe(1);
  });
});

describe('states over time', () => {
  it('an async call runs, suspends at await, resumes and settles; taskTreeAt shows each step', () => {
    const run = runProgramSync(`async function f() { await delay(10); return 1; } f();`);
    const final = taskTree(run);
    const f = final.nodes.find((n) => n.label === 'f()')!;
    expect(f.history.map(([, s]) => s)).toEqual(['running', 'suspended', 'running', 'settled']);
    expect(f.outcome).toBe('fulfilled');
    const d = final.nodes.find((n) => n.kind === 'delay')!;
    expect(d.parent).toBe(f.id);
    expect(d.awaitedBy).toEqual([f.id]);
    // Step by step: absent before its creating event, then each state from its event on.
    expect(taskTreeAt(run, f.start).nodes.some((n) => n.id === f.id)).toBe(false);
    for (const [at, state] of f.history) expect(taskTreeAt(run, at + 1).nodes[f.id].state).toBe(state);
    expect(taskTreeAt(run, d.start + 1).nodes[d.id].awaitedBy).toEqual([]);
    expect(taskTreeAt(run, run.trace.length).nodes[d.id].awaitedBy).toEqual([f.id]);
    expect(taskTreeAt(run, 0).nodes.map((n) => n.kind)).toEqual(['root']);
  });

  it('an orphan is marked from the step it became one', () => {
    const run = runProgramSync(RACE);
    const t = taskTree(run);
    const at = t.nodes[t.orphans[0]].orphanedAt!;
    expect(taskTreeAt(run, at).orphans).toEqual([]);
    expect(taskTreeAt(run, at + 1).orphans).toEqual(t.orphans);
    expect(run.trace[at].kind).toBe('promise-settle');
  });

  it('a delay given an aborted signal, and the async call it rejects, are cancelled, not settled', () => {
    const t = tree(`async function f() { await delay(50, 1, { signal: AbortSignal.abort() }); }
async function main() { try { await f(); } catch (e) { console.log(e.name); } }
main();`);
    expect(t.nodes.find((n) => n.kind === 'delay')!.state).toBe('cancelled');
    expect(t.nodes.find((n) => n.label === 'f()')!.state).toBe('cancelled');
    expect(t.nodes.find((n) => n.label === 'main()')!.state).toBe('settled');
  });

  it('AbortSignal.timeout is a node that settles when it aborts its signal', () => {
    const t = tree(`async function main() {
  const signal = AbortSignal.timeout(20);
  try { await delay(100, 'slow', { signal }); } catch (e) { console.log(e.name); }
}
main();`);
    const timeout = t.nodes.find((n) => n.kind === 'timeout')!;
    expect(timeout.state).toBe('settled');
    expect(t.nodes.find((n) => n.kind === 'delay')!.state).toBe('cancelled');
    expect(orphanCount(t)).toBe(0);
  });
});

describe('invariants on generated programs', () => {
  const check = (source: string, runtime: Runtime): { nodes: number; asyncNodes: number } => {
    const run = runProgramSync(source, { runtime, maxSteps: 100_000 });
    const t = taskTree(run);
    expect(t.nodes[0].kind).toBe('root');
    expect(t.nodes[0].parent).toBeNull();
    t.nodes.forEach((n, i) => {
      expect(n.id).toBe(i);
      if (i > 0) {
        expect(n.parent, source).not.toBeNull();
        expect(n.parent!).toBeLessThan(n.id);
        expect(t.nodes[n.parent!].children).toContain(n.id);
      }
      // A settled (or cancelled) node never goes back to running, or to anything else.
      const final = n.history.findIndex(([, s]) => s === 'settled' || s === 'cancelled');
      if (final >= 0) expect(final, source).toBe(n.history.length - 1);
      for (let k = 1; k < n.history.length; k++) expect(n.history[k][0]).toBeGreaterThanOrEqual(n.history[k - 1][0]);
      if (n.orphan) expect(n.orphanedAt!).toBeGreaterThanOrEqual(n.start);
      for (const o of n.awaitedBy) expect(t.nodes[o]).toBeDefined();
    });
    // Stepping never contradicts the end: nodes appear once, orphans stay orphans.
    for (const step of [0, Math.floor(run.trace.length / 3), Math.floor((2 * run.trace.length) / 3)]) {
      const at = taskTreeAt(run, step);
      for (const n of at.nodes) {
        expect(n.start <= step || n.id === 0).toBe(true);
        if (n.orphan) expect(t.nodes[n.id].orphan).toBe(true);
        if (n.state === 'settled' || n.state === 'cancelled') expect(t.nodes[n.id].state).toBe(n.state);
      }
    }
    return { nodes: t.nodes.length, asyncNodes: t.nodes.filter((n) => n.kind === 'async').length };
  };

  it('hold on 150 browser programs and 100 Node programs', () => {
    let nodes = 0;
    let asyncNodes = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const r = check(generateProgram(seed), 'browser');
      nodes += r.nodes;
      asyncNodes += r.asyncNodes;
    }
    for (let seed = 1; seed <= 100; seed++) check(generateNodeProgram(seed), 'node');
    // The programs exercise the tree: many async calls and other nodes.
    expect(asyncNodes).toBeGreaterThan(100);
    expect(nodes).toBeGreaterThan(300);
  });
});
