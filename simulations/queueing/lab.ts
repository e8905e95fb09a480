/**
 * What the queueing lab shows, derived from a run by pure functions (the lab only draws them):
 *
 * - `closedForm(config)`: the closed form that describes the config (M/M/1, M/M/c, M/D/1), or why
 *   none does ("no closed form": timeouts, retries, a limiter, a bounded queue, faults...).
 * - `seriesAt(run, i)` / `narrateStep`: the state at timeline step i (one step per series bucket).
 * - `lanesAround(run, t)`: a sample of requests near time t as swimlanes (queued, served, timed
 *   out, rejected...), clipped at t so scrubbing replays them.
 * - `limitOptimum(run, S)`: per bucket, Little's-law concurrency for the arrivals (offered rate ×
 *   the latency with no queue, the mean service time).
 * - `sweepConfigAt`: the config of one sweep cell (base load × trigger length).
 */
import { mm1, md1, mmc, type QueueFormulas } from './theory';
import { serviceMean } from './simulate';
import type { QueueingConfig, QueueingRun } from './types';

export type ClosedForm =
  | { model: 'M/M/1' | 'M/M/c' | 'M/D/1'; formulas: QueueFormulas; servers: number; label: string; separate?: QueueFormulas }
  | { model: null; reason: string };

/**
 * The closed form for a config, when the config is that model: Poisson arrivals (open loop), no
 * timeout or retry, no limiter, an unbounded queue, no fault, no contention or shedding, and
 * exponential service (M/M/1, M/M/c) or deterministic service on one server (M/D/1), with ρ < 1.
 * The mean response time W does not depend on FIFO or LIFO (both serve work in any order without
 * idling), so either discipline keeps the closed form. For c > 1, `separate` is c M/M/1 queues
 * each taking 1/c of the arrivals: the pooling comparison.
 */
export function closedForm(config: QueueingConfig): ClosedForm {
  const cl = config.clients;
  const svc = config.service;
  const none = (reason: string): ClosedForm => ({ model: null, reason });
  if (cl.kind !== 'open') return none('closed-loop clients (the arrival rate depends on the responses)');
  if (cl.arrival !== 'poisson') return none(`${cl.arrival === 'fixed' ? 'evenly spaced' : 'bursty'} arrivals, not Poisson`);
  if (cl.timeout !== undefined && Number.isFinite(cl.timeout)) return none('clients time out');
  if ((cl.retry?.attempts ?? 1) > 1) return none('clients retry');
  if (config.limiter && config.limiter.kind !== 'none') return none('a concurrency limiter turns requests away');
  if (svc.queue?.capacity !== undefined) return none('the queue is bounded');
  if ((config.faults ?? []).length > 0) return none('a fault changes the servers during the run');
  if ((svc.contention ?? 0) > 0) return none('contention slows service as load grows');
  if (svc.maxQueueWait !== undefined) return none('requests are shed');
  const S = serviceMean(svc.time);
  const lambda = cl.rate / 1000;
  const c = svc.servers;
  const rho = (lambda * S) / c;
  if (rho >= 1) return none(`ρ = ${rho.toFixed(2)} ≥ 1: the queue grows without end`);
  if (svc.time.dist === 'exponential') {
    if (c === 1) return { model: 'M/M/1', formulas: mm1(lambda, S), servers: 1, label: 'M/M/1' };
    return { model: 'M/M/c', formulas: mmc(c, lambda, S), servers: c, label: `M/M/${c}`, separate: mm1(lambda / c, S) };
  }
  if (svc.time.dist === 'deterministic') {
    if (c === 1) return { model: 'M/D/1', formulas: md1(lambda, S), servers: 1, label: 'M/D/1' };
    return none('fixed service times on more than one server (M/D/c has no simple closed form)');
  }
  return none(`${svc.time.dist} service times (the closed forms here are for exponential or fixed ones)`);
}

/** The series' values at timeline step i: step 0 is t = 0 (nothing yet), step k the end of bucket k − 1. */
export interface QueueingState {
  step: number;
  /** Time (ms) at the end of the bucket shown. */
  t: number;
  /** Bucket index (−1 at step 0). */
  bucket: number;
  offered: number;
  goodput: number;
  throughput: number;
  queue: number;
  inFlight: number;
  limit: number;
  p50: number;
  p99: number;
  rejected: number;
  timedOut: number;
}

export const EMPTY_STATE: QueueingState = { step: 0, t: 0, bucket: -1, offered: 0, goodput: 0, throughput: 0, queue: 0, inFlight: 0, limit: NaN, p50: NaN, p99: NaN, rejected: 0, timedOut: 0 };

/** Steps of a run's timeline: one per bucket, after step 0. */
export const stepCount = (run: QueueingRun): number => run.series.t.length;

export function seriesAt(run: QueueingRun, step: number): QueueingState {
  const s = run.series;
  const i = Math.max(0, Math.min(s.t.length, step)) - 1;
  if (i < 0) return { ...EMPTY_STATE, limit: s.limit[0] ?? NaN };
  return {
    step: i + 1,
    t: Math.min(s.t[i] + s.bucket, run.metrics.elapsed),
    bucket: i,
    offered: s.offered[i],
    goodput: s.goodput[i],
    throughput: s.throughput[i],
    queue: s.queue[i],
    inFlight: s.inFlight[i],
    limit: s.limit[i],
    p50: s.p50[i],
    p99: s.p99[i],
    rejected: s.rejected[i],
    timedOut: s.timedOut[i],
  };
}

/** A duration for people: 850 ms, 1.2 s, 14 s. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms === 0) return '0 ms';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** A rate or count for people: 0, 3.5, 95, 1,200. */
export function fmtNum(v: number): string {
  if (!Number.isFinite(v)) return '–';
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en');
  return (Math.round(v * 10) / 10).toLocaleString('en');
}

/** One line for step i. */
export function narrateStep(run: QueueingRun, step: number): string {
  const st = seriesAt(run, step);
  if (st.bucket < 0) return `t = 0: the clients start sending. The run lasts ${fmtMs(run.metrics.elapsed)}.`;
  const parts = [
    `t = ${fmtMs(st.t)}: ${fmtNum(st.offered)} requests/s arrive, ${fmtNum(st.goodput)}/s answered in time`,
    `${fmtNum(st.queue)} waiting, ${fmtNum(st.inFlight)} in the system`,
  ];
  if (Number.isFinite(st.p99)) parts.push(`latency p50 ${fmtMs(st.p50)}, p99 ${fmtMs(st.p99)}`);
  if (Number.isFinite(st.limit)) parts.push(`limit ${fmtNum(st.limit)}`);
  const lost = st.rejected + st.timedOut;
  if (lost > 0) parts.push(`${fmtNum(st.rejected)}/s rejected, ${fmtNum(st.timedOut)}/s timed out`);
  return parts.join('; ') + '.';
}

export type LaneOutcome = 'served' | 'late' | 'timed-out' | 'rejected' | 'dropped' | 'shed' | 'waiting' | 'serving';

/** One request's life up to the time shown. */
export interface Lane {
  req: number;
  attempt: number;
  arrive: number;
  /** Start of service (absent: never started by `t`). */
  start?: number;
  /** Where the bar ends: the request's end, or `t` while it is still there. */
  end: number;
  /** When its client gave up (absent: not by `t`). */
  timeout?: number;
  outcome: LaneOutcome;
}

interface LaneIndex {
  /** Arrival events in time order, with their request's other events. */
  reqs: { req: number; attempt: number; arrive: number; start?: number; finish?: number; late?: boolean; timeout?: number; gone?: number; goneKind?: 'reject' | 'drop' | 'shed' }[];
}

const laneCache = new WeakMap<QueueingRun, LaneIndex>();

function laneIndex(run: QueueingRun): LaneIndex {
  let idx = laneCache.get(run);
  if (idx) return idx;
  const byReq = new Map<number, LaneIndex['reqs'][number]>();
  const reqs: LaneIndex['reqs'] = [];
  for (const e of run.trace) {
    // events about a call or the breaker (retries, charges, give-ups) carry no request of their own
    if (!('req' in e)) continue;
    if (e.kind === 'arrive') {
      const r = { req: e.req, attempt: e.attempt, arrive: e.t };
      byReq.set(e.req, r);
      reqs.push(r);
      continue;
    }
    const r = byReq.get(e.req);
    if (!r) continue;
    if (e.kind === 'start') r.start = e.t;
    else if (e.kind === 'finish') {
      r.finish = e.t;
      r.late = e.late;
    } else if (e.kind === 'timeout') {
      r.timeout = e.t;
      if (e.cancelled) r.gone = e.t;
    } else if (e.kind === 'reject' || e.kind === 'drop' || e.kind === 'shed') {
      r.gone = e.t;
      r.goneKind = e.kind;
    }
  }
  idx = { reqs };
  laneCache.set(run, idx);
  return idx;
}

/** The time span the swimlanes show before t: long enough for a slow request, short enough to read. */
export function laneWindow(run: QueueingRun, config: QueueingConfig): number {
  const m = run.metrics;
  const timeout = config.clients.timeout;
  const base = Math.max(Number.isFinite(m.p99) ? 2.5 * m.p99 : 0, timeout !== undefined && Number.isFinite(timeout) ? 1.5 * timeout : 0, 8 * serviceMean(config.service.time));
  return Math.min(base, m.elapsed / 2);
}

/**
 * Up to `max` requests that arrived in (t − window, t], evenly sampled (the latest always in), as
 * they were at time t: a request still waiting or in service ends at t.
 */
export function lanesAround(run: QueueingRun, t: number, window: number, max = 18): Lane[] {
  const { reqs } = laneIndex(run);
  // first arrival after t
  let lo = 0;
  let hi = reqs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (reqs[mid].arrive <= t) lo = mid + 1;
    else hi = mid;
  }
  const endIdx = lo;
  let from = endIdx;
  while (from > 0 && reqs[from - 1].arrive > t - window) from--;
  const n = endIdx - from;
  const picked: number[] = [];
  if (n <= max) for (let i = from; i < endIdx; i++) picked.push(i);
  else for (let k = 0; k < max; k++) picked.push(from + Math.round(((n - 1) * k) / (max - 1)));
  return picked.map((i) => {
    const r = reqs[i];
    const lane: Lane = { req: r.req, attempt: r.attempt, arrive: r.arrive, end: t, outcome: 'waiting' };
    if (r.start !== undefined && r.start <= t) lane.start = r.start;
    if (r.timeout !== undefined && r.timeout <= t) lane.timeout = r.timeout;
    if (r.gone !== undefined && r.gone <= t) {
      lane.end = r.gone;
      lane.outcome = r.goneKind === 'reject' ? 'rejected' : r.goneKind === 'drop' ? 'dropped' : r.goneKind === 'shed' ? 'shed' : 'timed-out';
    } else if (r.finish !== undefined && r.finish <= t) {
      lane.end = r.finish;
      lane.outcome = r.late ? 'late' : 'served';
    } else lane.outcome = lane.start !== undefined ? 'serving' : 'waiting';
    return lane;
  });
}

/**
 * Little's law for the limiter panel: the concurrency the arrivals need with no queue, offered
 * rate (per s) × the latency with no queue (the mean service time S, ms) / 1000, per bucket.
 */
export function limitOptimum(run: QueueingRun, config: QueueingConfig): number[] {
  const S = serviceMean(config.service.time);
  return run.series.offered.map((r) => (r * S) / 1000);
}

/**
 * One sweep cell: `base` (open-loop clients) with its call rate set to `load` of the servers'
 * capacity (load × servers / S) and its fault replaced by a capacity fault of `trigger` ms at
 * `at` leaving `left` servers (no fault for a trigger of 0). The outcome is judged over the last
 * quarter of the run.
 */
export function sweepConfigAt(base: QueueingConfig, load: number, trigger: number, at: number, left: number): { config: QueueingConfig; callRate: number; window: number } {
  if (base.clients.kind !== 'open') throw new Error('The sweep needs open-loop clients (an arrival rate to vary).');
  const rate = rateForLoad(load, base.service.servers, serviceMean(base.service.time));
  const duration = base.duration ?? 8000;
  return {
    config: {
      ...base,
      clients: { ...base.clients, rate },
      faults: trigger > 0 ? [{ kind: 'capacity', at, duration: trigger, servers: left }] : [],
      duration,
      requests: undefined,
      traceCap: 0,
    },
    callRate: rate,
    window: duration / 4,
  };
}

/** Calls per second that make `load` of the capacity of `servers` servers of mean service time S ms. */
export function rateForLoad(load: number, servers: number, S: number): number {
  return (load * servers * 1000) / S;
}

/** The sweep's grid: base loads 10% to 90% of capacity, and trigger lengths from none to 2 s. */
export const SWEEP_LOADS: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
export const SWEEP_TRIGGERS: readonly number[] = [0, 250, 500, 1000, 2000];
