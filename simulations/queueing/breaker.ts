/**
 * Circuit breakers (closed → open → half-open → closed or open), after two libraries.
 *
 * resilience4j (the constants of resilience4j-circuitbreaker's CircuitBreakerConfig.java:
 * DEFAULT_FAILURE_RATE_THRESHOLD 50 %, DEFAULT_SLIDING_WINDOW_TYPE COUNT_BASED,
 * DEFAULT_SLIDING_WINDOW_SIZE 100, DEFAULT_MINIMUM_NUMBER_OF_CALLS 100,
 * DEFAULT_WAIT_DURATION_IN_OPEN_STATE 60 s, DEFAULT_PERMITTED_CALLS_IN_HALF_OPEN_STATE 10; the same
 * defaults are listed in Apache Camel's Resilience4j EIP docs; automatic open → half-open off by
 * default; for a count-based window CircuitBreakerMetrics uses min(minimumNumberOfCalls,
 * slidingWindowSize) as the minimum). Closed: the outcomes of the last
 * `window` calls are kept; once at least `minCalls` are recorded and the failure rate is ≥ the
 * threshold, it opens. Open: every call is refused until `openMs` have passed; the first call
 * after that moves it to half-open. Half-open: `halfOpenCalls` calls are let through (others
 * refused); when all have an outcome, a failure rate ≥ the threshold opens it again, otherwise it
 * closes and clears its window (the slow-call rate rule is left out: slow calls here are timeouts).
 *
 * Polly v8 (CircuitBreakerStrategyOptions defaults, pollydocs.org/strategies/circuit-breaker):
 * FailureRatio 0.1, MinimumThroughput 100, SamplingDuration 30 s, BreakDuration 5 s. Closed:
 * outcomes are counted over the sampling duration, split into 10 windows (Polly.Core
 * HealthMetrics / RollingHealthMetrics: a window starts with the first outcome after the
 * previous one is samplingDuration / 10 old, and windows started samplingDuration ago or more
 * are dropped); after a failure, if throughput ≥ MinimumThroughput and failures / throughput ≥
 * FailureRatio, it breaks (AdvancedCircuitBehavior.OnActionFailure). Open for BreakDuration (the
 * outcomes of calls already under way are still counted); then the first call moves it to
 * half-open and is let through, other calls are refused, and the next outcome decides: success
 * closes it and resets the counts, failure breaks it again (CircuitStateController).
 */

export type BreakerState = 'closed' | 'open' | 'half-open';
/** Numeric codes used in time series: closed 0, open 1, half-open 2. */
export const BREAKER_CODE: Record<BreakerState, number> = { closed: 0, open: 1, 'half-open': 2 };

export interface Resilience4jOptions {
  /** Failure rate threshold, percent. */
  failureRate?: number;
  /** Count-based sliding window size (calls). */
  window?: number;
  minCalls?: number;
  /** Wait in open state, ms. */
  openMs?: number;
  halfOpenCalls?: number;
}

export interface PollyOptions {
  /** Failure ratio, 0..1. */
  failureRatio?: number;
  minThroughput?: number;
  /** Sampling duration, ms. */
  samplingMs?: number;
  /** Break duration, ms. */
  breakMs?: number;
}

export const RESILIENCE4J_DEFAULTS = { failureRate: 50, window: 100, minCalls: 100, openMs: 60_000, halfOpenCalls: 10 } as const;
export const POLLY_DEFAULTS = { failureRatio: 0.1, minThroughput: 100, samplingMs: 30_000, breakMs: 5_000 } as const;

export type BreakerSpec = ({ kind: 'resilience4j' } & Resilience4jOptions) | ({ kind: 'polly' } & PollyOptions);

export interface BreakerTransition {
  t: number;
  from: BreakerState;
  to: BreakerState;
}

export interface CircuitBreaker {
  readonly state: BreakerState;
  /** May a call start at time t? (May move open → half-open.) */
  allow(t: number): boolean;
  /** A permitted call's outcome at time t. */
  record(t: number, success: boolean): void;
  /** Every state change so far. */
  readonly transitions: BreakerTransition[];
}

abstract class BreakerBase implements CircuitBreaker {
  state: BreakerState = 'closed';
  readonly transitions: BreakerTransition[] = [];
  protected openedAt = 0;
  protected to(t: number, s: BreakerState): void {
    this.transitions.push({ t, from: this.state, to: s });
    this.state = s;
    if (s === 'open') this.openedAt = t;
  }
  abstract allow(t: number): boolean;
  abstract record(t: number, success: boolean): void;
}

export class Resilience4jBreaker extends BreakerBase {
  readonly failureRate: number;
  readonly window: number;
  readonly minCalls: number;
  readonly openMs: number;
  readonly halfOpenCalls: number;
  private ring: Uint8Array;
  private n = 0; // outcomes in the window
  private head = 0; // next slot to write
  private failures = 0;
  private hoPermitted = 0;
  private hoDone = 0;
  private hoFailures = 0;
  constructor(o: Resilience4jOptions = {}) {
    super();
    this.failureRate = o.failureRate ?? RESILIENCE4J_DEFAULTS.failureRate;
    this.window = o.window ?? RESILIENCE4J_DEFAULTS.window;
    this.minCalls = o.minCalls ?? RESILIENCE4J_DEFAULTS.minCalls;
    this.openMs = o.openMs ?? RESILIENCE4J_DEFAULTS.openMs;
    this.halfOpenCalls = o.halfOpenCalls ?? RESILIENCE4J_DEFAULTS.halfOpenCalls;
    this.ring = new Uint8Array(this.window);
  }
  allow(t: number): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open') {
      if (t - this.openedAt < this.openMs) return false;
      this.to(t, 'half-open');
      this.hoPermitted = this.hoDone = this.hoFailures = 0;
    }
    if (this.hoPermitted >= this.halfOpenCalls) return false;
    this.hoPermitted++;
    return true;
  }
  record(t: number, success: boolean): void {
    if (this.state === 'closed') {
      const fail = success ? 0 : 1;
      if (this.n === this.window) this.failures -= this.ring[this.head];
      else this.n++;
      this.ring[this.head] = fail;
      this.failures += fail;
      this.head = (this.head + 1) % this.window;
      // resilience4j: the rate is computed once min(minimumNumberOfCalls, window) calls are in.
      if (this.n >= Math.min(this.minCalls, this.window) && (this.failures * 100) / this.n >= this.failureRate) {
        this.to(t, 'open');
      }
    } else if (this.state === 'half-open') {
      this.hoDone++;
      if (!success) this.hoFailures++;
      if (this.hoDone >= this.halfOpenCalls) {
        if ((this.hoFailures * 100) / this.hoDone >= this.failureRate) this.to(t, 'open');
        else {
          this.to(t, 'closed');
          this.n = this.head = this.failures = 0;
        }
      }
    }
    // Open: outcomes of calls let in before it opened change nothing. In half-open every outcome
    // counts, also that of a call let in while it was still closed.
  }
}

export class PollyBreaker extends BreakerBase {
  readonly failureRatio: number;
  readonly minThroughput: number;
  readonly samplingMs: number;
  readonly breakMs: number;
  private readonly windowMs: number;
  // The rolling windows: start time, successes, failures (a small queue of arrays).
  private wStart: number[] = [];
  private wOk: number[] = [];
  private wFail: number[] = [];
  private ok = 0;
  private fail = 0;
  private probing = false;
  constructor(o: PollyOptions = {}) {
    super();
    this.failureRatio = o.failureRatio ?? POLLY_DEFAULTS.failureRatio;
    this.minThroughput = o.minThroughput ?? POLLY_DEFAULTS.minThroughput;
    this.samplingMs = o.samplingMs ?? POLLY_DEFAULTS.samplingMs;
    this.breakMs = o.breakMs ?? POLLY_DEFAULTS.breakMs;
    // Polly uses one window when the sampling duration is under 10 × 20 ms (its timer resolution).
    this.windowMs = this.samplingMs < 200 ? this.samplingMs : this.samplingMs / 10;
  }
  /** The counts in the sampling duration ending at t: [successes, failures]. */
  health(t: number): [number, number] {
    this.roll(t);
    return [this.ok, this.fail];
  }
  private roll(t: number): number {
    const last = this.wStart.length - 1;
    let i = last;
    if (last < 0 || t - this.wStart[last] >= this.windowMs) {
      this.wStart.push(t);
      this.wOk.push(0);
      this.wFail.push(0);
      i = last + 1;
    }
    while (t - this.wStart[0] >= this.samplingMs) {
      this.ok -= this.wOk[0];
      this.fail -= this.wFail[0];
      this.wStart.shift();
      this.wOk.shift();
      this.wFail.shift();
      i--;
    }
    return i;
  }
  allow(t: number): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open') {
      if (t - this.openedAt < this.breakMs) return false;
      this.to(t, 'half-open');
      this.probing = false;
    }
    if (this.probing) return false;
    this.probing = true;
    return true;
  }
  record(t: number, success: boolean): void {
    // Polly's controller: any outcome in half-open decides (success closes, failure re-opens).
    if (this.state === 'half-open') {
      this.probing = false;
      if (success) {
        this.to(t, 'closed');
        this.wStart = [];
        this.wOk = [];
        this.wFail = [];
        this.ok = this.fail = 0;
      } else this.to(t, 'open');
      return;
    }
    const i = this.roll(t);
    if (success) {
      this.ok++;
      this.wOk[i]++;
      return;
    }
    this.fail++;
    this.wFail[i]++;
    if (this.state === 'closed') {
      const thr = this.ok + this.fail;
      if (thr >= this.minThroughput && this.fail / thr >= this.failureRatio) this.to(t, 'open');
    }
  }
}

export function makeBreaker(spec: BreakerSpec | undefined): CircuitBreaker | null {
  if (!spec) return null;
  return spec.kind === 'resilience4j' ? new Resilience4jBreaker(spec) : new PollyBreaker(spec);
}
