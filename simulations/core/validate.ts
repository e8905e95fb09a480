/**
 * Readable config errors, hand-written (zod is not a direct dependency of this project, and
 * engines should not depend on Astro's copy).
 *
 * Every check throws a `ConfigError` whose message names the field the way a learner would
 * write it (`cores`, `tasks[2].steps[0].ms`) and says what was expected and what was found:
 *   "cores must be a whole number from 1 to 64, but it is 200."
 */

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

function rangeText(rule: NumberRule): string {
  const kind = rule.integer ? 'a whole number' : 'a number';
  if (rule.max === Infinity) return rule.exclusiveMin ? `${kind} greater than ${rule.min}` : `${kind} of at least ${rule.min}`;
  if (rule.exclusiveMin) return `${kind} greater than ${rule.min} and at most ${rule.max}`;
  return `${kind} from ${rule.min} to ${rule.max}`;
}

/** Returns `value` if it is a finite number obeying `rule`, else throws naming `field`. */
export function checkNumber(field: string, value: unknown, rule: NumberRule): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.exclusiveMin ? value > rule.min : value >= rule.min) &&
    value <= rule.max;
  if (!ok) throw new ConfigError(field, `${field} must be ${rangeText(rule)}, but it is ${describeValue(value)}.`);
  return value as number;
}

/** Returns `value` if it is one of `options`, else throws naming `field` and listing the options. */
export function checkOneOf<T extends string>(field: string, value: unknown, options: readonly T[]): T {
  if (typeof value !== 'string' || !(options as readonly string[]).includes(value)) {
    const list = options.map((o) => `"${o}"`).join(', ');
    throw new ConfigError(field, `${field} must be one of ${list}, but it is ${describeValue(value)}.`);
  }
  return value as T;
}

/** Returns `value` if it is a non-empty string (after trimming), else throws naming `field`. */
export function checkString(field: string, value: unknown, maxLength = 40): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > maxLength) {
    throw new ConfigError(
      field,
      `${field} must be a non-empty piece of text of at most ${maxLength} characters, but it is ${describeValue(value)}.`,
    );
  }
  return value;
}

/** Returns `value` if it is an array, else throws naming `field`. */
export function checkArray(field: string, value: unknown, what = 'a list'): unknown[] {
  if (!Array.isArray(value)) throw new ConfigError(field, `${field} must be ${what}, but it is ${describeValue(value)}.`);
  return value;
}

/** Returns `value` if it is a plain object, else throws naming `field`. */
export function checkObject(field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(field, `${field} must be an object with named settings, but it is ${describeValue(value)}.`);
  }
  return value as Record<string, unknown>;
}

/** Throws for keys of `obj` not in `known`, suggesting the closest known key when it is close. */
export function checkKnownKeys(where: string, obj: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const near = closest(key, known);
    const field = where ? `${where}.${key}` : key;
    const hint = near ? ` Did you mean "${near}"?` : ` Known settings: ${known.join(', ')}.`;
    throw new ConfigError(field, `"${field}" is not a setting this lab knows.${hint}`);
  }
}

function closest(word: string, options: readonly string[]): string | undefined {
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
