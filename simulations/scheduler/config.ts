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
import * as z from 'zod/mini';
import {
  describeValue,
  listOf,
  nearestAllowed,
  numberIn,
  oneOf,
  parseConfig,
  rangeText,
  settings,
  text,
  type NumberRule,
} from '../core/validate';
import type { Policy, SchedulerConfig, TaskMix, TaskSpec } from './types';

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

/** Shortest readable form of a number for notes and messages (no 0.30000000000000004). */
export function formatNumber(v: number): string {
  return String(Number.parseFloat(v.toPrecision(12)));
}

const STEP_MS: NumberRule = { min: 0, max: TASK_LIMITS.maxStepMs, exclusiveMin: true };
const stepMs = numberIn(STEP_MS, rangeText(STEP_MS, 'a number of milliseconds'));

const stepSchema = z.discriminatedUnion('kind', [
  settings({ kind: z.literal('cpu'), ms: stepMs }),
  settings({ kind: z.literal('io'), ms: stepMs }),
  settings({ kind: z.literal('yield') }),
]);

const taskId = text(TASK_LIMITS.maxIdLength);

const taskSchema = settings({
  id: taskId,
  steps: listOf(stepSchema, { what: 'a list of steps', noun: ['step', 'steps'], min: 1, max: TASK_LIMITS.maxSteps }),
  arrival: z.optional(numberIn({ min: 0, max: TASK_LIMITS.maxArrival })),
  after: z.optional(listOf(taskId, { what: 'a list of task ids', noun: ['id', 'ids'] })),
});

/** The scheduler's config, the source of truth for its shape; `LIMITS` and the word lists give its ranges. */
export const configSchema = settings({
  cores: z._default(numberIn(LIMITS.cores), DEFAULT_CONFIG.cores),
  policy: z._default(oneOf(POLICIES), DEFAULT_CONFIG.policy),
  quantum: z._default(numberIn(LIMITS.quantum), DEFAULT_CONFIG.quantum),
  taskCount: z._default(numberIn(LIMITS.taskCount), DEFAULT_CONFIG.taskCount),
  mix: z._default(oneOf(MIXES), DEFAULT_CONFIG.mix),
  serialFraction: z._default(numberIn(LIMITS.serialFraction), DEFAULT_CONFIG.serialFraction),
  jitter: z._default(numberIn(LIMITS.jitter), DEFAULT_CONFIG.jitter),
  tasks: z.optional(
    listOf(taskSchema, { what: 'a list of tasks', noun: ['task', 'tasks'], min: 1, max: TASK_LIMITS.maxTasks }).check(
      z.superRefine((tasks, ctx) => {
        const problem = dependencyProblem(tasks);
        if (problem) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message, input: tasks });
      }),
    ),
  ),
});

/** Adds the task a field belongs to: `tasks[0].steps[1].ms (task "A", an I/O wait)`. */
function taskLabel(field: string, path: readonly PropertyKey[], input: unknown): string {
  if (path[0] !== 'tasks' || typeof path[1] !== 'number' || path.length < 3 || path[2] === 'id') return field;
  const task = (input as { tasks: unknown[] }).tasks[path[1]] as Record<string, unknown>;
  if (typeof task.id !== 'string') return field;
  if (path[2] === 'steps' && path[4] === 'ms' && Array.isArray(task.steps)) {
    const kind = (task.steps[path[3] as number] as { kind?: unknown }).kind;
    return `${field} (task "${task.id}", ${kind === 'cpu' ? 'a CPU burst' : 'an I/O wait'})`;
  }
  return `${field} (task "${task.id}")`;
}

/**
 * Strictly validates a (partial) config and fills missing settings from `DEFAULT_CONFIG`.
 * Returns a fresh object (tasks are copied, so later edits by the caller cannot change a run).
 * Throws `ConfigError` (an `Error`) with a message naming the field.
 */
export function validateConfig(input: unknown): SchedulerConfig {
  return parseConfig(configSchema, input ?? {}, { label: taskLabel });
}

/** Duplicate ids, waits for unknown or own ids, and waiting circles, with the field to blame (relative to `tasks`). */
function dependencyProblem(tasks: readonly TaskSpec[]): { path: PropertyKey[]; message: string } | null {
  const indexById = new Map<string, number>();
  for (let i = 0; i < tasks.length; i++) {
    const id = tasks[i].id;
    const seen = indexById.get(id);
    if (seen !== undefined) {
      return { path: [i, 'id'], message: `tasks[${i}].id is "${id}", but tasks[${seen}] already uses that id; task ids must be unique.` };
    }
    indexById.set(id, i);
  }
  for (let i = 0; i < tasks.length; i++) {
    const spec = tasks[i];
    const after = spec.after ?? [];
    for (let j = 0; j < after.length; j++) {
      const dep = after[j];
      if (!indexById.has(dep)) {
        return { path: [i, 'after', j], message: `tasks[${i}].after[${j}] (task "${spec.id}") waits for "${dep}", but no task has that id.` };
      }
      if (dep === spec.id) return { path: [i, 'after', j], message: `tasks[${i}].after[${j}]: task "${spec.id}" cannot wait for itself.` };
    }
  }
  const cycle = findCycle(tasks, indexById);
  if (cycle) {
    const first = indexById.get(cycle[0]) as number;
    const chain = cycle.map((id, k) => `"${id}" waits for "${cycle[(k + 1) % cycle.length]}"`).join(', ');
    return { path: [first, 'after'], message: `tasks[${first}].after: the tasks wait for each other in a circle (${chain}), so none could ever start.` };
  }
  return null;
}

/** A dependency cycle as a list of ids (each waits for the next, the last for the first), or null. */
function findCycle(tasks: readonly TaskSpec[], indexById: Map<string, number>): string[] | null {
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
    const out = nearestAllowed(v, lim);
    const reasons: string[] = [];
    const rounded = lim.integer ? Math.round(v) : v;
    if (rounded !== v) reasons.push('needs a whole number');
    if (rounded !== out) reasons.push(`allows ${formatNumber(lim.min)}–${formatNumber(lim.max)}`);
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
