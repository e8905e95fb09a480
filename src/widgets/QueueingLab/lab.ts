/**
 * The queueing lab's settings as the learner edits them (flat numbers and choices, one link field
 * each), the presets lesson 10 ("Backpressure and adaptive concurrency") uses, the engine config
 * for settings, and clamping through the engine's LIMITS. Pure: the model (model.ts) builds links
 * and runs on top of these.
 */
import { AIMD_DEFAULTS, GRADIENT2_DEFAULTS, LIMITS, VEGAS_DEFAULTS, type BreakerSpec, type LimiterSpec, type QueueingConfig, type RetryPolicy } from '#sim/queueing';

export const DISTS = ['exponential', 'deterministic', 'lognormal'] as const;
export const LIMITERS = ['none', 'fixed', 'aimd', 'gradient2', 'vegas'] as const;
export const FAULTS = ['none', 'capacity', 'slow', 'errors'] as const;
export const VIEWS = ['time', 'requests', 'limiter', 'sweep', 'failures', 'backoff'] as const;
/** Retry waits: `fixed` is the older rule (the same wait before every retry); the others are Brooker's (simulations/queueing/backoff.ts). */
export const STRATEGIES = ['fixed', 'none', 'immediate', 'exponential', 'full', 'equal', 'decorrelated'] as const;
export const BUDGETS = ['none', 'aws', 'grpc'] as const;
export const BREAKERS = ['none', 'resilience4j', 'polly'] as const;
/** gRPC has no default throttling: these are the example of proposal A6 ("maxTokens": 10, "tokenRatio": 0.1). */
export const GRPC_THROTTLE = { maxTokens: 10, tokenRatio: 0.1 } as const;

export interface QueueingSettings {
  preset: string;
  clients: 'open' | 'closed';
  /** Open loop: calls per second. */
  rate: number;
  /** Closed loop: clients, and their mean think time (ms). */
  users: number;
  think: number;
  servers: number;
  dist: (typeof DISTS)[number];
  /** Mean service time, ms. */
  mean: number;
  bounded: boolean;
  /** Most requests waiting when `bounded`. */
  capacity: number;
  discipline: 'fifo' | 'lifo';
  overflow: 'reject' | 'drop-oldest';
  /** Client timeout, ms (0: none). */
  timeout: number;
  /** Attempts per call (1: no retry), and the wait before a retry (ms): the base of Brooker's strategies. */
  attempts: number;
  backoff: number;
  /** How the wait grows from retry to retry, and its largest value (ms; Brooker's strategies). */
  strategy: (typeof STRATEGIES)[number];
  cap: number;
  /** A retry budget shared by the clients: the AWS SDK's retry quota, or gRPC's retry throttling. */
  budget: (typeof BUDGETS)[number];
  /** A circuit breaker with a library's defaults (resilience4j, Polly v8). */
  breaker: (typeof BREAKERS)[number];
  /** Each call carries an idempotency key: its side effect runs once however many attempts finish. */
  keys: boolean;
  /** Stop the work when its client gives up. */
  cancel: boolean;
  limiter: (typeof LIMITERS)[number];
  /** The fixed limiter's limit; the first limit of the adaptive ones. */
  limit: number;
  /** AIMD (AIMDLimit): min and max limit, the factor a drop multiplies the limit by, and the RTT (ms) above which a response counts as a drop. */
  aimdMin: number;
  aimdMax: number;
  aimdBackoff: number;
  aimdTimeout: number;
  /** Gradient2 (Gradient2Limit): min and max limit, smoothing, queue size, long-RTT window (samples), RTT tolerance. */
  g2Min: number;
  g2Max: number;
  g2Smoothing: number;
  g2Queue: number;
  g2Window: number;
  g2Tolerance: number;
  /** Vegas (VegasLimit): max limit, smoothing, probe multiplier. */
  vegasMax: number;
  vegasSmoothing: number;
  vegasProbe: number;
  fault: (typeof FAULTS)[number];
  faultAt: number;
  faultFor: number;
  /** Capacity fault: servers left; slow fault: service time factor; errors fault: % of requests that fail. */
  faultSize: number;
  /** Length of the run, ms. */
  duration: number;
  seed: number;
  /** Which view the figure shows (not part of the run). */
  view: (typeof VIEWS)[number];
}

export interface QueueingPreset {
  id: string;
  title: string;
  description: string;
  settings: Omit<QueueingSettings, 'preset'>;
}

const BASE: Omit<QueueingSettings, 'preset'> = {
  clients: 'open',
  rate: 50,
  users: 20,
  think: 100,
  servers: 1,
  dist: 'exponential',
  mean: 10,
  bounded: false,
  capacity: 20,
  discipline: 'fifo',
  overflow: 'reject',
  timeout: 0,
  attempts: 1,
  backoff: 0,
  strategy: 'fixed',
  cap: 20_000,
  budget: 'none',
  breaker: 'none',
  keys: false,
  cancel: false,
  limiter: 'none',
  // A limiter's parameters a preset leaves unset are Netflix concurrency-limits' defaults (limiters.ts).
  limit: AIMD_DEFAULTS.initial,
  aimdMin: AIMD_DEFAULTS.min,
  aimdMax: AIMD_DEFAULTS.max,
  aimdBackoff: AIMD_DEFAULTS.backoff,
  aimdTimeout: AIMD_DEFAULTS.timeout,
  g2Min: GRADIENT2_DEFAULTS.min,
  g2Max: GRADIENT2_DEFAULTS.max,
  g2Smoothing: GRADIENT2_DEFAULTS.smoothing,
  g2Queue: GRADIENT2_DEFAULTS.queueSize,
  g2Window: GRADIENT2_DEFAULTS.longWindow,
  g2Tolerance: GRADIENT2_DEFAULTS.tolerance,
  vegasMax: VEGAS_DEFAULTS.max,
  vegasSmoothing: VEGAS_DEFAULTS.smoothing,
  vegasProbe: VEGAS_DEFAULTS.probeMultiplier,
  fault: 'none',
  faultAt: 1000,
  faultFor: 1000,
  faultSize: 1,
  duration: 30_000,
  seed: 1,
  view: 'time',
};

const preset = (id: string, title: string, description: string, s: Partial<QueueingSettings>): QueueingPreset => ({ id, title, description, settings: { ...BASE, ...s } });

/** The metastable setup of tests/unit/queueing-metastable.test.ts: 4 servers, 100 ms timeout, 3 attempts, 1 s with 1 server. */
const STORM: Partial<QueueingSettings> = { servers: 4, timeout: 100, attempts: 3, fault: 'capacity', faultAt: 1000, faultFor: 1000, faultSize: 1, duration: 8000 };

/**
 * Lesson 9 ("When things fail"): 4 servers of 10 ms (400/s) asked for 100 calls a second, and a
 * downstream that answers every request with an error from 2 s to 5 s.
 */
const OUTAGE: Partial<QueueingSettings> = { servers: 4, rate: 100, timeout: 1000, attempts: 4, backoff: 10, fault: 'errors', faultAt: 2000, faultFor: 3000, faultSize: 100, duration: 8000, view: 'failures' };
/** A slow spell longer than the timeout: attempts time out while their work still completes. */
const SLOW_SPELL: Partial<QueueingSettings> = { servers: 8, rate: 100, timeout: 100, attempts: 3, strategy: 'exponential', backoff: 50, cap: 1000, fault: 'slow', faultAt: 2000, faultFor: 2000, faultSize: 15, duration: 8000, view: 'failures' };

/**
 * The limiter presets probe from below the servers' count: the min limit is 1 (Netflix: 20), and
 * AIMD counts a response slower than 50 ms (five mean service times; Netflix: 5 s) as a drop.
 */
const PROBE_LOW: Partial<QueueingSettings> = { aimdMin: 1, aimdTimeout: 50, g2Min: 1 };

const FAILURE_PRESETS: readonly QueueingPreset[] = [
  preset('retry-amplification', 'Retries multiply the load', '100 calls a second, 4 attempts each, and a downstream that fails every request from 2 s to 5 s: each call now makes 4 attempts, so the service sees 4 times the load while it is down.', OUTAGE),
  preset('retry-immediate-storm', 'Immediate retries: a storm', '300 calls a second on 400 a second of servers, 5 attempts sent at once after a 100 ms timeout: a one-second error spell sends 5 times the load, the queue grows past the timeout and the retries keep it there.', { servers: 4, rate: 300, timeout: 100, attempts: 5, strategy: 'immediate', fault: 'errors', faultAt: 1000, faultFor: 1000, faultSize: 100, duration: 6000, view: 'failures' }),
  preset('backoff-jitter', 'Backoff and jitter', 'Brooker’s experiment: clients race to update one row, retrying after a conflict. Exponential backoff alone keeps them colliding in waves; jitter spreads them out, with fewer calls and an earlier finish.', { strategy: 'full', attempts: 10, backoff: 5, cap: 2000, view: 'backoff' }),
  preset('retry-budget-aws', 'Retry budget: the AWS SDK quota', 'The same outage with the AWS SDK’s retry quota: 500 tokens, 5 per retry, 1 back per first-try success. After 100 retries the quota is empty and calls fail at once: the load stays near 1×.', { ...OUTAGE, budget: 'aws' }),
  preset('retry-budget-grpc', 'Retry budget: gRPC throttling', 'The same outage with gRPC retry throttling (10 tokens, 0.1 back per success): each failure takes a token, and at half the tokens retries stop until successes refill them.', { ...OUTAGE, budget: 'grpc' }),
  preset('breaker-resilience4j', 'Circuit breaker: resilience4j defaults', 'A 10 s outage with resilience4j’s default breaker: it opens once half of the last 100 calls failed, refuses calls for 60 s, then lets 10 through to decide.', { ...OUTAGE, attempts: 1, breaker: 'resilience4j', faultFor: 10_000, duration: 80_000 }),
  preset('breaker-polly', 'Circuit breaker: Polly v8 defaults', 'The same outage with Polly v8’s default breaker: it opens when 10% of at least 100 calls in 30 s failed, breaks for 5 s, then lets one call probe.', { ...OUTAGE, attempts: 1, breaker: 'polly', faultFor: 10_000, duration: 20_000 }),
  preset('timeout-p99', 'A timeout above the p99', 'One server at half load: 99% of responses take under about 110 ms, and the client waits 180 ms (65% more), so almost no call retries. Set the timeout to 30 ms: a fifth of the attempts time out and their retries add load.', { rate: 50, timeout: 180, attempts: 3, strategy: 'exponential', backoff: 20, cap: 1000, duration: 20_000, view: 'failures' }),
  preset('duplicates-no-keys', 'Retries charge twice', 'Service slows to 150 ms for 2 s while clients wait 100 ms: they retry, but the timed-out work still completes, and without idempotency keys each completion charges the customer again.', SLOW_SPELL),
  preset('duplicates-keys', 'Idempotency keys', 'The same slow spell with an idempotency key on each call: the server finds the key already charged and returns the stored result instead of charging again.', { ...SLOW_SPELL, keys: true }),
  preset('dead-letters', 'Dead letters', 'Errors on 60% of requests for 3 s, 3 attempts with backoff: about one call in five fails all three and goes to the dead-letter queue, to be handled later instead of lost.', { ...OUTAGE, attempts: 3, strategy: 'exponential', backoff: 50, cap: 1000, faultSize: 60 }),
];

export const PRESETS: readonly QueueingPreset[] = [
  preset('knee-50', 'M/M/1 at 50% load', 'One server, 10 ms on average, 50 requests a second: the queue is short and latency near the service time.', { rate: 50 }),
  preset('knee-80', 'M/M/1 at 80% load', 'The same server at 80 requests a second: mean response time is 5 times the service time.', { rate: 80 }),
  preset('knee-95', 'M/M/1 at 95% load', 'At 95 requests a second the mean response is 20 times the service time, and p99 swings widely: the knee of the curve.', { rate: 95 }),
  preset('pooling', 'Pooling: M/M/2 vs two M/M/1', 'Two servers sharing one queue at 80% load, against two servers with a queue each: one queue waits far less.', { servers: 2, rate: 160 }),
  preset('shedding', 'Bounded queue sheds load', '4 servers asked for 500 requests a second: a queue of 20 turns the excess away, so latency stays bounded.', { servers: 4, rate: 500, bounded: true, capacity: 20, duration: 10_000, view: 'requests' }),
  preset('lifo', 'LIFO under overload', '10% more work than 4 servers can do, clients give up after 200 ms: last in, first out keeps answering the newest calls in time.', { servers: 4, rate: 440, timeout: 200, discipline: 'lifo', duration: 10_000, view: 'requests' }),
  preset('fifo-overload', 'FIFO under overload', 'The same overload served first in, first out: every request waits behind older ones until nobody gets an answer in time.', { servers: 4, rate: 440, timeout: 200, duration: 10_000, view: 'requests' }),
  preset('aimd', 'AIMD probing for a limit', '10 servers with no waiting room at 1,000 requests a second: AIMD adds 1 to its limit per answer and cuts it by 10% per request turned away, a sawtooth from the servers up to about twice as many.', { servers: 10, rate: 1000, bounded: true, capacity: 0, duration: 10_000, limiter: 'aimd', limit: 10, ...PROBE_LOW, view: 'limiter' }),
  preset('gradient2', 'Gradient2 settling', '20 servers at 1,500 requests a second: Gradient2 sets its limit from how far recent latency is above its long-run average, and settles in a band around 15.', { servers: 20, rate: 1500, timeout: 200, duration: 10_000, limiter: 'gradient2', limit: 10, ...PROBE_LOW, view: 'limiter' }),
  preset('fanout', 'Progressive fan-out to a rate-limited API', 'A client with 3,000 calls a second to make, against an API that takes 10 at once (1,000 a second): AIMD starts at 1 call in flight and grows until the API refuses, then holds near 10.', { servers: 10, dist: 'deterministic', rate: 3000, bounded: true, capacity: 0, duration: 10_000, limiter: 'aimd', limit: 1, ...PROBE_LOW, view: 'limiter' }),
  preset('io-bound', 'Little’s law: sizing for I/O', '4 cores, 1 ms of CPU per request and 50 ms of I/O wait: 8 requests in flight (2x the cores) keep the cores mostly idle. How many does it take to fill them?', { clients: 'closed', users: 8, think: 50, servers: 4, mean: 1, duration: 10_000, view: 'time' }),
  preset('storm-stuck', 'Retry storm: stuck', 'Load 60%, 3 attempts per call, a 100 ms timeout: a second with one server left starts retries that keep the system down after it ends.', { ...STORM, rate: 240 }),
  preset('storm-recovered', 'Retry storm: recovered', 'The same trigger at 20% load: the retries fit in the spare capacity and the system recovers.', { ...STORM, rate: 80 }),
  ...FAILURE_PRESETS,
];

export function getPreset(id: string): QueueingPreset {
  const p = PRESETS.find((x) => x.id === id);
  if (!p) throw new Error(`There is no queueing preset "${id}". Presets: ${PRESETS.map((x) => x.id).join(', ')}.`);
  return p;
}

export function presetSettings(id: string): QueueingSettings {
  return { preset: id, ...structuredClone(getPreset(id).settings) };
}

/** The limiter of settings: the adaptive ones start at `limit`. */
function limiterSpec(s: QueueingSettings): LimiterSpec | undefined {
  switch (s.limiter) {
    case 'none':
      return undefined;
    case 'fixed':
      return { kind: 'fixed', limit: s.limit };
    case 'aimd':
      return { kind: 'aimd', initial: s.limit, min: s.aimdMin, max: s.aimdMax, backoff: s.aimdBackoff, timeout: s.aimdTimeout };
    case 'gradient2':
      return {
        kind: 'gradient2',
        initial: s.limit,
        min: s.g2Min,
        max: s.g2Max,
        smoothing: s.g2Smoothing,
        queueSize: s.g2Queue,
        longWindow: s.g2Window,
        tolerance: s.g2Tolerance,
      };
    case 'vegas':
      return { kind: 'vegas', initial: s.limit, max: s.vegasMax, smoothing: s.vegasSmoothing, probeMultiplier: s.vegasProbe };
  }
}

/** The retry policy of settings (undefined: one attempt per call). */
function retryPolicy(s: QueueingSettings): RetryPolicy | undefined {
  if (s.attempts <= 1 || s.strategy === 'none') return undefined;
  const budget = s.budget === 'aws' ? { budget: { kind: 'aws' as const } } : s.budget === 'grpc' ? { budget: { kind: 'grpc' as const, ...GRPC_THROTTLE } } : {};
  if (s.strategy === 'fixed') return { attempts: s.attempts, ...(s.backoff > 0 ? { backoff: s.backoff } : {}), ...budget };
  return { attempts: s.attempts, strategy: s.strategy, base: s.backoff, cap: s.cap, ...budget };
}

/** The breaker of settings, with its library's defaults. */
function breakerSpec(s: QueueingSettings): BreakerSpec | undefined {
  return s.breaker === 'none' ? undefined : { kind: s.breaker };
}

/** The engine config for settings. */
export function toConfig(s: QueueingSettings): QueueingConfig {
  const timeout = s.timeout > 0 ? s.timeout : undefined;
  const retry = retryPolicy(s);
  const policies = {
    ...(breakerSpec(s) ? { breaker: breakerSpec(s) } : {}),
    ...(s.keys ? { idempotencyKeys: true } : {}),
    // Every call that fails for good is counted as a dead letter (the Failures view shows them).
    deadLetter: true,
  };
  const clients: QueueingConfig['clients'] =
    s.clients === 'open'
      ? { kind: 'open', arrival: 'poisson', rate: s.rate, ...(timeout ? { timeout } : {}), ...(retry ? { retry } : {}), ...policies }
      : { kind: 'closed', clients: s.users, think: { dist: 'exponential', mean: s.think }, ...(timeout ? { timeout } : {}), ...(retry ? { retry } : {}), ...policies };
  const limiter = limiterSpec(s);
  const config: QueueingConfig = {
    clients,
    service: {
      servers: s.servers,
      time: s.dist === 'lognormal' ? { dist: 'lognormal', mean: s.mean, cv: 1.5 } : { dist: s.dist, mean: s.mean },
      queue: { discipline: s.discipline, ...(s.bounded ? { capacity: s.capacity, overflow: s.overflow } : {}) },
      ...(s.cancel ? { cancelOnTimeout: true } : {}),
    },
    ...(limiter ? { limiter } : {}),
    faults:
      s.fault === 'none'
        ? []
        : s.fault === 'capacity'
          ? [{ kind: 'capacity', at: s.faultAt, duration: s.faultFor, servers: s.faultSize }]
          : s.fault === 'slow'
            ? [{ kind: 'slow', at: s.faultAt, duration: s.faultFor, factor: s.faultSize }]
            : [{ kind: 'errors', at: s.faultAt, duration: s.faultFor, share: s.faultSize / 100 }],
    duration: s.duration,
    bucket: s.duration / 200,
    traceCap: TRACE_CAP,
  };
  return config;
}

/** Trace events a run keeps: about 4 per request, so every request of a run the lab allows (MAX_REQUESTS) is in the swimlanes. */
export const TRACE_CAP = 600_000;
export const MAX_REQUESTS = 100_000;

/** Longest run the lab makes (ms of virtual time), and most requests per run it aims at. */
export const MAX_DURATION = 120_000;
export const MAX_RATE = 5_000;

interface Range {
  min: number;
  max: number;
  integer?: boolean;
}

const RANGES: Partial<Record<keyof QueueingSettings, Range & { what: string }>> = {
  rate: { min: 0.1, max: MAX_RATE, what: 'Arrival rate (requests/s)' },
  users: { min: 1, max: 1000, integer: true, what: 'Clients' },
  think: { min: 0, max: 60_000, what: 'Think time (ms)' },
  servers: { min: 1, max: 64, integer: true, what: 'Servers' },
  mean: { min: 0.1, max: 10_000, what: 'Mean service time (ms)' },
  capacity: { min: 0, max: 100_000, integer: true, what: 'Queue capacity' },
  timeout: { min: 0, max: 600_000, what: 'Timeout (ms)' },
  attempts: { min: LIMITS.attempts.min, max: 10, integer: true, what: 'Attempts' },
  backoff: { min: 0, max: 60_000, what: 'Backoff (ms)' },
  cap: { min: 0, max: 60_000, what: 'Largest wait (ms)' },
  limit: { min: 1, max: 1000, integer: true, what: 'Limit' },
  aimdMin: { min: 1, max: 1000, integer: true, what: 'AIMD min limit' },
  aimdMax: { min: 1, max: 1000, integer: true, what: 'AIMD max limit' },
  aimdBackoff: { min: 0.01, max: LIMITS.ratio.max, what: 'AIMD backoff ratio' },
  aimdTimeout: { min: 0.1, max: 600_000, what: 'AIMD RTT timeout (ms)' },
  g2Min: { min: 1, max: 1000, integer: true, what: 'Gradient2 min limit' },
  g2Max: { min: 1, max: 1000, integer: true, what: 'Gradient2 max limit' },
  g2Smoothing: { min: 0.01, max: LIMITS.ratio.max, what: 'Gradient2 smoothing' },
  g2Queue: { min: 1, max: 1000, integer: true, what: 'Gradient2 queue size' },
  g2Window: { min: 1, max: 10_000, integer: true, what: 'Gradient2 long window (samples)' },
  g2Tolerance: { min: LIMITS.tolerance.min, max: 10, what: 'Gradient2 tolerance' },
  vegasMax: { min: 1, max: 1000, integer: true, what: 'Vegas max limit' },
  vegasSmoothing: { min: 0.01, max: LIMITS.ratio.max, what: 'Vegas smoothing' },
  vegasProbe: { min: 1, max: 1000, integer: true, what: 'Vegas probe multiplier' },
  faultAt: { min: 0, max: MAX_DURATION, what: 'Fault start (ms)' },
  faultFor: { min: 1, max: MAX_DURATION, what: 'Fault length (ms)' },
  duration: { min: 100, max: MAX_DURATION, what: 'Run length (ms)' },
  seed: { min: 0, max: 2 ** 31 - 1, integer: true, what: 'Seed' },
};

/** A setting's range in the lab (for the inputs' min and max; clampSettings enforces it). */
export function rangeOf(key: keyof QueueingSettings): Range | undefined {
  const r = RANGES[key];
  return r && { min: r.min, max: r.max, integer: r.integer };
}

type LimiterKey = Extract<keyof QueueingSettings, `aimd${string}` | `g2${string}` | `vegas${string}`>;

/**
 * The parameters each limiter takes besides its first limit (`limit`), in the order the settings
 * show them, with their labels: Netflix concurrency-limits' names (AIMDLimit, Gradient2Limit,
 * VegasLimit builders).
 */
export const LIMITER_PARAMS: Record<(typeof LIMITERS)[number], readonly { key: LimiterKey; label: string; unit: string }[]> = {
  none: [],
  fixed: [],
  aimd: [
    { key: 'aimdMin', label: 'Min limit', unit: '' },
    { key: 'aimdMax', label: 'Max limit', unit: '' },
    { key: 'aimdBackoff', label: 'Backoff', unit: '× on a drop' },
    { key: 'aimdTimeout', label: 'RTT timeout', unit: 'ms' },
  ],
  gradient2: [
    { key: 'g2Min', label: 'Min limit', unit: '' },
    { key: 'g2Max', label: 'Max limit', unit: '' },
    { key: 'g2Smoothing', label: 'Smoothing', unit: '' },
    { key: 'g2Queue', label: 'Queue size', unit: '' },
    { key: 'g2Window', label: 'Long window', unit: 'samples' },
    { key: 'g2Tolerance', label: 'Tolerance', unit: '× long RTT' },
  ],
  vegas: [
    { key: 'vegasMax', label: 'Max limit', unit: '' },
    { key: 'vegasSmoothing', label: 'Smoothing', unit: '' },
    { key: 'vegasProbe', label: 'Probe every', unit: '× limit' },
  ],
};

/** Pulls the settings into the lab's ranges, with one note per change. */
export function clampSettings(s: QueueingSettings): { settings: QueueingSettings; notes: string[] } {
  const out = { ...s };
  const notes: string[] = [];
  const fix = (key: keyof QueueingSettings, r: Range, what: string) => {
    const v = out[key] as number;
    let w = Number.isFinite(v) ? v : r.min;
    if (r.integer) w = Math.round(w);
    w = Math.min(r.max, Math.max(r.min, w));
    if (w !== v) {
      notes.push(`${what} was ${v}; the lab takes ${r.integer ? 'whole numbers ' : ''}from ${r.min.toLocaleString('en')} to ${r.max.toLocaleString('en')}, so it uses ${w.toLocaleString('en')}.`);
      (out as Record<string, unknown>)[key] = w;
    }
  };
  for (const [key, r] of Object.entries(RANGES)) fix(key as keyof QueueingSettings, r!, r!.what);
  // A min limit above the max would pin the limit at the max (the engine clamps to max last).
  fix('aimdMin', { min: 1, max: out.aimdMax, integer: true }, 'AIMD min limit (at most the max limit)');
  fix('g2Min', { min: 1, max: out.g2Max, integer: true }, 'Gradient2 min limit (at most the max limit)');
  if (out.fault === 'capacity') fix('faultSize', { min: 0, max: out.servers, integer: true }, 'Servers left during the fault');
  if (out.fault === 'slow') fix('faultSize', { min: 1, max: 100 }, 'Slow-down factor');
  if (out.fault === 'errors') fix('faultSize', { min: 0, max: 100 }, 'Share of requests failing (%)');
  // Keep runs to about MAX_REQUESTS requests so a run stays a fraction of a second.
  const perSecond = out.clients === 'open' ? out.rate * out.attempts : (out.users * 1000) / Math.max(out.think + out.mean, 0.1);
  const maxDuration = Math.floor((MAX_REQUESTS / Math.max(perSecond, 1e-9)) * 1000);
  if (out.duration > maxDuration) {
    notes.push(`A run of ${(out.duration / 1000).toLocaleString('en')} s at this load would make over ${MAX_REQUESTS.toLocaleString('en')} requests; the lab runs ${(maxDuration / 1000).toLocaleString('en')} s.`);
    out.duration = Math.max(100, maxDuration);
  }
  return { settings: out, notes };
}
