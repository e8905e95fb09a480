/**
 * The task tree as rows (taskLayout / taskRowsAt in simulations/eventloop/tasktree.ts), which the
 * event-loop lab's task-tree panel shows step by step, and the `orphans-race-all` preset: real
 * Node 24 prints what the lab prints (the lab's `delay` written out as NATIVE_DELAY, the program
 * run from a setImmediate callback as in eventloop-abort-differential.test.ts), and the engine
 * finds its three orphans.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getExample } from '#sim/eventloop/examples';
import { runProgramSync } from '#sim/eventloop/run';
import { orphanCount, taskLayout, taskRowsAt, taskTree, taskTreeAt } from '#sim/eventloop/tasktree';
import type { Runtime } from '#sim/eventloop/types';
import { NATIVE_DELAY } from './eventloop-abort-programs';
import { nativeLinesMatching } from '../support/eventloop-native';
import { generateProgram } from './eventloop-fuzz';

const PRESET = getExample('orphans-race-all');
const dir = mkdtempSync(path.join(tmpdir(), 'eventloop-tasktree-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the orphans-race-all preset', () => {
  it('prints what real Node 24 prints, in both of the lab’s runtimes', () => {
    expect(Number(process.versions.node.split('.')[0])).toBe(24);
    const file = path.join(dir, 'orphans.js');
    writeFileSync(file, `${NATIVE_DELAY}\nsetImmediate(() => {\n${PRESET.source}\n});\n`);
    const lab = (['browser', 'node'] as Runtime[]).map((runtime) => runProgramSync(PRESET.source, { runtime }));
    for (const run of lab) expect(run.error).toBeUndefined();
    expect(lab[1].console, 'node runtime').toEqual(lab[0].console);
    const native = nativeLinesMatching(file, lab[0].console);
    expect(native).toEqual(lab[0].console);
  });

  it('has three orphans, the race loser and the two siblings of the failed part, marked once main is done', () => {
    const run = runProgramSync(PRESET.source);
    const t = taskTree(run);
    expect(orphanCount(run)).toBe(3);
    expect(t.orphans.map((id) => t.nodes[id].label)).toEqual(['fetchFrom()', 'part()', 'part()']);
    const main = t.nodes.find((n) => n.label === 'main()')!;
    for (const id of t.orphans) expect(t.nodes[id].orphanedAt).toBe(main.end);
    // the orphans went on running: they settle after main (and print "finished anyway")
    for (const id of t.orphans) expect(t.nodes[id].end!).toBeGreaterThan(main.end!);
  });
});

describe('taskRowsAt reads the same tree as taskTreeAt', () => {
  const programs = [PRESET.source, ...Array.from({ length: 12 }, (_, i) => generateProgram(i + 1))];

  it('at every step: the same nodes, states, outcomes, orphans and observers, parents before children one level up', () => {
    for (const source of programs) {
      const run = runProgramSync(source);
      const layout = taskLayout(run);
      expect(taskLayout(run)).toBe(layout); // cached per run
      for (let s = 0; s <= run.trace.length; s++) {
        const tree = taskTreeAt(run, s);
        const { rows, orphans } = taskRowsAt(layout, s);
        expect(orphans).toBe(orphanCount(tree));
        expect(rows.map((r) => r.id).sort((a, b) => a - b)).toEqual(tree.nodes.map((n) => n.id).sort((a, b) => a - b));
        const depthOf = new Map<number, number>();
        for (const r of rows) {
          const n = tree.nodes.find((x) => x.id === r.id)!;
          expect(r.state).toBe(n.state);
          expect(r.outcome).toBe(n.outcome);
          expect(r.orphan).toBe(n.orphan);
          expect(r.awaitedBy).toEqual(n.awaitedBy.map((o) => tree.nodes.find((x) => x.id === o)!.label));
          if (n.parent === null) expect(r.depth).toBe(0);
          else expect(r.depth).toBe(depthOf.get(n.parent)! + 1); // the parent came first
          depthOf.set(r.id, r.depth);
        }
      }
    }
  });

  it('clamps the step like taskTreeAt', () => {
    const run = runProgramSync(PRESET.source);
    const layout = taskLayout(run);
    expect(taskRowsAt(layout, -5).rows.map((r) => r.label)).toEqual(['(main script)']);
    expect(taskRowsAt(layout, Infinity).step).toBe(run.trace.length);
    expect(taskRowsAt(layout, 1e9).orphans).toBe(3);
  });
});
