import { describe, expect, it } from 'vitest';
import { simulate, type DataflowConfig, type OperatorSpec } from '#sim/dataflow';
import { randomGraph } from './dataflow-helpers';

const graph = (ops: OperatorSpec[], extra: Partial<DataflowConfig> = {}): DataflowConfig => ({
  operators: ops,
  edges: ops.slice(1).map((o, k) => ({ from: ops[k].id, to: o.id })),
  buffer: 32,
  unbounded: false,
  duration: 1_000,
  ...extra,
});

describe('dataflow determinism', () => {
  for (let seed = 1; seed <= 6; seed++) {
    it(`same config and seed, same run, bit for bit (graph ${seed})`, () => {
      const config = randomGraph(seed);
      const a = simulate(config, 99);
      const b = simulate(structuredClone(config), 99);
      expect(b.trace).toEqual(a.trace);
      expect(b.samples).toEqual(a.samples);
      expect(b.metrics).toEqual(a.metrics);
      expect(b.series).toEqual(a.series);
    });
  }

  it('another seed gives another run when something is random', () => {
    const config = graph([
      { id: 'src', kind: 'source', rate: 800, arrivals: 'poisson' },
      { id: 'm', kind: 'map', serviceMs: 1, service: 'exponential' },
      { id: 'out', kind: 'sink', serviceMs: 0.2 },
    ]);
    expect(simulate(config, 2).trace).not.toEqual(simulate(config, 1).trace);
    expect(simulate(config, '7').trace).toEqual(simulate(config, 7).trace);
  });
});

describe('operators', () => {
  it('filter keeps about `selectivity` of the records; flatMap multiplies them by fanout', () => {
    const run = simulate(
      graph([
        { id: 'src', kind: 'source', count: 20_000 },
        { id: 'f', kind: 'filter', selectivity: 0.3, serviceMs: 0 },
        { id: 'x', kind: 'flatMap', fanout: 2.5, serviceMs: 0 },
        { id: 'out', kind: 'sink', serviceMs: 0 },
      ]),
      4,
    );
    const kept = run.metrics.operators.find((o) => o.id === 'x')!.processed;
    expect(kept / 20_000).toBeGreaterThan(0.29);
    expect(kept / 20_000).toBeLessThan(0.31);
    expect(run.metrics.delivered / kept).toBeGreaterThan(2.45);
    expect(run.metrics.delivered / kept).toBeLessThan(2.55);
    expect(run.metrics.filtered).toBe(20_000 - kept);
  });

  it('a window emits one aggregate per key per window, and the counts add up to its input', () => {
    const run = simulate(
      graph([
        { id: 'src', kind: 'source', rate: 1_000, keys: 5 },
        { id: 'w', kind: 'window', windowMs: 100, serviceMs: 0.1, parallelism: 2 },
        { id: 'out', kind: 'sink', serviceMs: 0 },
      ]),
      1,
    );
    const fires = run.trace.filter((e) => e.kind === 'fire');
    // 9 full windows end before t = 1,000 (the 10th closes at 1,000, when the run stops).
    const windows = new Set(fires.map((e) => e.t));
    expect([...windows]).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900]);
    for (const e of fires) if (e.kind === 'fire') expect(e.created).toBeLessThanOrEqual(5);
    const created = fires.reduce((s, e) => s + (e.kind === 'fire' ? e.created : 0), 0);
    expect(created).toBe(9 * 5); // every key shows up in every 100-record window
    expect(run.metrics.merged).toBe(900);
    // Aggregate latency counts from the window's end: only the sink's instant hop.
    expect(run.metrics.latency.max).toBe(0);
  });

  it('a join pairs records with the same key from its two inputs; unmatched ones expire after the window', () => {
    const config: DataflowConfig = {
      operators: [
        { id: 'a', kind: 'source', rate: 500, keys: 10 },
        { id: 'b', kind: 'source', rate: 100, keys: 10 },
        { id: 'j', kind: 'join', windowMs: 50, serviceMs: 0.1 },
        { id: 'out', kind: 'sink', serviceMs: 0 },
      ],
      edges: [
        { from: 'a', to: 'j' },
        { from: 'b', to: 'j' },
        { from: 'j', to: 'out' },
      ],
      buffer: 32,
      unbounded: false,
      duration: 2_000,
    };
    const run = simulate(config, 3, { check: true });
    const m = run.metrics;
    // Each joined record consumes two inputs; b is the scarce side, so at most 200 pairs.
    expect(m.merged).toBe(2 * m.delivered);
    expect(m.delivered).toBeLessThanOrEqual(200);
    expect(m.delivered).toBeGreaterThan(150);
    expect(m.expired).toBeGreaterThan(500);
  });

  it('keyed channels send every record of a key to the same instance', () => {
    const run = simulate(
      graph([
        { id: 'src', kind: 'source', count: 2_000, keys: 1 },
        { id: 'k', kind: 'keyBy', serviceMs: 0.1 },
        { id: 'm', kind: 'map', serviceMs: 1, parallelism: 4 },
        { id: 'out', kind: 'sink', serviceMs: 0 },
      ]),
      1,
    );
    // One key: one instance of m does all the work, so 4 instances run at the speed of one.
    const m = run.metrics.operators.find((o) => o.id === 'm')!;
    expect(m.instanceBusy.filter((b) => b > 0)).toHaveLength(1);
    expect(run.metrics.steadyThroughput).toBeCloseTo(1000, -1);
  });
});

describe('learner functions', () => {
  const config = graph([
    { id: 'src', kind: 'source', count: 1_000 },
    { id: 'keep', kind: 'filter', serviceMs: 0.2 },
    { id: 'double', kind: 'map', serviceMs: 0.2 },
    { id: 'out', kind: 'sink', serviceMs: 0 },
  ]);

  it('decide what a filter keeps and what a map returns; the timing stays the engine’s', () => {
    const run = simulate(config, 1, { hooks: { keep: (r) => r.value < 250, double: (r) => r.value * 2 } });
    const first = run.metrics.firstDelivered;
    expect(first.length).toBeGreaterThan(0);
    for (const r of first) {
      expect(r.value % 2).toBe(0);
      expect(r.value).toBeLessThan(500);
    }
    expect(run.metrics.delivered / 1000).toBeGreaterThan(0.2);
    expect(run.metrics.delivered / 1000).toBeLessThan(0.3);
    // The filter's cost per record is 0.2 ms whatever the function does.
    expect(run.metrics.operators[1].processed).toBe(1000);
  });

  it('a function that throws stops the run with a message naming the operator and the record', () => {
    const run = simulate(config, 1, {
      hooks: {
        keep: (r) => {
          if (r.value > 900) throw new TypeError('too big');
          return true;
        },
      },
    });
    expect(run.error?.message).toMatch(/filter function for "keep" threw on the record \{ key: \d+, value: 9\d\d \}: TypeError: too big/);
  });

  it('a map that returns no number is an error', () => {
    const run = simulate(config, 1, { hooks: { double: () => 'x' } });
    expect(run.error?.message).toMatch(/must return a number/);
  });

  it('a wall-time budget stops the run', () => {
    let calls = 0;
    const run = simulate(graph([{ id: 'src', kind: 'source', count: 200_000 }, { id: 'out', kind: 'sink', serviceMs: 0.01 }]), 1, {
      shouldStop: () => ++calls > 2,
    });
    expect(run.error?.message).toMatch(/too long/);
    expect(run.metrics.delivered).toBeLessThan(200_000);
  });
});
