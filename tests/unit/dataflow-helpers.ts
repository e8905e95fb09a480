/** Shared builders for the dataflow tests: linear pipelines and random DAGs. */
import { Rng } from '#sim/core/rng';
import type { DataflowConfig, OperatorSpec, ServiceDist } from '#sim/dataflow';

export interface Stage {
  p: number;
  ms: number;
  dist?: ServiceDist;
}

/**
 * source -> stage 1 -> ... -> sink (the last stage is the sink). Chaining is off unless `extra`
 * turns it on: these pipelines test the buffered model (every operator its own task), whose
 * throughput is min over stages of p / s; chained stages follow another formula (chaining tests).
 */
export function linear(stages: Stage[], source: Partial<OperatorSpec> = { count: 20_000 }, extra: Partial<DataflowConfig> = {}): DataflowConfig {
  const ops: OperatorSpec[] = [{ id: 'src', kind: 'source', ...source } as OperatorSpec];
  stages.forEach((s, k) => {
    ops.push({ id: `s${k}`, kind: k === stages.length - 1 ? 'sink' : 'map', parallelism: s.p, serviceMs: s.ms, service: s.dist ?? 'fixed' });
  });
  return {
    operators: ops,
    edges: ops.slice(1).map((o, k) => ({ from: ops[k].id, to: o.id })),
    buffer: 32,
    unbounded: false,
    duration: 2_000,
    chaining: false,
    ...extra,
  };
}

/**
 * A random DAG using every operator kind: one or two sources, a chain of random operators with
 * occasional fan-out and a join when there are two sources, ending in sinks.
 */
export function randomGraph(seed: number): DataflowConfig {
  const r = new Rng(seed);
  const ops: OperatorSpec[] = [];
  const edges: { from: string; to: string }[] = [];
  const dists: ServiceDist[] = ['fixed', 'exponential', 'uniform'];
  const svc = () => ({ parallelism: r.int(1, 4), serviceMs: r.pick([0, 0.2, 0.5, 1, 2]), service: r.pick(dists) });
  const keys = r.int(1, 30);
  const stream = r.chance(0.6);
  const source = (id: string): OperatorSpec =>
    stream
      ? { id, kind: 'source', rate: r.pick([300, 1000, 3000]), arrivals: r.pick(['even', 'poisson'] as const), keys, skew: r.pick([0, 1, 2]), parallelism: r.int(1, 2) }
      : { id, kind: 'source', count: r.int(50, 600), keys, skew: r.pick([0, 1]), serviceMs: r.pick([0, 0.1]), parallelism: r.int(1, 2) };
  ops.push(source('a'));
  let tips = ['a'];
  if (r.chance(0.5)) {
    ops.push(source('b'));
    ops.push({ id: 'j', kind: 'join', windowMs: r.pick([5, 50, 500]), ...svc() });
    edges.push({ from: 'a', to: 'j' }, { from: 'b', to: 'j' });
    tips = ['j'];
  }
  const n = r.int(1, 5);
  for (let k = 0; k < n; k++) {
    const id = `o${k}`;
    const kind = r.pick(['map', 'filter', 'flatMap', 'keyBy', 'window'] as const);
    const op: OperatorSpec = { id, kind, ...svc() };
    if (kind === 'filter') op.selectivity = r.pick([0, 0.3, 0.9, 1]);
    if (kind === 'flatMap') op.fanout = r.pick([0, 0.5, 1.5, 3]);
    if (kind === 'window') op.windowMs = r.pick([10, 100, 400]);
    ops.push(op);
    const from = r.pick(tips);
    edges.push({ from, to: id });
    // Sometimes keep the old tip too: fan-out to two branches.
    tips = r.chance(0.3) ? [...tips.filter((t) => t !== from), id, from] : [...tips.filter((t) => t !== from), id];
  }
  tips.forEach((t, k) => {
    ops.push({ id: `sink${k}`, kind: 'sink', ...svc() });
    edges.push({ from: t, to: `sink${k}` });
  });
  return { operators: ops, edges, buffer: r.pick([1, 2, 8, 64]), unbounded: r.chance(0.2), duration: r.pick([200, 600]) };
}
