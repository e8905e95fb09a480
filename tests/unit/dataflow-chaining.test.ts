/**
 * Operator chaining, as Flink does it by default: operators with the same parallelism joined by a
 * forward edge (not keyed, the only edge out of the one and into the other) run as one task. What
 * a learner notices: no buffer between them, the task's instance does the work of every operator
 * in turn (throughput p × 1000 / sum of ms per record), and busy / backpressured time is the task's.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '#sim/core/rng';
import { chainsOf, getPreset, predict, simulate, validateConfig, type DataflowConfig } from '#sim/dataflow';
import { linear, type Stage } from './dataflow-helpers';

const ids = (config: DataflowConfig) => {
  const { chains } = chainsOf(validateConfig(config));
  return chains.map((c) => c.map((o) => config.operators[o].id));
};

describe('which operators chain', () => {
  const base = getPreset('chaining').config;
  it('a straight pipeline of equal parallelism is one chain; chaining off makes each operator its own task', () => {
    expect(ids(base)).toEqual([['source', 'parse', 'enrich', 'store']]);
    expect(ids({ ...base, chaining: false })).toEqual([['source'], ['parse'], ['enrich'], ['store']]);
  });
  it('a different parallelism, a keyed edge, disableChaining and startNewChain each break the chain', () => {
    const withOp = (id: string, patch: object) => ({ ...base, operators: base.operators.map((o) => (o.id === id ? { ...o, ...patch } : o)) });
    expect(ids(withOp('enrich', { parallelism: 2 }))).toEqual([['source', 'parse'], ['enrich'], ['store']]);
    expect(ids(withOp('enrich', { disableChaining: true }))).toEqual([['source', 'parse'], ['enrich'], ['store']]);
    expect(ids(withOp('enrich', { startNewChain: true }))).toEqual([['source', 'parse'], ['enrich', 'store']]);
    // keyBy → window is a keyed (hash) edge; window (4 instances) → store (1) changes parallelism.
    expect(ids({ ...getPreset('skew').config, chaining: true })).toEqual([['source', 'byUser'], ['count'], ['store']]);
  });
});

describe('a chain is one task', () => {
  it('no buffer between chained operators: nothing is ever pushed or held there, records are handed over by call', () => {
    const p = getPreset('chaining');
    const run = simulate(p.config, p.seed);
    for (const e of run.metrics.edges) expect(e.maxFill).toBe(0);
    expect(run.trace.some((e) => e.kind === 'push')).toBe(false);
    expect(run.trace.some((e) => e.kind === 'call')).toBe(true);
    expect(run.samples.every((s) => s.inBuffers === 0)).toBe(true);
    // Turned off, the same graph has its buffers again, and the one before enrich fills up.
    const off = simulate({ ...p.config, chaining: false }, p.seed);
    expect(off.metrics.edges.find((e) => e.to === 'enrich')!.maxFill).toBe(p.config.buffer);
  });

  it('chaining off gives exactly the unchained model (the bottleneck preset), run for run', () => {
    const a = simulate({ ...getPreset('chaining').config, chaining: false }, 1);
    const b = simulate(getPreset('bottleneck').config, 1);
    expect(a.metrics).toEqual(b.metrics);
    expect(a.trace).toEqual(b.trace);
  });

  it('the chained pipeline runs at 1000 / (0.6 + 4 + 1.25) = 171 a second, not 250: one instance does all three in turn', () => {
    const p = getPreset('chaining');
    const run = simulate(p.config, p.seed);
    const want = 1000 / (0.6 + 4 + 1.25);
    expect(run.metrics.steadyThroughput / want).toBeGreaterThan(0.97);
    expect(run.metrics.steadyThroughput / want).toBeLessThan(1.03);
    expect(predict(run.config).ceiling).toBeCloseTo(want, 9);
    const off = simulate({ ...p.config, chaining: false }, p.seed);
    expect(off.metrics.steadyThroughput / 250).toBeCloseTo(1, 1);
  });

  for (let seed = 1; seed <= 8; seed++) {
    it(`random chain ${seed}: throughput = p × 1000 / sum of ms per record (within 3%), as predict says`, () => {
      const r = new Rng(seed * 7919);
      const p = r.int(1, 6);
      const stages: Stage[] = [];
      const n = r.int(2, 5);
      for (let k = 0; k < n; k++) stages.push({ p, ms: r.pick([0.25, 0.5, 1, 2, 3]) });
      const config = linear(stages, { count: 4_000, parallelism: p }, { chaining: true });
      expect(ids(config)).toHaveLength(1);
      const want = (p * 1000) / stages.reduce((s, x) => s + x.ms, 0);
      const run = simulate(config, seed);
      expect(run.metrics.steadyThroughput / want).toBeGreaterThan(0.97);
      expect(run.metrics.steadyThroughput / want).toBeLessThan(1.03);
      expect(predict(run.config).ceiling / want).toBeCloseTo(1, 9);
      // The unchained run of the same stages is as fast as its slowest stage, never slower than the chain.
      const off = simulate({ ...config, chaining: false }, seed);
      expect(off.metrics.steadyThroughput).toBeGreaterThanOrEqual(run.metrics.steadyThroughput * 0.99);
    });
  }

  it('filters and flatMaps inside a chain: the task pays each operator for the records it sees', () => {
    // Per source record: 0.1 (source) + 0.1 (filter) + 0.25 × 0.1 (flatMap) + 0.75 × 1 (map) + 0.75 × 0.1 (sink) = 1.05 ms.
    const config: DataflowConfig = {
      operators: [
        { id: 'src', kind: 'source', count: 6_000, serviceMs: 0.1 },
        { id: 'f', kind: 'filter', selectivity: 0.25, serviceMs: 0.1 },
        { id: 'x', kind: 'flatMap', fanout: 3, serviceMs: 0.1 },
        { id: 'm', kind: 'map', serviceMs: 1 },
        { id: 'out', kind: 'sink', serviceMs: 0.1 },
      ],
      edges: [
        { from: 'src', to: 'f' },
        { from: 'f', to: 'x' },
        { from: 'x', to: 'm' },
        { from: 'm', to: 'out' },
      ],
      buffer: 64,
      unbounded: false,
      duration: 1000,
    };
    const sourceRate = 1000 / 1.05;
    expect(predict(validateConfig(config)).ceiling).toBeCloseTo(sourceRate, 9);
    const run = simulate(config, 5);
    expect(run.metrics.steadyThroughput / (0.75 * sourceRate)).toBeGreaterThan(0.95);
    expect(run.metrics.steadyThroughput / (0.75 * sourceRate)).toBeLessThan(1.05);
  });

  it('busy and backpressured time are the task’s: every operator of a chain reports the same split', () => {
    // source → parse (1 instance, chained) | enrich → store (2 instances, chained): 2 × 1000 / 4.5 = 444 a second.
    const config: DataflowConfig = {
      operators: [
        { id: 'source', kind: 'source', rate: 1_000 },
        { id: 'parse', kind: 'map', serviceMs: 0.5 },
        { id: 'enrich', kind: 'map', serviceMs: 4, parallelism: 2 },
        { id: 'store', kind: 'sink', serviceMs: 0.5, parallelism: 2 },
      ],
      edges: [
        { from: 'source', to: 'parse' },
        { from: 'parse', to: 'enrich' },
        { from: 'enrich', to: 'store' },
      ],
      buffer: 16,
      unbounded: false,
      duration: 4_000,
    };
    expect(ids(config)).toEqual([['source', 'parse'], ['enrich', 'store']]);
    const run = simulate(config, 1);
    const m = run.metrics;
    const op = (id: string) => m.operators.find((o) => o.id === id)!;
    expect(op('source').blocked).toBeCloseTo(op('parse').blocked, 12);
    expect(op('source').busy).toBeCloseTo(op('parse').busy, 12);
    expect(op('parse').blocked).toBeGreaterThan(0.5);
    expect(op('enrich').busy).toBeCloseTo(op('store').busy, 12);
    expect(op('enrich').busy).toBeGreaterThan(0.97);
    expect(m.steadyThroughput / (2000 / 4.5)).toBeGreaterThan(0.97);
    expect(m.steadyThroughput / (2000 / 4.5)).toBeLessThan(1.03);
    // The only buffer left is the one between the two tasks, and it is full.
    expect(m.edges.map((e) => e.maxFill)).toEqual([0, 16, 0]);
    expect(m.bottleneck.why).toMatch(/^The chain "enrich → store" \(one task\) is busy/);
  });

  it('below capacity a chained record’s latency is still the sum of the service times', () => {
    // The task needs 1.5 ms a record, 60% of its time at 400 a second.
    const run = simulate(linear([{ p: 1, ms: 1 }, { p: 1, ms: 0.5 }], { rate: 400 }, { duration: 4_000, chaining: true }), 1);
    expect(run.metrics.steadyThroughput).toBeCloseTo(400, -1);
    expect(run.metrics.latency.p95).toBeCloseTo(1.5, 6);
    expect(run.metrics.bottleneck.op).toBe(-1);
  });
});
