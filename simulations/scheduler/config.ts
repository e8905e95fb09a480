/**
 * Scheduler config: defaults, limits, strict validation (for `simulate`) and friendly clamping
 * (for links and sliders).
 *
 * - `validateConfig` is strict: anything wrong throws a `ConfigError` whose message names the
 *   field ("cores must be a whole number from 1 to 64, but it is 200."). `simulate` calls it.
 * - `clampConfig` is lenient about numbers: out-of-range or non-whole values are pulled into
 *   range and each change is explained in a sentence a learner can read. It does not check
 *   `tasks` (simulate does) and drops keys it does not know (a lab's state may carry its own).
 */
import {
  ConfigError,
  checkArray,
  checkKnownKeys,
  checkNumber,
  checkObject,
  checkOneOf,
  checkString,
  describeValue,
  type NumberRule,
} from '../core/validate';
import type { Policy, SchedulerConfig, Step, TaskMix, TaskSpec } from './types';

export const POLICIES: readonly Policy[] = ['timeslice', 'parallel', 'cooperative'];
export const MIXES: readonly TaskMix[] = ['cpu', 'io', 'mixed'];

/** The numeric settings and their ranges. The widget clamps its controls with these. */
export type NumericField = 'cores' | 'quantum' | 'taskCount' | 'serialFraction' | 'jitter';

export interface FieldLimit extends NumberRule {
  /** Suggested slider step. */
  step: number;
  /** Unit for labels ('' when none). */
  unit: string;
}

export const LIMITS: Readonly<Record<NumericField, Readonly<FieldLimit>>> = {
  cores: { min: 1, max: 64, integer: true, step: 1, unit: '' },
  quantum: { min: 1, max: 1000, integer: false, step: 1, unit: 'ms' },
  taskCount: { min: 1, max: 10_000, integer: true, step: 1, unit: '' },
  /**
   * At most 0.95: the serial task's CPU is s / (1 - s) times the parallel work, so s = 1 would
   * be an infinitely long serial phase (or, with fixed total work, tasks with nothing to do).
   */
  serialFraction: { min: 0, max: 0.95, integer: false, step: 0.05, unit: '' },
  jitter: { min: 0, max: 1, integer: false, step: 0.05, unit: '' },
};

/** Limits for explicit `tasks`. */
export const TASK_LIMITS = {
  /** Most tasks in an explicit list. */
  maxTasks: 10_000,
  /** Most steps in one task. */
  maxSteps: 10_000,
  /** Longest single CPU burst or I/O wait, ms. */
  maxStepMs: 1_000_000,
  /** Latest arrival, ms. */
  maxArrival: 1_000_000,
  /** Longest task id. */
  maxIdLength: 12,
} as const;

export const DEFAULT_CONFIG: Readonly<SchedulerConfig> = Object.freeze({
  cores: 4,
  policy: 'parallel',
  quantum: 10,
  taskCount: 8,
  mix: 'cpu',
  serialFraction: 0.1,
  jitter: 0,
});

const CONFIG_KEYS: readonly (keyof SchedulerConfig)[] = [
  'cores',
  'policy',
  'quantum',
  'taskCount',
  'mix',
  'serialFraction',
  'jitter',
  'tasks',
];
const TASK_KEYS: readonly (keyof TaskSpec)[] = ['id', 'steps', 'arrival', 'after'];

/** Shortest readable form of a number for notes and messages (no 0.30000000000000004). */
export function formatNumber(v: number): string {
  return String(Number.parseFloat(v.toPrecision(12)));
}

/**
 * Strictly validates a (partial) config and fills missing settings from `DEFAULT_CONFIG`.
 * Returns a fresh object (tasks are copied, so later edits by the caller cannot change a run).
 * Throws `ConfigError` (an `Error`) with a message naming the field.
 */
export function validateConfig(input: unknown): SchedulerConfig {
  const raw = checkObject('config', input ?? {});
  checkKnownKeys('', raw, CONFIG_KEYS);
  const pick = <K extends keyof SchedulerConfig>(k: K): unknown => (raw[k] === undefined ? DEFAULT_CONFIG[k] : raw[k]);
  const config: SchedulerConfig = {
    cores: checkNumber('cores', pick('cores'), LIMITS.cores),
    policy: checkOneOf('policy', pick('policy'), POLICIES),
    quantum: checkNumber('quantum', pick('quantum'), LIMITS.quantum),
    taskCount: checkNumber('taskCount', pick('taskCount'), LIMITS.taskCount),
    mix: checkOneOf('mix', pick('mix'), MIXES),
    serialFraction: checkNumber('serialFraction', pick('serialFraction'), LIMITS.serialFraction),
    jitter: checkNumber('jitter', pick('jitter'), LIMITS.jitter),
  };
  if (raw.tasks !== undefined) config.tasks = validateTasks(raw.tasks);
  return config;
}

/** Validates an explicit task list; returns a deep copy. */
export function validateTasks(input: unknown): TaskSpec[] {
  const list = checkArray('tasks', input, 'a list of tasks');
  if (list.length === 0) throw new ConfigError('tasks', 'tasks must list at least one task, but the list is empty.');
  if (list.length > TASK_LIMITS.maxTasks) {
    throw new ConfigError('tasks', `tasks may list at most ${TASK_LIMITS.maxTasks} tasks, but it has ${list.length}.`);
  }
  const out: TaskSpec[] = [];
  const indexById = new Map<string, number>();
  list.forEach((item, i) => {
    const where = `tasks[${i}]`;
    const obj = checkObject(where, item);
    checkKnownKeys(where, obj, TASK_KEYS);
    const id = checkString(`${where}.id`, obj.id, TASK_LIMITS.maxIdLength);
    const seen = indexById.get(id);
    if (seen !== undefined) {
      throw new ConfigError(`${where}.id`, `${where}.id is "${id}", but tasks[${seen}] already uses that id; task ids must be unique.`);
    }
    indexById.set(id, i);
    const label = `${where} (task "${id}")`;
    const steps = checkArray(`${where}.steps`, obj.steps, 'a list of steps');
    if (steps.length === 0) {
      throw new ConfigError(`${where}.steps`, `${label}: steps must list at least one step, but the list is empty.`);
    }
    if (steps.length > TASK_LIMITS.maxSteps) {
      throw new ConfigError(`${where}.steps`, `${label}: steps may list at most ${TASK_LIMITS.maxSteps} steps, but it has ${steps.length}.`);
    }
    const outSteps: Step[] = steps.map((s, j) => validateStep(`${where}.steps[${j}]`, s, id));
    const spec: TaskSpec = { id, steps: outSteps };
    if (obj.arrival !== undefined) {
      spec.arrival = checkNumber(`${where}.arrival`, obj.arrival, { min: 0, max: TASK_LIMITS.maxArrival });
    }
    if (obj.after !== undefined) {
      const after = checkArray(`${where}.after`, obj.after, 'a list of task ids');
      spec.after = after.map((a, j) => checkString(`${where}.after[${j}]`, a, TASK_LIMITS.maxIdLength));
    }
    out.push(spec);
  });
  // References and cycles, once every id is known.
  out.forEach((spec, i) => {
    (spec.after ?? []).forEach((dep, j) => {
      if (!indexById.has(dep)) {
        throw new ConfigError(
          `tasks[${i}].after[${j}]`,
          `tasks[${i}].after[${j}] (task "${spec.id}") waits for "${dep}", but no task has that id.`,
        );
      }
      if (dep === spec.id) {
        throw new ConfigError(`tasks[${i}].after[${j}]`, `tasks[${i}].after[${j}]: task "${spec.id}" cannot wait for itself.`);
      }
    });
  });
  const cycle = findCycle(out, indexById);
  if (cycle) {
    const first = indexById.get(cycle[0]) as number;
    const chain = cycle.map((id, k) => `"${id}" waits for "${cycle[(k + 1) % cycle.length]}"`).join(', ');
    throw new ConfigError(`tasks[${first}].after`, `tasks[${first}].after: the tasks wait for each other in a circle (${chain}), so none could ever start.`);
  }
  return out;
}

function validateStep(field: string, input: unknown, taskId: string): Step {
  const obj = checkObject(field, input);
  const kind = checkOneOf(`${field}.kind`, obj.kind, ['cpu', 'io', 'yield'] as const);
  if (kind === 'yield') {
    checkKnownKeys(field, obj, ['kind']);
    return { kind };
  }
  checkKnownKeys(field, obj, ['kind', 'ms']);
  const ms = obj.ms;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0 || ms > TASK_LIMITS.maxStepMs) {
    const what = kind === 'cpu' ? 'a CPU burst' : 'an I/O wait';
    throw new ConfigError(
      `${field}.ms`,
      `${field}.ms (task "${taskId}", ${what}) must be a number of milliseconds greater than 0 and at most ${TASK_LIMITS.maxStepMs}, but it is ${describeValue(ms)}.`,
    );
  }
  return { kind, ms };
}

/** A dependency cycle as a list of ids (each waits for the next, the last for the first), or null. */
function findCycle(tasks: TaskSpec[], indexById: Map<string, number>): string[] | null {
  const state = new Uint8Array(tasks.length); // 0 new, 1 on stack, 2 done
  const stack: number[] = [];
  const pos = new Int32Array(tasks.length).fill(-1);
  for (let root = 0; root < tasks.length; root++) {
    if (state[root] !== 0) continue;
    // Iterative DFS: frames of (node, next dependency index).
    const frames: [number, number][] = [[root, 0]];
    state[root] = 1;
    pos[root] = stack.length;
    stack.push(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      const [node, k] = frame;
      const deps = tasks[node].after ?? [];
      if (k < deps.length) {
        frame[1] = k + 1;
        const next = indexById.get(deps[k]) as number;
        if (state[next] === 1) return stack.slice(pos[next]).map((x) => tasks[x].id);
        if (state[next] === 0) {
          state[next] = 1;
          pos[next] = stack.length;
          stack.push(next);
          frames.push([next, 0]);
        }
      } else {
        state[node] = 2;
        stack.pop();
        frames.pop();
      }
    }
  }
  return null;
}

export interface ClampResult {
  config: SchedulerConfig;
  /** One learner-readable sentence per setting that was changed. */
  notes: string[];
}

/**
 * Friendly path for settings from links and sliders: fills defaults, pulls numbers into
 * `LIMITS` (rounding where a whole number is needed), replaces unknown words with the default,
 * and explains every change, e.g. "cores was 200; the lab allows 1–64, so it uses 64."
 * `tasks` is passed through untouched (use `simulate`/`validateConfig` to check it); keys that
 * are not config settings are dropped without a note.
 */
export function clampConfig(input: Partial<SchedulerConfig> | Record<string, unknown> | null | undefined): ClampResult {
  const raw = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const notes: string[] = [];
  const num = (field: NumericField): number => {
    const lim = LIMITS[field];
    const fallback = DEFAULT_CONFIG[field];
    const v = raw[field];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      notes.push(`${field} was ${describeValue(v)}, which is not a usable number, so the lab uses the default, ${formatNumber(fallback)}.`);
      return fallback;
    }
    let out = v;
    const reasons: string[] = [];
    if (lim.integer && !Number.isInteger(out)) {
      out = Math.round(out);
      reasons.push('needs a whole number');
    }
    if (out < lim.min || out > lim.max) {
      out = Math.min(lim.max, Math.max(lim.min, out));
      reasons.push(`allows ${formatNumber(lim.min)}–${formatNumber(lim.max)}`);
    }
    if (reasons.length > 0) {
      notes.push(`${field} was ${formatNumber(v)}; the lab ${reasons.join(' and ')}, so it uses ${formatNumber(out)}.`);
    }
    return out;
  };
  const word = <T extends string>(field: 'policy' | 'mix', options: readonly T[]): T => {
    const fallback = DEFAULT_CONFIG[field] as T;
    const v = raw[field];
    if (v === undefined) return fallback;
    if (typeof v === 'string' && (options as readonly string[]).includes(v)) return v as T;
    notes.push(
      `${field} was ${describeValue(v)}, which this lab does not know (it knows ${options.map((o) => `"${o}"`).join(', ')}), so it uses "${fallback}".`,
    );
    return fallback;
  };
  const config: SchedulerConfig = {
    cores: num('cores'),
    policy: word('policy', POLICIES),
    quantum: num('quantum'),
    taskCount: num('taskCount'),
    mix: word('mix', MIXES),
    serialFraction: num('serialFraction'),
    jitter: num('jitter'),
  };
  if (raw.tasks !== undefined) config.tasks = raw.tasks as TaskSpec[];
  return { config, notes };
}
