import { describe, expect, it } from 'vitest';
import { dataflowFold, getPreset, narrate, PRESETS, simulate } from '#sim/dataflow';

describe('dataflow fold (state at step i)', () => {
  const p = getPreset('bottleneck');
  const run = simulate(p.config, p.seed);
  const fold = dataflowFold(run);

  it('has one step per sample and starts empty', () => {
    expect(fold.length).toBe(run.samples.length - 1);
    const v = fold.at(0);
    expect(v.t).toBe(0);
    expect(v.delivered).toBe(0);
    expect(v.bottleneck.op).toBe(-1);
  });

  it('stepping back gives exactly the state seen going forward', () => {
    const forward = [];
    for (let i = 0; i <= fold.length; i++) forward.push(fold.at(i));
    for (let i = fold.length; i >= 0; i--) expect(fold.at(i)).toEqual(forward[i]);
    expect(fold.at(-5)).toEqual(forward[0]);
    expect(fold.at(1e9)).toEqual(forward[fold.length]);
  });

  it('shows the full buffer, the blocked upstream and the bottleneck mid-run', () => {
    const v = fold.at(Math.round(fold.length / 2));
    expect(v.bottleneck.id).toBe('enrich');
    const into = v.edges.find((e) => run.config.operators[e.to].id === 'enrich')!;
    expect(into.ratio).toBe(1);
    expect(v.operators[1].blocked).toBeGreaterThan(0.5);
    expect(v.throughput).toBeCloseTo(250, -1);
    expect(v.sourceRate).toBeCloseTo(250, -1);
  });

  it('stepAtTime finds the last sample at or before a time', () => {
    const s = fold.stepAtTime(1000);
    expect(run.samples[s].t).toBeLessThanOrEqual(1000);
    expect(run.samples[s + 1].t).toBeGreaterThan(1000);
  });
});

describe('dataflow narration', () => {
  it('describes the start, the bottleneck, the held-back source and the end', () => {
    const p = getPreset('bottleneck');
    const run = simulate(p.config, p.seed);
    const fold = dataflowFold(run);
    expect(narrate(run, 0)).toBe('t = 0 ms: nothing has run yet. "events" will receive 1,000/s for 4 s.');
    const mid = narrate(run, Math.round(fold.length / 2), fold);
    expect(mid).toMatch(/^t = 2(\.\d+)? s: 250\/s reach the sink; "enrich" is the bottleneck, busy 100%; "parse" is blocked \d+% of the time by a full buffer; the buffer into "enrich" is full; [\d,]+ records wait at the source\.$/);
    expect(narrate(run, fold.length, fold)).toMatch(/The run ends: 999 records delivered, median latency 1\.5 s/);
  });

  it('names skew, bursts, unbounded growth and batch completion', () => {
    const skew = simulate(getPreset('skew').config, 1);
    expect(narrate(skew, dataflowFold(skew).length)).toMatch(/"count per user" is the bottleneck: its instance \d is busy \d+%, the others far less \(key skew\)/);
    const burst = simulate(getPreset('burst').config, 1);
    const bf = dataflowFold(burst);
    expect(narrate(burst, bf.stepAtTime(1500), bf)).toMatch(/A burst is on: "events" receives 2,400\/s instead of 600\/s/);
    const unb = simulate(getPreset('unbounded').config, 1);
    expect(narrate(unb, dataflowFold(unb).length)).toMatch(/the unbounded buffer into "process" holds 1,500 records/);
    const batch = simulate(getPreset('batch').config, 1);
    expect(narrate(batch, dataflowFold(batch).length)).toMatch(/The job is done after 5 s: 5,000 records delivered/);
  });

  it('every step of every preset has a line', () => {
    for (const p of PRESETS) {
      const run = simulate(p.config, p.seed);
      const fold = dataflowFold(run);
      for (let i = 0; i <= fold.length; i += 7) expect(narrate(run, i, fold)).toMatch(/^t = .+\.$/);
    }
  });
});
