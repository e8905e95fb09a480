import { describe, expect, it } from 'vitest';
import { Rng } from '#sim/core/rng';
import { coreLabel, formatMs, getPreset, narrate, simulate } from '#sim/scheduler';

describe('narrate', () => {
  const io = simulate(getPreset('io-one-core').config, 1);

  it('describes the start, and builds up one instant clause by clause', () => {
    expect(narrate(io, 0)).toBe('t=0 ms: 4 tasks and 1 core; nothing has run yet.');
    expect(narrate(io, 1)).toBe('t=0 ms: task A arrives and joins the ready queue.');
    expect(narrate(io, 4)).toBe('t=0 ms: tasks A, B, C and D arrive and join the ready queue.');
    expect(narrate(io, 5)).toBe('t=0 ms: tasks A, B, C and D arrive and join the ready queue; core 1 picks task A.');
    expect(narrate(io, 6)).toBe('t=2 ms: task A waits for I/O until t=42 ms, freeing core 1.');
    expect(narrate(io, 7)).toBe('t=2 ms: task A waits for I/O until t=42 ms, freeing core 1; core 1 picks task B.');
    expect(narrate(io, 13)).toBe("t=42 ms: task A's I/O is done, so it rejoins the ready queue.");
  });

  it('ends with the makespan, or says the recording stopped early', () => {
    expect(narrate(io, io.trace.length)).toBe('t=92 ms: task D finishes on core 1. All 4 tasks are done after 92 ms.');
    expect(narrate(io, 1e9)).toBe(narrate(io, io.trace.length));
    const capped = simulate(getPreset('io-one-core').config, 1, { traceCap: 6 });
    expect(narrate(capped, 6)).toMatch(/The recording stops here/);
  });

  it('summarises crowded instants and names the dependency that released the tasks', () => {
    // More than four kinds of thing at one instant: the oldest are counted, not listed.
    const busy = simulate(
      {
        cores: 1,
        policy: 'parallel',
        tasks: [
          { id: 'B', steps: [{ kind: 'cpu', ms: 2 }, { kind: 'io', ms: 8 }, { kind: 'cpu', ms: 1 }] },
          { id: 'A', steps: [{ kind: 'cpu', ms: 8 }] },
          { id: 'C', steps: [{ kind: 'cpu', ms: 1 }], arrival: 10 },
          { id: 'D', steps: [{ kind: 'cpu', ms: 1 }], after: ['A'] },
        ],
      },
      1,
    );
    const at10 = busy.trace.findIndex((e) => e.t === 10 && e.kind === 'dispatch');
    expect(narrate(busy, at10 + 1)).toBe(
      't=10 ms: after 1 earlier event at this time, task D is ready now that A has finished; ' +
        "task B's I/O is done, so it rejoins the ready queue; task C arrives and joins the ready queue; core 1 picks task D.",
    );
    const p = getPreset('cpu-many-cores');
    const run = simulate(p.config, p.seed);
    const sFinish = run.trace.findIndex((e) => e.kind === 'finish' && e.task === 'S');
    expect(narrate(run, sFinish + 2)).toBe('t=100 ms: task S finishes on core 1; task A is ready now that S has finished.');
    expect(narrate(run, sFinish + 1 + 32 + 8)).toBe(
      't=100 ms: task S finishes on core 1; tasks A, B, C and 29 more are ready now that S has finished; ' +
        'core 1 picks task A, core 2 picks task B, core 3 picks task C and 5 more cores pick up tasks.',
    );
    // Four events are listed by name rather than "3 and 1 more".
    expect(narrate(run, sFinish + 1 + 32 + 4)).toMatch(/core 1 picks task A, core 2 picks task B, core 3 picks task C and core 4 picks task D\.$/);
  });

  it('tells preemption and yields apart', () => {
    const many = simulate({ cores: 4, policy: 'timeslice', mix: 'cpu', taskCount: 8, serialFraction: 0, quantum: 5 }, 1);
    const lines = Array.from({ length: many.trace.length + 1 }, (_, i) => narrate(many, i));
    expect(lines).toContain(
      't=102.5 ms: the time slices of tasks E, F, G and H are up, so they go to the back of the ready queue; ' +
        'core 1 picks task A, core 2 picks task B, core 3 picks task C and core 4 picks task D.',
    );
    const fair = simulate(getPreset('timeslice-fair').config, 1);
    const i = fair.trace.findIndex((e) => e.kind === 'preempt');
    expect(narrate(fair, i + 1)).toMatch(/task H's time slice is up, so core 1 sends it to the back of the ready queue\.$/);
    const coop = simulate({ cores: 1, policy: 'cooperative', mix: 'cpu', taskCount: 2, serialFraction: 0 }, 1);
    const y = coop.trace.findIndex((e) => e.kind === 'yield');
    expect(narrate(coop, y + 1)).toBe('t=125 ms: task A yields core 1 and goes to the back of the ready queue.');
  });

  it('never prints undefined or NaN, and keeps lines short, on random runs', () => {
    const r = new Rng(5);
    for (let k = 0; k < 30; k++) {
      const run = simulate(
        {
          cores: r.int(1, 8),
          policy: r.pick(['timeslice', 'parallel', 'cooperative'] as const),
          mix: r.pick(['cpu', 'io', 'mixed'] as const),
          taskCount: r.int(1, 30),
          jitter: r.next(),
          serialFraction: r.next() * 0.5,
          quantum: r.int(1, 20),
        },
        k,
      );
      for (let i = 0; i <= run.trace.length; i++) {
        const line = narrate(run, i);
        expect(line).not.toMatch(/undefined|NaN|null/);
        expect(line.length).toBeLessThan(600);
      }
    }
  });

  it('formats times for reading and names cores from 1', () => {
    expect([0, 12, 2.5, 1.234, 27.38, 1000.04, 0.005].map(formatMs)).toEqual(['0', '12', '2.5', '1.23', '27.38', '1,000.04', '0.01']);
    expect(coreLabel(0)).toBe('core 1');
  });
});
