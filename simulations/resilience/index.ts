/**
 * "When things fail": the failure-handling policies of the queueing engine (retries with
 * backoff and jitter, retry budgets, circuit breakers, idempotency keys, dead letters; run them
 * with `simulate` from #sim/queueing) and two small models of their own: Brooker's optimistic-
 * concurrency contention (contention.ts) and read-your-writes behind an asynchronous queue
 * (consistency.ts).
 */
export { simulateContention, type ContentionConfig, type ContentionResult, type ContentionStrategy } from './contention';
export { simulateConsistency, type ConsistencyConfig, type ConsistencyResult, type ConsistencyEvent, type ConsistencyStrategy } from './consistency';
export { backoffWait, expo, BACKOFF_STRATEGIES, type BackoffStrategy } from '../queueing/backoff';
export { AwsRetryQuota, GrpcRetryThrottle, makeBudget, AWS_QUOTA_DEFAULTS, type RetryBudget, type RetryBudgetSpec } from '../queueing/budgets';
export {
  Resilience4jBreaker,
  PollyBreaker,
  makeBreaker,
  RESILIENCE4J_DEFAULTS,
  POLLY_DEFAULTS,
  BREAKER_CODE,
  type CircuitBreaker,
  type BreakerState,
  type BreakerSpec,
  type BreakerTransition,
} from '../queueing/breaker';
