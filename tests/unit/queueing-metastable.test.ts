/**
 * Metastable failure (Bronson et al. 2021): 4 servers of 10 ms (400/s), clients that give up after
 * 100 ms and try each call 3 times, servers that finish timed-out work anyway. A trigger (3 of 4
 * servers lost for 1 s) builds a queue past the timeout; from then on every call costs 3 requests,
 * so above about a third of capacity (3 × load > 1) the load outlives the trigger and the system
 * stays down. The threshold is found by a sweep of base loads.
 */
import { describe, expect, test } from 'vitest';
import { simulate, sweepLoad, sweepGrid, recovery, type QueueingConfig } from '#sim/queueing';

const S = 10;
const SERVERS = 4;
const WINDOW = 2000; // goodput is judged over the last 2 s of an 8 s run (the trigger ends at 2 s)

function at(load: number, trigger = 1000, attempts = 3): { config: QueueingConfig; callRate: number; window: number } {
  const rate = ((load * SERVERS) / S) * 1000;
  return {
    config: {
      clients: { kind: 'open', arrival: 'poisson', rate, timeout: 100, retry: { attempts } },
      service: { servers: SERVERS, time: { dist: 'exponential', mean: S } },
      faults: trigger > 0 ? [{ kind: 'capacity', at: 1000, duration: trigger, servers: 1 }] : [],
      duration: 8000,
      bucket: 100,
      traceCap: 0,
    },
    callRate: rate,
    window: WINDOW,
  };
}

const LOADS = Array.from({ length: 17 }, (_, i) => Math.round((0.1 + 0.05 * i) * 100) / 100); // 0.1 .. 0.9

describe('metastable failure under retries', () => {
  const sweep = sweepLoad(LOADS, (load) => at(load), 1);
  const threshold = sweep.threshold;

  test('the sweep finds a threshold near 1 / attempts, with recovery below and collapse above', () => {
    expect(threshold).toBeGreaterThanOrEqual(0.2);
    expect(threshold).toBeLessThanOrEqual(0.45);
    for (const p of sweep.points) {
      if (p.load >= threshold) expect(p.outcome, `load ${p.load}`).toBe('stuck');
      if (p.load <= threshold - 0.1) expect(p.outcome, `load ${p.load}`).toBe('recovered');
    }
  });

  test('above the threshold: healthy without the trigger, collapsed long after it ends', () => {
    const load = Math.min(0.9, threshold + 0.2);
    const calm = at(load, 0);
    expect(recovery(simulate(calm.config, 1), calm.callRate, WINDOW).outcome).toBe('recovered');
    const hit = at(load);
    const run = simulate(hit.config, 1);
    expect(recovery(run, hit.callRate, WINDOW).outcome).toBe('stuck');
    // stuck for a sustaining reason: the servers are busy (finishing work nobody waits for)
    const last = run.series.throughput.slice(-20);
    expect(last.reduce((a, b) => a + b, 0) / last.length).toBeGreaterThan(0.9 * 400);
    expect(run.metrics.wastedWork).toBeGreaterThan(0);
  });

  test('below the threshold the same trigger passes', () => {
    const below = at(Math.max(0.1, threshold - 0.1));
    expect(recovery(simulate(below.config, 1), below.callRate, WINDOW).outcome).toBe('recovered');
  });

  test('the sustaining effect is the retries: with one attempt, the same trigger passes at the same load', () => {
    const load = Math.min(0.9, threshold + 0.2);
    const once = at(load, 1000, 1);
    expect(recovery(simulate(once.config, 1), once.callRate, WINDOW).outcome).toBe('recovered');
  });
});

describe('the sweep grid (base load × trigger length)', () => {
  const loads = [0.2, 0.5, 0.8];
  const triggers = [0, 100, 1000];
  const grid = sweepGrid(loads, triggers, (load, trigger) => at(load, trigger), 1);

  test('no trigger, no collapse; a long trigger collapses the loads above the threshold only', () => {
    expect(grid.complete).toBe(true);
    expect(grid.cells[0].map((c) => c.outcome)).toEqual(['recovered', 'recovered', 'recovered']);
    expect(grid.cells[2].map((c) => c.outcome)).toEqual(['recovered', 'stuck', 'stuck']);
  });

  test('a 100 ms trigger passes at load 0.5: the queue it builds is too short to reach the timeout', () => {
    // 100 ms at 1 server: queue grows by (rate - 100/s) × 0.1 s; at load 0.5 that is 10 requests, 25 ms of wait on 4 servers
    expect(grid.cells[1][1].outcome).toBe('recovered');
  });

  test('progress is reported and a sweep can be stopped', () => {
    const seen: number[] = [];
    const stopped = sweepGrid(loads, triggers, (load, trigger) => at(load, trigger), 1, (done) => {
      seen.push(done);
      return done < 4;
    });
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(stopped.complete).toBe(false);
    expect(stopped.cells.flat()).toHaveLength(4);
  });
});
