/**
 * Queueing config: limits and strict validation (`validateConfig` throws a ConfigError naming the
 * field the way a learner writes it).
 */
import * as z from 'zod/mini';
import { explained, numberIn, oneOf, parseConfig, reject, settings, listOf, type NumberRule } from '../core/validate';
import { BACKOFF_STRATEGIES } from './backoff';
import type { QueueingConfig } from './types';

export const LIMITS = {
  rate: { min: 0, max: 10_000_000, exclusiveMin: true },
  burst: { min: 1, max: 100_000, integer: true },
  clients: { min: 1, max: 100_000, integer: true },
  time: { min: 0, max: 3_600_000, exclusiveMin: true },
  think: { min: 0, max: 3_600_000 },
  timeout: { min: 0, max: Infinity, exclusiveMin: true },
  attempts: { min: 1, max: 20, integer: true },
  backoff: { min: 0, max: 3_600_000 },
  servers: { min: 1, max: 10_000, integer: true },
  capacity: { min: 0, max: 10_000_000, integer: true },
  cv: { min: 0, max: 20, exclusiveMin: true },
  share: { min: 0, max: 1 },
  contention: { min: 0, max: 10 },
  limit: { min: 1, max: 100_000, integer: true },
  ratio: { min: 0, max: 1, exclusiveMin: true },
  window: { min: 1, max: 100_000, integer: true },
  tolerance: { min: 1, max: 100 },
  factor: { min: 0, max: 1000, exclusiveMin: true },
  at: { min: 0, max: 1e9 },
  requests: { min: 1, max: 10_000_000, integer: true },
  duration: { min: 0, max: 1e9, exclusiveMin: true },
  traceCap: { min: 0, max: 10_000_000, integer: true },
  tokens: { min: 1, max: 1_000_000 },
  cost: { min: 0, max: 1_000_000 },
  percent: { min: 0, max: 100, exclusiveMin: true },
} as const satisfies Record<string, NumberRule>;

const n = (k: keyof typeof LIMITS) => numberIn(LIMITS[k]);
const opt = (k: keyof typeof LIMITS) => z.optional(n(k));
const bool = explained(z.boolean(), 'true or false');

const budget = z.discriminatedUnion('kind', [
  settings({ kind: z.literal('aws'), tokens: opt('tokens'), cost: opt('cost'), timeoutCost: opt('cost'), increment: opt('cost') }),
  settings({ kind: z.literal('grpc'), maxTokens: n('tokens'), tokenRatio: numberIn({ min: 0, max: 1000, exclusiveMin: true }) }),
]);

const retry = settings({
  attempts: n('attempts'),
  backoff: opt('backoff'),
  exponential: z.optional(bool),
  jitter: z.optional(bool),
  strategy: z.optional(oneOf(BACKOFF_STRATEGIES)),
  base: opt('backoff'),
  cap: opt('backoff'),
  budget: z.optional(budget),
});

const breaker = z.discriminatedUnion('kind', [
  settings({
    kind: z.literal('resilience4j'),
    failureRate: opt('percent'),
    window: opt('window'),
    minCalls: opt('window'),
    openMs: opt('backoff'),
    halfOpenCalls: opt('window'),
  }),
  settings({ kind: z.literal('polly'), failureRatio: opt('ratio'), minThroughput: opt('window'), samplingMs: opt('duration'), breakMs: opt('backoff') }),
]);

const policies = { breaker: z.optional(breaker), idempotencyKeys: z.optional(bool), deadLetter: z.optional(bool) };

const clients = z.discriminatedUnion('kind', [
  settings({
    kind: z.literal('open'),
    arrival: oneOf(['poisson', 'fixed', 'bursts'] as const),
    rate: n('rate'),
    burst: opt('burst'),
    timeout: opt('timeout'),
    retry: z.optional(retry),
    ...policies,
  }),
  settings({
    kind: z.literal('closed'),
    clients: n('clients'),
    think: settings({ dist: oneOf(['exponential', 'deterministic'] as const), mean: n('think') }),
    timeout: opt('timeout'),
    retry: z.optional(retry),
    ...policies,
  }),
]);

const time = z.discriminatedUnion('dist', [
  settings({ dist: z.literal('exponential'), mean: n('time') }),
  settings({ dist: z.literal('deterministic'), mean: n('time') }),
  settings({ dist: z.literal('lognormal'), mean: n('time'), cv: opt('cv') }),
  settings({ dist: z.literal('bimodal'), fast: n('time'), slow: n('time'), slowShare: n('share') }),
]);

const limiter = z.discriminatedUnion('kind', [
  settings({ kind: z.literal('none') }),
  settings({ kind: z.literal('fixed'), limit: n('limit') }),
  settings({ kind: z.literal('aimd'), initial: opt('limit'), min: opt('limit'), max: opt('limit'), backoff: opt('ratio'), timeout: opt('timeout') }),
  settings({
    kind: z.literal('gradient2'),
    initial: opt('limit'),
    min: opt('limit'),
    max: opt('limit'),
    smoothing: opt('ratio'),
    queueSize: opt('limit'),
    longWindow: opt('window'),
    tolerance: opt('tolerance'),
  }),
  settings({ kind: z.literal('vegas'), initial: opt('limit'), max: opt('limit'), smoothing: opt('ratio'), probeMultiplier: opt('window') }),
]);

const fault = z.discriminatedUnion('kind', [
  settings({ kind: z.literal('capacity'), at: n('at'), duration: n('duration'), servers: numberIn({ min: 0, max: LIMITS.servers.max, integer: true }) }),
  settings({ kind: z.literal('slow'), at: n('at'), duration: n('duration'), factor: n('factor') }),
  settings({ kind: z.literal('errors'), at: n('at'), duration: n('duration'), share: n('share') }),
]);

export const configSchema = settings({
  clients,
  service: settings({
    servers: n('servers'),
    time,
    queue: z.optional(
      settings({ discipline: z.optional(oneOf(['fifo', 'lifo'] as const)), capacity: opt('capacity'), overflow: z.optional(oneOf(['reject', 'drop-oldest'] as const)) }),
    ),
    contention: opt('contention'),
    cancelOnTimeout: z.optional(bool),
    maxQueueWait: opt('backoff'),
  }),
  limiter: z.optional(limiter),
  faults: z.optional(listOf(fault, { what: 'a list of faults', noun: ['fault', 'faults'], max: 50 })),
  requests: opt('requests'),
  duration: opt('duration'),
  bucket: opt('duration'),
  traceCap: opt('traceCap'),
}).check(
  z.superRefine((c, ctx) => {
    if (c.requests === undefined && c.duration === undefined) {
      reject(ctx, [], () => 'config needs requests (how many calls to make) or duration (how long to run, ms), or both.', c);
    }
  }),
);

/** Parses a config strictly; throws a ConfigError for the first problem. */
export function validateConfig(input: unknown): QueueingConfig {
  return parseConfig(configSchema, input) as QueueingConfig;
}
