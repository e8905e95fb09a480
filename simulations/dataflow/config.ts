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
import {
  ConfigError,
  checkArray,
  checkKnownKeys,
  checkNumber,
  checkObject,
  checkOneOf,
  describeValue,
  type NumberRule,
} from '../core/validate';
import type {
  Arrivals,
  BurstSpec,
  DataflowConfig,
  EdgeSpec,
  OperatorKind,
  OperatorSpec,
  ResolvedConfig,
  ResolvedOperator,
  ServiceDist,
} from './types';

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
};

const CONFIG_KEYS: readonly (keyof DataflowConfig)[] = ['operators', 'edges', 'buffer', 'unbounded', 'duration'];
const OP_KEYS: readonly (keyof OperatorSpec)[] = [
  'id',
  'kind',
  'label',
  'parallelism',
  'serviceMs',
  'service',
  'rate',
  'count',
  'arrivals',
  'burst',
  'keys',
  'skew',
  'selectivity',
  'fanout',
  'windowMs',
];

/** Shortest readable form of a number for notes and messages. */
export function formatNumber(v: number): string {
  return String(Number.parseFloat(v.toPrecision(12)));
}

/** Operators that route their input by key. */
export function isKeyedKind(kind: OperatorKind): boolean {
  return kind === 'window' || kind === 'join';
}

function checkId(field: string, v: unknown): string {
  if (typeof v !== 'string' || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(v) || v.length > GRAPH_LIMITS.maxIdLength) {
    throw new ConfigError(
      field,
      `${field} must be a name of up to ${GRAPH_LIMITS.maxIdLength} letters, digits, - or _, starting with a letter, but it is ${describeValue(v)}.`,
    );
  }
  return v;
}

function validateOperator(i: number, input: unknown): ResolvedOperator {
  const where = `operators[${i}]`;
  const o = checkObject(where, input);
  checkKnownKeys(where, o, OP_KEYS);
  const id = checkId(`${where}.id`, o.id);
  const kind = checkOneOf(`${where}.kind`, o.kind, KINDS);
  const f = (k: OperatorNumber, fallback: number): number =>
    o[k] === undefined ? fallback : checkNumber(`${where}.${k} (operator "${id}")`, o[k], LIMITS[k]);
  let label = id;
  if (o.label !== undefined) {
    if (typeof o.label !== 'string' || o.label.trim() === '' || o.label.length > GRAPH_LIMITS.maxLabelLength) {
      throw new ConfigError(`${where}.label`, `${where}.label must be text of 1 to ${GRAPH_LIMITS.maxLabelLength} characters, but it is ${describeValue(o.label)}.`);
    }
    label = o.label;
  }
  const op: ResolvedOperator = {
    id,
    kind,
    label,
    parallelism: f('parallelism', DEFAULTS.parallelism),
    serviceMs: f('serviceMs', kind === 'source' ? DEFAULTS.sourceServiceMs : DEFAULTS.serviceMs),
    service: o.service === undefined ? DEFAULTS.service : checkOneOf(`${where}.service`, o.service, SERVICE_DISTS),
    rate: 0,
    count: 0,
    arrivals: o.arrivals === undefined ? DEFAULTS.arrivals : checkOneOf(`${where}.arrivals`, o.arrivals, ARRIVALS),
    burst: null,
    keys: f('keys', DEFAULTS.keys),
    skew: f('skew', DEFAULTS.skew),
    selectivity: f('selectivity', DEFAULTS.selectivity),
    fanout: f('fanout', DEFAULTS.fanout),
    windowMs: f('windowMs', DEFAULTS.windowMs),
  };
  if (kind === 'source') {
    const hasRate = o.rate !== undefined;
    const hasCount = o.count !== undefined;
    if (hasRate === hasCount) {
      throw new ConfigError(
        where,
        `${where} (source "${id}") needs exactly one of rate (records per second, a stream) or count (a fixed dataset, a batch), but it has ${hasRate ? 'both' : 'neither'}.`,
      );
    }
    if (hasRate) op.rate = f('rate', 0);
    else op.count = f('count', 0);
    if (o.burst !== undefined) {
      if (!hasRate) throw new ConfigError(`${where}.burst`, `${where}.burst: only a stream source (with a rate) can have a burst.`);
      op.burst = validateBurst(`${where}.burst`, o.burst);
    }
  } else {
    for (const k of ['rate', 'count', 'burst', 'arrivals', 'keys', 'skew'] as const) {
      if (o[k] !== undefined) throw new ConfigError(`${where}.${k}`, `${where}.${k}: only a source has a ${k}, and "${id}" is a ${kind}.`);
    }
  }
  return op;
}

function validateBurst(field: string, input: unknown): BurstSpec {
  const b = checkObject(field, input);
  checkKnownKeys(field, b, ['from', 'to', 'rate']);
  const from = checkNumber(`${field}.from`, b.from, { min: 0, max: LIMITS.duration.max });
  const to = checkNumber(`${field}.to`, b.to, { min: 0, max: LIMITS.duration.max });
  if (!(to > from)) throw new ConfigError(`${field}.to`, `${field}.to must be later than ${field}.from (${formatNumber(from)} ms), but it is ${formatNumber(to)} ms.`);
  const rate = checkNumber(`${field}.rate`, b.rate, LIMITS.rate);
  return { from, to, rate };
}

/**
 * Strictly validates a config and fills defaults. Returns a fresh object. Throws `ConfigError`
 * naming the field, or describing what is wrong with the graph.
 */
export function validateConfig(input: unknown): ResolvedConfig {
  const raw = checkObject('config', input ?? {});
  checkKnownKeys('', raw, CONFIG_KEYS);
  const opsIn = checkArray('operators', raw.operators, 'a list of operators');
  if (opsIn.length < 2) throw new ConfigError('operators', `operators must list at least a source and a sink, but it has ${opsIn.length}.`);
  if (opsIn.length > GRAPH_LIMITS.maxOperators) {
    throw new ConfigError('operators', `operators may list at most ${GRAPH_LIMITS.maxOperators} operators, but it has ${opsIn.length}.`);
  }
  const operators = opsIn.map((o, i) => validateOperator(i, o));
  const index = new Map<string, number>();
  operators.forEach((op, i) => {
    const seen = index.get(op.id);
    if (seen !== undefined) throw new ConfigError(`operators[${i}].id`, `operators[${i}].id is "${op.id}", but operators[${seen}] already uses that id; ids must be unique.`);
    index.set(op.id, i);
  });
  const edgesIn = checkArray('edges', raw.edges, 'a list of edges');
  if (edgesIn.length > GRAPH_LIMITS.maxEdges) throw new ConfigError('edges', `edges may list at most ${GRAPH_LIMITS.maxEdges} edges, but it has ${edgesIn.length}.`);
  const edges: EdgeSpec[] = edgesIn.map((e, j) => {
    const where = `edges[${j}]`;
    const obj = checkObject(where, e);
    checkKnownKeys(where, obj, ['from', 'to']);
    for (const end of ['from', 'to'] as const) {
      const v = obj[end];
      if (typeof v !== 'string' || !index.has(v)) {
        throw new ConfigError(`${where}.${end}`, `${where}.${end} must be the id of an operator, but it is ${describeValue(v)}.`);
      }
    }
    if (obj.from === obj.to) throw new ConfigError(where, `${where} connects "${obj.from}" to itself; the graph must be acyclic.`);
    return { from: obj.from as string, to: obj.to as string };
  });
  const seenEdge = new Set<string>();
  edges.forEach((e, j) => {
    const key = `${e.from}\u0000${e.to}`;
    if (seenEdge.has(key)) throw new ConfigError(`edges[${j}]`, `edges[${j}] connects "${e.from}" to "${e.to}" a second time.`);
    seenEdge.add(key);
  });
  const ins = operators.map(() => 0);
  const outs = operators.map(() => 0);
  for (const e of edges) {
    outs[index.get(e.from) as number]++;
    ins[index.get(e.to) as number]++;
  }
  operators.forEach((op, i) => {
    const where = `operators[${i}] ("${op.id}")`;
    if (op.kind === 'source' && ins[i] > 0) throw new ConfigError(`operators[${i}]`, `${where} is a source, so no edge may lead into it, but ${ins[i]} ${ins[i] === 1 ? 'does' : 'do'}.`);
    if (op.kind !== 'source' && ins[i] === 0) throw new ConfigError(`operators[${i}]`, `${where} is a ${op.kind}, but no edge leads into it, so it would never get a record.`);
    if (op.kind === 'join' && ins[i] !== 2) throw new ConfigError(`operators[${i}]`, `${where} is a join, so exactly two edges must lead into it, but ${ins[i]} ${ins[i] === 1 ? 'does' : 'do'}.`);
    if (op.kind === 'sink' && outs[i] > 0) throw new ConfigError(`operators[${i}]`, `${where} is a sink, so no edge may leave it, but ${outs[i]} ${outs[i] === 1 ? 'does' : 'do'}.`);
    if (op.kind !== 'sink' && outs[i] === 0) throw new ConfigError(`operators[${i}]`, `${where} is a ${op.kind}, but no edge leaves it; every path must end in a sink.`);
  });
  const cycle = findCycle(operators.map((o) => o.id), edges);
  if (cycle) throw new ConfigError('edges', `The graph has a cycle (${cycle.join(' → ')}); a dataflow graph must be acyclic.`);
  const buffer = raw.buffer === undefined ? DEFAULTS.buffer : checkNumber('buffer', raw.buffer, LIMITS.buffer);
  let unbounded = DEFAULTS.unbounded;
  if (raw.unbounded !== undefined) {
    if (typeof raw.unbounded !== 'boolean') throw new ConfigError('unbounded', `unbounded must be true or false, but it is ${describeValue(raw.unbounded)}.`);
    unbounded = raw.unbounded;
  }
  const duration = raw.duration === undefined ? DEFAULTS.duration : checkNumber('duration', raw.duration, LIMITS.duration);
  return { operators, edges, buffer, unbounded, duration };
}

function findCycle(ids: string[], edges: EdgeSpec[]): string[] | null {
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
  let out = v;
  if (lim.integer && !Number.isInteger(out)) out = Math.round(out);
  if (out < lim.min) out = lim.min;
  if (out > lim.max) out = lim.max;
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
    },
    notes,
  };
}
