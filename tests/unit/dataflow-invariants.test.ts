import { describe, expect, it } from 'vitest';
import { recordFold, simulate } from '#sim/dataflow';
import { randomGraph } from './dataflow-helpers';

describe('dataflow invariants on random graphs', () => {
  for (let seed = 1; seed <= 40; seed++) {
    it(`conservation at every event and every sample (graph ${seed})`, () => {
      const config = randomGraph(seed);
      // `check` makes the engine verify, after every event, that emitted = in flight + in buffers
      // + in state + delivered + filtered + merged + expired, measured from its live structures,
      // and that no buffer holds more than its capacity. It throws otherwise.
      const run = simulate(config, seed, { check: true, traceCap: 200_000 });
      expect(run.error).toBeUndefined();

      // The same identity from the trace alone, at every step of the fold (up to ~20,000 steps and
      // dozens of buffers a graph): checked in plain code, the first broken steps reported; an
      // expect() per step and per buffer made this file take half a minute.
      const fold = recordFold(run, 64);
      const cap = config.unbounded ? Infinity : config.buffer;
      const broken: string[] = [];
      for (let i = 0; i <= fold.length && broken.length < 3; i++) {
        const s = fold.at(i);
        const held = s.inFlight + s.inBuffers + s.inState + s.delivered + s.filtered + s.merged + s.expired;
        if (s.emitted !== held) broken.push(`step ${i}: emitted ${s.emitted}, accounted for ${held}`);
        for (const [buffer, f] of Object.entries(s.fills)) {
          if (!(f >= 0 && f <= cap)) broken.push(`step ${i}: buffer ${buffer} holds ${f} (capacity ${cap})`);
        }
        // A block (event i, right after state i) happens only when the buffer the record needs is
        // full: on a keyed edge the one for its key (so some buffer of the edge is full), on a
        // round-robin edge every one of them.
        const e = run.trace[i];
        if (e && e.kind === 'block') {
          const p = run.config.operators[run.edges[e.edge].to].parallelism;
          const fills = Array.from({ length: p }, (_, k) => s.fills[`${e.edge}:${k}`] ?? 0);
          const full = run.edges[e.edge].keyed ? Math.max(...fills) : Math.min(...fills);
          if (full !== cap) broken.push(`step ${i}: a block on edge ${e.edge} (${run.edges[e.edge].keyed ? 'keyed' : 'round-robin'}) with fills ${fills.join(', ')} of ${cap}`);
        }
      }
      expect(broken).toEqual([]);
      if (!run.truncated) {
        const last = fold.at(fold.length);
        const m = run.metrics;
        expect([last.emitted, last.delivered, last.filtered, last.merged, last.expired]).toEqual([m.emitted, m.delivered, m.filtered, m.merged, m.expired]);
        expect([last.inFlight, last.inBuffers, last.inState]).toEqual([m.inFlight, m.inBuffers, m.inState]);
      }

      // Samples: stocks measured from the structures, counters kept apart.
      const unbalanced = run.samples.filter((s) => s.emitted !== s.inFlight + s.inBuffers + s.inState + s.delivered + s.filtered + s.merged + s.expired);
      expect(unbalanced.map((s) => `t = ${s.t}`)).toEqual([]);
      // A batch run ends with the graph empty.
      if (run.mode === 'batch') expect(run.metrics.inFlight + run.metrics.inBuffers + run.metrics.inState + run.metrics.backlog).toBe(0);
    }, 60_000);
  }

  it('busy + idle + blocked adds up to the elapsed time, per instance, at every sample', () => {
    for (let seed = 1; seed <= 15; seed++) {
      const run = simulate(randomGraph(seed), seed);
      const off: string[] = [];
      for (const s of run.samples) {
        for (let i = 0; i < run.instances.length; i++) {
          // toBeCloseTo(s.t, 6) and >= -1e-9, checked in plain code (an expect() each took seconds)
          if (!(Math.abs(s.busy[i] + s.idle[i] + s.blocked[i] - s.t) < 5e-7)) off.push(`graph ${seed}, t = ${s.t}, instance ${i}: busy + idle + blocked = ${s.busy[i] + s.idle[i] + s.blocked[i]}`);
          if (!(Math.min(s.busy[i], s.idle[i], s.blocked[i]) >= -1e-9)) off.push(`graph ${seed}, t = ${s.t}, instance ${i}: a negative time`);
        }
      }
      expect(off.slice(0, 3)).toEqual([]);
    }
  });

  it('samples start at t = 0, end at the end of the run, and go forward', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const run = simulate(randomGraph(seed), seed);
      expect(run.samples[0].t).toBe(0);
      expect(run.samples[run.samples.length - 1].t).toBe(run.metrics.end);
      for (let k = 1; k < run.samples.length; k++) expect(run.samples[k].t).toBeGreaterThan(run.samples[k - 1].t);
      expect(run.series.length).toBe(run.samples.length - 1);
    }
  });
});
