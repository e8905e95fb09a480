/** The shared config helper: zod/mini schemas in, learner-readable ConfigErrors out. */
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  ConfigError,
  explained,
  func,
  listOf,
  nearestAllowed,
  numberIn,
  obeys,
  oneOf,
  parseConfig,
  reject,
  settings,
  text,
  type NumberRule,
  type ParseOptions,
} from '#sim/core/validate';
import { LIMITS as SCHEDULER_LIMITS } from '#sim/scheduler';
import { LIMITS as DATAFLOW_LIMITS } from '#sim/dataflow';
import { LIMITS as ACTOR_LIMITS } from '#sim/actors';

const step = z.discriminatedUnion('kind', [
  settings({ kind: z.literal('cpu'), ms: numberIn({ min: 0, max: 1000, exclusiveMin: true }) }),
  settings({ kind: z.literal('yield') }),
]);
const schema = settings({
  cores: z._default(numberIn({ min: 1, max: 64, integer: true }), 4),
  policy: z._default(oneOf(['timeslice', 'parallel', 'cooperative']), 'parallel'),
  name: z.optional(text(8)),
  onTick: z.optional(func<() => void>('a function called on every tick')),
  tasks: z.optional(
    listOf(settings({ id: text(4), steps: listOf(step, { what: 'a list of steps', noun: ['step', 'steps'], min: 1, max: 3 }) }), {
      what: 'a list of tasks',
      noun: ['task', 'tasks'],
      min: 1,
    }).check(
      z.superRefine((tasks, ctx) => {
        tasks.forEach((t, i) => {
          if (t.id === 'no') reject(ctx, [i, 'id'], (field, v) => `${field} may not be ${JSON.stringify(v)}; pick another id.`, t.id);
        });
      }),
    ),
  ),
});

/** The ConfigError `parseConfig` throws for `input`. */
function failure(input: unknown, options?: ParseOptions): ConfigError {
  try {
    parseConfig(schema, input, options);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect(e).toBeInstanceOf(Error);
    return e as ConfigError;
  }
  throw new Error(`no error for ${JSON.stringify(input)}`);
}

const task = (id: string, steps: unknown[]) => ({ id, steps });

describe('parseConfig: the field as the learner writes it, what it must be, what it is', () => {
  it('numbers: range, whole numbers, exclusive minimum', () => {
    expect(failure({ cores: 200 })).toMatchObject({ field: 'cores', message: 'cores must be a whole number from 1 to 64, but it is 200.' });
    expect(failure({ cores: 2.5 }).message).toBe('cores must be a whole number from 1 to 64, but it is 2.5.');
    expect(failure({ cores: 0 }).message).toBe('cores must be a whole number from 1 to 64, but it is 0.');
    expect(failure({ tasks: [task('A', [{ kind: 'cpu', ms: 0 }])] }).message).toBe(
      'tasks[0].steps[0].ms must be a number greater than 0 and at most 1000, but it is 0.',
    );
  });

  it('NaN, Infinity, null and missing values are named as such', () => {
    expect(failure({ cores: Number.NaN }).message).toBe('cores must be a whole number from 1 to 64, but it is NaN (not a number).');
    expect(failure({ cores: Infinity }).message).toBe('cores must be a whole number from 1 to 64, but it is Infinity.');
    expect(failure({ cores: null }).message).toBe('cores must be a whole number from 1 to 64, but it is null.');
    expect(failure({ tasks: [task('A', [{ kind: 'cpu' }])] }).message).toBe(
      'tasks[0].steps[0].ms must be a number greater than 0 and at most 1000, but it is missing.',
    );
  });

  it('wrong types: text for a number, a list for an object, a number for a list or a function', () => {
    expect(failure({ cores: 'four' }).message).toBe('cores must be a whole number from 1 to 64, but it is "four".');
    expect(failure([]).message).toBe('config must be an object with named settings, but it is a list.');
    expect(failure(42)).toMatchObject({ field: 'config', message: 'config must be an object with named settings, but it is 42.' });
    expect(failure({ tasks: 3 }).message).toBe('tasks must be a list of tasks, but it is 3.');
    expect(failure({ tasks: [7] }).message).toBe('tasks[0] must be an object with named settings, but it is 7.');
    expect(failure({ onTick: 'soon' }).message).toBe('onTick must be a function called on every tick, but it is "soon".');
    expect(failure({ name: '   ' }).message).toBe('name must be a non-empty piece of text of at most 8 characters, but it is "   ".');
  });

  it('nested paths use dots and [index], and `field` is the bare path', () => {
    const e = failure({ tasks: [task('A', [{ kind: 'yield' }]), task('B', [{ kind: 'yield' }, { kind: 'cpu', ms: 5000 }])] });
    expect(e.field).toBe('tasks[1].steps[1].ms');
    expect(e.message).toMatch(/^tasks\[1\]\.steps\[1\]\.ms must be .* but it is 5000\.$/);
  });

  it('list lengths are counted in words', () => {
    expect(failure({ tasks: [] }).message).toBe('tasks must list at least one task, but the list is empty.');
    const four = Array.from({ length: 4 }, () => ({ kind: 'yield' }));
    expect(failure({ tasks: [task('A', four)] }).message).toBe('tasks[0].steps may list at most 3 steps, but it has 4.');
  });

  it('a word that is not in the list gets "Did you mean" when it is close, and only then', () => {
    expect(failure({ policy: 'parralel' }).message).toBe(
      'policy must be one of "timeslice", "parallel", "cooperative", but it is "parralel". Did you mean "parallel"?',
    );
    expect(failure({ policy: 'Cooperative' }).message).toMatch(/Did you mean "cooperative"\?$/);
    expect(failure({ policy: 'fifo' }).message).toBe('policy must be one of "timeslice", "parallel", "cooperative", but it is "fifo".');
    expect(failure({ policy: 3 }).message).toBe('policy must be one of "timeslice", "parallel", "cooperative", but it is 3.');
  });

  it('a tag that picks no variant reads like any other word list', () => {
    const e = failure({ tasks: [task('A', [{ kind: 'cpuu', ms: 1 }])] });
    expect(e.field).toBe('tasks[0].steps[0].kind');
    expect(e.message).toBe('tasks[0].steps[0].kind must be one of "cpu", "yield", but it is "cpuu". Did you mean "cpu"?');
    expect(failure({ tasks: [task('A', ['cpu'])] }).message).toBe('tasks[0].steps[0] must be an object with named settings, but it is "cpu".');
  });

  it('an unknown setting suggests the closest known one, or lists them, at any depth', () => {
    expect(failure({ core: 4 })).toMatchObject({ field: 'core', message: '"core" is not a setting this lab knows. Did you mean "cores"?' });
    expect(failure({ speed: 4 }).message).toBe('"speed" is not a setting this lab knows. Known settings: cores, policy, name, onTick, tasks.');
    expect(failure({ tasks: [{ id: 'A', step: [] }] })).toMatchObject({
      field: 'tasks[0].step',
      message: '"tasks[0].step" is not a setting this lab knows. Did you mean "steps"?',
    });
    // The variant picked by the tag decides which settings are known.
    expect(failure({ tasks: [task('A', [{ kind: 'yield', ms: 1 }])] }).message).toBe(
      '"tasks[0].steps[0].ms" is not a setting this lab knows. Known settings: kind.',
    );
  });

  it('an unknown setting is reported before other problems (a typo often causes them)', () => {
    expect(failure({ cores: 500, polcy: 'x' }).message).toMatch(/^"polcy" is not a setting.*Did you mean "policy"\?/);
  });

  it('checks across fields (superRefine + reject) are worded with the full, labelled field', () => {
    const label: ParseOptions['label'] = (field, path, input) =>
      path[0] === 'tasks' && path.length > 2 ? `${field} (task ${(input as { tasks: { id: string }[] }).tasks[path[1] as number].id})` : field;
    const e = failure({ tasks: [task('A', [{ kind: 'yield' }]), task('no', [{ kind: 'yield' }])] }, { label });
    expect(e.field).toBe('tasks[1].id');
    expect(e.message).toBe('tasks[1].id (task no) may not be "no"; pick another id.');
    expect(failure({ tasks: [task('A', [{ kind: 'cpu', ms: -1 }])] }, { label }).message).toMatch(/^tasks\[0\]\.steps\[0\]\.ms \(task A\) must be/);
  });

  it('`where` places the input inside something larger', () => {
    expect(failure({ cores: 0 }, { where: 'spawn spec' })).toMatchObject({ field: 'spawn spec.cores', message: expect.stringMatching(/^spawn spec\.cores must be/) });
    expect(failure(5, { where: 'spawn spec' }).message).toBe('spawn spec must be an object with named settings, but it is 5.');
  });

  it('a good input comes back with defaults filled, as a fresh copy', () => {
    const input = { tasks: [task('A', [{ kind: 'cpu', ms: 3 }])] };
    const out = parseConfig(schema, input);
    expect(out).toEqual({ cores: 4, policy: 'parallel', tasks: [{ id: 'A', steps: [{ kind: 'cpu', ms: 3 }] }] });
    expect(out.tasks).not.toBe(input.tasks);
    expect(out.tasks![0].steps[0]).not.toBe(input.tasks[0].steps[0]);
  });

  it('explained() words a schema of any kind', () => {
    const flag = settings({ on: explained(z.boolean(), 'true or false') });
    expect(() => parseConfig(flag, { on: 'yes' })).toThrow('on must be true or false, but it is "yes".');
    const even = settings({ n: explained(z.custom<number>((v) => typeof v === 'number' && v % 2 === 0), (field, v) => `${field} must be even; ${String(v)} is odd.`) });
    expect(() => parseConfig(even, { n: 3 })).toThrow('n must be even; 3 is odd.');
  });
});

describe('clamping uses the same rules as the schema', () => {
  const rules: [string, NumberRule][] = [
    ...Object.entries(SCHEDULER_LIMITS).map(([k, r]) => [`scheduler ${k}`, r] as [string, NumberRule]),
    ...Object.entries(DATAFLOW_LIMITS).map(([k, r]) => [`dataflow ${k}`, r] as [string, NumberRule]),
    ...Object.entries(ACTOR_LIMITS)
      .filter((e): e is [string, NumberRule] => typeof e[1] === 'object')
      .map(([k, r]) => [`actors ${k}`, r] as [string, NumberRule]),
  ];
  const probes = [-1e12, -3.7, -1, 0, 0.2, 0.5, 1, 1.5, 2.5, 63.6, 64, 65, 999.9, 1e5 + 0.4, 1e12];

  // An exclusive minimum on a fractional number has no nearest allowed value; no clamp helper uses one.
  const clampable = rules.filter(([, r]) => !(r.exclusiveMin && !r.integer));
  it('covers the settings the labs clamp', () => {
    expect(clampable.map(([n]) => n)).toEqual(expect.arrayContaining(['scheduler cores', 'dataflow parallelism', 'actors threads', 'actors seed']));
  });

  it.each(clampable)('%s: every clamped number passes the schema, and the schema agrees with obeys()', (_name, rule) => {
    const s = numberIn(rule);
    for (const v of probes) {
      expect(s.safeParse(v).success).toBe(obeys(v, rule));
      const clamped = nearestAllowed(v, rule);
      expect(s.safeParse(clamped).success).toBe(true);
      if (obeys(v, rule)) expect(clamped).toBe(v);
    }
    for (const bad of [Number.NaN, Infinity, -Infinity, '1', null]) {
      expect(s.safeParse(bad).success).toBe(false);
      expect(obeys(bad, rule)).toBe(false);
    }
  });
});
