/**
 * Runs do not share state: a learner function may itself call `simulate` in the middle of a run,
 * and the outer run carries on exactly as if it had been alone. Each run's state lives in its own
 * object, so the nested run's records, buffers, agenda and counters cannot leak into the outer one.
 */
import { describe, expect, it } from 'vitest';
import { simulate, type DataflowConfig, type DataflowRun, type OperatorHooks } from '#sim/dataflow';

/** A stream through a learner map, a filter, a keyed window and two sinks (the map's output is copied). */
const A: DataflowConfig = {
  operators: [
    { id: 'src', kind: 'source', rate: 1_000, arrivals: 'poisson', keys: 50, skew: 1, parallelism: 2 },
    { id: 'nest', kind: 'map', serviceMs: 0.3, service: 'exponential', parallelism: 2 },
    { id: 'keep', kind: 'filter', serviceMs: 0.2, selectivity: 0.7 },
    { id: 'byKey', kind: 'keyBy', serviceMs: 0.1 },
    { id: 'count', kind: 'window', serviceMs: 0.5, windowMs: 100, parallelism: 2 },
    { id: 'out', kind: 'sink', serviceMs: 0.1 },
    { id: 'audit', kind: 'sink', serviceMs: 0.6, service: 'uniform' },
  ],
  edges: [
    { from: 'src', to: 'nest' },
    { from: 'nest', to: 'keep' },
    { from: 'nest', to: 'audit' },
    { from: 'keep', to: 'byKey' },
    { from: 'byKey', to: 'count' },
    { from: 'count', to: 'out' },
  ],
  buffer: 8,
  unbounded: false,
  duration: 1_000,
};

/** A batch: two sources joined by key, then a learner map, a flatMap and a slow sink (backpressure). */
const B: DataflowConfig = {
  operators: [
    { id: 'left', kind: 'source', count: 400, keys: 40 },
    { id: 'right', kind: 'source', count: 400, keys: 40, serviceMs: 0.05 },
    { id: 'pair', kind: 'join', serviceMs: 0.1, windowMs: 50, parallelism: 2 },
    { id: 'inner', kind: 'map', serviceMs: 0.2 },
    { id: 'spread', kind: 'flatMap', serviceMs: 0.1, fanout: 1.5 },
    { id: 'sink', kind: 'sink', serviceMs: 0.4, parallelism: 2 },
  ],
  edges: [
    { from: 'left', to: 'pair' },
    { from: 'right', to: 'pair' },
    { from: 'pair', to: 'inner' },
    { from: 'inner', to: 'spread' },
    { from: 'spread', to: 'sink' },
  ],
  buffer: 4,
  unbounded: false,
  duration: 1_000,
};

const SEED_A = 11;
const SEED_B = 23;
/** The learner functions' calls (1-based, per run) at which they start a nested run. */
const NEST_AT = new Set([20, 200]);

/**
 * Learner functions for both graphs: `nest` (in A) adds 1, `inner` (in B) doubles. Below `maxDepth`,
 * at the calls in NEST_AT, `nest` runs B and `inner` runs A, with functions one level deeper, so the
 * two runs' functions call each other. Every nested run goes into `nested`. What the functions
 * return never depends on the nested runs, so every run should equal its solo run.
 */
function hooks(depth: number, maxDepth: number, nested: { config: 'A' | 'B'; depth: number; run: DataflowRun }[]): OperatorHooks {
  let calls = 0;
  const maybeNest = () => {
    calls++;
    return depth < maxDepth && NEST_AT.has(calls);
  };
  return {
    nest: (r) => {
      if (maybeNest()) nested.push({ config: 'B', depth: depth + 1, run: simulate(B, SEED_B, { hooks: hooks(depth + 1, maxDepth, nested) }) });
      return r.value + 1;
    },
    inner: (r) => {
      if (maybeNest()) nested.push({ config: 'A', depth: depth + 1, run: simulate(A, SEED_A, { hooks: hooks(depth + 1, maxDepth, nested) }) });
      return r.value * 2;
    },
  };
}

describe('dataflow runs are independent', () => {
  const soloA = simulate(A, SEED_A, { hooks: hooks(0, 0, []) });
  const soloB = simulate(B, SEED_B, { hooks: hooks(0, 0, []) });

  it('the solo runs are substantial enough to be disturbed', () => {
    for (const run of [soloA, soloB]) {
      expect(run.error).toBeUndefined();
      expect(run.trace.length).toBeGreaterThan(3_000);
      expect(run.metrics.delivered).toBeGreaterThan(300);
    }
    // Both functions are called more often than the last nesting point.
    expect(soloA.metrics.operators.find((o) => o.id === 'nest')!.processed).toBeGreaterThan(200);
    expect(soloB.metrics.operators.find((o) => o.id === 'inner')!.processed).toBeGreaterThan(200);
    expect(soloB.metrics.expired).toBeGreaterThan(0);
    expect(soloA.metrics.operators.some((o) => o.blocked > 0)).toBe(true);
    expect(soloB.metrics.operators.some((o) => o.blocked > 0)).toBe(true);
  });

  it('a run started from a learner function mid-run leaves the outer run as it was, and is itself as if alone', () => {
    const nested: { config: 'A' | 'B'; depth: number; run: DataflowRun }[] = [];
    const outer = simulate(A, SEED_A, { hooks: hooks(0, 1, nested) });
    expect(nested.map((n) => n.config)).toEqual(['B', 'B']);
    expect(outer.trace).toStrictEqual(soloA.trace);
    expect(outer.metrics).toStrictEqual(soloA.metrics);
    expect(outer).toStrictEqual(soloA);
    for (const n of nested) {
      expect(n.run.trace).toStrictEqual(soloB.trace);
      expect(n.run.metrics).toStrictEqual(soloB.metrics);
      expect(n.run).toStrictEqual(soloB);
    }
  }, 60_000);

  it('two graphs whose learner functions run each other, three levels deep, all equal their solo runs', () => {
    const nested: { config: 'A' | 'B'; depth: number; run: DataflowRun }[] = [];
    const outer = simulate(A, SEED_A, { hooks: hooks(0, 2, nested) });
    // A runs B twice; each B runs A twice, and those finish before their B does.
    expect(nested.map((n) => `${n.config}${n.depth}`)).toEqual(['A2', 'A2', 'B1', 'A2', 'A2', 'B1']);
    expect(outer).toStrictEqual(soloA);
    for (const n of nested) expect(n.run).toStrictEqual(n.config === 'A' ? soloA : soloB);
  }, 60_000);
});
