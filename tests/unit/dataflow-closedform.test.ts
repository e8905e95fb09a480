import { describe, expect, it } from 'vitest';
import { Rng } from '#sim/core/rng';
import { getPreset, instanceShares, predict, simulate, validateConfig, type DataflowConfig } from '#sim/dataflow';
import { linear, type Stage } from './dataflow-helpers';

/** Records per second one stage can process: parallelism / service time. */
const capacity = (s: Stage) => (s.p * 1000) / s.ms;

describe('throughput is set by the slowest stage', () => {
  for (let seed = 1; seed <= 12; seed++) {
    it(`random linear pipeline ${seed}: steady throughput = min over stages of p / s, within 3%`, () => {
      const r = new Rng(seed);
      const stages: Stage[] = [];
      const n = r.int(2, 6);
      for (let k = 0; k < n; k++) stages.push({ p: r.int(1, 8), ms: r.pick([0.5, 1, 1.5, 2, 3, 4]) });
      const expected = Math.min(...stages.map(capacity));
      // A batch source never limits: it emits as fast as the first buffer accepts.
      const run = simulate(linear(stages, { count: Math.ceil(expected * 3) }), seed);
      expect(run.metrics.steadyThroughput / expected).toBeGreaterThan(0.97);
      expect(run.metrics.steadyThroughput / expected).toBeLessThan(1.03);
      // The makespan follows: N records at the bottleneck's rate, plus filling the pipe.
      expect(run.metrics.makespan).toBeGreaterThanOrEqual((Math.ceil(expected * 3) / expected) * 1000 * 0.99);
    });
  }

  it('with exponential service times and roomy buffers, a clear bottleneck still sets the rate (within 3%)', () => {
    const stages: Stage[] = [
      { p: 2, ms: 0.5, dist: 'exponential' },
      { p: 3, ms: 6, dist: 'exponential' }, // 500/s
      { p: 4, ms: 1, dist: 'exponential' },
    ];
    const run = simulate(linear(stages, { count: 6_000 }, { buffer: 256 }), 3);
    expect(run.metrics.steadyThroughput / 500).toBeGreaterThan(0.97);
    expect(run.metrics.steadyThroughput / 500).toBeLessThan(1.03);
  });

  it('a stream below every capacity is delivered at its own rate, and there is no bottleneck', () => {
    const run = simulate(linear([{ p: 1, ms: 1 }, { p: 1, ms: 0.5 }], { rate: 600 }, { duration: 4_000 }), 1);
    expect(run.metrics.steadyThroughput).toBeCloseTo(600, -1);
    expect(run.metrics.bottleneck.op).toBe(-1);
    // Latency is the sum of service times when nothing queues.
    expect(run.metrics.latency.p95).toBeCloseTo(1.5, 6);
  });

  it('the model’s ceiling agrees with filters and flatMaps in the way', () => {
    // 2,000/s in; the filter keeps 25%; the flatMap triples: the last map sees 1,500/s and handles 1,000/s.
    const config: DataflowConfig = {
      operators: [
        { id: 'src', kind: 'source', count: 8_000 },
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
      chaining: false,
    };
    const pred = predict(validateConfig(config));
    expect(pred.operators[3].multiplier).toBeCloseTo(0.75, 9);
    expect(pred.ceiling).toBeCloseTo(1000 / 0.75, 6);
    const run = simulate(config, 5);
    expect(run.metrics.steadyThroughput / 1000).toBeGreaterThan(0.97);
    expect(run.metrics.steadyThroughput / 1000).toBeLessThan(1.03);
    expect(run.metrics.bottleneck.id).toBe('m');
  });
});

describe('backpressure', () => {
  it('a full buffer blocks its upstream, and the source rate drops to the bottleneck’s', () => {
    const p = getPreset('bottleneck'); // 1,000/s offered; enrich handles 250/s
    const run = simulate(p.config, p.seed);
    const m = run.metrics;
    const edgeIntoEnrich = m.edges.find((e) => e.to === 'enrich')!;
    expect(edgeIntoEnrich.maxFill).toBe(p.config.buffer);
    const parse = m.operators.find((o) => o.id === 'parse')!;
    expect(parse.blocked).toBeGreaterThan(0.5);
    expect(m.steadySourceRate / 250).toBeGreaterThan(0.97);
    expect(m.steadySourceRate / 250).toBeLessThan(1.03);
    // What the source could not emit waits at it: 1,000/s offered minus 250/s taken.
    expect(m.backlog).toBeGreaterThan(0.97 * (1000 - 250) * 4 - p.config.buffer * 2 - 10);
    // Every block event happens while the buffer it needs is full.
    expect(run.trace.some((e) => e.kind === 'block')).toBe(true);
    expect(m.bottleneck.id).toBe('enrich');
  });

  it('with unbounded buffers nothing is blocked: the source keeps its rate and the buffer grows by the difference', () => {
    const p = getPreset('unbounded'); // 1,250/s into a 1,000/s stage for 6 s
    const run = simulate(p.config, p.seed);
    const m = run.metrics;
    for (const o of m.operators) expect(o.blocked).toBe(0);
    expect(m.steadySourceRate).toBeCloseTo(1250, -1);
    const into = m.edges.find((e) => e.to === 'process')!;
    expect(into.maxFill / (250 * 6)).toBeGreaterThan(0.97);
    expect(into.maxFill / (250 * 6)).toBeLessThan(1.03);
    // It grows the whole time: each sample holds more than the one a second earlier.
    const fillAt = (t: number) => {
      const s = run.samples.find((x) => x.t >= t)!;
      return s.fill[run.bufferBase[1]];
    };
    for (let t = 1000; t <= 5000; t += 1000) expect(fillAt(t + 1000)).toBeGreaterThan(fillAt(t) + 200);
  });

  it('the same overload with bounded buffers keeps every buffer at its limit and moves the queue to the source', () => {
    const p = getPreset('unbounded');
    const run = simulate({ ...p.config, unbounded: false }, p.seed);
    const m = run.metrics;
    for (const e of m.edges) expect(e.maxFill).toBeLessThanOrEqual(p.config.buffer);
    expect(m.steadySourceRate / 1000).toBeGreaterThan(0.97);
    expect(m.backlog / (250 * 6)).toBeGreaterThan(0.95);
  });
});

describe('key skew caps a keyed stage', () => {
  const skewed = (p: number, skew: number, rate = 3_000): DataflowConfig => {
    const c = structuredClone(getPreset('skew').config);
    c.operators[0].skew = skew;
    c.operators[0].rate = rate;
    c.operators[2].parallelism = p;
    return c;
  };

  it('the keyed stage runs at 1 / (service time × busiest instance’s share), within 3%', () => {
    for (const p of [2, 4, 8, 16]) {
      const c = skewed(p, 1.3);
      const share = Math.max(...instanceShares(200, 1.3, p));
      const predicted = Math.min(3000, 1000 / 1.6 / share);
      const run = simulate(c, 1);
      expect(run.metrics.steadySourceRate / predicted).toBeGreaterThan(0.97);
      expect(run.metrics.steadySourceRate / predicted).toBeLessThan(1.03);
      expect(predict(validateConfig(c)).ceiling).toBeCloseTo(predicted, 6);
    }
  });

  it('four times the instances give under 1.2× the rate with skewed keys, and keep up with uniform keys', () => {
    const rate = (p: number, skew: number) => simulate(skewed(p, skew), 1).metrics.steadySourceRate;
    expect(rate(16, 1.3) / rate(4, 1.3)).toBeLessThan(1.2);
    expect(rate(8, 0) / 3000).toBeGreaterThan(0.98);
    expect(rate(8, 0) / rate(4, 0)).toBeGreaterThan(1.4);
  });

  it('the bottleneck is marked as skewed, naming the hot instance', () => {
    const run = simulate(skewed(8, 1.3), 1);
    const b = run.metrics.bottleneck;
    expect(b.id).toBe('count');
    expect(b.skewed).toBe(true);
    expect(b.busiest).toBeGreaterThan(0.95);
    expect(b.meanBusy).toBeLessThan(0.5);
    expect(b.why).toMatch(/skew/i);
  });
});
