import { describe, expect, it } from 'vitest';
import { simulate, type SchedEvent, type SchedulerConfig, type TaskSpec } from '#sim/scheduler';

const cpu = (ms: number) => ({ kind: 'cpu' as const, ms });
const io = (ms: number) => ({ kind: 'io' as const, ms });
const yld = { kind: 'yield' as const };

/** Trace as compact strings, e.g. "10 preempt A c0", for readable expectations. */
function lines(config: Partial<SchedulerConfig> & { tasks: TaskSpec[] }): string[] {
  return simulate(config, 1).trace.map((e: SchedEvent) => {
    const parts = [String(e.t), e.kind, e.task];
    if (e.kind === 'ready') parts.push(e.reason);
    else parts.push(`c${e.core}`);
    if (e.kind === 'io-wait') parts.push(`until ${e.until}`);
    return parts.join(' ');
  });
}

describe('scheduler semantics (documented in simulate.ts)', () => {
  it('timeslice preempts only as many expiring tasks as there are tasks waiting for a core', () => {
    const t = lines({
      cores: 2,
      policy: 'timeslice',
      quantum: 10,
      tasks: [
        { id: 'A', steps: [cpu(30)] },
        { id: 'B', steps: [cpu(30)] },
        { id: 'C', steps: [cpu(30)] },
      ],
    });
    expect(t.slice(0, 12)).toEqual([
      '0 ready A arrival',
      '0 ready B arrival',
      '0 ready C arrival',
      '0 dispatch A c0',
      '0 dispatch B c1',
      // At 10 both quanta end but only C is waiting: core 1 (B) keeps going.
      '10 preempt A c0',
      '10 dispatch C c0',
      // At 20 both end again; A is waiting, so core 0 (C) gives way and B continues.
      '20 preempt C c0',
      '20 dispatch A c0',
      '30 finish B c1',
      '30 dispatch C c1',
      // A's quantum ends at 30 too, but C just took the free core and nobody else waits.
      '40 finish A c0',
    ]);
  });

  it('timeslice never preempts a task that has nobody to give way to', () => {
    const run = simulate({ cores: 1, policy: 'timeslice', quantum: 3, tasks: [{ id: 'A', steps: [cpu(50)] }] }, 1);
    expect(run.trace.map((e) => e.kind)).toEqual(['ready', 'dispatch', 'finish']);
    expect(run.metrics.makespan).toBe(50);
  });

  it('cooperative and parallel never take the core away from a task that does not yield', () => {
    for (const policy of ['cooperative', 'parallel'] as const) {
      const run = simulate(
        { cores: 1, policy, tasks: [{ id: 'H', steps: [cpu(100)] }, { id: 'A', steps: [cpu(1)] }] },
        1,
      );
      expect(run.trace.some((e) => e.kind === 'preempt')).toBe(false);
      expect(run.metrics.tasks.find((x) => x.id === 'A')!.waiting).toBe(100);
    }
  });

  it('dispatch uses the lowest-numbered free core', () => {
    const t = lines({
      cores: 3,
      policy: 'parallel',
      tasks: [
        { id: 'A', steps: [cpu(5)] },
        { id: 'B', steps: [cpu(20)] },
        { id: 'C', steps: [cpu(5)] },
        { id: 'D', steps: [cpu(1)], arrival: 10 },
      ],
    });
    expect(t).toContain('10 dispatch D c0'); // cores 0 and 2 are free at 10
  });

  it('at one instant: finishes (and the tasks they release), then I/O completions, then arrivals, then dispatch', () => {
    const t = lines({
      cores: 1,
      policy: 'parallel',
      tasks: [
        { id: 'A', steps: [cpu(10)] },
        { id: 'B', steps: [cpu(2), io(8), cpu(1)] },
        { id: 'C', steps: [cpu(1)], arrival: 10 },
        { id: 'D', steps: [cpu(1)], after: ['A'] },
      ],
    });
    // A runs 0-10 while B waits; B gets the core at 10 only after A's finish releases D.
    expect(t.slice(0, 10)).toEqual([
      '0 ready A arrival',
      '0 ready B arrival',
      '0 dispatch A c0',
      '10 finish A c0',
      '10 ready D deps-done',
      '10 ready C arrival',
      '10 dispatch B c0',
      '12 io-wait B c0 until 20',
      '12 dispatch D c0',
      '13 finish D c0',
    ]);
    const u = lines({
      cores: 1,
      policy: 'parallel',
      tasks: [
        { id: 'B', steps: [cpu(2), io(8), cpu(1)] },
        { id: 'A', steps: [cpu(8)] },
        { id: 'C', steps: [cpu(1)], arrival: 10 },
        { id: 'D', steps: [cpu(1)], after: ['A'] },
      ],
    });
    // B's I/O and A's CPU both end at 10, and C arrives at 10.
    expect(u.slice(4, 10)).toEqual([
      '2 dispatch A c0',
      '10 finish A c0',
      '10 ready D deps-done',
      '10 ready B io-done',
      '10 ready C arrival',
      '10 dispatch D c0',
    ]);
  });

  it('a yield with nobody waiting gives the core straight back; with someone waiting it goes to the back', () => {
    expect(lines({ cores: 1, policy: 'cooperative', tasks: [{ id: 'A', steps: [cpu(1), yld, cpu(1)] }] })).toEqual([
      '0 ready A arrival',
      '0 dispatch A c0',
      '1 yield A c0',
      '1 dispatch A c0',
      '2 finish A c0',
    ]);
    const t = lines({
      cores: 1,
      policy: 'cooperative',
      tasks: [
        { id: 'A', steps: [cpu(1), yld, cpu(1)] },
        { id: 'B', steps: [cpu(5)] },
      ],
    });
    expect(t.slice(2)).toEqual(['0 dispatch A c0', '1 yield A c0', '1 dispatch B c0', '6 finish B c0', '6 dispatch A c0', '7 finish A c0']);
  });

  it('a task needs a core to start I/O and to finish after its last I/O, but neither takes time', () => {
    const t = lines({ cores: 1, policy: 'parallel', tasks: [{ id: 'A', steps: [io(5), cpu(2), io(3)] }] });
    expect(t).toEqual([
      '0 ready A arrival',
      '0 dispatch A c0',
      '0 io-wait A c0 until 5',
      '5 ready A io-done',
      '5 dispatch A c0',
      '7 io-wait A c0 until 10',
      '10 ready A io-done',
      '10 dispatch A c0',
      '10 finish A c0',
    ]);
  });

  it('consecutive CPU steps run as one burst', () => {
    const t = lines({ cores: 1, policy: 'timeslice', quantum: 100, tasks: [{ id: 'A', steps: [cpu(2), cpu(3), cpu(4)] }] });
    expect(t).toEqual(['0 ready A arrival', '0 dispatch A c0', '9 finish A c0']);
  });

  it('a dependent task starts at its arrival or when its dependencies finish, whichever is later', () => {
    const t = lines({
      cores: 2,
      policy: 'parallel',
      tasks: [
        { id: 'A', steps: [cpu(4)] },
        { id: 'B', steps: [cpu(1)], after: ['A'], arrival: 10 },
        { id: 'C', steps: [cpu(1)], after: ['A'], arrival: 2 },
      ],
    });
    expect(t).toContain('4 ready C deps-done');
    expect(t).toContain('10 ready B arrival');
    expect(t.some((l) => l.startsWith('4 ready B'))).toBe(false);
  });

  it('the one-core reference run uses the same policy', () => {
    // On one core: cooperative runs C to the end first (58 ms); time slices let A's I/O overlap C (38 ms).
    const tasks: TaskSpec[] = [
      { id: 'C', steps: [cpu(30)] },
      { id: 'A', steps: [cpu(4), io(20), cpu(4)] },
    ];
    const coop = simulate({ cores: 2, policy: 'cooperative', tasks }, 1);
    const slice = simulate({ cores: 2, policy: 'timeslice', quantum: 5, tasks }, 1);
    expect(coop.metrics.makespanOneCore).toBe(simulate({ cores: 1, policy: 'cooperative', tasks }, 1).metrics.makespan);
    expect(slice.metrics.makespanOneCore).toBe(simulate({ cores: 1, policy: 'timeslice', quantum: 5, tasks }, 1).metrics.makespan);
    expect(coop.metrics.makespanOneCore).toBe(58);
    expect(slice.metrics.makespanOneCore).toBe(38);
  });
});
