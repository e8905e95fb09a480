/**
 * The queueing engine: clients send requests to c servers behind one queue.
 *
 * Semantics (times in ms, rates per second):
 * - Open-loop clients create calls at `rate` (Poisson: exponential gaps; fixed: every 1000/rate
 *   ms; bursts: `burst` calls at once every burst × 1000 / rate ms), whatever happens to earlier
 *   calls. Closed-loop clients each think (a sampled time), send one call, wait for its outcome,
 *   think again. A call is tried up to `retry.attempts` times: after a timeout, a rejection, a
 *   drop or a shed, the next attempt is sent after the backoff (doubled per attempt when
 *   `exponential`, uniform in [0, wait] with `jitter`). Each attempt is a request.
 * - A request arrives; a limiter (if any) rejects it when `limit` requests are already in flight
 *   (admitted and not yet gone), as Netflix's SimpleLimiter does. Admitted, it starts at once on
 *   a free server or waits in the queue (FIFO or LIFO). A bounded queue that is full rejects the
 *   newcomer (`reject`) or evicts the oldest waiting request (`drop-oldest`).
 * - Service time: sampled from `time` (exponential, deterministic, lognormal with mean and cv,
 *   bimodal), × the factor of any active `slow` fault, × (1 + contention × (n − 1)) where n is the
 *   number in service including this request when it starts (Brooker's contention model).
 * - `timeout`: the client gives up that long after sending (event `timeout`). With
 *   `cancelOnTimeout` the request leaves the queue or frees its server at once; without it, the
 *   request stays and the server does the work for nobody (`wastedWork`), a `late` finish.
 * - `maxQueueWait` sheds a request that waited longer than that when a server takes it.
 * - A `capacity` fault lets only `servers` servers take new work while it lasts (work already in
 *   service finishes); a `slow` fault multiplies service times of work starting during it.
 * - Limiters get one sample per request that leaves: (rtt = leave − arrive, in flight at
 *   admission, dropped?) with dropped = cancelled by its timeout, evicted or shed; a late finish
 *   is a normal sample with its long rtt (the server does not know the client left).
 * - The run makes `requests` calls then drains, or stops at `duration` (leaving work in place),
 *   whichever comes first.
 *
 * Failure policies (their rules live in backoff.ts, budgets.ts and breaker.ts):
 * - An `errors` fault makes a request whose service ends during it fail with probability
 *   `share`: an error response, a failed attempt for the client (if it still waits).
 * - With `retry.strategy` the wait before retry k is Brooker's formula with n = k − 1; `none`
 *   sends one attempt only. Without it, the older backoff / exponential / jitter rule applies.
 * - `retry.budget` (AWS SDK quota or gRPC throttling) sees every failed attempt that reached the
 *   service and every success, and may refuse a retry: the call then ends (`giveup`, `budget`).
 * - `breaker` is asked before each attempt is sent; a refused attempt fails at once
 *   (`shortcircuit`) without reaching the service or the budget, and is retried like any other
 *   failure. The breaker records the outcome of every attempt it let through: success when the
 *   client gets a good response in time; failure on an error, timeout, rejection, drop or shed.
 * - The handler has a side effect (a charge) that runs when a request's work ends without error,
 *   late or not. Without `idempotencyKeys`, a call whose timed-out attempt in fact completed and
 *   whose retry completes too is charged twice (`duplicates`); with them, the server finds the
 *   call's key already charged and only returns the stored result (`deduplicated`).
 * - A call that ends without success goes to the dead-letter queue when `deadLetter` is set.
 *
 * Metrics count server-side: W (meanResponse) and Wq (meanWait) average the finished requests,
 * L (meanInSystem) integrates the number waiting or in service over time, so Little's law
 * L = throughput × W holds whenever every request that enters also finishes.
 */
import { Agenda } from '../core/agenda';
import { Rng, seedFrom, type Seed } from '../core/rng';
import { TraceRecorder } from '../core/recorder';
import { DEFAULT_TRACE_CAP } from '../core/trace';
import { percentilesInPlace } from './select';
import { validateConfig } from './config';
import { AimdLimiter, FixedLimiter, Gradient2Limiter, VegasLimiter, type Limiter } from './limiters';
import { backoffWait } from './backoff';
import { makeBudget } from './budgets';
import { BREAKER_CODE, makeBreaker } from './breaker';
import type { LimiterSpec, QueueingConfig, QueueingEvent, QueueingMetrics, QueueingRun, QueueingSeries, ServiceTime } from './types';

// Agenda items are numbers: id × 8 + type.
const ARRIVAL = 0; // next open-loop call (or burst)
const FINISH = 1; // id = request
const TIMEOUT = 2; // id = request
const SEND = 3; // id = request created earlier (a retry or a closed-loop call) now arrives
const WAKE = 4; // id = closed-loop client done thinking
const FAULT = 5; // id = fault index × 2 + (1 = begins, 0 = ends)

// Request states.
const QUEUED = 1;
const SERVING = 2;
const FINISHED = 3;
const GONE = 4;

// Why an attempt failed, in the client's eyes.
const FAILED = 0; // rejected, dropped, shed or an error response
const TIMED_OUT = 1;
const SHORT_CIRCUIT = 2; // the breaker refused it: it never reached the service

export interface SimulateOptions {
  /** Skip validation (the caller already validated; the bench uses this). */
  trusted?: boolean;
}

/** Builds the limiter a config asks for (null for none). */
export function makeLimiter(spec: LimiterSpec | undefined, random: () => number): Limiter | null {
  if (!spec || spec.kind === 'none') return null;
  switch (spec.kind) {
    case 'fixed':
      return new FixedLimiter(spec.limit);
    case 'aimd':
      return new AimdLimiter(spec);
    case 'gradient2':
      return new Gradient2Limiter(spec);
    case 'vegas':
      return new VegasLimiter(spec, random);
  }
}

/** Mean of a service-time distribution (ms). */
export function serviceMean(time: ServiceTime): number {
  return time.dist === 'bimodal' ? time.fast * (1 - time.slowShare) + time.slow * time.slowShare : time.mean;
}

export function simulate(input: QueueingConfig, seed: Seed = 1, options: SimulateOptions = {}): QueueingRun {
  const config = options.trusted ? input : validateConfig(input);
  const base = seedFrom(seed);
  const arrRng = new Rng(base);
  const svcRng = new Rng((base + 0x6a09e667) >>> 0);
  const cliRng = new Rng((base + 0xbb67ae85) >>> 0);
  const limRng = new Rng((base + 0x3c6ef372) >>> 0);
  const errRng = new Rng((base + 0xa54ff53a) >>> 0);

  const cl = config.clients;
  const svc = config.service;
  const servers = svc.servers;
  const time = svc.time;
  const dist = time.dist;
  const tMean = dist === 'bimodal' ? 0 : time.mean;
  const logSigma = dist === 'lognormal' ? Math.sqrt(Math.log(1 + (time.cv ?? 1) ** 2)) : 0;
  const logMu = dist === 'lognormal' ? Math.log(time.mean) - (logSigma * logSigma) / 2 : 0;
  const fast = dist === 'bimodal' ? time.fast : 0;
  const slow = dist === 'bimodal' ? time.slow : 0;
  const slowShare = dist === 'bimodal' ? time.slowShare : 0;
  const contention = svc.contention ?? 0;
  const lifo = svc.queue?.discipline === 'lifo';
  const qCap = svc.queue?.capacity ?? Infinity;
  const dropOldest = svc.queue?.overflow === 'drop-oldest';
  const cancel = svc.cancelOnTimeout ?? false;
  const maxWait = svc.maxQueueWait ?? Infinity;
  const timeout = cl.timeout ?? Infinity;
  const strategy = cl.retry?.strategy;
  const attempts = strategy === 'none' ? 1 : (cl.retry?.attempts ?? 1);
  const backoff = cl.retry?.backoff ?? 0;
  const backoffExp = cl.retry?.exponential ?? false;
  const jitter = cl.retry?.jitter ?? false;
  const rBase = cl.retry?.base ?? 100;
  const rCap = cl.retry?.cap ?? 20_000;
  const budget = makeBudget(cl.retry?.budget);
  const breaker = makeBreaker(cl.breaker);
  const keys = cl.idempotencyKeys ?? false;
  const dlq = cl.deadLetter ?? false;
  const cliRandom = (): number => cliRng.next();
  const open = cl.kind === 'open';
  const maxCalls = config.requests ?? Infinity;
  const duration = config.duration ?? Infinity;
  const limiter = makeLimiter(config.limiter, () => limRng.next());
  const faults = config.faults ?? [];
  // Vegas refuses an RTT of 0 (VegasLimit throws); here a request evicted the instant it arrived
  // can have one, and its sample is skipped.
  const vegas = config.limiter?.kind === 'vegas';
  const sample = (rtt: number, inflight: number, drop: boolean): void => {
    if (vegas && !(rtt > 0)) return;
    (limiter as Limiter).update(rtt, inflight, drop);
  };

  // Open-loop arrivals.
  const rate = open ? cl.rate : 0;
  const poisson = open && cl.arrival === 'poisson';
  const burst = open && cl.arrival === 'bursts' ? (cl.burst ?? 1) : 1;
  const gap = (1000 * burst) / (rate || 1);
  // Closed loop.
  const nClients = open ? 0 : cl.clients;
  const thinkMean = open ? 0 : cl.think.mean;
  const thinkExp = !open && cl.think.dist === 'exponential';

  // Time series bucket.
  const svcMean = serviceMean(time);
  const expected =
    config.duration ??
    (open ? (maxCalls / rate) * 1000 : (maxCalls / nClients) * (thinkMean + svcMean) * Math.max(1, nClients / servers));
  const bucket = config.bucket ?? Math.max(expected / 200, 1e-6);

  // Requests live in slots, struct of arrays, grown by doubling. A slot is reused once its request
  // is over and nothing refers to it any more (no pending finish, timeout or send, no queue entry:
  // `rPend` counts those), so memory follows the requests in the system, not the run's length.
  // `rNum` is the request's number in the run (what the trace shows).
  let cap = 1024;
  let rArrive = new Float64Array(cap);
  let rStart = new Float64Array(cap);
  let rCall = new Float64Array(cap); // when the call's first attempt was sent
  let rAttempt = new Uint8Array(cap);
  let rClient = new Int32Array(cap);
  let rState = new Uint8Array(cap);
  let rLate = new Uint8Array(cap);
  let rInflight = new Int32Array(cap);
  let rServer = new Int32Array(cap);
  let rPend = new Int32Array(cap);
  let rNum = new Int32Array(cap);
  let rCallNum = new Int32Array(cap); // the call's number (its idempotency key)
  let rHeld = new Float64Array(cap); // retry budget tokens this attempt holds
  let rPrev = new Float64Array(cap); // previous wait (decorrelated jitter)
  let freeSlots = new Int32Array(cap);
  let nFreeSlots = 0;
  let nReq = 0; // slots ever used
  let reqCount = 0; // requests created
  function grow(): void {
    const c2 = cap * 2;
    const f = (a: Float64Array) => {
      const b = new Float64Array(c2);
      b.set(a);
      return b;
    };
    const u = (a: Uint8Array) => {
      const b = new Uint8Array(c2);
      b.set(a);
      return b;
    };
    const i = (a: Int32Array) => {
      const b = new Int32Array(c2);
      b.set(a);
      return b;
    };
    rArrive = f(rArrive);
    rStart = f(rStart);
    rCall = f(rCall);
    rAttempt = u(rAttempt);
    rClient = i(rClient);
    rState = u(rState);
    rLate = u(rLate);
    rInflight = i(rInflight);
    rServer = i(rServer);
    rPend = i(rPend);
    rNum = i(rNum);
    rCallNum = i(rCallNum);
    rHeld = f(rHeld);
    rPrev = f(rPrev);
    freeSlots = i(freeSlots);
    cap = c2;
  }
  function newRequest(callStart: number, attempt: number, client: number): number {
    let r: number;
    if (nFreeSlots > 0) r = freeSlots[--nFreeSlots];
    else {
      if (nReq === cap) grow();
      r = nReq++;
    }
    rNum[r] = reqCount++;
    rState[r] = 0;
    rLate[r] = 0;
    rPend[r] = 0;
    rCall[r] = callStart;
    rAttempt[r] = attempt;
    rClient[r] = client;
    rHeld[r] = 0;
    rPrev[r] = rBase;
    return r;
  }
  /** Frees slot r if its request is over and nothing refers to it. */
  function release(r: number): void {
    if (rPend[r] === 0 && rState[r] >= FINISHED) freeSlots[nFreeSlots++] = r;
  }

  // The queue: a ring of request ids; entries whose request left (cancelled) are skipped.
  let ring = new Int32Array(1024);
  let qHead = 0;
  let qLen = 0; // entries in the ring, stale ones included
  let qLive = 0; // requests really waiting
  function qPush(r: number): void {
    if (qLen === ring.length) {
      const bigger = new Int32Array(ring.length * 2);
      for (let k = 0; k < qLen; k++) bigger[k] = ring[(qHead + k) & (ring.length - 1)];
      ring = bigger;
      qHead = 0;
    }
    ring[(qHead + qLen) & (ring.length - 1)] = r;
    qLen++;
    rPend[r]++;
  }
  function qPopHead(): number {
    while (qLen > 0) {
      const r = ring[qHead];
      qHead = (qHead + 1) & (ring.length - 1);
      qLen--;
      rPend[r]--;
      if (rState[r] === QUEUED) return r;
      release(r);
    }
    return -1;
  }
  function qPopTail(): number {
    while (qLen > 0) {
      qLen--;
      const r = ring[(qHead + qLen) & (ring.length - 1)];
      rPend[r]--;
      if (rState[r] === QUEUED) return r;
      release(r);
    }
    return -1;
  }

  // Servers: a stack of free server ids.
  const free = new Int32Array(servers);
  for (let k = 0; k < servers; k++) free[k] = servers - 1 - k;
  let nFree = servers;
  let busy = 0;
  let avail = servers;
  let slowFactor = 1;
  let errShare = 0;
  const faultOn = new Uint8Array(faults.length);

  const rec = new TraceRecorder<QueueingEvent>(config.traceCap ?? DEFAULT_TRACE_CAP);
  const traceCap = rec.cap;
  const full = (): boolean => {
    if (rec.events.length < traceCap) return false;
    rec.emitted++;
    rec.truncated = true;
    return true;
  };

  // Counters.
  let calls = 0;
  let sends = 0; // retries scheduled and not yet sent
  let arrived = 0;
  let completed = 0;
  let succeeded = 0;
  let failedCalls = 0;
  let rejected = 0;
  let timedOut = 0;
  let dropped = 0;
  let shed = 0;
  let wasted = 0;
  let sumResp = 0;
  let sumWait = 0;
  let areaSys = 0;
  let areaQ = 0;
  let areaBusy = 0;
  let lastT = 0;
  let events = 0;
  let lat = new Float64Array(Math.min(cap, 1 << 20));
  let nLat = 0;
  let retries = 0;
  let errors = 0;
  let shortCircuited = 0;
  let budgetDenied = 0;
  let charges = 0;
  let duplicates = 0;
  let deduplicated = 0;
  let deadLetters = 0;
  const attemptsHistogram = new Array<number>(attempts + 1).fill(0);
  // charged[c] = 1 once call c's side effect ran.
  let charged = new Uint8Array(1024);

  // Series.
  const series: QueueingSeries = {
    bucket,
    t: [],
    offered: [],
    goodput: [],
    throughput: [],
    queue: [],
    inFlight: [],
    limit: [],
    p50: [],
    p99: [],
    rejected: [],
    timedOut: [],
    breaker: [],
    tokens: [],
    attempts: [],
  };
  let bEnd = bucket;
  let bOffered = 0;
  let bGood = 0;
  let bThru = 0;
  let bRej = 0;
  let bTo = 0;
  let bEnded = 0; // calls ended in the bucket
  let bEndedAttempts = 0; // their attempts
  let bLat = 0; // index in `lat` where the bucket's finishes begin
  const perSecond = 1000 / bucket;
  function closeBucket(): void {
    const i = series.t.length;
    series.t.push(i * bucket);
    series.offered.push(bOffered * perSecond);
    series.goodput.push(bGood * perSecond);
    series.throughput.push(bThru * perSecond);
    series.rejected.push(bRej);
    series.timedOut.push(bTo);
    series.queue.push(qLive);
    series.inFlight.push(qLive + busy);
    series.limit.push(limiter ? limiter.limit : NaN);
    series.breaker.push(breaker ? BREAKER_CODE[breaker.state] : NaN);
    series.tokens.push(budget ? budget.tokens : NaN);
    series.attempts.push(bEnded > 0 ? bEndedAttempts / bEnded : NaN);
    bEnded = bEndedAttempts = 0;
    // Selecting in place reorders the bucket's stretch of `lat`; no later step needs its order.
    const [p50, p99] = percentilesInPlace(lat, bLat, nLat, [50, 99]);
    series.p50.push(p50);
    series.p99.push(p99);
    bLat = nLat;
    bOffered = bGood = bThru = bRej = bTo = 0;
    bEnd = (i + 2) * bucket;
  }

  function sampleService(): number {
    let s: number;
    if (dist === 'exponential') s = -tMean * Math.log(1 - svcRng.next());
    else if (dist === 'deterministic') s = tMean;
    else if (dist === 'lognormal') s = Math.exp(logMu + logSigma * svcRng.normal());
    else s = svcRng.next() < slowShare ? slow : fast;
    return s;
  }

  const agenda = new Agenda<number>(1024);

  // Breaker transitions already emitted as trace events.
  let nTransitions = 0;
  function breakerEvents(): void {
    const tr = (breaker as NonNullable<typeof breaker>).transitions;
    for (; nTransitions < tr.length; nTransitions++) {
      const x = tr[nTransitions];
      if (!full()) rec.emit({ t: x.t, kind: 'breaker', from: x.from, to: x.to } as QueueingEvent);
    }
  }

  /** A call ended (success or not) after `a` attempts. */
  function callEnded(a: number): void {
    attemptsHistogram[a]++;
    bEnded++;
    bEndedAttempts += a;
  }

  /** The call of request r failed for good. */
  function giveUp(r: number, t: number, reason: 'attempts' | 'budget'): void {
    failedCalls++;
    callEnded(rAttempt[r]);
    if (dlq) deadLetters++;
    if (!full()) rec.emit({ t, kind: 'giveup', call: rCallNum[r], attempts: rAttempt[r], reason, deadLetter: dlq } as QueueingEvent);
    if (!open) think(rClient[r], t);
  }

  /** An attempt failed in the client's eyes (`why`: FAILED, TIMED_OUT, SHORT_CIRCUIT): retry, or end the call. */
  function attemptFailed(r: number, t: number, why: number): void {
    const counted = why !== SHORT_CIRCUIT;
    if (breaker !== null && counted) {
      breaker.record(t, false);
      breakerEvents();
    }
    const a = rAttempt[r];
    if (a < attempts) {
      let held = 0;
      if (budget !== null && counted) {
        held = budget.failed(why === TIMED_OUT);
        if (held < 0) {
          budgetDenied++;
          giveUp(r, t, 'budget');
          return;
        }
      }
      let wait: number;
      if (strategy === undefined) {
        wait = backoffExp ? backoff * 2 ** (a - 1) : backoff;
        if (jitter) wait *= cliRng.next();
      } else wait = backoffWait(strategy, a - 1, rBase, rCap, rPrev[r], cliRandom);
      const call = rCallNum[r];
      const next = newRequest(rCall[r], a + 1, rClient[r]);
      rCallNum[next] = call;
      rHeld[next] = held;
      rPrev[next] = wait;
      retries++;
      if (!full()) rec.emit({ t, kind: 'retry', next: rNum[next], call, attempt: a + 1, wait } as QueueingEvent);
      rPend[next]++;
      sends++;
      agenda.push(t + wait, next * 8 + SEND);
    } else {
      if (budget !== null && counted) budget.failedFinal();
      giveUp(r, t, 'attempts');
    }
  }

  /** The handler's side effect (a charge) for a request whose work succeeded. */
  function charge(r: number, t: number): void {
    const c = rCallNum[r];
    if (c >= charged.length) {
      const bigger = new Uint8Array(Math.max(charged.length * 2, c + 1));
      bigger.set(charged);
      charged = bigger;
    }
    if (charged[c] === 0) {
      charged[c] = 1;
      charges++;
    } else if (keys) {
      deduplicated++;
      if (!full()) rec.emit({ t, kind: 'dedupe', by: rNum[r], call: c } as QueueingEvent);
    } else {
      charges++;
      duplicates++;
      if (!full()) rec.emit({ t, kind: 'charge', by: rNum[r], call: c, duplicate: true } as QueueingEvent);
    }
  }

  function think(client: number, t: number): void {
    if (calls >= maxCalls) return;
    agenda.push(t + (thinkExp ? -thinkMean * Math.log(1 - cliRng.next()) : thinkMean), client * 8 + WAKE);
  }

  function start(r: number, t: number): void {
    busy++;
    const server = free[--nFree];
    rServer[r] = server;
    rState[r] = SERVING;
    rStart[r] = t;
    let s = sampleService();
    if (slowFactor !== 1) s *= slowFactor;
    if (contention !== 0) s *= 1 + contention * (busy - 1);
    rPend[r]++;
    agenda.push(t + s, r * 8 + FINISH);
    if (!full()) rec.emit({ t, kind: 'start', req: rNum[r], server, service: s } as QueueingEvent);
  }

  function leaveServer(r: number): void {
    busy--;
    free[nFree++] = rServer[r];
  }

  /** Fills free servers from the queue. */
  function dispatch(t: number): void {
    while (busy < avail && qLive > 0) {
      const r = lifo ? qPopTail() : qPopHead();
      qLive--;
      const waited = t - rArrive[r];
      if (waited > maxWait) {
        rState[r] = GONE;
        shed++;
        if (!full()) rec.emit({ t, kind: 'shed', req: rNum[r], waited } as QueueingEvent);
        if (limiter !== null) sample(waited, rInflight[r], true);
        if (!rLate[r]) attemptFailed(r, t, FAILED);
        release(r);
        continue;
      }
      start(r, t);
    }
  }

  function arrive(r: number, t: number): void {
    arrived++;
    bOffered++;
    rArrive[r] = t;
    if (!full()) rec.emit({ t, kind: 'arrive', req: rNum[r], attempt: rAttempt[r] } as QueueingEvent);
    const inflight = qLive + busy;
    if (limiter !== null && inflight >= limiter.limit) {
      rState[r] = GONE;
      rejected++;
      bRej++;
      if (!full()) rec.emit({ t, kind: 'reject', req: rNum[r], reason: 'limit' } as QueueingEvent);
      attemptFailed(r, t, FAILED);
      release(r);
      return;
    }
    if (busy < avail && qLive === 0) {
      rInflight[r] = inflight + 1;
      if (timeout !== Infinity) {
      rPend[r]++;
      agenda.push(t + timeout, r * 8 + TIMEOUT);
    }
      start(r, t);
      return;
    }
    if (qLive >= qCap) {
      if (!dropOldest || qLive === 0) {
        rState[r] = GONE;
        rejected++;
        bRej++;
        if (!full()) rec.emit({ t, kind: 'reject', req: rNum[r], reason: 'full' } as QueueingEvent);
        attemptFailed(r, t, FAILED);
        release(r);
        return;
      }
      const old = qPopHead();
      qLive--;
      rState[old] = GONE;
      dropped++;
      if (!full()) rec.emit({ t, kind: 'drop', req: rNum[old] } as QueueingEvent);
      if (limiter !== null) sample(t - rArrive[old], rInflight[old], true);
      if (!rLate[old]) attemptFailed(old, t, FAILED);
      release(old);
    }
    rInflight[r] = qLive + busy + 1;
    if (timeout !== Infinity) {
      rPend[r]++;
      agenda.push(t + timeout, r * 8 + TIMEOUT);
    }
    rState[r] = QUEUED;
    qPush(r);
    qLive++;
    if (!full()) rec.emit({ t, kind: 'queue', req: rNum[r], length: qLive } as QueueingEvent);
  }

  /** Sends attempt r: through the breaker (if any) to the service. */
  function send(r: number, t: number): void {
    if (breaker !== null) {
      const ok = breaker.allow(t);
      breakerEvents();
      if (!ok) {
        rState[r] = GONE;
        shortCircuited++;
        if (!full()) rec.emit({ t, kind: 'shortcircuit', call: rCallNum[r], attempt: rAttempt[r] } as QueueingEvent);
        attemptFailed(r, t, SHORT_CIRCUIT);
        release(r);
        return;
      }
    }
    arrive(r, t);
  }

  function newCall(t: number, client: number): void {
    const r = newRequest(t, 1, client);
    rCallNum[r] = calls++;
    send(r, t);
  }

  function setFaults(t: number): void {
    let a = servers;
    let f = 1;
    let ok = 1;
    for (let k = 0; k < faults.length; k++) {
      if (!faultOn[k]) continue;
      const fault = faults[k];
      if (fault.kind === 'capacity') a = Math.min(a, fault.servers);
      else if (fault.kind === 'slow') f *= fault.factor;
      else ok *= 1 - fault.share;
    }
    avail = a;
    slowFactor = f;
    errShare = 1 - ok;
    dispatch(t);
  }

  // Start. Faults first, so a fault beginning at t applies to the arrivals at t.
  for (let k = 0; k < faults.length; k++) {
    agenda.push(faults[k].at, (k * 2 + 1) * 8 + FAULT);
    agenda.push(faults[k].at + faults[k].duration, k * 2 * 8 + FAULT);
  }

  if (open) {
    if (maxCalls > 0) agenda.push(poisson ? -(gap) * Math.log(1 - arrRng.next()) : 0, ARRIVAL);
  } else {
    for (let k = 0; k < nClients && k < maxCalls; k++) agenda.push(thinkExp ? -thinkMean * Math.log(1 - cliRng.next()) : thinkMean, k * 8 + WAKE);
  }
  while (agenda.size > 0) {
    const t = agenda.peekTime();
    if (t > duration) break;
    // A run without a set length ends with its last request: once every call is made, nothing
    // waits or is served and no retry is pending, a fault that begins or ends later changes
    // nothing, and must not stretch the run (and its series) to its end.
    if (duration === Infinity && ((agenda.peek() as number) & 7) === FAULT && calls >= maxCalls && qLive + busy === 0 && sends === 0) break;
    const code = agenda.pop() as number;
    events++;
    const type = code & 7;
    const id = (code - type) / 8;
    // A finish of cancelled work, or the timeout of a request already gone: nothing happens, and
    // the clock does not move (so it cannot stretch the run's length).
    if (type === FINISH || type === TIMEOUT || type === SEND) rPend[id]--;
    if (type === FINISH ? rState[id] !== SERVING : type === TIMEOUT && rState[id] !== QUEUED && rState[id] !== SERVING) {
      release(id);
      continue;
    }
    while (t >= bEnd) closeBucket();
    const dt = t - lastT;
    if (dt > 0) {
      const inSys = qLive + busy;
      areaSys += inSys * dt;
      areaQ += qLive * dt;
      areaBusy += busy * dt;
      lastT = t;
    }
    switch (type) {
      case FINISH: {
        rState[id] = FINISHED;
        leaveServer(id);
        completed++;
        bThru++;
        const resp = t - rArrive[id];
        sumResp += resp;
        sumWait += rStart[id] - rArrive[id];
        if (nLat === lat.length) {
          const bigger = new Float64Array(lat.length * 2);
          bigger.set(lat);
          lat = bigger;
        }
        lat[nLat++] = resp;
        const late = rLate[id] === 1;
        if (!full()) rec.emit({ t, kind: 'finish', req: rNum[id], response: resp, late } as QueueingEvent);
        if (limiter !== null) sample(resp, rInflight[id], false);
        // An `errors` fault: the work ends in an error response (decided when it ends).
        const failed = errShare > 0 && errRng.next() < errShare;
        if (failed) {
          errors++;
          if (!full()) rec.emit({ t, kind: 'error', req: rNum[id] } as QueueingEvent);
        } else charge(id, t);
        if (late) wasted += t - rStart[id];
        else if (failed) attemptFailed(id, t, FAILED);
        else {
          succeeded++;
          bGood++;
          callEnded(rAttempt[id]);
          if (budget !== null) budget.succeeded(rHeld[id]);
          if (breaker !== null) {
            breaker.record(t, true);
            breakerEvents();
          }
          if (!open) think(rClient[id], t);
        }
        release(id);
        if (qLive > 0) dispatch(t);
        break;
      }
      case ARRIVAL: {
        for (let k = 0; k < burst && calls < maxCalls; k++) newCall(t, -1);
        if (calls < maxCalls) agenda.push(t + (poisson ? -gap * Math.log(1 - arrRng.next()) : gap), ARRIVAL);
        break;
      }
      case TIMEOUT: {
        const st = rState[id];
        rLate[id] = 1;
        timedOut++;
        bTo++;
        if (!full()) rec.emit({ t, kind: 'timeout', req: rNum[id], cancelled: cancel } as QueueingEvent);
        if (cancel) {
          rState[id] = GONE;
          if (st === QUEUED) qLive--;
          else leaveServer(id);
          if (limiter !== null) sample(t - rArrive[id], rInflight[id], true);
          dispatch(t);
        }
        attemptFailed(id, t, TIMED_OUT);
        release(id);
        break;
      }
      case SEND:
        sends--;
        send(id, t);
        break;
      case WAKE:
        if (calls < maxCalls) newCall(t, id);
        break;
      case FAULT:
        faultOn[id >> 1] = id & 1;
        if (!full()) rec.emit({ t, kind: 'fault', fault: id >> 1, on: (id & 1) === 1 } as QueueingEvent);
        setFaults(t);
        break;
    }
  }

  const end = duration !== Infinity ? duration : lastT;
  if (end > lastT) {
    const dt = end - lastT;
    areaSys += (qLive + busy) * dt;
    areaQ += qLive * dt;
    areaBusy += busy * dt;
  }
  while (series.t.length * bucket < end) closeBucket();

  const [p50, p95, p99] = percentilesInPlace(lat, 0, nLat, [50, 95, 99]);
  const secs = end / 1000;
  const metrics: QueueingMetrics = {
    elapsed: end,
    calls,
    arrived,
    completed,
    succeeded,
    failedCalls,
    rejected,
    timedOut,
    dropped,
    shed,
    wastedWork: wasted,
    meanResponse: completed > 0 ? sumResp / completed : NaN,
    meanWait: completed > 0 ? sumWait / completed : NaN,
    meanInSystem: end > 0 ? areaSys / end : NaN,
    meanQueue: end > 0 ? areaQ / end : NaN,
    throughput: secs > 0 ? completed / secs : NaN,
    goodput: secs > 0 ? succeeded / secs : NaN,
    offered: secs > 0 ? arrived / secs : NaN,
    utilization: end > 0 ? areaBusy / (servers * end) : NaN,
    p50,
    p95,
    p99,
    events,
    retries,
    errors,
    shortCircuited,
    budgetDenied,
    charges,
    duplicates,
    deduplicated,
    deadLetters,
    attemptsHistogram,
  };
  return { trace: rec.events, metrics, truncated: rec.truncated, series, breaker: breaker ? breaker.transitions : [] };
}
