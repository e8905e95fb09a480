/**
 * Every number lesson 6 (content/lessons/06-dataflow.mdx) states, measured from the engine, so the
 * lesson cannot drift from the lab. When a preset changes, this test says which sentence to fix.
 */
import { describe, expect, it } from 'vitest';
import { dataflowFold, getPreset, instanceShares, keyInstance, keyProbabilities, simulate, type DataflowConfig } from '#sim/dataflow';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const lesson = readFileSync(resolve(__dirname, '../../content/lessons/06-dataflow.mdx'), 'utf8').replace(/\s+/g, ' ');
const run = (id: string, patch?: (c: DataflowConfig) => void, hooks?: Parameters<typeof simulate>[2]) => {
  const p = getPreset(id);
  const c = structuredClone(p.config);
  patch?.(c);
  return simulate(c, p.seed, hooks);
};
const says = (text: string) => expect(lesson, `the lesson says "${text}"`).toContain(text);

describe('lesson 6 figures', () => {
  it('the slowest stage sets the pace: 250, 500, 750, then 800 at the store', () => {
    const at = (p: number) => run('bottleneck', (c) => (c.operators[2].parallelism = p)).metrics;
    expect(Math.round(at(1).steadyThroughput)).toBe(250);
    expect(Math.round(at(2).steadyThroughput)).toBe(500);
    expect(Math.round(at(3).steadyThroughput)).toBe(750);
    expect(Math.round(at(4).steadyThroughput)).toBe(800);
    expect(at(4).bottleneck.id).toBe('store');
    const m = at(1);
    expect(Math.round(m.operators[1].blocked * 100)).toBe(85);
    expect(m.operators[2].busy).toBeGreaterThan(0.995);
    expect(m.backlog).toBeGreaterThan(2900);
    expect(m.backlog).toBeLessThan(3000);
    says('**250 per second**');
    says('parse is blocked 85% of the time');
    says('the throughput goes to 500 and 750 per second');
    says('which does 800');
    says('nearly 3,000 after four seconds');
  });

  it('a burst waits at the source (1,367 at most) and is worked off by t = 5.4 s; unbounded, 1,400 sit in buffers', () => {
    const r = run('burst');
    const peak = Math.max(...r.samples.map((s) => s.backlog[0]));
    expect(peak).toBe(1367);
    const drained = r.samples.find((s) => s.t > 2000 && s.backlog[0] === 0)!.t;
    expect(drained / 1000).toBeCloseTo(5.4, 1);
    for (const e of r.metrics.edges) expect(e.maxFill).toBeLessThanOrEqual(16);
    const fold = dataflowFold(r);
    expect(Math.round(fold.at(fold.stepAtTime(1500)).sourceRate)).toBe(1000);
    const u = run('burst', (c) => (c.unbounded = true));
    expect(Math.max(...u.samples.map((s) => s.inBuffers))).toBe(1400);
    expect(Math.round(u.metrics.latency.max / 100) / 10).toBe(1.4);
    expect(Math.round(r.metrics.latency.max / 100) / 10).toBe(1.4);
    says('up to 1,367 records wait at it');
    says('no backlog left from t = 5.4 s');
    says('1,400 records sit in its buffers at the peak');
    says('The slowest record still waits 1.4 s either way');
  });

  it('an overload grows an unbounded buffer by 250 a second, to 1,500; bounded, 1,466 wait at the source', () => {
    const u = run('unbounded');
    expect(u.metrics.edges[1].maxFill).toBe(1500);
    const b = run('unbounded', (c) => (c.unbounded = false));
    expect(b.metrics.backlog).toBe(1466);
    says('grows by 250 records every second, to 1,500 after six seconds');
    says('1,466 records wait at the source instead');
  });

  it('hot keys: 1,510 clicks a second with 4 instances, 1,778 with 16; even keys 2,009 and 3,000', () => {
    const rate = (p: number, skew = 1.3) =>
      Math.round(
        run('skew', (c) => {
          c.operators[2].parallelism = p;
          c.operators[0].skew = skew;
        }).metrics.steadySourceRate,
      );
    expect(rate(4)).toBe(1510);
    expect(rate(16)).toBe(1778);
    expect(rate(4, 0)).toBe(2009);
    expect(rate(8, 0)).toBe(3000);
    expect(rate(16) / rate(4)).toBeLessThan(1.2);
    expect(rate(8, 0) / rate(4, 0)).toBeGreaterThan(1.45);
    expect(Math.round(Math.max(...instanceShares(200, 1.3, 4)) * 100)).toBe(42);
    expect(Math.max(...instanceShares(200, 1.3, 16))).toBeCloseTo(0.345, 3);
    expect(Math.round(keyProbabilities(200, 1.3)[0] * 100)).toBe(31);
    says('1,510 clicks a second get through');
    says('**1,778**');
    says('receives 42% of all clicks with 4 instances');
    says('it still receives 34.5%');
    says('sends 31% of the clicks');
    says('the same 4 instances take 2,009 clicks a second; 8 keep up with all 3,000');
  });

  it('even keys: 2,009 and not 2,500, because 200 users hash unevenly onto 4 instances and the key-by blocks on one full buffer', () => {
    const even = (buffer: number) =>
      run('skew', (c) => {
        c.operators[0].skew = 0;
        c.buffer = buffer;
      }).metrics;
    const owned = [0, 1, 2, 3].map((j) => Array.from({ length: 200 }, (_, k) => k).filter((k) => keyInstance(k, 4) === j).length);
    expect(owned).toEqual([35, 57, 55, 53]);
    const share = Math.max(...instanceShares(200, 0, 4));
    expect(share).toBeCloseTo(0.285, 12);
    const perInstance = 1000 / getPreset('skew').config.operators[2].serviceMs!;
    expect(perInstance).toBe(625);
    expect(Math.round(perInstance / share)).toBe(2193);
    const m16 = even(16);
    expect(Math.round(m16.steadySourceRate)).toBe(2009);
    expect(Math.round(Math.max(...m16.operators[2].instanceBusy) * 100)).toBe(95);
    // The key-by is blocked much of the time: head-of-line blocking on one full buffer.
    expect(m16.operators[1].blocked).toBeGreaterThan(0.5);
    expect(Math.round(even(64).steadySourceRate)).toBe(2144);
    // Chaining the source and the key-by (the preset's default) changes nothing here.
    expect(Math.round(run('skew', (c) => ((c.operators[0].skew = 0), (c.chaining = false))).metrics.steadySourceRate)).toBe(2009);
    says('the instances own 35, 57, 55 and 53 users');
    says('the busiest instance gets 28.5% of the clicks');
    says('capped at 625 / 0.285 = 2,193 a second');
    says('busy only 95% of the time');
    says('With 64-record buffers, the same run takes 2,144 clicks a second');
  });

  it('chaining: the three stages as one task run at 1,000 / 5.85 = 171 a second; unchained 250', () => {
    const chained = run('chaining').metrics;
    expect(Math.round(chained.steadyThroughput)).toBe(171);
    expect(Math.round(1000 / (0.6 + 4 + 1.25))).toBe(171);
    expect(chained.edges.every((e) => e.maxFill === 0)).toBe(true);
    const ops = chained.operators.slice(1);
    for (const o of ops) expect(o.busy).toBeCloseTo(ops[0].busy, 12);
    expect(Math.round(run('chaining', (c) => (c.chaining = false)).metrics.steadyThroughput)).toBe(250);
    says('**171 per second**');
    says('0.6 + 4 + 1.25 = 5.85 ms a record, so 1,000 / 5.85 = 171 a second');
    says('the pipeline is back at 250 a second');
  });

  it('quiz question 4: three chained operators (1, 2, 1 ms) with 2 instances run at 500 a second', () => {
    const ops = [
      { id: 'src', kind: 'source' as const, count: 3_000, parallelism: 2 },
      { id: 'a', kind: 'map' as const, serviceMs: 1, parallelism: 2 },
      { id: 'b', kind: 'map' as const, serviceMs: 2, parallelism: 2 },
      { id: 'c', kind: 'sink' as const, serviceMs: 1, parallelism: 2 },
    ];
    const config: DataflowConfig = { operators: ops, edges: ops.slice(1).map((o, k) => ({ from: ops[k].id, to: o.id })), buffer: 16, unbounded: false, duration: 1000 };
    expect(Math.round(simulate(config, 1).metrics.steadyThroughput)).toBe(500);
    expect(Math.round(simulate({ ...config, chaining: false }, 1).metrics.steadyThroughput)).toBe(1000);
    says('2 instances each, taking 1 ms, 2 ms and 1 ms per record');
    says("choices: ['250 records/s', '500 records/s', '1,000 records/s', '2,000 records/s'], answer: 1");
  });

  it('batch finishes in 5.0 s with the median out at 2.5 s; the stream is out in 3 ms', () => {
    const b = run('batch').metrics;
    expect((b.makespan / 1000).toFixed(1)).toBe('5.0');
    expect((b.latency.p50 / 1000).toFixed(1)).toBe('2.5');
    const s = run('stream');
    expect(s.metrics.latency.max).toBeCloseTo(3, 9);
    expect(s.metrics.latency.p50).toBeCloseTo(3, 9);
    const last = (5000 - 1) * (1000 / 800);
    expect((last / 1000).toFixed(2)).toBe('6.25');
    says('The batch finishes in **5.0 s**');
    says('the median record is out only after 2.5 s');
    says('each record is out **3 ms** after it arrives');
  });

  it('write an operator: enrich does 667 a second; keeping half removes the bottleneck, p95 1.27 s → about 5 ms', () => {
    const all = run('operator').metrics;
    expect(Math.round(all.steadyThroughput)).toBe(667);
    expect(all.bottleneck.id).toBe('enrich');
    expect((all.latency.p95 / 1000).toFixed(2)).toBe('1.27');
    const half = run('operator', undefined, { hooks: { keep: (r) => r.value < 500 } }).metrics;
    expect(half.bottleneck.op).toBe(-1);
    expect(Math.round(half.latency.p95)).toBe(5);
    says('so it can do 667 a second');
    says('latency falls from 1.27 s to about 5 ms');
  });

  it('quiz question 1: the engine agrees that 2×1 ms, 1×2 ms, 4×5 ms runs at 500 a second', () => {
    const c: DataflowConfig = {
      operators: [
        { id: 'src', kind: 'source', count: 3_000 },
        { id: 'a', kind: 'map', parallelism: 2, serviceMs: 1 },
        { id: 'b', kind: 'map', parallelism: 1, serviceMs: 2 },
        { id: 'c', kind: 'sink', parallelism: 4, serviceMs: 5 },
      ],
      edges: [
        { from: 'src', to: 'a' },
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
      ],
      buffer: 16,
      unbounded: false,
      duration: 1000,
    };
    const m = simulate(c, 1).metrics;
    expect(Math.round(m.steadyThroughput)).toBe(500);
    expect(m.bottleneck.id).toBe('b');
    says("choices: ['500 records/s'");
  });
});
