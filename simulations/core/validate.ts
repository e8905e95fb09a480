/**
 * Engine configs are zod/mini schemas; this file turns zod's issues into readable config errors.
 *
 * One style for every engine: a config's shape, ranges and word lists live in a schema built from
 * the helpers below (`numberIn`, `oneOf`, `text`, `listOf`, `settings`, `func`, `explained`), and
 * `parseConfig` runs it. Every failure throws a `ConfigError` whose message names the field the way
 * a learner would write it (`cores`, `tasks[2].steps[0].ms`), says what was expected and what was
 * found, and suggests the closest word for a typo:
 *   "cores must be a whole number from 1 to 64, but it is 200."
 *   "policy must be one of "timeslice", "parallel", "cooperative", but it is "parralel". Did you mean "parallel"?"
 *   ""core" is not a setting this lab knows. Did you mean "cores"?"
 *
 * How a schema says what a field must be: each helper records a phrase ("a whole number from 1 to
 * 64") or a sentence writer for the schema and its checks; zod hands the failing schema or check
 * to the error map below (as `iss.inst`, or `iss.schema` for a check), which looks it up, also
 * through `_zod.parent` since `.check(...)` returns a copy. Checks that relate several fields are
 * `z.superRefine` checks: nested ones call `reject` (worded once the full path is known); ones on
 * the whole config (unique ids, graph cycles) add a `custom` issue with the finished sentence.
 *
 * The engine configs build their schemas from their own LIMITS/DEFAULTS constants, and the lab
 * clamps (`clampConfig`, `clampSettings`) pull numbers in with `nearestAllowed` on the same rules.
 */
import * as z from 'zod/mini';

export class ConfigError extends Error {
  /** Path of the offending field, e.g. `cores` or `tasks[1].after[0]`. */
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.name = 'ConfigError';
    this.field = field;
  }
}

/** Short, learner-readable rendering of a bad value for an error message. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN (not a number)' : String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 39) + '…' : v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

export interface NumberRule {
  min: number;
  max: number;
  /** Whole numbers only. */
  integer?: boolean;
  /** Exclude `min` itself (e.g. durations must be > 0). */
  exclusiveMin?: boolean;
}

/** "a whole number from 1 to 64", "a number greater than 0 and at most 10", ... */
export function rangeText(rule: NumberRule, kind = rule.integer ? 'a whole number' : 'a number'): string {
  if (rule.max === Infinity) return rule.exclusiveMin ? `${kind} greater than ${rule.min}` : `${kind} of at least ${rule.min}`;
  if (rule.exclusiveMin) return `${kind} greater than ${rule.min} and at most ${rule.max}`;
  return `${kind} from ${rule.min} to ${rule.max}`;
}

/** Is `v` a finite number obeying `rule`? (The same test the schema of `numberIn(rule)` makes.) */
export function obeys(v: unknown, rule: NumberRule): v is number {
  return (
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (!rule.integer || Number.isInteger(v)) &&
    (rule.exclusiveMin ? v > rule.min : v >= rule.min) &&
    v <= rule.max
  );
}

/**
 * The nearest number `rule` allows: rounded when it needs a whole number, then pulled into range.
 * Not for NaN or infinities (callers fall back to a default). An exclusive minimum clamps to the
 * minimum itself only for whole numbers (min + 1); otherwise callers should not use one here.
 */
export function nearestAllowed(v: number, rule: NumberRule): number {
  let out = rule.integer ? Math.round(v) : v;
  const low = rule.exclusiveMin && rule.integer ? rule.min + 1 : rule.min;
  if (out < low) out = low;
  if (out > rule.max) out = rule.max;
  return out;
}

// ---------------------------------------------------------------------------------------------
// What each schema tells the learner

/** A field's "must be …" phrase, or a writer of the whole sentence (given the field as shown and the value found). */
export type Explain = string | ((field: string, value: unknown) => string);

const EXPLAIN = new WeakMap<object, Explain>();

/** Records how a failure of `schema` (or of any of its checks) is explained; returns `schema`. */
export function explained<T extends z.ZodMiniType>(schema: T, how: Explain): T {
  EXPLAIN.set(schema, how);
  for (const check of schema._zod.def.checks ?? []) EXPLAIN.set(check, how);
  return schema;
}

/** A number obeying `rule`: "cores must be a whole number from 1 to 64, but it is 200." */
export function numberIn(rule: NumberRule, phrase = rangeText(rule)): z.ZodMiniNumber<number> {
  const checks = [rule.exclusiveMin ? z.gt(rule.min) : z.gte(rule.min), z.lte(rule.max)];
  const base = rule.integer ? z.int() : z.number();
  return explained(base.check(...checks), phrase);
}

/** One of `options`; a near miss gets "Did you mean …?". */
export function oneOf<const T extends readonly string[]>(options: T) {
  return z.enum(options);
}

/** Non-empty text (not only spaces) of at most `maxLength` characters, optionally matching `pattern`. */
export function text(maxLength: number, phrase = `a non-empty piece of text of at most ${maxLength} characters`, pattern?: RegExp): z.ZodMiniString<string> {
  const checks: z.core.$ZodCheck<string>[] = [z.maxLength(maxLength), z.refine<string>((s) => s.trim() !== '')];
  if (pattern) checks.push(z.regex(pattern));
  return explained(z.string().check(...checks), phrase);
}

export interface ListRule {
  /** "a list of tasks" */
  what: string;
  /** Singular and plural noun for length messages: ['task', 'tasks']. */
  noun: readonly [string, string];
  min?: number;
  max?: number;
  /** What "at least" means in words, when `min` > 1 ("a source and a sink"). */
  fewest?: string;
}

/**
 * A list of `item`s: "tasks must be a list of tasks, but it is "A".", "tasks must list at least one
 * task, but the list is empty.", "tasks may list at most 10000 tasks, but it has 10001."
 */
export function listOf<T extends z.ZodMiniType>(item: T, rule: ListRule): z.ZodMiniArray<T> {
  const [one, many] = rule.noun;
  const checks = [];
  if (rule.min !== undefined) {
    const min = rule.min;
    const fewest = rule.fewest ?? (min === 1 ? `one ${one}` : `${min} ${many}`);
    checks.push(
      explainCheck(z.minLength(min), (field, v) => `${field} must list at least ${fewest}, but ${lengthOf(v) === 0 ? 'the list is empty' : `it has ${lengthOf(v)}`}.`),
    );
  }
  if (rule.max !== undefined) {
    const max = rule.max;
    checks.push(explainCheck(z.maxLength(max), (field, v) => `${field} may list at most ${max} ${many}, but it has ${lengthOf(v)}.`));
  }
  const schema = z.array(item).check(...checks);
  EXPLAIN.set(schema, rule.what);
  return schema;
}

function explainCheck<T extends object>(check: T, how: Explain): T {
  EXPLAIN.set(check, how);
  return check;
}

function lengthOf(v: unknown): number {
  return Array.isArray(v) ? v.length : 0;
}

/** An object with exactly these settings; an unknown key gets "Did you mean …?" or the known ones. */
export function settings<T extends z.core.$ZodLooseShape>(shape: T) {
  return explained(z.strictObject(shape), 'an object with named settings');
}

/** A function, kept as it is: "receive must be a function receive(message, ctx), but it is missing." */
export function func<F extends (...args: never[]) => unknown>(phrase: string) {
  return explained(z.custom<F>((v) => typeof v === 'function'), phrase);
}

// ---------------------------------------------------------------------------------------------
// Running a schema

export interface ParseOptions {
  /**
   * Where the input sits, as the learner writes it: '' (default) for a whole config, whose fields
   * are then `cores`, `tasks[0].id`, ...; or e.g. 'spawn spec' for `spawn spec.receive`.
   */
  where?: string;
  /**
   * How a field is shown in a message, e.g. with the task it belongs to:
   * `tasks[0].steps[1].ms (task "A", an I/O wait)`. Gets the plain path and the raw input.
   */
  label?: (field: string, path: readonly PropertyKey[], input: unknown) => string;
}

/** `tasks[2].steps[0].ms` for ['tasks', 2, 'steps', 0, 'ms'] (after `where`, if any). */
export function fieldPath(path: readonly PropertyKey[], where = ''): string {
  let out = where;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? 'config' : out;
}

type RawIssue = z.core.$ZodRawIssue & {
  inst?: object;
  schema?: object;
  path?: PropertyKey[];
  keys?: string[];
  values?: unknown[];
  discriminator?: unknown;
  options?: unknown[];
};

/**
 * Parses `input` with `schema`; returns the parsed value (defaults filled, a fresh copy) or throws
 * a `ConfigError` for the most useful problem: an unknown setting first (a typo often explains
 * the rest), else the first problem zod found.
 */
export function parseConfig<S extends z.ZodMiniType>(schema: S, input: unknown, options: ParseOptions = {}): z.output<S> {
  const { where = '', label } = options;
  const show = (path: readonly PropertyKey[]): string => {
    const plain = fieldPath(path, where);
    return label ? label(plain, path, input) : plain;
  };
  const result = z.safeParse(schema, input, {
    error: (iss) => learnerMessage(iss as RawIssue, show, where),
  });
  if (result.success) return result.data;
  const issues = result.error.issues;
  const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0];
  let path = issue.path;
  if (issue.code === 'unrecognized_keys') path = [...path, issue.keys[0]];
  throw new ConfigError(fieldPath(path, where), issue.message);
}

function learnerMessage(iss: RawIssue, show: (path: readonly PropertyKey[]) => string, where: string): string {
  const path = iss.path ?? [];
  const value = iss.input;
  if (iss.code === 'unrecognized_keys') {
    const key = (iss.keys ?? [])[0];
    const field = fieldPath([...path, key], where);
    const known = Object.keys((iss.inst as z.ZodMiniObject)?._zod.def.shape ?? {});
    const near = closest(key, known);
    const hint = near ? ` Did you mean "${near}"?` : ` Known settings: ${known.join(', ')}.`;
    return `"${field}" is not a setting this lab knows.${hint}`;
  }
  const field = show(path);
  if (iss.code === 'invalid_value' && iss.values?.every((o) => typeof o === 'string')) {
    return mustBeOneOf(field, value, iss.values as string[]);
  }
  // A discriminated union (z.discriminatedUnion) whose tag matches no variant: the path ends at the tag.
  if (iss.code === 'invalid_union' && typeof iss.discriminator === 'string' && Array.isArray(iss.options)) {
    const tag = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[iss.discriminator] : undefined;
    return mustBeOneOf(field, tag, iss.options.map(String));
  }
  const how = (iss.code === 'custom' ? (iss.params?.explain as Explain | undefined) : undefined) ?? explanationOf(iss.inst) ?? explanationOf(iss.schema);
  if (typeof how === 'function') return how(field, value);
  const phrase = how ?? (iss.code === 'invalid_type' && iss.expected === 'object' ? 'an object with named settings' : 'something else');
  return `${field} must be ${phrase}, but it is ${describeValue(value)}.`;
}

/** The explanation recorded for a schema or check, or for the schema it was derived from by `.check(...)`. */
function explanationOf(thing: object | undefined): Explain | undefined {
  for (let x = thing as { _zod?: { parent?: object } } | undefined; x; x = x._zod?.parent) {
    const how = EXPLAIN.get(x);
    if (how !== undefined) return how;
  }
  return undefined;
}

/** "mix must be one of "cpu", "io", "mixed", but it is "CPU". Did you mean "cpu"?" */
export function mustBeOneOf(field: string, value: unknown, options: readonly string[]): string {
  const near = typeof value === 'string' ? closest(value, options) : undefined;
  const list = options.map((o) => `"${o}"`).join(', ');
  return `${field} must be one of ${list}, but it is ${describeValue(value)}.${near ? ` Did you mean "${near}"?` : ''}`;
}

/**
 * Inside a `z.superRefine` check: reports `value` at `path` (relative to the checked value). The
 * sentence is written once the field's full path is known: `how` is a "must be …" phrase or a
 * writer given the field as shown ("operators[0].burst (operator "s")") and the value.
 */
export function reject<T>(ctx: z.core.$RefinementCtx<T>, path: PropertyKey[], how: Explain, value?: unknown): void {
  ctx.addIssue({ code: 'custom', path, input: value, params: { explain: how } });
}

/** The closest of `options` to `word`, if it is close enough to be a likely typo. */
export function closest(word: string, options: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const o of options) {
    const d = editDistance(word.toLowerCase(), o.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = o;
    }
  }
  return bestD <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}
