/** The queueing model: clients, a queue, c servers, timeouts, retries, faults and concurrency limiters. See simulate.ts. */
export { simulate, makeLimiter, serviceMean, type SimulateOptions } from './simulate';
export { validateConfig, configSchema, LIMITS } from './config';
export {
  FixedLimiter,
  AimdLimiter,
  Gradient2Limiter,
  VegasLimiter,
  ExpAvg,
  log10Root,
  AIMD_DEFAULTS,
  GRADIENT2_DEFAULTS,
  VEGAS_DEFAULTS,
  type Limiter,
} from './limiters';
export { erlangC, mm1, mmc, md1, type QueueFormulas } from './theory';
export { ConfigError } from '../core/validate';
export * from './types';
export { recovery, sweepLoad, sweepGrid, type Outcome, type Recovery, type LoadPoint } from './metastable';
export { backoffWait, expo, BACKOFF_STRATEGIES } from './backoff';
export { AwsRetryQuota, GrpcRetryThrottle, makeBudget, AWS_QUOTA_DEFAULTS, type RetryBudget, type AwsQuotaOptions, type GrpcThrottleOptions } from './budgets';
export {
  Resilience4jBreaker,
  PollyBreaker,
  makeBreaker,
  RESILIENCE4J_DEFAULTS,
  POLLY_DEFAULTS,
  BREAKER_CODE,
  type CircuitBreaker,
  type BreakerState,
  type Resilience4jOptions,
  type PollyOptions,
} from './breaker';
