/**
 * What the queueing lab's Failures view shows, derived from a run by pure functions (the view only
 * draws them):
 *
 * - `breakerStrip(run)`: the breaker's state as segments over the run (closed / open / half-open).
 * - `attemptsSummary(run)`: retry amplification, how many calls ended after k attempts and how
 *   many attempts that made in all (every attempt counted, short-circuited ones included).
 * - `budgetSeries(run, config)`: the retry budget's tokens per bucket, with its maximum and (gRPC)
 *   the level at or under which retries stop.
 * - `failureCounters(run)`: duplicates, deduplicated finishes, dead letters, attempts refused by the
 *   breaker, retries refused by the budget.
 * - `callsFor(run, pick, max)`: a few calls behind a bar or a counter, each with its attempts
 *   (request number, when it was sent, what became of it): rebuilt from the trace. The first
 *   attempts of calls appear in the trace in call order (an `arrive`, or a `shortcircuit` when
 *   the breaker refused it), and a `retry` event names the request of each later attempt.
 */
import { AWS_QUOTA_DEFAULTS } from './budgets';
import { simulateContention, type ContentionStrategy } from '../resilience/contention';
import type { BreakerState } from './breaker';
import type { QueueingConfig, QueueingRun } from './types';

export interface BreakerSegment {
  from: number;
  to: number;
  state: BreakerState;
}

/** The breaker's states over [0, elapsed] (null when the run had no breaker). */
export function breakerStrip(run: QueueingRun, config: QueueingConfig): BreakerSegment[] | null {
  if (!config.clients.breaker) return null;
  const end = run.metrics.elapsed;
  const out: BreakerSegment[] = [];
  let state: BreakerState = 'closed';
  let from = 0;
  for (const x of run.breaker) {
    if (x.t > end) break;
    if (x.t > from) out.push({ from, to: x.t, state });
    state = x.to;
    from = x.t;
  }
  if (end > from || out.length === 0) out.push({ from, to: Math.max(end, from), state });
  // Merge neighbours in the same state (a zero-length stay in between leaves two).
  const merged: BreakerSegment[] = [];
  for (const s of out) {
    const last = merged[merged.length - 1];
    if (last && last.state === s.state) last.to = s.to;
    else merged.push({ ...s });
  }
  return merged;
}

/** Total time (ms) the breaker spent in each state. */
export function breakerTimes(strip: readonly BreakerSegment[]): Record<BreakerState, number> {
  const r: Record<BreakerState, number> = { closed: 0, open: 0, 'half-open': 0 };
  for (const s of strip) r[s.state] += s.to - s.from;
  return r;
}

export interface AttemptsSummary {
  /** rows[k − 1]: calls that ended after k attempts, for every k from 1 to the most allowed (zeros included). */
  rows: { attempts: number; calls: number }[];
  /** Calls that ended (succeeded or failed for good). */
  calls: number;
  /** Attempts those calls made. */
  attempts: number;
  /** attempts / calls: how many times the load a call asks for reaches the client's edge. */
  amplification: number;
  /** Most attempts a call may make. */
  maxAttempts: number;
}

export function attemptsSummary(run: QueueingRun): AttemptsSummary {
  const h = run.metrics.attemptsHistogram;
  const rows: AttemptsSummary['rows'] = [];
  let calls = 0;
  let attempts = 0;
  for (let k = 1; k < h.length; k++) {
    calls += h[k];
    attempts += k * h[k];
    rows.push({ attempts: k, calls: h[k] });
  }
  return { rows, calls, attempts, amplification: calls > 0 ? attempts / calls : NaN, maxAttempts: h.length - 1 };
}

export interface BudgetSeries {
  kind: 'aws' | 'grpc';
  t: readonly number[];
  tokens: readonly number[];
  max: number;
  /** gRPC: retries stop while tokens ≤ this; AWS: a retry needs its cost (5, 10 after a timeout). */
  floor: number;
}

export function budgetSeries(run: QueueingRun, config: QueueingConfig): BudgetSeries | null {
  const b = config.clients.retry?.budget;
  if (!b || (config.clients.retry?.attempts ?? 1) <= 1) return null;
  if (b.kind === 'aws') return { kind: 'aws', t: run.series.t, tokens: run.series.tokens, max: b.tokens ?? AWS_QUOTA_DEFAULTS.tokens, floor: b.cost ?? AWS_QUOTA_DEFAULTS.cost };
  return { kind: 'grpc', t: run.series.t, tokens: run.series.tokens, max: b.maxTokens, floor: b.maxTokens / 2 };
}

export type CounterKind = 'duplicate' | 'deduplicated' | 'dead-letter' | 'short-circuit' | 'budget';

export interface FailureCounters {
  duplicate: number;
  deduplicated: number;
  'dead-letter': number;
  'short-circuit': number;
  budget: number;
  /** Calls that failed for good, and errors the service answered. */
  failedCalls: number;
  errors: number;
}

export function failureCounters(run: QueueingRun): FailureCounters {
  const m = run.metrics;
  return { duplicate: m.duplicates, deduplicated: m.deduplicated, 'dead-letter': m.deadLetters, 'short-circuit': m.shortCircuited, budget: m.budgetDenied, failedCalls: m.failedCalls, errors: m.errors };
}

/** What became of one attempt. */
export type AttemptOutcome = 'ok' | 'error' | 'timed-out' | 'rejected' | 'dropped' | 'shed' | 'short-circuited' | 'pending';

export interface AttemptInfo {
  attempt: number;
  /** The request's number (null: the breaker refused it, no request reached the service). */
  req: number | null;
  /** When it was sent. */
  t: number;
  outcome: AttemptOutcome;
  /** Its work finished after the client gave up (a late finish). */
  late?: boolean;
}

export interface CallInfo {
  call: number;
  attempts: AttemptInfo[];
  /** How the call ended (null: not by the end of the run). */
  end: null | { t: number; ok: boolean; reason?: 'attempts' | 'budget'; deadLetter?: boolean };
  /** Side effects that ran again for this call, and finishes that found its key charged. */
  duplicates: number;
  deduplicated: number;
}

interface CallIndex {
  calls: CallInfo[];
}

const callCache = new WeakMap<QueueingRun, CallIndex>();

function callIndex(run: QueueingRun): CallIndex {
  let idx = callCache.get(run);
  if (idx) return idx;
  const calls: CallInfo[] = [];
  const byReq = new Map<number, { call: CallInfo; a: AttemptInfo }>();
  const pendingRetry = new Map<number, number>(); // request → call, for retries not yet sent
  const callOf = (c: number): CallInfo => {
    let info = calls[c];
    if (!info) {
      info = { call: c, attempts: [], end: null, duplicates: 0, deduplicated: 0 };
      calls[c] = info;
    }
    return info;
  };
  let nextCall = 0;
  for (const e of run.trace) {
    switch (e.kind) {
      case 'arrive': {
        let c: number;
        if (e.attempt === 1) c = nextCall++;
        else {
          const p = pendingRetry.get(e.req);
          if (p === undefined) continue; // the retry event fell outside the trace
          pendingRetry.delete(e.req);
          c = p;
        }
        const call = callOf(c);
        const a: AttemptInfo = { attempt: e.attempt, req: e.req, t: e.t, outcome: 'pending' };
        call.attempts.push(a);
        byReq.set(e.req, { call, a });
        break;
      }
      case 'retry':
        pendingRetry.set(e.next, e.call);
        break;
      case 'shortcircuit': {
        if (e.attempt === 1) nextCall = Math.max(nextCall, e.call + 1);
        else for (const [req, c] of pendingRetry) if (c === e.call) pendingRetry.delete(req);
        callOf(e.call).attempts.push({ attempt: e.attempt, req: null, t: e.t, outcome: 'short-circuited' });
        break;
      }
      case 'finish': {
        const r = byReq.get(e.req);
        if (!r) break;
        r.a.late = e.late;
        if (!e.late) {
          r.a.outcome = 'ok';
          r.call.end = { t: e.t, ok: true };
        }
        break;
      }
      case 'error': {
        const r = byReq.get(e.req);
        if (r && !r.a.late) {
          r.a.outcome = 'error';
          if (r.call.end?.ok) r.call.end = null;
        }
        break;
      }
      case 'timeout': {
        const r = byReq.get(e.req);
        if (r) r.a.outcome = 'timed-out';
        break;
      }
      case 'reject':
      case 'drop':
      case 'shed': {
        const r = byReq.get(e.req);
        if (r) r.a.outcome = e.kind === 'reject' ? 'rejected' : e.kind === 'drop' ? 'dropped' : 'shed';
        break;
      }
      case 'charge':
        if (e.duplicate) callOf(e.call).duplicates++;
        break;
      case 'dedupe':
        callOf(e.call).deduplicated++;
        break;
      case 'giveup':
        callOf(e.call).end = { t: e.t, ok: false, reason: e.reason, deadLetter: e.deadLetter };
        break;
    }
  }
  idx = { calls: calls.filter(Boolean) };
  callCache.set(run, idx);
  return idx;
}

/** What a click in the Failures view asks for: the calls behind a histogram bar or a counter. */
export type CallPick = { kind: 'attempts'; attempts: number } | { kind: CounterKind };

function matches(c: CallInfo, pick: CallPick): boolean {
  switch (pick.kind) {
    case 'attempts':
      return c.end !== null && c.attempts.length === pick.attempts;
    case 'duplicate':
      return c.duplicates > 0;
    case 'deduplicated':
      return c.deduplicated > 0;
    case 'dead-letter':
      return c.end !== null && !c.end.ok && c.end.deadLetter === true;
    case 'short-circuit':
      return c.attempts.some((a) => a.outcome === 'short-circuited');
    case 'budget':
      return c.end !== null && !c.end.ok && c.end.reason === 'budget';
  }
}

/** The first `max` calls (in call order) that match, and how many match in all (in the trace). */
export function callsFor(run: QueueingRun, pick: CallPick, max = 5): { calls: CallInfo[]; total: number } {
  const out: CallInfo[] = [];
  let total = 0;
  for (const c of callIndex(run).calls) {
    if (!matches(c, pick)) continue;
    total++;
    if (out.length < max) out.push(c);
  }
  return { calls: out, total };
}

const OUTCOME_WORD: Record<AttemptOutcome, string> = {
  ok: 'answered',
  error: 'error',
  'timed-out': 'timed out',
  rejected: 'rejected',
  dropped: 'dropped',
  shed: 'shed',
  'short-circuited': 'refused by the breaker',
  pending: 'no answer by the end',
};

/** One attempt in words: "request 41 at 2.03 s: timed out (its work finished later)". */
export function describeAttempt(a: AttemptInfo, fmt: (ms: number) => string): string {
  const who = a.req === null ? `attempt ${a.attempt}` : `request ${a.req}`;
  const late = a.late && a.outcome === 'timed-out' ? ' (its work finished later)' : '';
  return `${who} at ${fmt(a.t)}: ${OUTCOME_WORD[a.outcome]}${late}`;
}

// ---------------------------------------------------------------------------------------------
// The Backoff experiment: Brooker's contention model (../resilience/contention.ts) over client
// counts, one line per strategy.

export const EXPERIMENT_STRATEGIES: readonly ContentionStrategy[] = ['none', 'exponential', 'full', 'equal', 'decorrelated'];
/** Client counts (x axis): 1, then 10 to 100 in steps of 10. */
export const EXPERIMENT_CLIENTS: readonly number[] = [1, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
/** Runs averaged per point (Brooker averaged 100; 10 keep the lines steady enough and the wait short). */
export const EXPERIMENT_RUNS = 10;
/** Brooker's network delay, N(10 ms, 2 ms). */
export const EXPERIMENT_NETWORK = { meanMs: 10, sdMs: 2 } as const;

export interface ExperimentJob {
  base: number;
  cap: number;
  seed: number;
  clients?: readonly number[];
  strategies?: readonly ContentionStrategy[];
  runs?: number;
}

export interface ExperimentResult {
  clients: number[];
  strategies: ContentionStrategy[];
  /** calls[s][i]: mean writes reaching the server with strategy s and clients[i] clients. */
  calls: number[][];
  /** completion[s][i]: mean time until the last client's write was acknowledged, ms. */
  completion: number[][];
  /** Points computed (all of them when complete). */
  done: number;
  complete: boolean;
}

/**
 * Runs the experiment point by point; `progress(done, total)` returning false stops it (the
 * points not reached stay NaN). Run r of a point uses seed × 1,000,003 + clients × 101 + r, the
 * same for every strategy (common random numbers: the strategies see the same first delays).
 */
export function backoffExperiment(job: ExperimentJob, progress?: (done: number, total: number) => boolean): ExperimentResult {
  const clients = [...(job.clients ?? EXPERIMENT_CLIENTS)];
  const strategies = [...(job.strategies ?? EXPERIMENT_STRATEGIES)];
  const runs = job.runs ?? EXPERIMENT_RUNS;
  const calls = strategies.map(() => clients.map(() => NaN));
  const completion = strategies.map(() => clients.map(() => NaN));
  const total = clients.length * strategies.length;
  let done = 0;
  outer: for (let i = 0; i < clients.length; i++) {
    for (let s = 0; s < strategies.length; s++) {
      let sumCalls = 0;
      let sumTime = 0;
      for (let r = 0; r < runs; r++) {
        const res = simulateContention({ clients: clients[i], strategy: strategies[s], baseMs: job.base, capMs: job.cap, network: EXPERIMENT_NETWORK }, (job.seed * 1_000_003 + clients[i] * 101 + r) >>> 0);
        sumCalls += res.calls;
        sumTime += res.completionMs;
      }
      calls[s][i] = sumCalls / runs;
      completion[s][i] = sumTime / runs;
      done++;
      if (progress && !progress(done, total) && done < total) break outer;
    }
  }
  return { clients, strategies, calls, completion, done, complete: done === total };
}
