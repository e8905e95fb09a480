/**
 * Retry budgets: how two real client libraries stop retries from multiplying the load of a
 * service that is already failing.
 *
 * AWS SDK retry quota (the "standard" retry mode). Sources: aws-sdk-go-v2 aws/retry/standard.go
 * (DefaultRetryRateTokens 500, DefaultRetryCost 5, DefaultRetryTimeoutCost 10,
 * DefaultNoRetryIncrement 1; GetRetryToken takes the cost, 10 when the error is a timeout, and
 * fails when the bucket holds less; the token it returns gives the cost back if the retried
 * attempt succeeds; GetInitialToken adds NoRetryIncrement when the first attempt succeeds), its
 * ratelimit.TokenRateLimit (a bucket that starts full and never holds more than its capacity),
 * and the JavaScript SDK's @aws-sdk/middleware-retry constants (INITIAL_RETRY_TOKENS 500,
 * RETRY_COST 5, TIMEOUT_RETRY_COST 10, NO_RETRY_INCREMENT 1, "incremented ... if an SDK operation
 * invocation succeeds without requiring a retry request"). A failed attempt itself costs nothing;
 * only the retry that follows it does.
 *
 * gRPC retry throttling. Source: gRPC proposal A6 "Client retries" (grpc/proposal,
 * A6-client-retries.md, retryThrottling): token_count starts at maxTokens and stays in
 * [0, maxTokens]; every failed RPC decrements it by 1, every successful RPC increments it by
 * tokenRatio; "If token_count is less than or equal to maxTokens / 2, then RPCs will not be
 * retried". The failed attempt is counted before the retry is decided.
 */

export interface RetryBudget {
  /** Tokens in the bucket now. */
  readonly tokens: number;
  /**
   * An attempt failed and the client wants to retry: returns the tokens the retry holds (≥ 0) or
   * −1 when the budget refuses. `timeout`: the failure was a timeout.
   */
  failed(timeout: boolean): number;
  /** An attempt failed and no retry is asked for (attempts used up): bookkeeping only. */
  failedFinal(): void;
  /** An attempt succeeded; `held` is what `failed` returned for the retry it was (0 for a first attempt). */
  succeeded(held: number): void;
}

export interface AwsQuotaOptions {
  /** Initial and maximum tokens. AWS: 500. */
  tokens?: number;
  /** Tokens a retry takes. AWS: 5. */
  cost?: number;
  /** Tokens a retry after a timeout takes. AWS: 10. */
  timeoutCost?: number;
  /** Tokens a success without a retry adds. AWS: 1. */
  increment?: number;
}

export const AWS_QUOTA_DEFAULTS = { tokens: 500, cost: 5, timeoutCost: 10, increment: 1 } as const;

export class AwsRetryQuota implements RetryBudget {
  tokens: number;
  readonly max: number;
  readonly cost: number;
  readonly timeoutCost: number;
  readonly increment: number;
  constructor(o: AwsQuotaOptions = {}) {
    this.max = o.tokens ?? AWS_QUOTA_DEFAULTS.tokens;
    this.tokens = this.max;
    this.cost = o.cost ?? AWS_QUOTA_DEFAULTS.cost;
    this.timeoutCost = o.timeoutCost ?? AWS_QUOTA_DEFAULTS.timeoutCost;
    this.increment = o.increment ?? AWS_QUOTA_DEFAULTS.increment;
  }
  failed(timeout: boolean): number {
    const c = timeout ? this.timeoutCost : this.cost;
    if (this.tokens < c) return -1;
    this.tokens -= c;
    return c;
  }
  failedFinal(): void {}
  succeeded(held: number): void {
    this.tokens = Math.min(this.max, this.tokens + (held > 0 ? held : this.increment));
  }
}

export interface GrpcThrottleOptions {
  maxTokens: number;
  tokenRatio: number;
}

export class GrpcRetryThrottle implements RetryBudget {
  tokens: number;
  readonly maxTokens: number;
  readonly tokenRatio: number;
  constructor(o: GrpcThrottleOptions) {
    this.maxTokens = o.maxTokens;
    this.tokenRatio = o.tokenRatio;
    this.tokens = o.maxTokens;
  }
  /** Retries are allowed while token_count > maxTokens / 2. */
  get allowsRetry(): boolean {
    return this.tokens > this.maxTokens / 2;
  }
  failed(): number {
    this.failedFinal();
    return this.allowsRetry ? 0 : -1;
  }
  failedFinal(): void {
    this.tokens = Math.max(0, this.tokens - 1);
  }
  succeeded(): void {
    this.tokens = Math.min(this.maxTokens, this.tokens + this.tokenRatio);
  }
}

export type RetryBudgetSpec = ({ kind: 'aws' } & AwsQuotaOptions) | ({ kind: 'grpc' } & GrpcThrottleOptions);

export function makeBudget(spec: RetryBudgetSpec | undefined): RetryBudget | null {
  if (!spec) return null;
  return spec.kind === 'aws' ? new AwsRetryQuota(spec) : new GrpcRetryThrottle(spec);
}
