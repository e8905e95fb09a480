/**
 * Each limiter, step by step, against Netflix concurrency-limits' Java source
 * (github.com/Netflix/concurrency-limits @ 78a74b9, concurrency-limits-core/src/main/java/com/
 * netflix/concurrency/limits/limit/). Every expected value is worked out by hand in the comment
 * beside it from the cited lines; none comes from running the TypeScript. Samples are
 * (rtt ms, inflight at admission, dropped?).
 */
import { describe, expect, test } from 'vitest';
import { AimdLimiter, ExpAvg, FixedLimiter, Gradient2Limiter, VegasLimiter, log10Root, simulate } from '#sim/queueing';

type Sample = [rtt: number, inflight: number, drop: boolean];

describe('AIMD (AIMDLimit.java)', () => {
  // Builder defaults, lines 34-37: minLimit 20, initialLimit 20, maxLimit 200, backoffRatio 0.9;
  // DEFAULT_TIMEOUT 5 s. _update, lines 102-111:
  //   if (didDrop || rtt > timeout) currentLimit = (int) (currentLimit * backoffRatio);
  //   else if (inflight * 2 >= currentLimit) currentLimit = currentLimit + 1;
  //   return Math.min(maxLimit, Math.max(minLimit, currentLimit));
  test('defaults: additive increase when busy, multiplicative decrease floored at min', () => {
    const l = new AimdLimiter();
    const steps: [Sample, number][] = [
      [[10, 10, false], 21], // 10*2 >= 20 -> 21
      [[10, 10, false], 21], // 20 >= 21 is false -> unchanged
      [[10, 11, false], 22], // 22 >= 21 -> 22
      [[10, 15, true], 20], // (int)(22*0.9) = (int)19.8 = 19, max(20, 19) = 20
      [[6000, 15, false], 20], // rtt 6000 ms > 5 s timeout: (int)(20*0.9) = 18 -> min 20
    ];
    expect(l.limit).toBe(20);
    for (const [[rtt, inflight, drop], want] of steps) expect(l.update(rtt, inflight, drop)).toBe(want);
  });

  test('with min 5: the truncating backoff, then growth', () => {
    const l = new AimdLimiter({ initial: 10, min: 5 });
    expect(l.update(10, 1, true)).toBe(9); // (int)(10*0.9) = 9
    expect(l.update(10, 1, true)).toBe(8); // (int)(9*0.9) = (int)8.1 = 8
    expect(l.update(10, 1, true)).toBe(7); // (int)(8*0.9) = (int)7.2 = 7
    expect(l.update(10, 4, false)).toBe(8); // 4*2 = 8 >= 7 -> 8
    expect(l.update(10, 3, false)).toBe(8); // 6 >= 8 false
  });

  test('max clamps', () => {
    const l = new AimdLimiter({ initial: 199 });
    expect(l.update(1, 199, false)).toBe(200);
    expect(l.update(1, 199, false)).toBe(200); // 201 -> min(200, 201)
  });
});

describe('Gradient2 (Gradient2Limit.java, ExpAvgMeasurement.java)', () => {
  // ExpAvgMeasurement.add, lines 36-42: mean of the first warmupWindow samples (Gradient2 passes
  // 10, line 270), then value*(1-f) + sample*f with f = 2/(window+1) (line 47).
  test('ExpAvg: warm-up mean, then the exponential average', () => {
    const m = new ExpAvg(600, 10);
    for (let i = 0; i < 10; i++) m.add(10);
    expect(m.value).toBe(10);
    // 10*(1 - 2/601) + 611*2/601 = 10 + 601*2/601 = 12
    expect(m.add(611)).toBeCloseTo(12, 12);
  });

  // Defaults, lines 75-83: initialLimit 20, minLimit 20, maxConcurrency 200, smoothing 0.2,
  // queueSize 4, longWindow 600, rttTolerance 1.5. _update, lines 278-322:
  //   longRtt = this.longRtt.add(rtt); if (longRtt / shortRtt > 2) this.longRtt.update(x -> x*0.95);
  //   if (inflight < estimatedLimit / 2) return (int) estimatedLimit;
  //   gradient = max(0.5, min(1.0, tolerance * longRtt / shortRtt));
  //   newLimit = estimatedLimit * gradient + queueSize;
  //   newLimit = estimatedLimit * (1 - smoothing) + newLimit * smoothing;
  //   newLimit = max(minLimit, min(maxLimit, newLimit)); return (int) newLimit;
  test('defaults, a recorded RTT sequence', () => {
    const l = new Gradient2Limiter();
    const steps: [Sample, number, number][] = [
      // long = 10; gradient = min(1, 1.5*10/10) = 1; new = 20+4 = 24; 20*0.8 + 24*0.2 = 20.8
      [[10, 20, false], 20.8, 20],
      // long = (10+10)/2 = 10; new = 20.8+4 = 24.8; 20.8*0.8 + 24.8*0.2 = 16.64 + 4.96 = 21.6
      [[10, 20, false], 21.6, 21],
      // long = 60/3 = 20; gradient = 1.5*20/40 = 0.75; new = 21.6*0.75+4 = 20.2; 17.28 + 4.04 = 21.32
      [[40, 21, false], 21.32, 21],
      // long = 160/4 = 40; gradient = 0.6; new = 21.32*0.6+4 = 16.792; 17.056 + 3.3584 = 20.4144
      [[100, 21, false], 20.4144, 20],
      // long = 165/5 = 33; 33/5 > 2 so the average is scaled to 31.35; inflight 5 < 20.4144/2: unchanged
      [[5, 5, false], 20.4144, 20],
      // warm-up: long = 170/6 = 28.33 (the sum was not scaled); gradient = min(1, 1.5*28.33/5) = 1;
      // new = 24.4144; 20.4144*0.8 + 24.4144*0.2 = 16.33152 + 4.88288 = 21.2144
      [[5, 20, false], 21.2144, 21],
    ];
    for (const [[rtt, inflight], estimate, limit] of steps) {
      expect(l.update(rtt, inflight)).toBe(limit);
      expect(l.estimate).toBeCloseTo(estimate, 10);
    }
    expect(l.longRtt.value).toBeCloseTo((170 / 6) * 0.95, 10); // the 0.95 cut of line 294
  });

  test('min 1: the limit falls under sustained queueing and the gradient floor is 0.5', () => {
    const l = new Gradient2Limiter({ min: 1, initial: 40 });
    // warm up the long average with 10 samples of 10 ms at inflight 40:
    // each: gradient 1, est = est*0.8 + (est+4)*0.2 = est + 0.8 -> 40 + 8 = 48
    for (let i = 0; i < 10; i++) l.update(10, 40);
    expect(l.estimate).toBeCloseTo(48, 10);
    // rtt 1000: long = 10*(599/601) + 1000*(2/601) = (5990 + 2000)/601 = 13.2945...; 1.5*13.29/1000 < 0.5 -> 0.5
    // new = 48*0.5 + 4 = 28; 48*0.8 + 28*0.2 = 38.4 + 5.6 = 44
    expect(l.update(1000, 40)).toBe(44);
    expect(l.estimate).toBeCloseTo(44, 10);
  });
});

describe('Vegas (VegasLimit.java, Log10RootIntFunction.java)', () => {
  // Log10RootIntFunction lines: lookup[i] = max(1, (int) log10(i)) for i < 1000, else (int) log10(t).
  test('log10 root', () => {
    expect([0, 1, 9, 10, 99, 100, 999, 1000, 12_345].map(log10Root)).toEqual([1, 1, 1, 1, 1, 2, 2, 3, 4]);
  });

  // Defaults, lines 48-58: initialLimit 20, maxConcurrency 1000, smoothing 1.0, alpha = 3*log10,
  // beta = 6*log10, threshold = log10, increase = limit + log10, decrease = limit - log10,
  // probeMultiplier 30. _update, lines 249-276: probeCount++; probe when
  // probeJitter * probeMultiplier * estimatedLimit <= probeCount (then rtt_noload = rtt, no change);
  // first sample or rtt < rtt_noload: rtt_noload = rtt, no change. updateEstimatedLimit, 279-:
  //   queueSize = (int) ceil(estimatedLimit * (1 - rtt_noload / rtt));
  //   didDrop -> decrease; else inflight*2 < estimatedLimit -> no change;
  //   queueSize <= threshold -> +beta; < alpha -> increase; > beta -> decrease; else no change;
  //   newLimit = max(1, min(maxLimit, newLimit)); newLimit = (1-smoothing)*est + smoothing*newLimit.
  test('defaults, a recorded RTT and drop sequence', () => {
    // random() = 0 -> probeJitter = 0.5; a probe would need 0.5*30*20 = 300 samples
    const l = new VegasLimiter({}, () => 0);
    const steps: [Sample, number][] = [
      [[10, 20, false], 20], // first sample: rtt_noload = 10
      [[10, 20, false], 26], // queue = ceil(20*0) = 0 <= threshold 1 -> 20 + beta 6
      [[20, 26, false], 25], // queue = ceil(26*0.5) = 13 > beta 6 -> 26 - 1
      [[12, 25, false], 25], // queue = ceil(25/6) = ceil(4.17) = 5: not <= 1, not < 3, not > 6 -> unchanged
      [[10.5, 25, false], 26], // queue = ceil(25*0.5/10.5) = ceil(1.19) = 2 < alpha 3 -> 25 + 1
      [[10.5, 10, false], 26], // inflight*2 = 20 < 26 -> unchanged (app-limited)
      [[50, 5, true], 25], // drop -> 26 - 1 (the drop is tested before the app-limited rule)
      [[8, 25, false], 25], // 8 < rtt_noload 10: new rtt_noload, unchanged
      [[8, 25, false], 31], // queue 0 -> 25 + 6
    ];
    for (const [[rtt, inflight, drop], want] of steps) expect(l.update(rtt, inflight, drop)).toBe(want);
    expect(l.noLoad).toBe(8);
  });

  test('the probe resets the no-load RTT', () => {
    // probeMultiplier 1, jitter 0.5: a probe at probeCount >= 0.5*1*20 = 10
    const l = new VegasLimiter({ probeMultiplier: 1 }, () => 0);
    l.update(10, 20, false); // 1: rtt_noload = 10
    for (let i = 2; i <= 9; i++) expect(l.update(10, 0, false)).toBe(20); // app-limited
    expect(l.update(30, 20, false)).toBe(20); // 10th sample is the probe: rtt_noload = 30
    expect(l.noLoad).toBe(30);
    // with rtt_noload 30, rtt 30 means no queue: +6. (Without the probe: ceil(20*2/3) = 14 > 6 -> 19.)
    expect(l.update(30, 20, false)).toBe(26);
  });

  test('smoothing and the [1, max] clamp', () => {
    const l = new VegasLimiter({ initial: 10, max: 12, smoothing: 0.5 }, () => 0.99);
    l.update(10, 10, false);
    // queue 0 -> 10 + 6 = 16 -> min(12, 16) = 12 -> 0.5*10 + 0.5*12 = 11
    expect(l.update(10, 10, false)).toBe(11);
    expect(l.estimate).toBe(11);
  });
});

describe('limiters in the engine', () => {
  test('a fixed limit caps what is in flight and turns the rest away', () => {
    const run = simulate(
      {
        clients: { kind: 'open', arrival: 'poisson', rate: 2000 },
        service: { servers: 4, time: { dist: 'exponential', mean: 10 } },
        limiter: { kind: 'fixed', limit: 6 },
        requests: 5000,
      },
      1,
    );
    expect(new FixedLimiter(6).update()).toBe(6);
    expect(Math.max(...run.series.inFlight)).toBeLessThanOrEqual(6);
    expect(run.metrics.rejected).toBeGreaterThan(1000); // offered 2000/s into 400/s of capacity
    expect(run.trace.some((e) => e.kind === 'reject' && e.reason === 'limit')).toBe(true);
  });

  // 800/s offered to 4 servers of 10 ms (400/s), clients give up after 50 ms.
  const overload = (limiter: Parameters<typeof simulate>[0]['limiter'], cancelOnTimeout: boolean) =>
    simulate(
      {
        clients: { kind: 'open', arrival: 'poisson', rate: 800, timeout: 50 },
        service: { servers: 4, time: { dist: 'exponential', mean: 10 }, cancelOnTimeout },
        limiter,
        duration: 5000,
        bucket: 25,
        traceCap: 0,
      },
      2,
    );
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

  test('AIMD hears cancelled timeouts as drops and settles where the queue wait reaches the timeout', () => {
    const run = overload({ kind: 'aimd', min: 4, initial: 50 }, true);
    // queue wait ~ (limit - 4) * 10 ms / 4 reaches 50 ms at limit 24: the sawtooth sits around it
    const settled = run.series.limit.slice(100);
    expect(median(settled)).toBeGreaterThan(12);
    expect(median(settled)).toBeLessThan(40);
    // fewer timeouts than with no limiter at all (the queue behind the limit stays short)
    expect(run.metrics.timedOut).toBeLessThan(overload(undefined, true).metrics.timedOut * 0.6);
  });

  test('AIMD never hears of timeouts the server does not see: without cancellation it climbs to its max', () => {
    const run = overload({ kind: 'aimd', min: 4, initial: 50 }, false);
    // late finishes are ordinary samples (rtt < AIMD's 5 s timeout), so inflight*2 >= limit grows it to 200
    expect(run.series.limit[run.series.limit.length - 1]).toBe(200);
    expect(run.metrics.goodput).toBeLessThan(50); // and the clients get almost nothing
  });

  test('Vegas keeps the queue short: a limit near the 4 servers and few timeouts', () => {
    const run = overload({ kind: 'vegas' }, true);
    expect(median(run.series.limit.slice(100))).toBeLessThanOrEqual(12);
    expect(run.metrics.timedOut).toBeLessThan(0.05 * run.metrics.arrived);
    expect(run.metrics.goodput).toBeGreaterThan(0.85 * 400);
  });
});
