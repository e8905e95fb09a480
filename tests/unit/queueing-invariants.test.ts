/**
 * Invariants of every request's life on messy runs (LIFO, bounded queues with eviction, timeouts
 * with and without cancellation, jittered retries, limiters, faults, closed loops): what the trace
 * says must be a possible history, and every arrival must be accounted for.
 */
import { describe, expect, test } from 'vitest';
import { simulate, type QueueingConfig, type QueueingEvent } from '#sim/queueing';

const TIMEOUT = 40;
const messy = (cancelOnTimeout: boolean, overrides: Partial<QueueingConfig> = {}): QueueingConfig => ({
  clients: { kind: 'open', arrival: 'poisson', rate: 450, timeout: TIMEOUT, retry: { attempts: 3, backoff: 5, exponential: true, jitter: true } },
  service: {
    servers: 4,
    time: { dist: 'bimodal', fast: 5, slow: 40, slowShare: 0.1 },
    queue: { discipline: 'lifo', capacity: 30, overflow: 'drop-oldest' },
    contention: 0.05,
    cancelOnTimeout,
    maxQueueWait: 30,
  },
  limiter: { kind: 'gradient2', min: 4 },
  faults: [
    { kind: 'capacity', at: 500, duration: 300, servers: 1 },
    { kind: 'slow', at: 1200, duration: 300, factor: 2 },
  ],
  duration: 3000,
  traceCap: 1_000_000,
  ...overrides,
});

function check(run: ReturnType<typeof simulate>, cancel: boolean, turnedAway = true): void {
  expect(run.truncated).toBe(false);
  const byReq = new Map<number, QueueingEvent[]>();
  for (const e of run.trace) if ('req' in e) (byReq.get(e.req) ?? byReq.set(e.req, []).get(e.req)!).push(e);
  let inSystem = 0;
  let cancelled = 0;
  const busy: [number, number, number][] = []; // server, from, to
  // Problems are collected (one expect per run: thousands of expect calls are slow).
  const problems: string[] = [];
  const near = (a: number, b: number) => Math.abs(a - b) < 1e-9;
  for (const [req, evs] of byReq) {
    const ks = evs.map((e) => e.kind);
    const bad = (why: string) => problems.push(`request ${req} (${ks.join(', ')}): ${why}`);
    if (ks[0] !== 'arrive' || ks.filter((k) => k === 'arrive').length !== 1) bad('must begin with its one arrive');
    if (ks.filter((k) => k === 'start').length > 1) bad('started twice');
    const start = evs.find((e) => e.kind === 'start');
    const finish = evs.find((e) => e.kind === 'finish');
    const timeout = evs.find((e) => e.kind === 'timeout');
    const gone = evs.find((e) => e.kind === 'reject' || e.kind === 'drop' || e.kind === 'shed');
    if (gone && start) bad('turned away after it started');
    if (gone?.kind === 'reject' && ks.length !== 2) bad('a rejected request has only arrive and reject');
    if (timeout && !near(timeout.t, evs[0].t + TIMEOUT)) bad('timeout not at arrive + timeout');
    if (finish) {
      if (!start || start.kind !== 'start') bad('finished without a start');
      else if (!near(finish.t, start.t + start.service)) bad('finish not at start + service');
      if (finish.kind === 'finish' && finish.late !== (timeout !== undefined && timeout.t <= finish.t)) bad('late flag wrong');
      if (cancel && timeout !== undefined && timeout.t <= finish.t) bad('cancelled work finished');
    }
    const cancelledHere = cancel && timeout !== undefined && !finish && !gone;
    if (cancelledHere) cancelled++;
    if (start && start.kind === 'start') busy.push([start.server, start.t, finish ? finish.t : cancelledHere ? timeout!.t : Infinity]);
    if (!finish && !gone && !cancelledHere) inSystem++;
  }
  // one request at a time on each server
  busy.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  for (let i = 1; i < busy.length; i++) {
    if (busy[i][0] === busy[i - 1][0] && busy[i][1] < busy[i - 1][2] - 1e-9) problems.push(`server ${busy[i][0]} busy twice at ${busy[i][1]}`);
  }
  expect(problems.slice(0, 5)).toEqual([]);
  const m = run.metrics;
  expect(m.arrived).toBe(m.completed + m.rejected + m.dropped + m.shed + cancelled + inSystem);
  // the run did exercise the rules
  expect(m.timedOut).toBeGreaterThan(0);
  if (turnedAway) expect(m.rejected + m.dropped + m.shed).toBeGreaterThan(0);
}

describe('request histories', () => {
  test('open loop, timed-out work cancelled', () => check(simulate(messy(true), 1), true));
  test('open loop, timed-out work kept', () => check(simulate(messy(false), 2), false));
  test('closed loop with AIMD and FIFO reject', () =>
    check(
      simulate(
        messy(true, {
          clients: { kind: 'closed', clients: 60, think: { dist: 'exponential', mean: 20 }, timeout: TIMEOUT, retry: { attempts: 2 } },
          limiter: { kind: 'aimd', min: 4, initial: 30 },
        }),
        3,
      ),
      true,
    ));
});

test('FIFO: waiting requests start in the order they queued, through cancellations while waiting', () => {
  // 2 servers of 25 ms at 70 calls/s, stopped three times for 200 ms: the requests that queue up then
  // pass their 40 ms timeout while waiting and leave (their slots are reused while the queue still
  // lists them). (With servers running, FIFO with cancellation lets no one time out while waiting:
  // the head of the queue gets a server when the one before it times out, which is earlier.)
  const run = simulate(
    {
      clients: { kind: 'open', arrival: 'poisson', rate: 70, timeout: TIMEOUT, retry: { attempts: 2 } },
      service: { servers: 2, time: { dist: 'deterministic', mean: 25 }, queue: { capacity: 100 }, cancelOnTimeout: true },
      faults: [500, 1500, 2500].map((at) => ({ kind: 'capacity' as const, at, duration: 200, servers: 0 })),
      duration: 3000,
      traceCap: 1_000_000,
    },
    4,
  );
  check(run, true, false);
  const queuedAt = new Map<number, number>();
  for (const e of run.trace) if (e.kind === 'queue') queuedAt.set(e.req, e.seq);
  const order = run.trace.filter((e) => e.kind === 'start' && queuedAt.has(e.req)).map((e) => queuedAt.get((e as { req: number }).req)!);
  expect(order.length).toBeGreaterThan(100);
  for (let i = 1; i < order.length; i++) expect(order[i]).toBeGreaterThan(order[i - 1]);
  const started = new Set(run.trace.filter((e) => e.kind === 'start').map((e) => (e as { req: number }).req));
  expect(run.trace.filter((e) => e.kind === 'timeout' && !started.has(e.req)).length).toBeGreaterThan(50);
});
