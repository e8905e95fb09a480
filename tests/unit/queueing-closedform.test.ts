/**
 * The queueing engine against queueing theory: M/M/1, M/M/c (Erlang C) and M/D/1
 * (Pollaczek-Khinchine) within 3% on long seeded runs; Little's law as an independent check of
 * the time-averaged L against the per-request W; pooling (one M/M/2 beats two M/M/1 at the same
 * load). Service times are in ms, rates per second.
 */
import { describe, expect, test } from 'vitest';
import { simulate, mm1, mmc, md1, erlangC, type QueueingConfig } from '#sim/queueing';

const S = 10; // mean service time, ms

function open(servers: number, rho: number, dist: 'exponential' | 'deterministic', requests: number): QueueingConfig {
  const rate = ((rho * servers) / S) * 1000;
  return { clients: { kind: 'open', arrival: 'poisson', rate }, service: { servers, time: { dist, mean: S } }, requests, traceCap: 0 };
}

function within(actual: number, expected: number, share: number): void {
  expect(Math.abs(actual / expected - 1), `${actual} vs ${expected}`).toBeLessThan(share);
}

describe('closed forms', () => {
  test('Erlang C formula: known values', () => {
    // c = 1: P(wait) = rho. c = 2, a = 1: C = (1/2 * 2) / (1 + 1 + 1) = 1/3.
    expect(erlangC(1, 0.7)).toBeCloseTo(0.7, 12);
    expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 12);
  });

  test('M/M/1 at rho 0.5: W, Wq and L within 3%', () => {
    const r = simulate(open(1, 0.5, 'exponential', 500_000), 1).metrics;
    const th = mm1(0.05, S); // lambda = 0.05 per ms
    expect(th.W).toBeCloseTo(20, 10); // S / (1 - rho)
    within(r.meanResponse, th.W, 0.03);
    within(r.meanWait, th.Wq, 0.03);
    within(r.meanInSystem, th.L, 0.03);
    within(r.utilization, 0.5, 0.01);
  });

  test('M/M/3 at rho 0.6 (Erlang C): W and L within 3%, Wq within 5%', () => {
    const r = simulate(open(3, 0.6, 'exponential', 500_000), 2).metrics;
    const th = mmc(3, 0.18, S);
    within(r.meanResponse, th.W, 0.03);
    within(r.meanInSystem, th.L, 0.03);
    // Wq is a small part of W at this load and noisier relative to itself.
    within(r.meanWait, th.Wq, 0.05);
    within(r.utilization, 0.6, 0.01);
  });

  test('M/D/1 at rho 0.7 (Pollaczek-Khinchine): W, Wq and L within 3%, half the M/M/1 wait', () => {
    const r = simulate(open(1, 0.7, 'deterministic', 200_000), 3).metrics;
    const th = md1(0.07, S);
    within(r.meanResponse, th.W, 0.03);
    within(r.meanWait, th.Wq, 0.03);
    within(r.meanInSystem, th.L, 0.03);
    expect(r.meanWait).toBeLessThan(mm1(0.07, S).Wq * 0.55);
  });

  test('M/G/1 (Pollaczek-Khinchine, Wq = λE[S²] / 2(1 − ρ)): lognormal and bimodal service times within 3% on W', () => {
    // lognormal mean 10, cv 1: E[S²] = mean² (1 + cv²) = 200. bimodal 5 or 50 ms (10%): mean 9.5, E[S²] = 0.9·25 + 0.1·2500 = 272.5
    const cases = [
      { time: { dist: 'lognormal', mean: 10, cv: 1 }, mean: 10, second: 200 },
      { time: { dist: 'bimodal', fast: 5, slow: 50, slowShare: 0.1 }, mean: 9.5, second: 272.5 },
    ] as const;
    for (const c of cases) {
      const lambda = 0.5 / c.mean;
      const Wq = (lambda * c.second) / (2 * (1 - 0.5));
      const m = simulate({ clients: { kind: 'open', arrival: 'poisson', rate: lambda * 1000 }, service: { servers: 1, time: c.time }, requests: 200_000, traceCap: 0 }, 1).metrics;
      within(m.meanResponse, Wq + c.mean, 0.03);
      within(m.meanWait, Wq, 0.05);
    }
  });

  test("Little's law: L (time average) = throughput × W (per request), on a model with no closed form", () => {
    // Lognormal service (cv 2), 2 servers, LIFO, bursty arrivals: no formula, the law still holds.
    const config: QueueingConfig = {
      clients: { kind: 'open', arrival: 'bursts', burst: 3, rate: 150 },
      service: { servers: 2, time: { dist: 'lognormal', mean: S, cv: 2 }, queue: { discipline: 'lifo' } },
      requests: 60_000,
      traceCap: 0,
    };
    const m = simulate(config, 4).metrics;
    const lambda = m.throughput / 1000; // per ms
    expect(m.completed).toBe(60_000);
    within(m.meanInSystem, lambda * m.meanResponse, 0.001);
    within(m.meanQueue, lambda * m.meanWait, 0.001);
    // and utilisation = lambda × S / c (the offered work), another time average against a count
    within(m.utilization, (lambda * S) / 2, 0.03);
  });

  test('pooling: one M/M/2 beats two M/M/1 at the same load', () => {
    const rho = 0.8;
    const pooled = simulate(open(2, rho, 'exponential', 200_000), 5).metrics;
    const split = simulate(open(1, rho, 'exponential', 200_000), 6).metrics;
    // theory: M/M/2 W = S / (1 - rho^2) = 27.8 ms; M/M/1 W = S / (1 - rho) = 50 ms
    within(pooled.meanResponse, mmc(2, 0.16, S).W, 0.05);
    within(split.meanResponse, mm1(0.08, S).W, 0.05);
    expect(pooled.meanResponse).toBeLessThan(split.meanResponse * 0.65);
  });
});
