/**
 * The sync/async lab's pure side: the exercises as the lab shows them, the controls and their
 * ranges (clamped with a note), the check of the learner's handler before it
 * runs, and the results: what each variant measured, reduced to what the charts, the table, the
 * reading and a link need.
 *
 * Nothing here measures or decides anything: every figure comes from the exercise CLI's summary
 * and request lines (content/exercises/_runtime/stats.js), run by a runner (src/runners). The
 * reading (readResults) only puts those figures into sentences.
 */
import type { RunnerKind, RunSummary, Variant } from '#runners/runner';
import type { VariantOutcome, OutcomeStatus } from '#runners/compare';
import { formatMs, formatRate, formatRatio } from '#sim/core/format';
import { percentileSorted } from '#sim/core/stats';

/* ------------------------------------------------------------------------------------------ */
/* Exercises                                                                                  */
/* ------------------------------------------------------------------------------------------ */

interface Range {
  default: number;
  min: number;
  max: number;
}

export interface ExerciseInfo {
  slug: string;
  title: string;
  kind: 'io' | 'cpu' | 'mixed';
  description: string;
  variants: Variant[];
  parameters: Record<string, Range>;
  try: string[];
  starter: string;
  solution: string;
}

const META = import.meta.glob<Omit<ExerciseInfo, 'starter' | 'solution'>>('../../../content/exercises/*/exercise.json', {
  eager: true,
  import: 'default',
});
const SOURCES = import.meta.glob<string>('../../../content/exercises/*/handler.{starter,solution}.js', {
  eager: true,
  query: '?raw',
  import: 'default',
});

const slugOf = (path: string) => path.split('/').at(-2) ?? '';
const ORDER = ['io-db', 'cpu-hash', 'mixed-downstream'];
/** Position in the lab's menu: the known order, then any new exercise by name. */
const rank = (slug: string) => (ORDER.includes(slug) ? ORDER.indexOf(slug) : ORDER.length);

export const EXERCISES: ExerciseInfo[] = Object.entries(META)
  .map(([path, meta]) => {
    const slug = slugOf(path);
    const source = (which: string) => SOURCES[`../../../content/exercises/${slug}/handler.${which}.js`] ?? '';
    return { ...meta, slug, starter: source('starter'), solution: source('solution') };
  })
  .sort((a, b) => rank(a.slug) - rank(b.slug) || a.slug.localeCompare(b.slug));

export const EXERCISE_SLUGS = EXERCISES.map((e) => e.slug);

export function findExercise(slug: string | undefined): ExerciseInfo | undefined {
  return EXERCISES.find((e) => e.slug === slug);
}

/** The exercise or a readable error (a lesson with a typo in `preset` fails its build). */
export function getExercise(slug: string): ExerciseInfo {
  const found = findExercise(slug);
  if (!found) throw new Error(`SyncAsyncLab: no exercise "${slug}" (there are: ${EXERCISE_SLUGS.join(', ')}).`);
  return found;
}

export const VARIANT_ORDER: readonly Variant[] = ['sync', 'async', 'sync-batch', 'parallel'];

export const VARIANT_TITLES: Record<Variant, string> = {
  sync: 'sync',
  async: 'async',
  'sync-batch': 'sync + batching',
  parallel: 'parallel pool',
};

export const VARIANT_BLURBS: Record<Variant, string> = {
  sync: 'one request at a time; I/O blocks the thread',
  async: 'I/O is a promise; many requests in flight on one thread',
  'sync-batch': 'one blocking call serves a group of queued requests',
  parallel: 'a pool of threads, each a sync server',
};

/* ------------------------------------------------------------------------------------------ */
/* Controls                                                                                   */
/* ------------------------------------------------------------------------------------------ */

export interface ControlDef {
  name: string;
  label: string;
  unit: string;
  integer: boolean;
  step: number;
  /** Shown under the field. */
  hint: string;
}

/** Every control the lab can show, in order; an exercise shows those its exercise.json declares. */
export const CONTROLS: readonly ControlDef[] = [
  { name: 'clients', label: 'Concurrent clients', unit: '', integer: true, step: 1, hint: 'each waits for its answer, then sends again' },
  { name: 'requests', label: 'Requests', unit: '', integer: true, step: 10, hint: 'in each variant’s run' },
  { name: 'ioMs', label: 'I/O time', unit: 'ms', integer: false, step: 1, hint: 'one database or downstream call' },
  { name: 'cpuMs', label: 'CPU time', unit: 'ms', integer: false, step: 1, hint: 'one ctx.cpu.hash() call' },
  { name: 'batch', label: 'Batch size', unit: '', integer: true, step: 1, hint: 'sync + batching: requests per group' },
  { name: 'pool', label: 'Pool size', unit: 'threads', integer: true, step: 1, hint: 'parallel: worker threads' },
  { name: 'limit', label: 'Downstream limit', unit: 'calls', integer: true, step: 1, hint: 'calls at once; 0 = no limit' },
  { name: 'dbLimit', label: 'Database limit', unit: 'calls', integer: true, step: 1, hint: 'connections; 0 = no limit' },
];

/** Where the lab's defaults differ from the exercise's own: shorter runs, so a first Run takes seconds. */
const LAB_DEFAULTS: Record<string, number> = { requests: 100 };

export const BUDGET_S = { default: 30, min: 2, max: 120 } as const;

export function controlsFor(exercise: ExerciseInfo): ControlDef[] {
  return CONTROLS.filter((c) => c.name in exercise.parameters);
}

export interface LabConfig {
  /** The exercise slug (the lab's preset). */
  preset: string;
  variants: Variant[];
  /** Values of controlsFor(exercise), by name. */
  params: Record<string, number>;
  /** Wall-time budget of one variant, seconds. */
  budgetS: number;
}

export function defaultConfig(slug: string, variants?: readonly Variant[]): LabConfig {
  const exercise = getExercise(slug);
  const params: Record<string, number> = {};
  for (const c of controlsFor(exercise)) params[c.name] = LAB_DEFAULTS[c.name] ?? exercise.parameters[c.name].default;
  const allowed = VARIANT_ORDER.filter((v) => exercise.variants.includes(v));
  return {
    preset: slug,
    variants: variants ? allowed.filter((v) => variants.includes(v)) : allowed,
    params,
    budgetS: BUDGET_S.default,
  };
}

const fmtNum = (n: number) => String(Number.parseFloat(n.toPrecision(6)));

/** One control's value pulled into its range (and to a whole number where it must be one). */
export function clampValue(exercise: ExerciseInfo, name: string, value: number): { value: number; note: string | null } {
  const def = CONTROLS.find((c) => c.name === name);
  const range = exercise.parameters[name];
  if (!def || !range) return { value, note: null };
  if (!Number.isFinite(value)) return { value: range.default, note: `${def.label}: not a number; using ${fmtNum(range.default)}.` };
  let v = value;
  const notes: string[] = [];
  if (def.integer && !Number.isInteger(v)) {
    v = Math.round(v);
    notes.push(`rounded to ${fmtNum(v)}`);
  }
  if (v < range.min) {
    v = range.min;
    notes.push(`${fmtNum(value)} is below the least this exercise allows; using ${fmtNum(v)}`);
  } else if (v > range.max) {
    v = range.max;
    notes.push(`${fmtNum(value)} is above the most this exercise allows; using ${fmtNum(v)}`);
  }
  return { value: v, note: notes.length ? `${def.label}: ${notes.join('; ')}.` : null };
}

/** The config with every value in range, and one note per change. */
export function clampConfig(config: LabConfig): { value: LabConfig; notes: string[] } {
  const exercise = findExercise(config.preset) ?? EXERCISES[0];
  const base = defaultConfig(exercise.slug);
  const notes: string[] = [];
  const params: Record<string, number> = {};
  for (const c of controlsFor(exercise)) {
    const given = config.params[c.name];
    if (given === undefined) {
      params[c.name] = base.params[c.name];
      continue;
    }
    const r = clampValue(exercise, c.name, given);
    params[c.name] = r.value;
    if (r.note) notes.push(r.note);
  }
  let budgetS = config.budgetS;
  if (!Number.isFinite(budgetS)) budgetS = BUDGET_S.default;
  if (budgetS < BUDGET_S.min || budgetS > BUDGET_S.max) {
    const clamped = Math.min(BUDGET_S.max, Math.max(BUDGET_S.min, budgetS));
    notes.push(`Time budget: ${fmtNum(budgetS)} s is outside ${BUDGET_S.min}–${BUDGET_S.max} s; using ${clamped} s.`);
    budgetS = clamped;
  }
  const variants = VARIANT_ORDER.filter((v) => exercise.variants.includes(v) && config.variants.includes(v));
  return { value: { preset: exercise.slug, variants, params, budgetS }, notes };
}

/* ------------------------------------------------------------------------------------------ */
/* URL                                                                                        */
/* ------------------------------------------------------------------------------------------ */

/** Longest handler a link may carry (characters, after inflating). */
export const MAX_CODE = 20_000;

/** `v=sync,async`: a list of known variants, at least one, no repeats. */
export const variantList = (s: string): Variant[] | undefined => {
  const parts = s.split(',').filter(Boolean);
  if (parts.length === 0 || parts.some((p) => !VARIANT_ORDER.includes(p as Variant)) || new Set(parts).size !== parts.length) return undefined;
  return parts as Variant[];
};

/* ------------------------------------------------------------------------------------------ */
/* Checking the handler before it runs                                                        */
/* ------------------------------------------------------------------------------------------ */

export type HandlerCheck = { ok: true } | { ok: false; message: string; line: number; column: number };

interface AcornNode {
  type: string;
  start: number;
  loc?: { start: { line: number; column: number } };
  [key: string]: unknown;
}

function firstNode(node: unknown, match: (n: AcornNode) => boolean): AcornNode | null {
  if (!node || typeof node !== 'object') return null;
  if (Array.isArray(node)) {
    for (const child of node) {
      const found = firstNode(child, match);
      if (found) return found;
    }
    return null;
  }
  const n = node as AcornNode;
  if (typeof n.type === 'string' && match(n)) return n;
  for (const key of Object.keys(n)) {
    if (key === 'loc' || key === 'type') continue;
    const found = firstNode(n[key], match);
    if (found) return found;
  }
  return null;
}

/**
 * Parses the handler module (acorn, loaded on first use) and checks what a run needs: no syntax
 * error, an exported `handle` function (or a default export), and no imports (a handler here gets
 * everything through `ctx`; an import would reach for the network). Lines and columns are 1-based.
 */
export async function checkHandler(source: string, exportName = 'handle'): Promise<HandlerCheck> {
  const { parse } = await import('acorn');
  let program: AcornNode;
  try {
    program = parse(source, { ecmaVersion: 'latest', sourceType: 'module', locations: true }) as unknown as AcornNode;
  } catch (error) {
    const e = error as { message?: string; loc?: { line: number; column: number } };
    const message = (e.message ?? String(error)).replace(/\s*\(\d+:\d+\)$/, '');
    return { ok: false, message: `SyntaxError: ${message}`, line: e.loc?.line ?? 1, column: (e.loc?.column ?? 0) + 1 };
  }
  const at = (n: AcornNode) => ({ line: n.loc?.start.line ?? 1, column: (n.loc?.start.column ?? 0) + 1 });
  const imported = firstNode(program, (n) => n.type === 'ImportDeclaration' || n.type === 'ImportExpression');
  if (imported) {
    return { ok: false, message: 'Handlers cannot import modules here: ctx gives you the database, the CPU work and the downstream.', ...at(imported) };
  }
  const body = (program as unknown as { body: AcornNode[] }).body;
  const exported = body.some((n) => {
    if (n.type === 'ExportDefaultDeclaration') return true;
    if (n.type !== 'ExportNamedDeclaration') return false;
    const decl = n.declaration as AcornNode | null;
    if (decl?.type === 'FunctionDeclaration') return (decl.id as { name: string }).name === exportName;
    if (decl?.type === 'VariableDeclaration') {
      return (decl.declarations as { id: { type: string; name?: string } }[]).some((d) => d.id.name === exportName);
    }
    const specs = (n.specifiers as { exported: { name?: string; value?: string } }[]) ?? [];
    return specs.some((s) => (s.exported.name ?? s.exported.value) === exportName);
  });
  if (!exported) {
    return { ok: false, message: `The module must export the handler: export async function ${exportName}(req, ctx) { ... }`, line: 1, column: 1 };
  }
  return { ok: true };
}

/* ------------------------------------------------------------------------------------------ */
/* Results                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/** Latency quantiles kept per variant: p0, p1, ... p100 (see latencyQuantiles). */
export const QUANTILE_COUNT = 101;

export interface VariantResult {
  variant: Variant;
  /** The runtime that produced the numbers. */
  runner: RunnerKind;
  /** The CLI's own runtime label, e.g. "node v22.x" or "browser worker". */
  runtime: string;
  status: OutcomeStatus;
  message?: string;
  completed: number;
  errors: number;
  /** Requests per second. */
  throughput: number | null;
  mean: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** Little's law over the steady middle of the run: L measured, and λ·W. */
  L: number | null;
  lambdaW: number | null;
  lambda: number | null;
  W: number | null;
  /** Average I/O calls in flight (nominal call time summed / run duration). */
  ioInFlight: number | null;
  /** Most I/O calls in flight at once. */
  ioMax: number | null;
  /** The concurrency limit of the resources the run used (connections, downstream slots); null when unlimited. */
  ioLimit: number | null;
  /** CPU cores kept busy on average (Node only), and the cores the runtime reports. */
  cpuCores: number | null;
  cores: number | null;
  errorSamples: string[];
  /** QUANTILE_COUNT latency quantiles (ms), ascending; empty when nothing finished. */
  quantiles: number[];
}

/**
 * Quantiles p0..p100 of the latencies, by the site's one percentile rule (#sim/core/stats: linear
 * interpolation between closest ranks, d3-array's quantile): p0 the fastest, p100 the slowest.
 */
export function latencyQuantiles(latencies: readonly number[], count = QUANTILE_COUNT): number[] {
  if (latencies.length === 0) return [];
  const sorted = Float64Array.from(latencies).sort();
  return Array.from({ length: count }, (_, k) => percentileSorted(sorted, (100 * k) / (count - 1)));
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});

/** The figures of one outcome. */
export function resultOf(outcome: VariantOutcome): VariantResult {
  const s: RunSummary | Record<string, unknown> = outcome.summary ?? {};
  const little = obj(s.little);
  const resources = obj(s.resources);
  const duration = num(s.durationMs);
  let busy = 0;
  let max: number | null = null;
  let anyIo = false;
  let limit: number | null = null;
  for (const r of Object.values(resources)) {
    const res = obj(r);
    const b = num(res.busyMs) ?? 0;
    if (b > 0) {
      anyIo = true;
      const l = num(res.limit);
      if (l !== null && l > 0) limit = (limit ?? 0) + l;
    }
    busy += b;
    const m = num(res.maxConcurrent);
    if (m !== null) max = (max ?? 0) + m;
  }
  return {
    variant: outcome.variant,
    runner: outcome.runner,
    runtime: typeof s.runtime === 'string' ? s.runtime : outcome.runner === 'worker' ? 'browser worker' : 'node',
    status: outcome.status,
    message: outcome.message,
    completed: num(s.completed) ?? outcome.latencies.length,
    errors: num(s.errors) ?? outcome.requestErrors,
    throughput: num(s.throughput),
    mean: num(s.mean),
    p50: num(s.p50),
    p95: num(s.p95),
    p99: num(s.p99),
    L: num(s.L),
    lambdaW: num(s.lambdaW),
    lambda: num(little.lambda),
    W: num(little.W),
    ioInFlight: anyIo && duration && duration > 0 ? busy / duration : anyIo ? null : 0,
    ioMax: anyIo ? max : 0,
    ioLimit: limit,
    cpuCores: num(s.cpuCores),
    cores: num(s.cores),
    errorSamples: Array.isArray(s.errorSamples) ? (s.errorSamples as unknown[]).map(String).slice(0, 3) : [],
    quantiles: latencyQuantiles(outcome.latencies),
  };
}

/* ---------------- standings: errors and the ranking the charts show ---------------- */

/** How many of a finished variant's requests failed: none, some, or every one. */
export type ErrorLevel = 'none' | 'some' | 'all';

export interface Standing {
  variant: Variant;
  errorLevel: ErrorLevel;
  /** Requests per second that succeeded (throughput counts failed requests too); null when not measured. */
  goodput: number | null;
  /** Compared with the others (bars' "× sync", "fastest"): measured, and at least one request succeeded. */
  ranked: boolean;
  /** The ranked variant that served the most successful requests per second (only when two or more are ranked). */
  fastest: boolean;
  /** Successful requests per second against sync's (both ranked, not sync itself); null otherwise. */
  timesSync: number | null;
  /** A short note for a chart: "all 100 requests failed", "12 of 100 failed"; null when none failed. */
  errorNote: string | null;
}

/** A variant's errors as a level; a variant that did not finish has no level of its own ('none'). */
export function errorLevel(r: VariantResult): ErrorLevel {
  if (r.status !== 'ok' || r.errors <= 0) return 'none';
  return r.errors >= r.completed ? 'all' : 'some';
}

/**
 * What the charts say about each variant beside its numbers: whether its requests failed, and how
 * it ranks. A variant whose every request failed answers fast (a thrown error is quick) but served
 * nothing: it is never ranked, so it cannot come out "fastest" or "N× sync". Ranking is by goodput
 * (successful requests per second), so errors never count as work done.
 */
export function standings(results: readonly VariantResult[]): Map<Variant, Standing> {
  const goodputOf = (r: VariantResult) =>
    r.status === 'ok' && r.throughput !== null && r.completed > 0 ? (r.throughput * Math.max(0, r.completed - r.errors)) / r.completed : null;
  const ranked = results.filter((r) => errorLevel(r) !== 'all' && (goodputOf(r) ?? 0) > 0);
  const best = ranked.length > 1 ? ranked.reduce((a, b) => ((goodputOf(b) ?? 0) > (goodputOf(a) ?? 0) ? b : a)) : null;
  const sync = ranked.find((r) => r.variant === 'sync');
  const out = new Map<Variant, Standing>();
  for (const r of results) {
    const level = errorLevel(r);
    const goodput = goodputOf(r);
    const isRanked = ranked.includes(r);
    out.set(r.variant, {
      variant: r.variant,
      errorLevel: level,
      goodput,
      ranked: isRanked,
      fastest: best === r,
      timesSync: isRanked && sync && sync !== r && goodput !== null ? goodput / (goodputOf(sync) as number) : null,
      errorNote: level === 'all' ? `all ${r.completed.toLocaleString('en')} requests failed` : level === 'some' ? `${r.errors.toLocaleString('en')} of ${r.completed.toLocaleString('en')} failed` : null,
    });
  }
  return out;
}

/* ---------------- results in a link ---------------- */

/** A result with its numbers rounded for a link (3 significant digits, quantiles to 0.1 ms or 3 digits). */
const r3 = (v: number | null) => (v === null ? null : Number.parseFloat(v.toPrecision(3)));
const rq = (v: number) => (v < 100 ? Math.round(v * 10) / 10 : Number.parseFloat(v.toPrecision(3)));

/** The results as JSON text for a link (pack it with packText). */
export function encodeResults(results: readonly VariantResult[]): string {
  return JSON.stringify(
    results.map((r) => ({
      ...r,
      throughput: r3(r.throughput),
      mean: r3(r.mean),
      p50: r3(r.p50),
      p95: r3(r.p95),
      p99: r3(r.p99),
      L: r3(r.L),
      lambdaW: r3(r.lambdaW),
      lambda: r3(r.lambda),
      W: r3(r.W),
      ioInFlight: r3(r.ioInFlight),
      cpuCores: r3(r.cpuCores),
      quantiles: r.quantiles.map(rq),
    })),
  );
}

const STATUSES: readonly OutcomeStatus[] = ['ok', 'failed', 'timedOut', 'stopped'];

/** Results from a link; null when the text is not a list of results (a bad or tampered link). */
export function decodeResults(text: string): VariantResult[] | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > VARIANT_ORDER.length) return null;
  const out: VariantResult[] = [];
  const nums = ['throughput', 'mean', 'p50', 'p95', 'p99', 'L', 'lambdaW', 'lambda', 'W', 'ioInFlight', 'ioMax', 'ioLimit', 'cpuCores', 'cores'] as const;
  for (const item of raw) {
    const r = obj(item);
    if (!VARIANT_ORDER.includes(r.variant as Variant)) return null;
    if (r.runner !== 'worker' && r.runner !== 'webcontainer') return null;
    if (!STATUSES.includes(r.status as OutcomeStatus)) return null;
    if (typeof r.runtime !== 'string' || r.runtime.length > 60) return null;
    const quantiles = r.quantiles;
    if (!Array.isArray(quantiles) || (quantiles.length !== 0 && quantiles.length !== QUANTILE_COUNT)) return null;
    if (!quantiles.every((q, i) => typeof q === 'number' && Number.isFinite(q) && q >= 0 && (i === 0 || q >= quantiles[i - 1]))) return null;
    const result: VariantResult = {
      variant: r.variant as Variant,
      runner: r.runner,
      runtime: r.runtime,
      status: r.status as OutcomeStatus,
      message: typeof r.message === 'string' ? r.message.slice(0, 400) : undefined,
      completed: num(r.completed) ?? 0,
      errors: num(r.errors) ?? 0,
      errorSamples: Array.isArray(r.errorSamples) ? r.errorSamples.map(String).slice(0, 3).map((s) => s.slice(0, 200)) : [],
      quantiles: quantiles as number[],
    } as VariantResult;
    for (const key of nums) {
      if (r[key] !== null && r[key] !== undefined && num(r[key]) === null) return null;
      (result as unknown as Record<string, number | null>)[key] = num(r[key]);
    }
    out.push(result);
  }
  if (new Set(out.map((r) => r.variant)).size !== out.length) return null;
  return out;
}

/* ------------------------------------------------------------------------------------------ */
/* The reading                                                                                */
/* ------------------------------------------------------------------------------------------ */

/** The lab's numbers use the site's one set of rules (#sim/core/format); these names are kept for its callers. */
export { formatMs as fmtMs, formatRate as fmtRate };
/** An average count (requests in the system, I/O calls waiting): a rate's precision, whole from 100. */
const avg = formatRate;
const ratio = (a: number, b: number) => formatRatio(a / b);

/** "a", "a and b", "a, b and c". */
const listOf = (items: readonly string[]) => (items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);

/**
 * One paragraph on what the numbers say: each variant's throughput against sync, with the
 * measured reason (I/O calls waiting at once, cores kept busy); Little's law checked on the
 * busiest variant; the tail. Only measured figures; nothing is asserted that the run did not show.
 */
export function readResults(results: readonly VariantResult[]): string {
  const allFailed = results.filter((r) => errorLevel(r) === 'all');
  const ok = results.filter((r) => r.status === 'ok' && r.throughput !== null && r.completed > 0 && errorLevel(r) !== 'all');
  const failedLine = allFailed.length
    ? `Every request failed under ${listOf(allFailed.map((r) => VARIANT_TITLES[r.variant]))}${allFailed[0].errorSamples[0] ? ` (${allFailed[0].errorSamples[0]})` : ''}, so ${allFailed.length > 1 ? 'they are' : 'it is'} not compared.`
    : '';
  if (ok.length === 0) {
    if (failedLine) return failedLine;
    return results.length ? 'No variant finished, so there is nothing to compare yet.' : '';
  }
  // the baseline: sync when it ran, else the first variant that did
  const base = ok.find((r) => r.variant === 'sync') ?? ok[0];
  const sentences: string[] = [];

  if (ok.length === 1) {
    sentences.push(`${VARIANT_TITLES[base.variant]} served ${formatRate(base.throughput)} requests per second.`);
  }
  for (const r of ok) {
    if (r === base || !r.throughput || !base.throughput) continue;
    const x = r.throughput / base.throughput;
    const same = x > 0.8 && x < 1.25;
    const head = `${VARIANT_TITLES[r.variant]} served ${ratio(r.throughput, base.throughput)} the requests per second of ${VARIANT_TITLES[base.variant]} (${formatRate(r.throughput)} vs ${formatRate(base.throughput)})`;
    let why = '';
    const capped = (v: VariantResult) => v.ioLimit !== null && v.ioMax !== null && v.ioMax >= v.ioLimit;
    if (r.variant === 'async' && capped(r) && !same) {
      why = `: at most ${r.ioLimit} I/O calls could run at once (the limit), so its other requests queued for a slot`;
    } else if (r.variant === 'async' && base.variant === 'sync') {
      if (!same && r.ioInFlight !== null && base.ioInFlight !== null && r.ioInFlight > 1.5 * Math.max(base.ioInFlight, 0.01)) {
        why = `: on average ${avg(r.ioInFlight)} I/O calls were waiting at once under async, against ${avg(base.ioInFlight)} under sync`;
      } else if (same && (r.ioInFlight ?? 0) < 1.5 * Math.max(base.ioInFlight ?? 0, 0.01)) {
        why = ': the time went to computing, and while JavaScript computes, async has nothing to overlap';
      }
    } else if (r.variant === 'sync-batch' && x > 1.25) {
      why = ': each blocking call served a whole group of queued requests';
      if (base.variant === 'async' && capped(base)) why += `, while async could run only ${base.ioLimit} calls at once`;
    } else if (r.variant === 'parallel') {
      const cores = r.cores !== null ? ` on a machine that reports ${r.cores} cores` : '';
      why = x > 1.25 ? `: its threads waited and computed side by side${cores}` : cores;
    }
    sentences.push(head + why + '.');
  }

  const littleOf = ok.find((r) => r.L !== null && r.W !== null && r.lambda !== null && r.L > 0);
  if (littleOf && littleOf.L !== null && littleOf.W !== null && littleOf.lambda !== null) {
    sentences.push(
      `Little’s law on your ${VARIANT_TITLES[littleOf.variant]} run: L = ${avg(littleOf.L)} requests were in the system on average and each spent W = ${formatMs(littleOf.W)} ms, so λ = L / W = ${formatRate((littleOf.L / littleOf.W) * 1000)} per second; measured ${formatRate(littleOf.lambda)}.`,
    );
  }

  const tailOf = ok
    .filter((r) => r.p50 !== null && r.p99 !== null && r.p50 > 0)
    .reduce<VariantResult | null>((a, b) => (!a || (b.p99 as number) / (b.p50 as number) > (a.p99 as number) / (a.p50 as number) ? b : a), null);
  if (tailOf && tailOf.p99 !== null && tailOf.p50 !== null && tailOf.p99 / tailOf.p50 >= 1.5) {
    sentences.push(`The widest tail was ${VARIANT_TITLES[tailOf.variant]}'s: p99 ${formatMs(tailOf.p99)} ms against p50 ${formatMs(tailOf.p50)} ms.`);
  }

  const errored = ok.filter((r) => r.errors > 0);
  if (errored.length) {
    sentences.push(`Errored requests: ${errored.map((r) => `${r.errors} under ${VARIANT_TITLES[r.variant]}`).join(', ')}${errored[0].errorSamples[0] ? ` (${errored[0].errorSamples[0]})` : ''}.`);
  }
  if (failedLine) sentences.push(failedLine);
  const notOk = results.filter((r) => r.status !== 'ok');
  if (notOk.length) sentences.push(`Not measured: ${notOk.map((r) => VARIANT_TITLES[r.variant]).join(', ')}.`);
  return sentences.map((t) => t.charAt(0).toUpperCase() + t.slice(1)).join(' ');
}
