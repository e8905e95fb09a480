/**
 * Dataflow config: defaults, limits, strict validation (for `simulate`) and friendly clamping (for
 * links and the lab's inputs).
 *
 * - `validateConfig` is strict: anything wrong throws a `ConfigError` whose message names the
 *   field the way a learner would write it ("operators[2].parallelism must be a whole number from
 *   1 to 64, but it is 100."), or describes the graph problem ("the graph has a cycle: ...").
 * - `clampConfig` is lenient about numbers: out-of-range or non-whole values are pulled into range
 *   and each change is explained in a sentence. It leaves the graph's shape to `validateConfig`.
 */
import * as z from 'zod/mini';
import {
  describeValue,
  explained,
  listOf,
  nearestAllowed,
  numberIn,
  oneOf,
  parseConfig,
  reject,
  settings,
  text,
  type NumberRule,
} from '../core/validate';
import type { Arrivals, DataflowConfig, EdgeSpec, OperatorKind, OperatorSpec, ResolvedConfig, ResolvedOperator, ServiceDist } from './types';

export const KINDS: readonly OperatorKind[] = ['source', 'map', 'filter', 'flatMap', 'keyBy', 'window', 'join', 'sink'];
export const SERVICE_DISTS: readonly ServiceDist[] = ['fixed', 'exponential', 'uniform'];
export const ARRIVALS: readonly Arrivals[] = ['even', 'poisson'];

export interface FieldLimit extends NumberRule {
  /** Suggested input step. */
  step: number;
  unit: string;
}

export type OperatorNumber = 'parallelism' | 'serviceMs' | 'rate' | 'count' | 'keys' | 'skew' | 'selectivity' | 'fanout' | 'windowMs';
export type GlobalNumber = 'buffer' | 'duration';

export const LIMITS: Readonly<Record<OperatorNumber | GlobalNumber, Readonly<FieldLimit>>> = {
  parallelism: { min: 1, max: 64, integer: true, step: 1, unit: '' },
  serviceMs: { min: 0, max: 10_000, step: 0.1, unit: 'ms' },
  rate: { min: 1, max: 1_000_000, step: 10, unit: '/s' },
  count: { min: 1, max: 2_000_000, integer: true, step: 100, unit: '' },
  keys: { min: 1, max: 100_000, integer: true, step: 1, unit: '' },
  skew: { min: 0, max: 3, step: 0.1, unit: '' },
  selectivity: { min: 0, max: 1, step: 0.05, unit: '' },
  fanout: { min: 0, max: 16, step: 0.5, unit: '' },
  windowMs: { min: 1, max: 600_000, step: 10, unit: 'ms' },
  buffer: { min: 1, max: 100_000, integer: true, step: 1, unit: '' },
  duration: { min: 1, max: 600_000, step: 100, unit: 'ms' },
};

/** Graph size limits. */
export const GRAPH_LIMITS = {
  maxOperators: 24,
  maxEdges: 64,
  maxIdLength: 16,
  maxLabelLength: 24,
  /** Most records a run may create in all (sources, flatMap, copies, aggregates). */
  maxRecords: 5_000_000,
} as const;

export const DEFAULTS = {
  parallelism: 1,
  serviceMs: 1,
  sourceServiceMs: 0,
  service: 'fixed' as ServiceDist,
  arrivals: 'even' as Arrivals,
  keys: 100,
  skew: 0,
  selectivity: 0.5,
  fanout: 2,
  windowMs: 100,
  buffer: 32,
  unbounded: false,
  duration: 2_000,
  chaining: true,
};

/** Shortest readable form of a number for notes and messages. */
export function formatNumber(v: number): string {
  return String(Number.parseFloat(v.toPrecision(12)));
}

/** Operators that route their input by key. */
export function isKeyedKind(kind: OperatorKind): boolean {
  return kind === 'window' || kind === 'join';
}

// --- Schemas: the source of truth for the config's shape; LIMITS, GRAPH_LIMITS and the word lists give the values.

const opNumber = (k: OperatorNumber) => z.optional(numberIn(LIMITS[k]));
const SOURCE_ONLY = ['rate', 'count', 'burst', 'arrivals', 'keys', 'skew'] as const;
const BURST_TIME: NumberRule = { min: 0, max: LIMITS.duration.max };

const burstSchema = settings({
  from: numberIn(BURST_TIME),
  to: numberIn(BURST_TIME),
  rate: numberIn(LIMITS.rate),
}).check(
  z.superRefine((b, ctx) => {
    if (!(b.to > b.from)) {
      reject(ctx, ['to'], (field) => `${field} must be later than burst.from (${formatNumber(b.from)} ms), but it is ${formatNumber(b.to)} ms.`, b.to);
    }
  }),
);

const operatorSchema = settings({
  id: text(
    GRAPH_LIMITS.maxIdLength,
    `a name of up to ${GRAPH_LIMITS.maxIdLength} letters, digits, - or _, starting with a letter`,
    /^[A-Za-z][A-Za-z0-9_-]*$/,
  ),
  kind: oneOf(KINDS),
  label: z.optional(text(GRAPH_LIMITS.maxLabelLength, `text of 1 to ${GRAPH_LIMITS.maxLabelLength} characters`)),
  parallelism: opNumber('parallelism'),
  serviceMs: opNumber('serviceMs'),
  service: z.optional(oneOf(SERVICE_DISTS)),
  rate: opNumber('rate'),
  count: opNumber('count'),
  arrivals: z.optional(oneOf(ARRIVALS)),
  burst: z.optional(burstSchema),
  keys: opNumber('keys'),
  skew: opNumber('skew'),
  selectivity: opNumber('selectivity'),
  fanout: opNumber('fanout'),
  windowMs: opNumber('windowMs'),
  startNewChain: z.optional(explained(z.boolean(), 'true or false')),
  disableChaining: z.optional(explained(z.boolean(), 'true or false')),
}).check(
  z.superRefine((o, ctx) => {
    if (o.kind !== 'source') {
      for (const k of SOURCE_ONLY) {
        if (o[k] !== undefined) reject(ctx, [k], (field) => `${field}: only a source has a ${k}, but this operator is a ${o.kind}.`, o[k]);
      }
      return;
    }
    const hasRate = o.rate !== undefined;
    if (hasRate === (o.count !== undefined)) {
      const has = hasRate ? 'both' : 'neither';
      reject(ctx, [], (field) => `${field} needs exactly one of rate (records per second, a stream) or count (a fixed dataset, a batch), but it has ${has}.`, o);
    } else if (o.burst !== undefined && !hasRate) {
      reject(ctx, ['burst'], (field) => `${field}: only a stream source (with a rate) can have a burst.`, o.burst);
    }
  }),
);

const edgeEnd = explained(z.string(), 'the id of an operator');

/** A dataflow config (what `simulate` takes). */
export const configSchema = settings({
  operators: listOf(operatorSchema, {
    what: 'a list of operators',
    noun: ['operator', 'operators'],
    min: 2,
    fewest: 'a source and a sink',
    max: GRAPH_LIMITS.maxOperators,
  }),
  edges: listOf(settings({ from: edgeEnd, to: edgeEnd }), { what: 'a list of edges', noun: ['edge', 'edges'], max: GRAPH_LIMITS.maxEdges }),
  buffer: z._default(numberIn(LIMITS.buffer), DEFAULTS.buffer),
  unbounded: z._default(explained(z.boolean(), 'true or false'), DEFAULTS.unbounded),
  duration: z._default(numberIn(LIMITS.duration), DEFAULTS.duration),
  chaining: z._default(explained(z.boolean(), 'true or false'), DEFAULTS.chaining),
}).check(
  z.superRefine((config, ctx) => {
    const problem = graphProblem(config.operators, config.edges);
    if (problem) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message, input: config });
  }),
);

/** Shows the operator a field belongs to: `operators[2].parallelism (operator "enrich")`. */
function operatorLabel(field: string, path: readonly PropertyKey[], input: unknown): string {
  if (path[0] !== 'operators' || typeof path[1] !== 'number' || path[2] === 'id') return field;
  const id = ((input as { operators: unknown[] }).operators[path[1]] as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? `${field} (operator "${id}")` : field;
}

/** Unique ids, edges between known operators, the right edges for each kind, no cycle. */
function graphProblem(operators: readonly { id: string; kind: OperatorKind }[], edges: readonly EdgeSpec[]): { path: PropertyKey[]; message: string } | null {
  const index = new Map<string, number>();
  for (let i = 0; i < operators.length; i++) {
    const seen = index.get(operators[i].id);
    if (seen !== undefined) {
      return { path: ['operators', i, 'id'], message: `operators[${i}].id is "${operators[i].id}", but operators[${seen}] already uses that id; ids must be unique.` };
    }
    index.set(operators[i].id, i);
  }
  const seenEdge = new Set<string>();
  for (let j = 0; j < edges.length; j++) {
    const e = edges[j];
    for (const end of ['from', 'to'] as const) {
      if (!index.has(e[end])) {
        return { path: ['edges', j, end], message: `edges[${j}].${end} must be the id of an operator, but it is ${describeValue(e[end])}.` };
      }
    }
    if (e.from === e.to) return { path: ['edges', j], message: `edges[${j}] connects "${e.from}" to itself; the graph must be acyclic.` };
    const key = `${e.from}\u0000${e.to}`;
    if (seenEdge.has(key)) return { path: ['edges', j], message: `edges[${j}] connects "${e.from}" to "${e.to}" a second time.` };
    seenEdge.add(key);
  }
  const ins = operators.map(() => 0);
  const outs = operators.map(() => 0);
  for (const e of edges) {
    outs[index.get(e.from) as number]++;
    ins[index.get(e.to) as number]++;
  }
  for (let i = 0; i < operators.length; i++) {
    const op = operators[i];
    const where = `operators[${i}] ("${op.id}")`;
    const does = (n: number) => `${n} ${n === 1 ? 'does' : 'do'}`;
    let message: string | null = null;
    if (op.kind === 'source' && ins[i] > 0) message = `${where} is a source, so no edge may lead into it, but ${does(ins[i])}.`;
    else if (op.kind !== 'source' && ins[i] === 0) message = `${where} is a ${op.kind}, but no edge leads into it, so it would never get a record.`;
    else if (op.kind === 'join' && ins[i] !== 2) message = `${where} is a join, so exactly two edges must lead into it, but ${does(ins[i])}.`;
    else if (op.kind === 'sink' && outs[i] > 0) message = `${where} is a sink, so no edge may leave it, but ${does(outs[i])}.`;
    else if (op.kind !== 'sink' && outs[i] === 0) message = `${where} is a ${op.kind}, but no edge leaves it; every path must end in a sink.`;
    if (message) return { path: ['operators', i], message };
  }
  const cycle = findCycle(operators.map((o) => o.id), edges);
  if (cycle) return { path: ['edges'], message: `The graph has a cycle (${cycle.join(' → ')}); a dataflow graph must be acyclic.` };
  return null;
}

type ParsedOperator = z.output<typeof operatorSchema>;

function resolveOperator(o: ParsedOperator): ResolvedOperator {
  const source = o.kind === 'source';
  return {
    id: o.id,
    kind: o.kind,
    label: o.label ?? o.id,
    parallelism: o.parallelism ?? DEFAULTS.parallelism,
    serviceMs: o.serviceMs ?? (source ? DEFAULTS.sourceServiceMs : DEFAULTS.serviceMs),
    service: o.service ?? DEFAULTS.service,
    rate: o.rate ?? 0,
    count: o.count ?? 0,
    arrivals: o.arrivals ?? DEFAULTS.arrivals,
    burst: o.burst ? { from: o.burst.from, to: o.burst.to, rate: o.burst.rate } : null,
    keys: o.keys ?? DEFAULTS.keys,
    skew: o.skew ?? DEFAULTS.skew,
    selectivity: o.selectivity ?? DEFAULTS.selectivity,
    fanout: o.fanout ?? DEFAULTS.fanout,
    windowMs: o.windowMs ?? DEFAULTS.windowMs,
    startNewChain: o.startNewChain ?? false,
    disableChaining: o.disableChaining ?? false,
  };
}

/**
 * Strictly validates a config and fills defaults. Returns a fresh object. Throws `ConfigError`
 * naming the field, or describing what is wrong with the graph.
 */
export function validateConfig(input: unknown): ResolvedConfig {
  const raw = parseConfig(configSchema, input ?? {}, { label: operatorLabel });
  return {
    operators: raw.operators.map(resolveOperator),
    edges: raw.edges.map((e) => ({ from: e.from, to: e.to })),
    buffer: raw.buffer,
    unbounded: raw.unbounded,
    duration: raw.duration,
    chaining: raw.chaining,
  };
}

function findCycle(ids: string[], edges: readonly EdgeSpec[]): string[] | null {
  const next = new Map<string, string[]>();
  for (const id of ids) next.set(id, []);
  for (const e of edges) next.get(e.from)!.push(e.to);
  const state = new Map<string, number>();
  const stack: string[] = [];
  const visit = (id: string): string[] | null => {
    state.set(id, 1);
    stack.push(id);
    for (const n of next.get(id)!) {
      const s = state.get(n) ?? 0;
      if (s === 1) return [...stack.slice(stack.indexOf(n)), n];
      if (s === 0) {
        const c = visit(n);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(id, 2);
    return null;
  };
  for (const id of ids) {
    if ((state.get(id) ?? 0) === 0) {
      const c = visit(id);
      if (c) return c;
    }
  }
  return null;
}

export interface ClampResult {
  config: DataflowConfig;
  /** One learner-readable sentence per value that was changed. */
  notes: string[];
}

function clampOne(name: string, v: unknown, lim: FieldLimit, fallback: number, notes: string[]): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    notes.push(`${name} was ${describeValue(v)}, which is not a usable number, so the lab uses ${formatNumber(fallback)}.`);
    return fallback;
  }
  const out = nearestAllowed(v, lim);
  if (out !== v) {
    const range = `${formatNumber(lim.min)}–${formatNumber(lim.max)}${lim.unit && lim.unit !== '/s' ? ` ${lim.unit}` : ''}`;
    notes.push(`${name} was ${formatNumber(v)}; the lab allows ${lim.integer ? 'whole numbers ' : ''}${range}, so it uses ${formatNumber(out)}.`);
  }
  return out;
}

/**
 * Pulls every number of the config into `LIMITS` (rounding where a whole number is needed) and
 * explains each change ("parallelism of "enrich" was 100; the lab allows whole numbers 1–64, so it
 * uses 64."). The graph's shape is passed through for `validateConfig` to judge.
 */
export function clampConfig(input: DataflowConfig): ClampResult {
  const notes: string[] = [];
  const operators = input.operators.map((op) => {
    const out: OperatorSpec = { ...op };
    for (const k of ['parallelism', 'serviceMs', 'rate', 'count', 'keys', 'skew', 'selectivity', 'fanout', 'windowMs'] as const) {
      if (op[k] === undefined) continue;
      const fallback = k === 'serviceMs' ? DEFAULTS.serviceMs : k === 'parallelism' ? 1 : LIMITS[k].min;
      out[k] = clampOne(`${k} of "${op.label ?? op.id}"`, op[k], LIMITS[k], fallback, notes);
    }
    if (op.burst) out.burst = { ...op.burst, rate: clampOne(`burst rate of "${op.label ?? op.id}"`, op.burst.rate, LIMITS.rate, LIMITS.rate.min, notes) };
    return out;
  });
  return {
    config: {
      operators,
      edges: input.edges.map((e) => ({ ...e })),
      buffer: clampOne('buffer', input.buffer, LIMITS.buffer, DEFAULTS.buffer, notes),
      unbounded: Boolean(input.unbounded),
      duration: clampOne('duration', input.duration, LIMITS.duration, DEFAULTS.duration, notes),
      ...(input.chaining === undefined ? {} : { chaining: Boolean(input.chaining) }),
    },
    notes,
  };
}
