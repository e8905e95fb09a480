import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, LIMITS, clampConfig, simulate, type TaskSpec } from '#sim/scheduler';

const cpu = (ms: number) => ({ kind: 'cpu' as const, ms });

/** Each case: a config, and a pattern its error message must contain (the field's name). */
const BAD: [string, unknown, RegExp][] = [
  ['config is not an object', 42, /^config must be an object/],
  ['config is a list', [], /^config must be an object/],
  ['unknown setting, close to a real one', { core: 4 }, /"core" is not a setting.*Did you mean "cores"/],
  ['unknown setting', { speed: 4 }, /"speed" is not a setting.*Known settings: cores/],
  ['cores is text', { cores: 'four' }, /^cores must be a whole number from 1 to 64, but it is "four"/],
  ['cores is NaN', { cores: Number.NaN }, /^cores must be .* but it is NaN/],
  ['cores is 0', { cores: 0 }, /^cores must be a whole number from 1 to 64, but it is 0\./],
  ['cores is 200', { cores: 200 }, /^cores .* 200/],
  ['cores is fractional', { cores: 2.5 }, /^cores must be a whole number/],
  ['cores is null', { cores: null }, /^cores .* null/],
  ['unknown policy', { policy: 'fifo' }, /^policy must be one of "timeslice", "parallel", "cooperative", but it is "fifo"/],
  ['quantum is 0', { quantum: 0 }, /^quantum must be a number from 1 to 1000/],
  ['quantum is negative', { quantum: -5 }, /^quantum .* -5/],
  ['quantum is Infinity', { quantum: Infinity }, /^quantum /],
  ['taskCount is 0', { taskCount: 0 }, /^taskCount must be a whole number from 1 to 10000/],
  ['taskCount too big', { taskCount: 10_001 }, /^taskCount /],
  ['unknown mix', { mix: 'gpu' }, /^mix must be one of "cpu", "io", "mixed"/],
  ['serialFraction negative', { serialFraction: -0.1 }, /^serialFraction must be a number from 0 to 0.95/],
  ['serialFraction is 1', { serialFraction: 1 }, /^serialFraction /],
  ['jitter too big', { jitter: 2 }, /^jitter must be a number from 0 to 1/],
  ['tasks is not a list', { tasks: 'A' }, /^tasks must be a list of tasks/],
  ['tasks is empty', { tasks: [] }, /^tasks must list at least one task/],
  ['a task is not an object', { tasks: [5] }, /^tasks\[0\] must be an object/],
  ['a task has no id', { tasks: [{ steps: [cpu(1)] }] }, /^tasks\[0\]\.id must be/],
  ['a task id is too long', { tasks: [{ id: 'A'.repeat(13), steps: [cpu(1)] }] }, /^tasks\[0\]\.id must be .* at most 12/],
  ['an unknown task field', { tasks: [{ id: 'A', steps: [cpu(1)], prio: 1 }] }, /"tasks\[0\]\.prio" is not a setting/],
  ['duplicate task ids', { tasks: [{ id: 'A', steps: [cpu(1)] }, { id: 'A', steps: [cpu(2)] }] }, /^tasks\[1\]\.id is "A", but tasks\[0\] already uses that id/],
  ['steps missing', { tasks: [{ id: 'A' }] }, /^tasks\[0\]\.steps \(task "A"\) must be a list of steps/],
  ['steps empty', { tasks: [{ id: 'A', steps: [] }] }, /^tasks\[0\]\.steps \(task "A"\) must list at least one step, but the list is empty\./],
  ['unknown step kind', { tasks: [{ id: 'A', steps: [{ kind: 'sleep', ms: 3 }] }] }, /^tasks\[0\]\.steps\[0\]\.kind \(task "A"\) must be one of "cpu", "io", "yield"/],
  ['negative duration', { tasks: [{ id: 'A', steps: [cpu(-3)] }] }, /^tasks\[0\]\.steps\[0\]\.ms \(task "A", a CPU burst\) must be .* greater than 0.* -3/],
  ['zero I/O wait', { tasks: [{ id: 'A', steps: [cpu(1), { kind: 'io', ms: 0 }] }] }, /^tasks\[0\]\.steps\[1\]\.ms \(task "A", an I\/O wait\)/],
  ['NaN duration', { tasks: [{ id: 'A', steps: [cpu(Number.NaN)] }] }, /^tasks\[0\]\.steps\[0\]\.ms .* NaN/],
  ['missing duration', { tasks: [{ id: 'A', steps: [{ kind: 'cpu' }] }] }, /^tasks\[0\]\.steps\[0\]\.ms .* missing/],
  ['yield with a duration', { tasks: [{ id: 'A', steps: [{ kind: 'yield', ms: 1 }] }] }, /"tasks\[0\]\.steps\[0\]\.ms" is not a setting/],
  ['negative arrival', { tasks: [{ id: 'A', steps: [cpu(1)], arrival: -1 }] }, /^tasks\[0\]\.arrival \(task "A"\) must be a number from 0/],
  ['after is not a list', { tasks: [{ id: 'A', steps: [cpu(1)], after: 'B' }] }, /^tasks\[0\]\.after \(task "A"\) must be a list of task ids/],
  ['unknown after id', { tasks: [{ id: 'A', steps: [cpu(1)], after: ['Z'] }] }, /^tasks\[0\]\.after\[0\] \(task "A"\) waits for "Z", but no task has that id/],
  ['waits for itself', { tasks: [{ id: 'A', steps: [cpu(1)], after: ['A'] }] }, /^tasks\[0\]\.after\[0\]: task "A" cannot wait for itself/],
  [
    'dependency cycle',
    {
      tasks: [
        { id: 'A', steps: [cpu(1)] },
        { id: 'B', steps: [cpu(1)], after: ['D'] },
        { id: 'C', steps: [cpu(1)], after: ['B'] },
        { id: 'D', steps: [cpu(1)], after: ['C', 'A'] },
      ],
    },
    /^tasks\[1\]\.after: the tasks wait for each other in a circle \("B" waits for "D", "D" waits for "C", "C" waits for "B"\)/,
  ],
];

describe('scheduler config: every bad config is a readable error naming the field', () => {
  for (const [name, config, pattern] of BAD) {
    it(name, () => {
      let err: unknown;
      try {
        simulate(config as never, 1);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(Error);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(pattern);
      expect((err as ConfigError).field.length).toBeGreaterThan(0);
    });
  }

  it('a bad seed is an error too', () => {
    expect(() => simulate({}, Number.NaN)).toThrow(/seed/);
  });

  it('missing settings come from the defaults', () => {
    const run = simulate({ cores: 2 }, 1);
    expect(run.config).toEqual({ ...DEFAULT_CONFIG, cores: 2 });
    expect(simulate(undefined, 1).config).toEqual(DEFAULT_CONFIG);
  });

  it('a run keeps its own copy of the tasks: editing the input afterwards changes nothing', () => {
    const tasks: TaskSpec[] = [{ id: 'A', steps: [cpu(5)] }];
    const run = simulate({ cores: 1, tasks }, 1);
    (tasks[0].steps[0] as { ms: number }).ms = 500;
    expect(run.tasks[0].steps[0]).toEqual(cpu(5));
  });
});

describe('clampConfig: out-of-range settings are pulled into range with a note', () => {
  it('explains each change in a sentence', () => {
    const { config, notes } = clampConfig({ cores: 200, quantum: 0.2, taskCount: 12.4, serialFraction: 2, jitter: -1 });
    expect(config).toEqual({ ...DEFAULT_CONFIG, cores: 64, quantum: 1, taskCount: 12, serialFraction: 0.95, jitter: 0 });
    expect(notes).toEqual([
      'cores was 200; the lab allows 1–64, so it uses 64.',
      'quantum was 0.2; the lab allows 1–1000, so it uses 1.',
      'taskCount was 12.4; the lab needs a whole number, so it uses 12.',
      'serialFraction was 2; the lab allows 0–0.95, so it uses 0.95.',
      'jitter was -1; the lab allows 0–1, so it uses 0.',
    ]);
  });

  it('rounds and clamps in one note, and replaces unusable values with the default', () => {
    expect(clampConfig({ cores: 99.6 }).notes).toEqual(['cores was 99.6; the lab needs a whole number and allows 1–64, so it uses 64.']);
    const r = clampConfig({ cores: Number.NaN, policy: 'fifo' as never, mix: 7 as never });
    expect(r.config.cores).toBe(DEFAULT_CONFIG.cores);
    expect(r.config.policy).toBe(DEFAULT_CONFIG.policy);
    expect(r.config.mix).toBe(DEFAULT_CONFIG.mix);
    expect(r.notes).toEqual([
      `cores was NaN (not a number), which is not a usable number, so the lab uses the default, ${DEFAULT_CONFIG.cores}.`,
      `policy was "fifo", which this lab does not know (it knows "timeslice", "parallel", "cooperative"), so it uses "${DEFAULT_CONFIG.policy}".`,
      `mix was 7, which this lab does not know (it knows "cpu", "io", "mixed"), so it uses "${DEFAULT_CONFIG.mix}".`,
    ]);
  });

  it('leaves a valid config alone, drops keys it does not know, and its output always simulates', () => {
    const ok = { cores: 3, policy: 'cooperative' as const, quantum: 5, taskCount: 9, mix: 'io' as const, serialFraction: 0.2, jitter: 0.5 };
    expect(clampConfig({ ...ok, seed: 7, step: 12 })).toEqual({ config: ok, notes: [] });
    for (const field of Object.keys(LIMITS) as (keyof typeof LIMITS)[]) {
      for (const v of [-1e9, -1, 0, 0.5, 1e9, Number.NaN]) {
        const { config } = clampConfig({ [field]: v });
        expect(() => simulate({ ...config, taskCount: Math.min(config.taskCount, 50) }, 1)).not.toThrow();
      }
    }
  });
});
