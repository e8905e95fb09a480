/**
 * The queueing model's config, trace events and metrics. Times are milliseconds; rates are per
 * second. See simulate.ts for the semantics.
 */
import type { Run, TraceEventBase } from '../core/trace';
import type { BackoffStrategy } from './backoff';
import type { RetryBudgetSpec } from './budgets';
import type { BreakerSpec, BreakerTransition } from './breaker';

export type { BackoffStrategy, RetryBudgetSpec, BreakerSpec, BreakerTransition };

export type ServiceTime =
  | { dist: 'exponential'; mean: number }
  | { dist: 'deterministic'; mean: number }
  /** Lognormal with this mean and coefficient of variation (sd / mean). */
  | { dist: 'lognormal'; mean: number; cv?: number }
  /** `fast` ms, or `slow` ms with probability `slowShare`. */
  | { dist: 'bimodal'; fast: number; slow: number; slowShare: number };

export type Think = { dist: 'exponential' | 'deterministic'; mean: number };

export interface RetryPolicy {
  /** Attempts in all, the first included (1 = no retry). */
  attempts: number;
  /**
   * Older form (used when `strategy` is absent): the wait before retry k (k = 1, 2, ...) is
   * backoff × 2^(k−1) when `exponential`, else backoff.
   */
  backoff?: number;
  exponential?: boolean;
  /** Older form: full jitter, the wait is uniform in [0, wait] when true. */
  jitter?: boolean;
  /**
   * Brooker's strategies (backoff.ts), with n = k − 1 for retry k: `none` never retries,
   * `immediate` retries at once, `exponential` waits min(cap, base × 2^n), `full` random(0, that),
   * `equal` half of it plus random(0, half), `decorrelated` min(cap, random(base, previous × 3)).
   */
  strategy?: BackoffStrategy;
  /** Base wait, ms (default 100). */
  base?: number;
  /** Largest wait, ms (default 20,000: the AWS SDK's MaxBackoff). */
  cap?: number;
  /** A retry budget shared by all the clients: the AWS SDK's quota or gRPC's throttling. */
  budget?: RetryBudgetSpec;
}

/** Client behaviour around failure, shared by open and closed clients. */
interface ClientPolicies {
  /** A circuit breaker in front of the service, shared by all the clients. */
  breaker?: BreakerSpec;
  /** Each call carries an idempotency key: the server performs its side effect once per call. */
  idempotencyKeys?: boolean;
  /** A call that fails for good (attempts used up, or a retry refused) goes to a dead-letter queue. */
  deadLetter?: boolean;
}

export type Clients =
  | ({
      kind: 'open';
      arrival: 'poisson' | 'fixed' | 'bursts';
      /** Mean arrival rate, requests per second (first attempts). */
      rate: number;
      /** Requests per burst (`bursts` only): bursts arrive every burst / rate seconds. */
      burst?: number;
      /** The client gives up this many ms after sending (Infinity / absent: never). */
      timeout?: number;
      retry?: RetryPolicy;
    } & ClientPolicies)
  | ({
      kind: 'closed';
      /** Number of clients, each with one call outstanding at most. */
      clients: number;
      think: Think;
      timeout?: number;
      retry?: RetryPolicy;
    } & ClientPolicies);

export interface QueueSpec {
  discipline?: 'fifo' | 'lifo';
  /** Most requests waiting (not counting those in service); absent = unbounded. */
  capacity?: number;
  /** When full: turn the newcomer away, or evict the oldest waiting request to make room. */
  overflow?: 'reject' | 'drop-oldest';
}

export interface ServiceSpec {
  servers: number;
  time: ServiceTime;
  queue?: QueueSpec;
  /**
   * Contention (Brooker's collapse model): a request that starts while n requests are in service
   * (itself included) takes time × (1 + contention × (n − 1)). 0 = none.
   */
  contention?: number;
  /** On a client timeout, stop the work (true) or let it keep its server or queue place (false). */
  cancelOnTimeout?: boolean;
  /** Load shedding: a request that waited longer than this (ms) is dropped when it reaches a server. */
  maxQueueWait?: number;
}

export type LimiterSpec =
  | { kind: 'none' }
  | { kind: 'fixed'; limit: number }
  | { kind: 'aimd'; initial?: number; min?: number; max?: number; backoff?: number; timeout?: number }
  | { kind: 'gradient2'; initial?: number; min?: number; max?: number; smoothing?: number; queueSize?: number; longWindow?: number; tolerance?: number }
  | { kind: 'vegas'; initial?: number; max?: number; smoothing?: number; probeMultiplier?: number };

export type Fault =
  /** From `at` for `duration` ms only `servers` servers take new work. */
  | { kind: 'capacity'; at: number; duration: number; servers: number }
  /** From `at` for `duration` ms service times are multiplied by `factor` (a slow downstream). */
  | { kind: 'slow'; at: number; duration: number; factor: number }
  /**
   * From `at` for `duration` ms a request whose service ends fails with probability `share`: an
   * error response after the work, with no side effect (the handler's charge does not happen).
   */
  | { kind: 'errors'; at: number; duration: number; share: number };

export interface QueueingConfig {
  clients: Clients;
  service: ServiceSpec;
  limiter?: LimiterSpec;
  faults?: Fault[];
  /** Stop creating first attempts after this many. At least one of requests/duration. */
  requests?: number;
  /** Stop the run at this time (ms): work still in the system is left there. */
  duration?: number;
  /** Time-series bucket width (ms); default: the expected run length / 200. */
  bucket?: number;
  /** Maximum trace events kept (default 100,000; 0 keeps none: metrics stay exact). */
  traceCap?: number;
}

/** A request's life: arrive → (queue →) start → finish; or timeout, reject, drop (evicted), shed. */
export type QueueingEvent =
  | { seq: number; t: number; kind: 'arrive'; req: number; attempt: number }
  | { seq: number; t: number; kind: 'queue'; req: number; length: number }
  | { seq: number; t: number; kind: 'start'; req: number; server: number; service: number }
  | { seq: number; t: number; kind: 'finish'; req: number; response: number; late: boolean }
  | { seq: number; t: number; kind: 'timeout'; req: number; cancelled: boolean }
  | { seq: number; t: number; kind: 'reject'; req: number; reason: 'limit' | 'full' }
  | { seq: number; t: number; kind: 'drop'; req: number }
  | { seq: number; t: number; kind: 'shed'; req: number; waited: number }
  | { seq: number; t: number; kind: 'fault'; fault: number; on: boolean }
  /** The server answered with an error (an `errors` fault). */
  | { seq: number; t: number; kind: 'error'; req: number }
  /**
   * The handler's side effect ran again for call `call` (finishing request `by`): a duplicate
   * charge. (First charges are counted in the metrics, not traced.)
   */
  | { seq: number; t: number; kind: 'charge'; by: number; call: number; duplicate: boolean }
  /** Request `by` found its call's idempotency key already charged: stored result, no charge. */
  | { seq: number; t: number; kind: 'dedupe'; by: number; call: number }
  /** Attempt `attempt` of call `call` is scheduled as request `next`, sent after `wait` ms. */
  | { seq: number; t: number; kind: 'retry'; next: number; call: number; attempt: number; wait: number }
  /** The breaker refused attempt `attempt` of call `call`: it failed at once, never reaching the service. */
  | { seq: number; t: number; kind: 'shortcircuit'; call: number; attempt: number }
  /** The call ended without success after `attempts` attempts. */
  | { seq: number; t: number; kind: 'giveup'; call: number; attempts: number; reason: 'attempts' | 'budget'; deadLetter: boolean }
  | { seq: number; t: number; kind: 'breaker'; from: 'closed' | 'open' | 'half-open'; to: 'closed' | 'open' | 'half-open' };

export type QueueingEventKind = QueueingEvent['kind'];

export interface QueueingSeries {
  /** Bucket width, ms; bucket i covers [i × bucket, (i + 1) × bucket). */
  bucket: number;
  /** Bucket start times. */
  t: number[];
  /** Attempts arriving (first tries and retries), per second. */
  offered: number[];
  /** Responses the client still waited for (finished before its timeout), per second. */
  goodput: number[];
  /** Requests the servers finished (late ones included), per second. */
  throughput: number[];
  /** Waiting requests at the end of the bucket. */
  queue: number[];
  /** Admitted requests not yet gone (waiting or in service) at the end of the bucket. */
  inFlight: number[];
  /** Limiter limit at the end of the bucket (NaN without a limiter). */
  limit: number[];
  /** Response time percentiles of the requests finished in the bucket (NaN when none). */
  p50: number[];
  p99: number[];
  rejected: number[];
  timedOut: number[];
  /** Breaker state at the end of the bucket: 0 closed, 1 open, 2 half-open (NaN without a breaker). */
  breaker: number[];
  /** Retry budget tokens at the end of the bucket (NaN without a budget). */
  tokens: number[];
  /** Mean attempts of the calls that ended (succeeded or gave up) in the bucket (NaN when none). */
  attempts: number[];
}

export interface QueueingMetrics {
  /** Virtual time the run covered (ms). */
  elapsed: number;
  /** First attempts created. */
  calls: number;
  /** Attempts arriving (retries included). */
  arrived: number;
  /** Requests the servers finished. */
  completed: number;
  /** Finished before the client's timeout. */
  succeeded: number;
  /** Calls that ended without a good response after all their attempts. */
  failedCalls: number;
  rejected: number;
  timedOut: number;
  dropped: number;
  shed: number;
  /** Server time spent on requests whose client had already given up, ms. */
  wastedWork: number;
  /** W: mean time from arrival to finish of the finished requests, ms. */
  meanResponse: number;
  /** Wq: mean wait before service of the finished requests, ms. */
  meanWait: number;
  /** L: time-averaged number of requests waiting or in service. */
  meanInSystem: number;
  /** Time-averaged number waiting. */
  meanQueue: number;
  /** Finished requests per second. */
  throughput: number;
  /** Good responses per second. */
  goodput: number;
  /** Attempts arriving per second. */
  offered: number;
  /** Busy server time / (servers × elapsed). */
  utilization: number;
  p50: number;
  p95: number;
  p99: number;
  /** Agenda events processed (the speed figure's unit). */
  events: number;
  /** Retries sent or refused by the breaker (attempts after the first). */
  retries: number;
  /** Error responses (an `errors` fault). */
  errors: number;
  /** Attempts the breaker refused. */
  shortCircuited: number;
  /** Retries the budget refused. */
  budgetDenied: number;
  /** Times the handler's side effect ran. */
  charges: number;
  /** Side effects that ran again for a call already charged (no idempotency keys). */
  duplicates: number;
  /** Finishes that found their idempotency key already charged and did nothing. */
  deduplicated: number;
  /** Calls put in the dead-letter queue. */
  deadLetters: number;
  /** attemptsHistogram[k]: calls that ended (success or not) after k attempts (index 0 unused). */
  attemptsHistogram: number[];
}

export type QueueingRun = Run<QueueingEvent, QueueingMetrics> & {
  series: QueueingSeries;
  /** The breaker's state changes (empty without a breaker). */
  breaker: BreakerTransition[];
};
