/**
 * Concurrency limiters: the update rules of Netflix concurrency-limits
 * (github.com/Netflix/concurrency-limits, concurrency-limits-core, package
 * com.netflix.concurrency.limits.limit), re-implemented from its Java source with its defaults.
 *
 * Every limiter has the library's contract (`Limit.onSample(startTime, rtt, inflight, didDrop)`):
 * after each request leaves, the limiter is told its round-trip time, the number in flight when
 * it was admitted (itself included, as AbstractLimiter.createListener passes `currentInflight`)
 * and whether it was dropped (timed out, evicted, shed). `limit` is the whole number of requests
 * the limiter lets in at once; the library's SimpleLimiter rejects a request when that many are
 * already in flight. Times here are milliseconds; the Java code uses nanoseconds, and every rule
 * below compares RTTs only with each other (ratios, minimums) except AIMD's timeout, which is
 * given in ms.
 *
 * Java `(int)` casts of non-negative doubles truncate: `Math.trunc` here.
 */

export interface Limiter {
  /** The current whole-number limit (`getLimit()`). */
  readonly limit: number;
  /** One sample (`onSample` minus the unused start time); returns the new limit. */
  update(rtt: number, inflight: number, didDrop: boolean): number;
}

/** FixedLimit: the limit never changes. */
export class FixedLimiter implements Limiter {
  constructor(readonly limit: number) {}
  update(): number {
    return this.limit;
  }
}

export interface AimdOptions {
  initial?: number;
  min?: number;
  max?: number;
  backoff?: number;
  /** An RTT above this (ms) counts as a drop. Java default: 5 s. */
  timeout?: number;
}

/** AIMDLimit defaults (AIMDLimit.Builder: minLimit 20, initialLimit 20, maxLimit 200, backoffRatio 0.9, timeout 5 s). */
export const AIMD_DEFAULTS = { initial: 20, min: 20, max: 200, backoff: 0.9, timeout: 5000 } as const;

/**
 * AIMDLimit._update: on a drop (or an RTT over the timeout) the limit becomes
 * trunc(limit × backoff); otherwise, if inflight × 2 ≥ limit, it grows by 1; then it is clamped
 * to [min, max].
 */
export class AimdLimiter implements Limiter {
  limit: number;
  readonly min: number;
  readonly max: number;
  readonly backoff: number;
  readonly timeout: number;
  constructor(o: AimdOptions = {}) {
    this.limit = o.initial ?? AIMD_DEFAULTS.initial;
    this.min = o.min ?? AIMD_DEFAULTS.min;
    this.max = o.max ?? AIMD_DEFAULTS.max;
    this.backoff = o.backoff ?? AIMD_DEFAULTS.backoff;
    this.timeout = o.timeout ?? AIMD_DEFAULTS.timeout;
  }
  update(rtt: number, inflight: number, didDrop: boolean): number {
    let current = this.limit;
    if (didDrop || rtt > this.timeout) current = Math.trunc(current * this.backoff);
    else if (inflight * 2 >= current) current = current + 1;
    this.limit = Math.min(this.max, Math.max(this.min, current));
    return this.limit;
  }
}

/**
 * ExpAvgMeasurement(window, warmupWindow): the plain mean of the first `warmup` samples, then an
 * exponential average with factor 2 / (window + 1). `scale` is Measurement.update(v -> v × f):
 * it rewrites the value but not the warm-up sum, so during warm-up the next sample's mean
 * replaces it (as in the Java class).
 */
export class ExpAvg {
  value = 0;
  private sum = 0;
  private count = 0;
  constructor(
    readonly window: number,
    readonly warmup: number,
  ) {}
  add(sample: number): number {
    if (this.count < this.warmup) {
      this.count++;
      this.sum += sample;
      this.value = this.sum / this.count;
    } else {
      const factor = 2 / (this.window + 1);
      this.value = this.value * (1 - factor) + sample * factor;
    }
    return this.value;
  }
  scale(f: number): void {
    this.value = this.value * f;
  }
}

export interface Gradient2Options {
  initial?: number;
  min?: number;
  max?: number;
  smoothing?: number;
  queueSize?: number;
  longWindow?: number;
  tolerance?: number;
}

/** Gradient2Limit.Builder defaults: initialLimit 20, minLimit 20, maxConcurrency 200, smoothing 0.2, queueSize 4, longWindow 600, rttTolerance 1.5. */
export const GRADIENT2_DEFAULTS = { initial: 20, min: 20, max: 200, smoothing: 0.2, queueSize: 4, longWindow: 600, tolerance: 1.5 } as const;

/**
 * Gradient2Limit._update: longRtt is an ExpAvg(longWindow, 10) of RTTs; if longRtt / rtt > 2 the
 * long average is scaled by 0.95; if inflight < estimate / 2 nothing changes (app-limited);
 * otherwise gradient = clamp(tolerance × longRtt / rtt, 0.5, 1),
 * new = estimate × (1 − smoothing) + (estimate × gradient + queueSize) × smoothing, clamped to
 * [min, max]. The estimate is a double; the limit is trunc(estimate).
 */
export class Gradient2Limiter implements Limiter {
  estimate: number;
  limit: number;
  readonly longRtt: ExpAvg;
  readonly o: Required<Gradient2Options>;
  constructor(o: Gradient2Options = {}) {
    this.o = { ...GRADIENT2_DEFAULTS, ...o };
    this.estimate = this.o.initial;
    this.limit = this.o.initial;
    this.longRtt = new ExpAvg(this.o.longWindow, 10);
  }
  update(rtt: number, inflight: number): number {
    const { queueSize, smoothing, tolerance, min, max } = this.o;
    const estimate = this.estimate;
    const shortRtt = rtt;
    const longRtt = this.longRtt.add(rtt);
    if (longRtt / shortRtt > 2) this.longRtt.scale(0.95);
    if (inflight < estimate / 2) {
      this.limit = Math.trunc(estimate);
      return this.limit;
    }
    const gradient = Math.max(0.5, Math.min(1.0, (tolerance * longRtt) / shortRtt));
    let next = estimate * gradient + queueSize;
    next = estimate * (1 - smoothing) + next * smoothing;
    next = Math.max(min, Math.min(max, next));
    this.estimate = next;
    this.limit = Math.trunc(next);
    return this.limit;
  }
}

/** Log10RootIntFunction: max(1, trunc(log10 t)) for t < 1000 (t = 0 gives 1), trunc(log10 t) above. */
export function log10Root(t: number): number {
  return t < 1000 ? Math.max(1, Math.trunc(Math.log10(t))) : Math.trunc(Math.log10(t));
}

export interface VegasOptions {
  initial?: number;
  max?: number;
  smoothing?: number;
  probeMultiplier?: number;
}

/** VegasLimit.Builder defaults: initialLimit 20, maxConcurrency 1000, smoothing 1.0, probeMultiplier 30; alpha 3·log10, beta 6·log10, threshold log10, increase/decrease ± log10. */
export const VEGAS_DEFAULTS = { initial: 20, max: 1000, smoothing: 1.0, probeMultiplier: 30 } as const;

/**
 * VegasLimit._update: every sample counts towards a probe; when
 * jitter × probeMultiplier × estimate ≤ probeCount (jitter uniform in [0.5, 1), drawn anew after
 * each probe) the sample becomes the new no-load RTT and nothing else changes. A sample below the
 * no-load RTT (or the first) also just becomes it. Otherwise queue = ceil(estimate × (1 −
 * noLoad / rtt)); on a drop the estimate decreases by log10(limit); when inflight × 2 < estimate
 * nothing changes; else with alpha = 3·L, beta = 6·L, threshold = L (L = log10Root(trunc
 * estimate)): queue ≤ threshold → + beta; queue < alpha → + L; queue > beta → − L; else no change.
 * The new estimate is clamped to [1, max] and smoothed: (1 − s) × old + s × new.
 *
 * `random` stands in for ThreadLocalRandom (it must return a number in [0, 1)).
 */
export class VegasLimiter implements Limiter {
  estimate: number;
  limit: number;
  noLoad = 0;
  probeCount = 0;
  probeJitter = 0;
  readonly o: Required<VegasOptions>;
  private readonly random: () => number;
  constructor(o: VegasOptions = {}, random: () => number) {
    this.o = { ...VEGAS_DEFAULTS, ...o };
    this.estimate = this.o.initial;
    this.limit = this.o.initial;
    this.random = random;
    this.resetProbeJitter();
  }
  private resetProbeJitter(): void {
    this.probeJitter = 0.5 + 0.5 * this.random();
  }
  update(rtt: number, inflight: number, didDrop: boolean): number {
    if (!(rtt > 0)) throw new Error(`Vegas: rtt must be > 0 but got ${rtt}.`);
    this.probeCount++;
    if (this.probeJitter * this.o.probeMultiplier * this.estimate <= this.probeCount) {
      this.resetProbeJitter();
      this.probeCount = 0;
      this.noLoad = rtt;
      this.limit = Math.trunc(this.estimate);
      return this.limit;
    }
    if (this.noLoad === 0 || rtt < this.noLoad) {
      this.noLoad = rtt;
      this.limit = Math.trunc(this.estimate);
      return this.limit;
    }
    const estimate = this.estimate;
    const queue = Math.ceil(estimate * (1 - this.noLoad / rtt));
    const L = log10Root(Math.trunc(estimate));
    let next: number;
    if (didDrop) next = estimate - L;
    else if (inflight * 2 < estimate) {
      this.limit = Math.trunc(estimate);
      return this.limit;
    } else {
      const alpha = 3 * L;
      const beta = 6 * L;
      const threshold = L;
      if (queue <= threshold) next = estimate + beta;
      else if (queue < alpha) next = estimate + L;
      else if (queue > beta) next = estimate - L;
      else {
        this.limit = Math.trunc(estimate);
        return this.limit;
      }
    }
    next = Math.max(1, Math.min(this.o.max, next));
    next = (1 - this.o.smoothing) * estimate + this.o.smoothing * next;
    this.estimate = next;
    this.limit = Math.trunc(next);
    return this.limit;
  }
}
