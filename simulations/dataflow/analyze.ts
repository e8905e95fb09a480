/**
 * What the model predicts before it runs: the graph's order, the key routing, each operator's
 * capacity, and the throughput ceiling set by the slowest stage. The engine uses the routing; the
 * lab and the tests compare the run with these closed forms.
 *
 * Capacity. An instance that takes `serviceMs` per record handles 1000 / serviceMs records per
 * second, so an operator with p instances handles p × 1000 / serviceMs (infinite at 0 ms), as long
 * as every instance gets an equal share. A keyed operator gets records by key hash: instance i
 * receives the fraction share_i of them, so the busiest instance saturates first and the operator
 * handles (1000 / serviceMs) / max_i share_i. With skewed keys that is far less than p times one.
 *
 * Throughput ceiling. A record from the sources reaches operator X `multiplier(X)` times on
 * average (filters lower it, flatMaps and fan-out raise it). Operator X can therefore sustain
 * capacity(X) / multiplier(X) source records per second, and the whole graph sustains the minimum
 * of that over operators: the slowest stage sets the pace.
 */
import { isKeyedKind } from './config';
import type { EdgeInfo, OperatorKind, ResolvedConfig } from './types';

/** A fixed 32-bit integer hash (murmur3 finaliser): spreads keys over instances. */
export function mix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The instance (0..p-1) that receives key `key` on a keyed channel into an operator with p instances. */
export function keyInstance(key: number, p: number): number {
  return p === 1 ? 0 : mix32(key + 0x9e3779b9) % p;
}

/** Zipf probabilities of keys 0..keys-1 with exponent `skew` (0: uniform): P(k) ∝ 1 / (k + 1)^skew. */
export function keyProbabilities(keys: number, skew: number): Float64Array {
  const p = new Float64Array(keys);
  let sum = 0;
  for (let k = 0; k < keys; k++) {
    p[k] = skew === 0 ? 1 : 1 / Math.pow(k + 1, skew);
    sum += p[k];
  }
  for (let k = 0; k < keys; k++) p[k] /= sum;
  return p;
}

/** Fraction of records each of p instances receives on a keyed channel, for this key distribution. */
export function instanceShares(keys: number, skew: number, p: number): number[] {
  const prob = keyProbabilities(keys, skew);
  const shares = new Array<number>(p).fill(0);
  for (let k = 0; k < keys; k++) shares[keyInstance(k, p)] += prob[k];
  return shares;
}

/** Operator indices in topological order (sources first; ties by config order). */
export function topoOrder(config: Pick<ChainInput, 'operators' | 'edges'>): number[] {
  const n = config.operators.length;
  const index = new Map(config.operators.map((o, i) => [o.id, i]));
  const indeg = new Array<number>(n).fill(0);
  const next: number[][] = config.operators.map(() => []);
  for (const e of config.edges) {
    const a = index.get(e.from)!;
    const b = index.get(e.to)!;
    next[a].push(b);
    indeg[b]++;
  }
  const order: number[] = [];
  const ready: number[] = [];
  for (let i = 0; i < n; i++) if (indeg[i] === 0) ready.push(i);
  while (ready.length > 0) {
    ready.sort((a, b) => a - b);
    const i = ready.shift()!;
    order.push(i);
    for (const j of next[i]) if (--indeg[j] === 0) ready.push(j);
  }
  return order;
}

/**
 * Layer of each operator for a left-to-right drawing: sources in layer 0, every other operator one
 * layer right of its furthest upstream operator (longest path).
 */
export function layers(config: Pick<ResolvedConfig, 'operators' | 'edges'>): number[] {
  const index = new Map(config.operators.map((o, i) => [o.id, i]));
  const layer = new Array<number>(config.operators.length).fill(0);
  for (const i of topoOrder(config)) {
    for (const e of config.edges) {
      if (index.get(e.from) === i) {
        const j = index.get(e.to)!;
        layer[j] = Math.max(layer[j], layer[i] + 1);
      }
    }
  }
  return layer;
}

/** What chaining needs to know about a config (resolved or not: missing fields take their defaults). */
export type ChainInput = {
  operators: readonly { id: string; kind: OperatorKind; parallelism?: number; startNewChain?: boolean; disableChaining?: boolean }[];
  edges: readonly { from: string; to: string }[];
  chaining?: boolean;
};

/**
 * Compiled edge list: indices, keyed flag, input slot, and whether the edge is chained.
 *
 * An edge A → B is chained, as Flink chains operators by default, when chaining is on and
 * - A and B have the same parallelism (otherwise Flink redistributes: rebalance);
 * - the edge is forward: not keyed (a keyBy or a keyed receiver hashes records to instances);
 * - it is B's only input (Flink chains a downstream operator only when it has one input edge);
 * - it is A's only output (a simplification: Flink can also chain several outputs of one
 *   operator, this model chains straight runs only);
 * - neither A nor B has `disableChaining`, and B has no `startNewChain`.
 * (Flink also needs both in the same slot sharing group; this model has one group.)
 */
export function edgeInfos(config: ChainInput): EdgeInfo[] {
  const index = new Map(config.operators.map((o, i) => [o.id, i]));
  const inputs = new Array<number>(config.operators.length).fill(0);
  const ins = new Array<number>(config.operators.length).fill(0);
  const outs = new Array<number>(config.operators.length).fill(0);
  for (const e of config.edges) {
    outs[index.get(e.from)!]++;
    ins[index.get(e.to)!]++;
  }
  const on = config.chaining ?? true;
  return config.edges.map((e) => {
    const from = index.get(e.from)!;
    const to = index.get(e.to)!;
    const a = config.operators[from];
    const b = config.operators[to];
    const keyed = isKeyedKind(b.kind) || a.kind === 'keyBy';
    const chained =
      on &&
      !keyed &&
      (a.parallelism ?? 1) === (b.parallelism ?? 1) &&
      ins[to] === 1 &&
      outs[from] === 1 &&
      !a.disableChaining &&
      !b.disableChaining &&
      !b.startNewChain;
    return { from, to, keyed, input: inputs[to]++, chained };
  });
}

/** The tasks of a config: each chain's operators, upstream first, and each operator's chain index. Chains are numbered by their head in topological order. */
export function chainsOf(config: ChainInput): { chains: number[][]; chainOf: number[] } {
  const edges = edgeInfos(config);
  const n = config.operators.length;
  const next = new Array<number>(n).fill(-1);
  const prev = new Array<number>(n).fill(-1);
  for (const e of edges) {
    if (!e.chained) continue;
    next[e.from] = e.to;
    prev[e.to] = e.from;
  }
  const chains: number[][] = [];
  const chainOf = new Array<number>(n).fill(-1);
  for (const h of topoOrder(config)) {
    if (prev[h] >= 0) continue;
    const c: number[] = [];
    for (let o = h; o >= 0; o = next[o]) {
      chainOf[o] = chains.length;
      c.push(o);
    }
    chains.push(c);
  }
  return { chains, chainOf };
}

export interface OperatorPrediction {
  id: string;
  /** Records reaching this operator per record the sources emit. */
  multiplier: number;
  /** Records per second it can process (Infinity at 0 ms per record); in a chain, what the whole task leaves it. */
  capacity: number;
  /** Largest fraction of its input that one instance receives (1 / parallelism when not keyed). */
  maxShare: number;
  /** Source records per second it can sustain: capacity / multiplier. */
  sustainable: number;
  /** Records per second arriving at it when the sources run at their configured rate (stream only). */
  offered: number;
  /** offered / capacity (stream only; NaN for batch). */
  load: number;
}

export interface Prediction {
  operators: OperatorPrediction[];
  /** Source records per second the graph can sustain: min over operators of `sustainable`. */
  ceiling: number;
  /** The operator that sets the ceiling (first in topological order on ties), or -1. */
  limiting: number;
  /** Source records per second offered (sum of stream rates; batch: NaN). */
  offered: number;
  /** Expected delivered records per source record (sum over sinks of their multiplier). */
  deliveredPerRecord: number;
}

/** Upstream source of each operator with the most records (for its key distribution). */
function mainSource(config: ResolvedConfig, edges: EdgeInfo[]): number[] {
  const order = topoOrder(config);
  const src = new Array<number>(config.operators.length).fill(-1);
  const weight = (i: number) => {
    const o = config.operators[i];
    return o.rate > 0 ? o.rate : o.count;
  };
  for (const i of order) {
    if (config.operators[i].kind === 'source') src[i] = i;
    for (const e of edges) {
      if (e.from !== i || src[i] < 0) continue;
      const cur = src[e.to];
      if (cur < 0 || weight(src[i]) > weight(cur)) src[e.to] = src[i];
    }
  }
  return src;
}

/** The closed-form capacities and throughput ceiling of a (validated) config. */
export function predict(config: ResolvedConfig): Prediction {
  const edges = edgeInfos(config);
  const order = topoOrder(config);
  const n = config.operators.length;
  const mult = new Array<number>(n).fill(0);
  const src = mainSource(config, edges);
  let offered = 0;
  let stream = false;
  let totalWeight = 0;
  for (const o of config.operators) {
    if (o.kind !== 'source') continue;
    if (o.rate > 0) {
      stream = true;
      offered += o.rate;
    }
    totalWeight += o.rate > 0 ? o.rate : o.count;
  }
  for (const i of order) {
    const o = config.operators[i];
    if (o.kind === 'source') mult[i] = (o.rate > 0 ? o.rate : o.count) / totalWeight;
    let out: number;
    switch (o.kind) {
      case 'filter':
        out = mult[i] * o.selectivity;
        break;
      case 'flatMap':
        out = mult[i] * o.fanout;
        break;
      case 'join':
        // Pairs: at most the smaller input; the model predicts that every record finds a partner.
        out = Math.min(...edges.filter((e) => e.to === i).map((e) => mult[e.from] * outFactor(config, e.from)));
        break;
      case 'window':
        out = 0; // aggregates per window: not proportional to the input
        break;
      default:
        out = mult[i];
    }
    for (const e of edges) if (e.from === i) mult[e.to] += o.kind === 'join' ? out : out;
  }
  const ops: OperatorPrediction[] = config.operators.map((o, i) => {
    const keyed = edges.some((e) => e.to === i && e.keyed);
    const s = src[i] >= 0 ? config.operators[src[i]] : null;
    const shares = keyed && s ? instanceShares(s.keys, s.skew, o.parallelism) : null;
    const maxShare = shares ? Math.max(...shares) : 1 / o.parallelism;
    const perInstance = o.serviceMs > 0 ? 1000 / o.serviceMs : Infinity;
    const capacity = o.kind === 'source' && o.rate > 0 ? Infinity : perInstance / maxShare;
    const m = o.kind === 'source' ? mult[i] : mult[i];
    const sustainable = m > 0 ? capacity / m : Infinity;
    const opOffered = stream ? offered * m : NaN;
    return { id: o.id, multiplier: m, capacity, maxShare, sustainable, offered: opOffered, load: stream ? opOffered / capacity : NaN };
  });
  // Chains: one task does the work of all its operators, one record at a time (a method call per
  // hand-over), so an instance of the task spends sum over members of (visits × serviceMs) per
  // source record, and p instances sustain 1000 / (maxShare × that sum) source records per second,
  // maxShare being the share of the task's input its busiest instance receives (1 / p unless the
  // head is keyed). A task of one operator is the formula above.
  const { chains } = chainsOf(config);
  for (const c of chains) {
    if (c.length < 2) continue;
    const head = ops[c[0]];
    let cost = 0;
    for (const m of c) cost += mult[m] * config.operators[m].serviceMs;
    const sustainable = cost > 0 ? 1000 / (head.maxShare * cost) : Infinity;
    for (const m of c) {
      const o = config.operators[m];
      if (o.kind === 'source' && o.rate > 0) continue; // a stream source's pace is its rate
      const x = ops[m];
      x.maxShare = head.maxShare;
      x.sustainable = sustainable;
      if (x.multiplier > 0) x.capacity = sustainable * x.multiplier;
      x.load = stream ? x.offered / x.capacity : NaN;
    }
  }
  let ceiling = Infinity;
  let limiting = -1;
  for (const i of order) {
    if (ops[i].sustainable < ceiling) {
      ceiling = ops[i].sustainable;
      limiting = i;
    }
  }
  let deliveredPerRecord = 0;
  config.operators.forEach((o, i) => {
    if (o.kind === 'sink') deliveredPerRecord += mult[i];
  });
  return { operators: ops, ceiling, limiting, offered: stream ? offered : NaN, deliveredPerRecord };
}

function outFactor(config: ResolvedConfig, i: number): number {
  const o = config.operators[i];
  return o.kind === 'filter' ? o.selectivity : o.kind === 'flatMap' ? o.fanout : o.kind === 'window' ? 0 : 1;
}
