import { describe, expect, it } from 'vitest';
import { dataflowFold, getPreset, predict, PRESETS, simulate, validateConfig } from '#sim/dataflow';

const run = (id: string, patch?: (c: ReturnType<typeof structuredClone<ReturnType<typeof getPreset>['config']>>) => void) => {
  const p = getPreset(id);
  const c = structuredClone(p.config);
  patch?.(c);
  return simulate(c, p.seed);
};

describe('dataflow presets', () => {
  it('every preset is valid, runs without error, and lists existing tunable operators', () => {
    for (const p of PRESETS) {
      const r = simulate(p.config, p.seed);
      expect(r.error).toBeUndefined();
      expect(r.truncated).toBe(false);
      for (const id of p.tunable) expect(p.config.operators.some((o) => o.id === id)).toBe(true);
    }
    expect(() => getPreset('nope')).toThrow(/Presets: bottleneck, skew/);
  });

  it('bottleneck: raising the middle stage’s parallelism raises throughput until the bottleneck moves to the sink', () => {
    const at = (p: number) => run('bottleneck', (c) => (c.operators[2].parallelism = p)).metrics;
    const rates = [1, 2, 3, 4].map((p) => at(p).steadyThroughput);
    [250, 500, 750, 800].forEach((want, k) => expect(rates[k] / want).toBeCloseTo(1, 1));
    expect(at(1).bottleneck.id).toBe('enrich');
    expect(at(3).bottleneck.id).toBe('enrich');
    expect(at(4).bottleneck.id).toBe('store');
  });

  it('burst: backpressure keeps buffers at their limit, holds the source back, and the backlog drains after the burst', () => {
    const r = run('burst');
    for (const e of r.metrics.edges) expect(e.maxFill).toBeLessThanOrEqual(16);
    const fold = dataflowFold(r);
    const during = fold.at(fold.stepAtTime(1_900));
    expect(during.backlog).toBeGreaterThan(1000);
    expect(during.sourceRate).toBeLessThan(1100);
    expect(r.metrics.backlog).toBe(0);
    // Unbounded, the same burst piles up inside the graph instead.
    const u = run('burst', (c) => (c.unbounded = true));
    expect(Math.max(...u.metrics.edges.map((e) => e.maxFill))).toBeGreaterThan(1000);
  });

  it('batch vs stream: the batch finishes the dataset at the bottleneck’s rate; the stream keeps latency at the service times', () => {
    const b = run('batch').metrics;
    expect(b.makespan / 5000).toBeCloseTo(1, 2);
    expect(b.latency.p50 / 2500).toBeCloseTo(1, 1);
    const s = run('stream').metrics;
    expect(s.latency.p95).toBeCloseTo(3, 6);
    expect(s.steadyThroughput).toBeCloseTo(800, 0);
  });

  it('operator: keeping every record makes enrich the bottleneck; a filter that keeps half removes it', () => {
    const all = run('operator').metrics;
    expect(all.bottleneck.id).toBe('enrich');
    const p = getPreset('operator');
    const half = simulate(p.config, p.seed, { hooks: { keep: (r) => r.value < 500 } }).metrics;
    expect(half.bottleneck.op).toBe(-1);
    expect(half.backlog).toBe(0);
    expect(predict(validateConfig(p.config)).limiting).toBe(2);
  });
});
