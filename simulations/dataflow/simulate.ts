/**
 * The dataflow engine: records flow through a DAG of operators over bounded channels.
 *
 * Semantics (the contract the views and tests rely on):
 *
 * - Every operator runs `parallelism` instances. An instance processes one record at a time; each
 *   takes a service time drawn around `serviceMs` (fixed, exponential or uniform on ±50%).
 * - Channels. An edge A → B has one FIFO buffer per instance of B, holding at most `buffer`
 *   records (no limit when `unbounded`). Outputs of an instance go into its outbox and from there
 *   into those buffers: on a keyed edge (into a window or join, or out of a keyBy) to the instance
 *   `keyInstance(key, p)`; otherwise round robin, skipping full buffers. An operator with several
 *   outgoing edges sends a copy of each output down every edge.
 * - Credit-based backpressure. A record moves only into a buffer with space. While the next
 *   record of its outbox cannot move (its buffer is full; round robin: all are full), the instance
 *   is *blocked* and takes no new input. When a buffer frees a slot, the instances blocked on that
 *   edge retry, in the order they blocked. So a full buffer stops its upstream, whose own input
 *   buffers then fill, up to the source.
 * - Sources. A stream source creates records at its `rate` (even spacing or Poisson, with an
 *   optional burst), handed round robin to its instances; a batch source holds `count` records
 *   from t = 0. Records not yet emitted wait at the source (its backlog, the "lag" of a log such
 *   as Kafka). A source instance emits the oldest waiting record when its outbox is empty, after
 *   `serviceMs` (0 by default). So backpressure slows the source's emission, and the waiting moves
 *   to the backlog. A record's latency counts from the time it became available at the source
 *   (its creation for a stream, t = 0 for a batch) to its delivery at a sink.
 * - Operators: map and keyBy pass the record on; filter keeps it with probability `selectivity`
 *   (or when the learner's function returns a truthy value); flatMap sends floor(f) or floor(f)+1
 *   records for a mean fanout f (0: the record is dropped, counted as filtered); a window stores
 *   records and at every multiple of `windowMs` each instance emits one aggregate per key it saw
 *   (value = the count; latency counts from the window's end); a join stores a record until a
 *   record with the same key arrives on its other input (oldest first), and the pair leaves as
 *   one record, or until `windowMs` has passed (expired); a sink delivers.
 * - Time split per instance, as Flink reports it: busy (processing), blocked ("backpressured":
 *   holding output that has nowhere to go), idle (nothing to do). They add up to elapsed time.
 * - Conservation: emitted (sources, copies, flatMap extras, aggregates, joined records)
 *   = in flight (being processed or in outboxes) + in buffers + in state (windows and joins)
 *   + delivered + filtered + merged (consumed by windows and joins) + expired. Samples measure the
 *   stocks from the live structures, independently of the counters; `options.check` verifies the
 *   identity after every event.
 * - Stream runs stop at `duration`; batch runs (no stream source) run until the graph is empty.
 *
 * Determinism: every random draw comes from seeded streams, one per operator and purpose, so the
 * same config and seed give the same run bit for bit. Ties in time are processed in agenda (FIFO)
 * order; within one instant, instances woken by others run in the order they were woken.
 */
import { Agenda } from '../core/agenda';
import { hashString, Rng, seedFrom, type Seed } from '../core/rng';
import { formatCount } from '../core/format';
import { percentileSorted } from '../core/stats';
import { DEFAULT_TRACE_CAP } from '../core/trace';
import { GRAPH_LIMITS, validateConfig } from './config';
import { edgeInfos, keyInstance, keyProbabilities, mix32, predict } from './analyze';
import { findBottleneck, windowSamples } from './bottleneck';
import {
  BLOCKED,
  BUSY,
  IDLE,
  type BufferInfo,
  type DataflowConfig,
  type DataflowEvent,
  type DataflowMetrics,
  type DataflowRun,
  type EdgeInfo,
  type EdgeMetrics,
  type InstanceInfo,
  type OperatorHooks,
  type OperatorMetrics,
  type ResolvedConfig,
  type ResolvedOperator,
  type Sample,
  type SeriesPoint,
} from './types';

export interface SimulateOptions {
  /** Most events kept in the trace (default 100,000; 0 records none). Metrics are exact whatever the cap. */
  traceCap?: number;
  /** Approximate number of samples (default 240). */
  samples?: number;
  /** Learner functions for map and filter operators, by operator id. */
  hooks?: OperatorHooks;
  /** Polled every few thousand events; returning true stops the run with an error (wall-time budgets). */
  shouldStop?: () => boolean;
  /** Verify conservation and buffer limits after every event (slow; for tests). Throws on a violation. */
  check?: boolean;
}

const K_SOURCE = 0;
const K_MAP = 1;
const K_FILTER = 2;
const K_FLATMAP = 3;
const K_KEYBY = 4;
const K_WINDOW = 5;
const K_JOIN = 6;
const K_SINK = 7;
const KIND_CODE = { source: K_SOURCE, map: K_MAP, filter: K_FILTER, flatMap: K_FLATMAP, keyBy: K_KEYBY, window: K_WINDOW, join: K_JOIN, sink: K_SINK } as const;

const D_FIXED = 0;
const D_EXP = 1;
const D_UNIFORM = 2;

const EV_DONE = 0; // id = instance
const EV_GEN = 1; // id = source operator
const EV_TIMER = 2; // id = window or join operator

/** A growable ring of int32. */
class Ring {
  data: Int32Array;
  head = 0;
  len = 0;
  constructor(cap = 8) {
    this.data = new Int32Array(cap);
  }
  push(v: number): void {
    if (this.len === this.data.length) this.grow();
    let k = this.head + this.len;
    if (k >= this.data.length) k -= this.data.length;
    this.data[k] = v;
    this.len++;
  }
  peek(): number {
    return this.data[this.head];
  }
  at(j: number): number {
    let k = this.head + j;
    if (k >= this.data.length) k -= this.data.length;
    return this.data[k];
  }
  shift(): number {
    const v = this.data[this.head];
    this.head++;
    if (this.head === this.data.length) this.head = 0;
    this.len--;
    return v;
  }
  private grow(): void {
    const next = new Int32Array(this.data.length * 2);
    for (let j = 0; j < this.len; j++) next[j] = this.at(j);
    this.data = next;
    this.head = 0;
  }
}

/** A growable ring of float64. */
class FRing {
  data: Float64Array;
  head = 0;
  len = 0;
  constructor(cap = 8) {
    this.data = new Float64Array(cap);
  }
  push(v: number): void {
    if (this.len === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      for (let j = 0; j < this.len; j++) next[j] = this.data[(this.head + j) % this.data.length];
      this.data = next;
      this.head = 0;
    }
    this.data[(this.head + this.len) % this.data.length] = v;
    this.len++;
  }
  shift(): number {
    const v = this.data[this.head];
    this.head = (this.head + 1) % this.data.length;
    this.len--;
    return v;
  }
}

function streamSeed(seed: number, id: string, purpose: number): number {
  return (seed ^ mix32(hashString(id) * 8 + purpose)) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Engine state. One run at a time (simulate is synchronous): the state of the run in progress
// lives in these module variables and the event handlers below are module functions, created once,
// so V8 keeps them optimised and inlined from one run to the next (closures made per run are not).
// ---------------------------------------------------------------------------------------------
let cfg: ResolvedConfig;
let seed32: number;
let ops: ResolvedOperator[];
let nOps: number;
let edges: EdgeInfo[];
let nEdges: number;
let cap: number;
let stream: boolean;
let hooks: OperatorHooks;
let check: boolean;
let kind: Uint8Array;
let par: Int32Array;
let svc: Float64Array;
let dist: Uint8Array;
let instBase: Int32Array;
let hook: ((r: { key: number; value: number }) => unknown)[];
let nInst: number;
let instOp: Int32Array;
let instances: InstanceInfo[];
let outStart: Int32Array;
let inStart: Int32Array;
let outList: Int32Array;
let inList: Int32Array;
let eTo: Int32Array;
let eKeyed: Uint8Array;
let eInput: Int32Array;
let bufBase: Int32Array;
let nBuf: number;
let buffers: BufferInfo[];
let bufs: Ring[];
let bufArea: Float64Array;
let bufLastT: Float64Array;
let bufMax: Int32Array;
let rngSvc: Rng[];
let rngSel: Rng[];
let rngSrc: Rng[];
let keyCdf: (Float64Array | null)[];
let maxKeys: number;
let keyRoute: (Int32Array | null)[];
let recCap: number;
let recOrigin: Float64Array;
let recKey: Int32Array;
let recValue: Float64Array;
let recPrev: Int32Array;
let recNext: Int32Array;
let recGen: Int32Array;
let recStored: Uint8Array;
let recT: Float64Array;
let freeList: Int32Array;
let freeTop: number;
let recNextId: number;
let created: number;
let state: Uint8Array;
let since: Float64Array;
let tBusy: Float64Array;
let tIdle: Float64Array;
let tBlocked: Float64Array;
let cur: Int32Array;
let curEdge: Int32Array;
let obRec: Ring[];
let obEdge: Ring[];
let rrIn: Int32Array;
let rrOut: Int32Array;
let processed: Float64Array;
let edgePushed: Float64Array;
let waitList: Int32Array;
let waitCount: Int32Array;
let waiting: Int32Array;
let backlogT: (FRing | null)[];
let dsLeft: Float64Array;
let genRR: Int32Array;
let wCount: Float64Array;
let wKeys: Ring[];
let wKeyCount: (Float64Array | null)[];
let jHead: (Int32Array | null)[][];
let jTail: (Int32Array | null)[][];
let jFifo: (Ring | null)[];
let jFifoGen: (Ring | null)[];
let jStoredPerInst: Float64Array;
let emitted: number;
let sourceEmitted: number;
let delivered: number;
let filtered: number;
let merged: number;
let expired: number;
let stockFlight: number;
let stockBuf: number;
let stockState: number;
let activeSources: number;
let latCap: number;
let latT: Float64Array;
let latV: Float64Array;
let firstDelivered: DataflowMetrics['firstDelivered'];
let traceCap: number;
let events: DataflowEvent[];
let truncated: boolean;
let tracing: boolean;
let agenda: Agenda<number>;
let now: number;
let lastActivity: number;
let error: { message: string } | undefined;
let work: Int32Array;
let queued: Uint8Array;
let wHead: number;
let wLen: number;
let target: number;
let sampleDt: number;
let samples: Sample[];
let nextSample: number;
let steps: number;
let shouldStop: (() => boolean) | undefined;
let end: number;

function growRecords() {
  const n = recCap * 2;
  const g = <T extends Float64Array | Int32Array | Uint8Array>(a: T, C: new (n: number) => T): T => {
    const b = new C(n);
    b.set(a);
    return b;
  };
  recOrigin = g(recOrigin, Float64Array);
  recKey = g(recKey, Int32Array);
  recValue = g(recValue, Float64Array);
  recPrev = g(recPrev, Int32Array);
  recNext = g(recNext, Int32Array);
  recGen = g(recGen, Int32Array);
  recStored = g(recStored, Uint8Array);
  recT = g(recT, Float64Array);
  recCap = n;
}

function alloc(origin: number, key: number, value: number): number {
  let id: number;
  if (freeTop > 0) id = freeList[--freeTop];
  else {
    if (recNextId === recCap) growRecords();
    id = recNextId++;
  }
  recOrigin[id] = origin;
  recKey[id] = key;
  recValue[id] = value;
  recGen[id]++;
  recStored[id] = 0;
  created++;
  return id;
}

function free(id: number) {
  if (freeTop === freeList.length) {
    const b = new Int32Array(freeList.length * 2);
    b.set(freeList);
    freeList = b;
  }
  freeList[freeTop++] = id;
}

function backlogLen(i: number) {
  return (backlogT[i] ? backlogT[i]!.len : dsLeft[i]);
}

function ev(e: DataflowEvent) {
  if (events.length < traceCap) {
    e.seq = events.length;
    events.push(e);
  } else {
    truncated = true;
    tracing = false;
  }
}

class Stop extends Error {}

function fail(message: string) {
  error = { message };
  throw new Stop(message);
}

function setState(i: number, s: number) {
  const d = now - since[i];
  const old = state[i];
  if (old === BUSY) tBusy[i] += d;
  else if (old === BLOCKED) tBlocked[i] += d;
  else tIdle[i] += d;
  since[i] = now;
  state[i] = s;
}

function drawService(o: number): number {
  const s = svc[o];
  if (s === 0) return 0;
  const d = dist[o];
  if (d === D_FIXED) return s;
  if (d === D_EXP) return rngSvc[o].exponential(s);
  return s * (0.5 + rngSvc[o].next());
}

function drawKey(o: number): number {
  const cdf = keyCdf[o];
  const r = rngSrc[o];
  if (!cdf) return Math.floor(r.next() * ops[o].keys);
  const u = r.next();
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function kick(i: number) {
  if (queued[i]) return;
  queued[i] = 1;
  let k = wHead + wLen;
  if (k >= work.length) k -= work.length;
  work[k] = i;
  wLen++;
}

function bufTouch(b: number) {
  bufArea[b] += bufs[b].len * (now - bufLastT[b]);
  bufLastT[b] = now;
}

function enqueueOut(i: number, o: number, rec: number): number {
  let extra = 0;
  for (let k = outStart[o]; k < outStart[o + 1]; k++) {
    let r = rec;
    if (k > outStart[o]) {
      r = alloc(recOrigin[rec], recKey[rec], recValue[rec]);
      emitted++;
      stockFlight++;
      extra++;
    }
    obRec[i].push(r);
    obEdge[i].push(outList[k]);
  }
  return extra;
}

function flush(i: number): boolean {
  const o = instOp[i];
  const ob = obRec[i];
  const oe = obEdge[i];
  while (ob.len > 0) {
    const rec = ob.peek();
    const e = oe.peek();
    const to = eTo[e];
    const p = par[to];
    let j: number;
    if (eKeyed[e]) {
      j = keyRoute[e]![recKey[rec]];
      if (bufs[bufBase[e] + j].len >= cap) j = -1;
    } else {
      const slot = i * nEdges + e;
      const start = rrOut[slot];
      j = -1;
      for (let r = 0; r < p; r++) {
        let c = start + r;
        if (c >= p) c -= p;
        if (bufs[bufBase[e] + c].len < cap) {
          j = c;
          break;
        }
      }
      if (j >= 0) rrOut[slot] = j + 1 === p ? 0 : j + 1;
    }
    if (j < 0) {
      if (state[i] !== BLOCKED) {
        setState(i, BLOCKED);
        if (tracing) ev({ seq: 0, t: now, kind: 'block', op: o, inst: i - instBase[o], edge: e });
      }
      if (waiting[i] !== e) {
        waiting[i] = e;
        waitList[e * nInst + waitCount[e]++] = i;
      }
      return false;
    }
    ob.shift();
    oe.shift();
    const b = bufBase[e] + j;
    bufTouch(b);
    bufs[b].push(rec);
    if (bufs[b].len > bufMax[b]) bufMax[b] = bufs[b].len;
    stockFlight--;
    stockBuf++;
    edgePushed[e]++;
    if (tracing) ev({ seq: 0, t: now, kind: 'push', op: o, inst: i - instBase[o], edge: e, to: j });
    const r = instBase[to] + j;
    if (state[r] === IDLE) kick(r);
  }
  if (state[i] === BLOCKED) {
    setState(i, IDLE);
    if (tracing) ev({ seq: 0, t: now, kind: 'unblock', op: o, inst: i - instBase[o] });
  }
  return true;
}

function wake(e: number) {
  const n = waitCount[e];
  const base = e * nInst;
  for (let k = 0; k < n; k++) {
    const i = waitList[base + k];
    waiting[i] = -1;
    kick(i);
  }
  waitCount[e] = 0;
}

function callHook(o: number, rec: number): unknown {
  try {
    // Called as a plain function: `this` is undefined in the learner's strict-mode code.
    const fn = hook[o];
    return fn({ key: recKey[rec], value: recValue[rec] });
  } catch (err) {
    const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return fail(`Your ${ops[o].kind} function for "${ops[o].label}" threw on the record { key: ${recKey[rec]}, value: ${recValue[rec]} }: ${what}`);
  }
}

function joinUnlink(o: number, side: number, rec: number) {
  const key = recKey[rec];
  const head = jHead[o][side]!;
  const tail = jTail[o][side]!;
  const p = recPrev[rec];
  const n = recNext[rec];
  if (p >= 0) recNext[p] = n;
  else head[key] = n;
  if (n >= 0) recPrev[n] = p;
  else tail[key] = p;
  recStored[rec] = 0;
}

function joinExpire(o: number) {
  const fifo = jFifo[o]!;
  const gens = jFifoGen[o]!;
  const limit = now - ops[o].windowMs;
  while (fifo.len > 0) {
    const rec = fifo.peek();
    const gen = gens.peek();
    const live = recGen[rec] === gen && recStored[rec] !== 0;
    if (live && recT[rec] > limit) break;
    fifo.shift();
    gens.shift();
    if (!live) continue;
    const side = recStored[rec] - 1;
    const inst = instBase[o] + keyInstance(recKey[rec], par[o]);
    joinUnlink(o, side, rec);
    jStoredPerInst[inst]--;
    stockState--;
    expired++;
    free(rec);
    if (tracing) ev({ seq: 0, t: now, kind: 'expire', op: o, inst: inst - instBase[o], n: 1 });
  }
}

function finish(i: number) {
  const o = instOp[i];
  const k = kind[o];
  const local = i - instBase[o];
  lastActivity = now;
  processed[o]++;
  if (k === K_SOURCE) {
    let origin = 0;
    const bl = backlogT[i];
    if (bl) origin = bl.shift();
    else dsLeft[i]--;
    if (created >= GRAPH_LIMITS.maxRecords) fail(`The run stopped after ${formatCount(GRAPH_LIMITS.maxRecords)} records, the most one run may create. Lower the rate, the count or the duration.`);
    const r = rngSrc[o];
    const key = drawKey(o);
    const value = Math.floor(r.next() * 1000);
    const rec = alloc(origin, key, value);
    emitted++;
    sourceEmitted++;
    stockFlight++;
    const c = enqueueOut(i, o, rec);
    if (tracing) ev({ seq: 0, t: now, kind: 'emit', op: o, inst: local, created: c });
    return;
  }
  const rec = cur[i];
  cur[i] = -1;
  switch (k) {
    case K_MAP: {
      if (hook[o]) {
        const v = callHook(o, rec);
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          fail(`Your map function for "${ops[o].label}" must return a number (the new value), but for { key: ${recKey[rec]}, value: ${recValue[rec]} } it returned ${typeof v === 'number' ? String(v) : typeof v}.`);
        }
        recValue[rec] = v as number;
      }
      const c = enqueueOut(i, o, rec);
      if (tracing) ev({ seq: 0, t: now, kind: 'done', op: o, inst: local, fate: 'out', created: c });
      return;
    }
    case K_KEYBY: {
      const c = enqueueOut(i, o, rec);
      if (tracing) ev({ seq: 0, t: now, kind: 'done', op: o, inst: local, fate: 'out', created: c });
      return;
    }
    case K_FILTER: {
      const keep = hook[o] ? Boolean(callHook(o, rec)) : rngSel[o].next() < ops[o].selectivity;
      if (keep) {
        const c = enqueueOut(i, o, rec);
        if (tracing) ev({ seq: 0, t: now, kind: 'done', op: o, inst: local, fate: 'out', created: c });
      } else {
        filtered++;
        stockFlight--;
        free(rec);
        if (tracing) ev({ seq: 0, t: now, kind: 'done', op: o, inst: local, fate: 'filtered', created: 0 });
      }
      return;
    }
    case K_FLATMAP: {
      const f = ops[o].fanout;
      const whole = Math.floor(f);
      const n = whole + (f > whole && rngSel[o].next() < f - whole ? 1 : 0);
      if (n === 0) {
        filtered++;
        stockFlight--;
        free(rec);
        if (tracing) ev({ seq: 0, t: now, kind: 'done', op: o, inst: local, fate: 'filtered', created: 0 });
        return;
      }
      let c = enqueueOut(i, o, rec);
      for (let m = 1; m < n; m++) {
        if (created >= GRAPH_LIMITS.maxRecords) fail(`The run stopped after ${formatCount(GRAPH_LIMITS.maxRecords)} records, the most one run may create. Lower the fanout, the rate or the duration.`);
        const extra = alloc(recOrigin[rec], recKey[rec], recValue[rec]);
        emitted++;
        stockFlight++;
        c += 1 + enqueueOut(i, o, extra);
      }
      if (tracing) ev({ seq: 0, t: now, kind: 'done', op: o, inst: local, fate: 'out', created: c });
      return;
    }
    case K_SINK: {
      delivered++;
      stockFlight--;
      const lat = now - recOrigin[rec];
      if (delivered > latCap) {
        latCap *= 2;
        const a = new Float64Array(latCap);
        a.set(latT);
        latT = a;
        const b = new Float64Array(latCap);
        b.set(latV);
        latV = b;
      }
      latT[delivered - 1] = now;
      latV[delivered - 1] = lat;
      if (firstDelivered.length < 8) firstDelivered.push({ key: recKey[rec], value: recValue[rec], latency: lat });
      free(rec);
      if (tracing) ev({ seq: 0, t: now, kind: 'done', op: o, inst: local, fate: 'delivered', created: 0 });
      return;
    }
    case K_WINDOW: {
      const key = recKey[rec];
      const counts = wKeyCount[o]!;
      if (counts[key] === 0) wKeys[i].push(key);
      counts[key]++;
      wCount[i]++;
      stockFlight--;
      stockState++;
      free(rec);
      if (tracing) ev({ seq: 0, t: now, kind: 'done', op: o, inst: local, fate: 'stored', created: 0 });
      return;
    }
    case K_JOIN: {
      joinExpire(o);
      const side = eInput[curEdge[i]];
      const other = 1 - side;
      const key = recKey[rec];
      const partner = jHead[o][other]![key];
      if (partner >= 0) {
        joinUnlink(o, other, partner);
        jStoredPerInst[i]--;
        stockState--;
        stockFlight--;
        merged += 2;
        const out = alloc(Math.max(recOrigin[rec], recOrigin[partner]), key, recValue[rec] + recValue[partner]);
        free(rec);
        free(partner);
        emitted++;
        stockFlight++;
        const c = enqueueOut(i, o, out);
        if (tracing) ev({ seq: 0, t: now, kind: 'done', op: o, inst: local, fate: 'joined', created: 1 + c });
      } else {
        const head = jHead[o][side]!;
        const tail = jTail[o][side]!;
        recPrev[rec] = tail[key];
        recNext[rec] = -1;
        if (tail[key] >= 0) recNext[tail[key]] = rec;
        else head[key] = rec;
        tail[key] = rec;
        recStored[rec] = side + 1;
        recT[rec] = now;
        jFifo[o]!.push(rec);
        jFifoGen[o]!.push(recGen[rec]);
        jStoredPerInst[i]++;
        stockFlight--;
        stockState++;
        if (tracing) ev({ seq: 0, t: now, kind: 'done', op: o, inst: local, fate: 'stored', created: 0 });
      }
      return;
    }
  }
}

function startNext(i: number): boolean {
  const o = instOp[i];
  if (kind[o] === K_SOURCE) {
    if (backlogLen(i) <= 0) {
      if (state[i] !== IDLE) setState(i, IDLE);
      return false;
    }
    const d = drawService(o);
    if (d === 0) {
      if (state[i] !== IDLE) setState(i, IDLE);
      finish(i);
      return true;
    }
    setState(i, BUSY);
    agenda.push(now + d, EV_DONE + 8 * i);
    return false;
  }
  const local = i - instBase[o];
  const nIn = inStart[o + 1] - inStart[o];
  let b = -1;
  let e = -1;
  for (let r = 0; r < nIn; r++) {
    let c = rrIn[i] + r;
    if (c >= nIn) c -= nIn;
    const ek = inList[inStart[o] + c];
    const bk = bufBase[ek] + local;
    if (bufs[bk].len > 0) {
      b = bk;
      e = ek;
      rrIn[i] = c + 1 === nIn ? 0 : c + 1;
      break;
    }
  }
  if (b < 0) {
    if (state[i] !== IDLE) setState(i, IDLE);
    return false;
  }
  bufTouch(b);
  const rec = bufs[b].shift();
  stockBuf--;
  stockFlight++;
  cur[i] = rec;
  curEdge[i] = e;
  if (tracing) ev({ seq: 0, t: now, kind: 'take', op: o, inst: local, edge: e });
  if (waitCount[e] > 0) wake(e);
  const d = drawService(o);
  if (d === 0) {
    if (state[i] !== IDLE) setState(i, IDLE);
    finish(i);
    return true;
  }
  setState(i, BUSY);
  agenda.push(now + d, EV_DONE + 8 * i);
  return false;
}

function drive(i: number) {
  if (state[i] === BUSY) return;
  for (;;) {
    if (obRec[i].len > 0 && !flush(i)) return;
    if (!startNext(i)) return;
  }
}

function runWork() {
  while (wLen > 0) {
    const i = work[wHead];
    wHead++;
    if (wHead === work.length) wHead = 0;
    wLen--;
    queued[i] = 0;
    drive(i);
  }
}

function fire(o: number) {
  const counts = wKeyCount[o]!;
  for (let j = 0; j < par[o]; j++) {
    const i = instBase[o] + j;
    const n = wCount[i];
    if (n === 0) continue;
    const keys = wKeys[i];
    let made = 0;
    while (keys.len > 0) {
      const key = keys.shift();
      if (created >= GRAPH_LIMITS.maxRecords) fail(`The run stopped after ${formatCount(GRAPH_LIMITS.maxRecords)} records, the most one run may create.`);
      const rec = alloc(now, key, counts[key]);
      counts[key] = 0;
      emitted++;
      stockFlight++;
      made += 1 + enqueueOut(i, o, rec);
    }
    wCount[i] = 0;
    stockState -= n;
    merged += n;
    lastActivity = now;
    if (tracing) ev({ seq: 0, t: now, kind: 'fire', op: o, inst: j, merged: n, created: made });
    if (state[i] === IDLE) kick(i);
  }
}

function rateAt(o: number, t: number): number {
  const op = ops[o];
  return op.burst && t >= op.burst.from && t < op.burst.to ? op.burst.rate : op.rate;
}

function live() {
  return activeSources > 0 || stockFlight + stockBuf + stockState > 0;
}

function verify() {
  let f = 0;
  let bsum = 0;
  let s = 0;
  for (let i = 0; i < nInst; i++) {
    f += obRec[i].len + (cur[i] >= 0 ? 1 : 0);
    s += wCount[i] + jStoredPerInst[i];
  }
  for (let b = 0; b < nBuf; b++) {
    bsum += bufs[b].len;
    if (bufs[b].len > cap) throw new Error(`check: buffer ${b} holds ${bufs[b].len} > ${cap} at t=${now}`);
  }
  const rhs = f + bsum + s + delivered + filtered + merged + expired;
  if (emitted !== rhs) throw new Error(`check: conservation broken at t=${now}: emitted ${emitted} != ${rhs}`);
  if (f !== stockFlight || bsum !== stockBuf || s !== stockState) throw new Error(`check: stock counters drifted at t=${now}`);
}

function takeSample(t: number) {
  const busy = new Float64Array(nInst);
  const idle = new Float64Array(nInst);
  const blocked = new Float64Array(nInst);
  const st = new Uint8Array(nInst);
  let f = 0;
  let s = 0;
  for (let i = 0; i < nInst; i++) {
    const d = t - since[i];
    busy[i] = tBusy[i] + (state[i] === BUSY ? d : 0);
    idle[i] = tIdle[i] + (state[i] === IDLE ? d : 0);
    blocked[i] = tBlocked[i] + (state[i] === BLOCKED ? d : 0);
    st[i] = state[i];
    f += obRec[i].len + (cur[i] >= 0 ? 1 : 0);
    s += wCount[i] + jStoredPerInst[i];
  }
  const fill = new Int32Array(nBuf);
  let bsum = 0;
  for (let b = 0; b < nBuf; b++) {
    fill[b] = bufs[b].len;
    bsum += fill[b];
  }
  const backlog = new Float64Array(nOps);
  for (let o = 0; o < nOps; o++) {
    if (kind[o] !== K_SOURCE) continue;
    for (let i = instBase[o]; i < instBase[o + 1]; i++) backlog[o] += backlogLen(i);
  }
  samples.push({
    t,
    busy,
    idle,
    blocked,
    state: st,
    fill,
    backlog,
    emitted,
    delivered,
    filtered,
    merged,
    expired,
    inFlight: f,
    inBuffers: bsum,
    inState: s,
    sourceEmitted,
    pushed: edgePushed.slice(0, nEdges),
    processed: processed.slice(),
  });
  if (samples.length >= 2 * target + 1) {
    // Too many (a batch ran longer than predicted): keep every other sample, double the interval.
    let w = 0;
    for (let r = 0; r < samples.length; r += 2) samples[w++] = samples[r];
    samples.length = w;
    sampleDt *= 2;
  }
}

function batchLeftNow(): number {
  let s = 0;
  for (let i = 0; i < nInst; i++) s += dsLeft[i];
  return s;
}

/** Drops the run's large working arrays (the result keeps what it needs), so an idle engine holds little memory. */
function release(): void {
  recOrigin = recValue = recT = latT = latV = new Float64Array(0);
  recKey = recPrev = recNext = recGen = freeList = new Int32Array(0);
  recStored = new Uint8Array(0);
  bufs = obRec = obEdge = wKeys = [];
  backlogT = [];
  wKeyCount = jFifo = jFifoGen = [];
  jHead = jTail = [];
  hook = [];
  hooks = {};
}

function finalize(): DataflowRun {
  const last = samples[samples.length - 1];
  // Steady window: the second half of the run.
  let mid = 0;
  while (mid < samples.length - 1 && samples[mid].t < end / 2) mid++;
  const a = samples[Math.min(mid, samples.length - 1)];
  const span = (last.t - a.t) / 1000;
  const steadyThroughput = span > 0 ? (last.delivered - a.delivered) / span : 0;
  const steadySourceRate = span > 0 ? (last.sourceEmitted - a.sourceEmitted) / span : 0;

  const lat = latV.subarray(0, delivered).slice().sort();
  const pct = (p: number) => percentileSorted(lat, p);
  let latSum = 0;
  for (let k = 0; k < lat.length; k++) latSum += lat[k];

  // Rates over the same trailing window as the lab's "now" (fold.ts), so the chart and the
  // graph agree and a few records per interval do not draw a saw; latency per interval.
  // Latency percentiles too are over the window (records delivered in it), from at most 2,048
  // of them taken at even strides when there are more, so long runs stay fast.
  const series: SeriesPoint[] = [];
  const w = windowSamples(samples.length);
  let lo = 0;
  let hi = 0;
  for (let s = 1; s < samples.length; s++) {
    const s0 = samples[Math.max(0, s - w)];
    const s1 = samples[s];
    const dt = (s1.t - s0.t) / 1000;
    while (hi < delivered && latT[hi] <= s1.t) hi++;
    while (lo < hi && latT[lo] <= s0.t) lo++;
    let p50 = NaN;
    let p95 = NaN;
    if (hi > lo) {
      const n = hi - lo;
      const stride = Math.max(1, Math.floor(n / 2048));
      const bin = new Float64Array(Math.ceil(n / stride));
      for (let k = 0, j = lo; j < hi; j += stride) bin[k++] = latV[j];
      bin.sort();
      p50 = percentileSorted(bin, 50);
      p95 = percentileSorted(bin, 95);
    }
    series.push({
      t: s1.t,
      throughput: dt > 0 ? (s1.delivered - s0.delivered) / dt : 0,
      sourceRate: dt > 0 ? (s1.sourceEmitted - s0.sourceEmitted) / dt : 0,
      p50,
      p95,
    });
  }

  const pred = predict(cfg);
  const opMetrics: OperatorMetrics[] = ops.map((op, o) => {
    let b = 0;
    let idl = 0;
    let bl = 0;
    const instanceBusy: number[] = [];
    for (let i = instBase[o]; i < instBase[o + 1]; i++) {
      const total = last.busy[i] + last.idle[i] + last.blocked[i];
      const denom = total > 0 ? total : 1;
      b += last.busy[i] / denom;
      idl += last.idle[i] / denom;
      bl += last.blocked[i] / denom;
      instanceBusy.push(last.busy[i] / denom);
    }
    const p = par[o];
    return {
      id: op.id,
      label: op.label,
      kind: op.kind,
      parallelism: p,
      processed: processed[o],
      busy: b / p,
      idle: idl / p,
      blocked: bl / p,
      instanceBusy,
      capacity: pred.operators[o].capacity,
    };
  });
  const edgeMetrics: EdgeMetrics[] = edges.map((e, k) => {
    let maxFill = 0;
    let area = 0;
    for (let b = bufBase[k]; b < bufBase[k + 1]; b++) {
      maxFill = Math.max(maxFill, bufMax[b]);
      area += bufArea[b];
    }
    return { from: ops[e.from].id, to: ops[e.to].id, keyed: e.keyed, maxFill, meanFill: end > 0 ? area / end : 0 };
  });
  let backlog = 0;
  for (let o = 0; o < nOps; o++) backlog += last.backlog[o];
  const partial = { config: cfg, instances, instanceBase: Array.from(instBase.subarray(0, nOps)), buffers, bufferBase: Array.from(bufBase.subarray(0, nEdges)), edges, samples };
  const metrics: DataflowMetrics = {
    end,
    makespan: stream ? NaN : end,
    emitted,
    sourceEmitted,
    delivered,
    filtered,
    merged,
    expired,
    inFlight: last.inFlight,
    inBuffers: last.inBuffers,
    inState: last.inState,
    backlog,
    throughput: end > 0 ? (delivered / end) * 1000 : 0,
    steadyThroughput,
    steadySourceRate,
    latency: {
      count: lat.length,
      mean: lat.length ? latSum / lat.length : NaN,
      p50: pct(50),
      p95: pct(95),
      p99: pct(99),
      max: lat.length ? lat[lat.length - 1] : NaN,
    },
    operators: opMetrics,
    edges: edgeMetrics,
    bottleneck: findBottleneck(partial, Math.min(mid, samples.length - 1), samples.length - 1),
    firstDelivered,
  };
  return {
    trace: events,
    metrics,
    truncated,
    ...(error ? { error } : {}),
    config: cfg,
    seed: seed32,
    mode: stream ? 'stream' : 'batch',
    samples,
    series,
    instances,
    instanceBase: partial.instanceBase,
    buffers,
    bufferBase: partial.bufferBase,
    edges,
  };
}

/**
 * Simulates `config` with `seed`. Throws an Error naming the field for a bad config. A run that
 * stops early (learner code threw, too many records, wall-time budget) returns with `error` set
 * and the metrics of what happened until then.
 */
export function simulate(config: DataflowConfig, seed: Seed = 1, options: SimulateOptions = {}): DataflowRun {
  cfg = validateConfig(config);
  seed32 = seedFrom(seed);
  ops = cfg.operators;
  nOps = ops.length;
  edges = edgeInfos(cfg);
  nEdges = edges.length;
  cap = cfg.unbounded ? Infinity : cfg.buffer;
  stream = ops.some((o) => o.kind === 'source' && o.rate > 0);
  hooks = options.hooks ?? {};
  check = options.check === true;

  // ---------------- compiled graph ----------------
  kind = new Uint8Array(nOps);
  par = new Int32Array(nOps);
  svc = new Float64Array(nOps);
  dist = new Uint8Array(nOps);
  instBase = new Int32Array(nOps + 1);
  hook = [];
  for (let o = 0; o < nOps; o++) {
    const op = ops[o];
    kind[o] = KIND_CODE[op.kind];
    par[o] = op.parallelism;
    svc[o] = op.serviceMs;
    dist[o] = op.service === 'fixed' ? D_FIXED : op.service === 'exponential' ? D_EXP : D_UNIFORM;
    instBase[o + 1] = instBase[o] + op.parallelism;
    const h = hooks[op.id];
    if (h && (op.kind === 'map' || op.kind === 'filter')) hook[o] = h;
  }
  nInst = instBase[nOps];
  instOp = new Int32Array(nInst);
  instances = [];
  for (let o = 0; o < nOps; o++) {
    for (let j = 0; j < par[o]; j++) {
      instOp[instBase[o] + j] = o;
      instances.push({ op: o, index: j });
    }
  }
  // Edges: out lists and in lists (CSR), buffers.
  outStart = new Int32Array(nOps + 1);
  inStart = new Int32Array(nOps + 1);
  for (const e of edges) {
    outStart[e.from + 1]++;
    inStart[e.to + 1]++;
  }
  for (let o = 0; o < nOps; o++) {
    outStart[o + 1] += outStart[o];
    inStart[o + 1] += inStart[o];
  }
  outList = new Int32Array(nEdges);
  inList = new Int32Array(nEdges);
  {
    const oc = outStart.slice(0, nOps);
    edges.forEach((e, k) => {
      outList[oc[e.from]++] = k;
    });
    // In lists ordered by input slot.
    for (let o = 0; o < nOps; o++) {
      const mine = edges.map((e, k) => ({ e, k })).filter((x) => x.e.to === o).sort((a, b) => a.e.input - b.e.input);
      mine.forEach((x, j) => {
        inList[inStart[o] + j] = x.k;
      });
    }
  }
  eTo = Int32Array.from(edges, (e) => e.to);
  eKeyed = Uint8Array.from(edges, (e) => (e.keyed ? 1 : 0));
  eInput = Int32Array.from(edges, (e) => e.input);
  bufBase = new Int32Array(nEdges + 1);
  for (let k = 0; k < nEdges; k++) bufBase[k + 1] = bufBase[k] + par[eTo[k]];
  nBuf = bufBase[nEdges];
  buffers = [];
  for (let k = 0; k < nEdges; k++) for (let j = 0; j < par[eTo[k]]; j++) buffers.push({ edge: k, to: j });
  bufs = [];
  for (let b = 0; b < nBuf; b++) bufs.push(new Ring(Math.min(64, Number.isFinite(cap) ? cap : 64)));
  bufArea = new Float64Array(nBuf);
  bufLastT = new Float64Array(nBuf);
  bufMax = new Int32Array(nBuf);

  // ---------------- random streams ----------------
  rngSvc = [];
  rngSel = [];
  rngSrc = [];
  for (let o = 0; o < nOps; o++) {
    rngSvc.push(new Rng(streamSeed(seed32, ops[o].id, 1)));
    rngSel.push(new Rng(streamSeed(seed32, ops[o].id, 2)));
    rngSrc.push(new Rng(streamSeed(seed32, ops[o].id, 3)));
  }
  keyCdf = ops.map((o) => {
    if (o.kind !== 'source' || o.skew === 0) return null;
    const p = keyProbabilities(o.keys, o.skew);
    for (let k = 1; k < p.length; k++) p[k] += p[k - 1];
    return p;
  });
  maxKeys = 1;
  for (const o of ops) if (o.kind === 'source') maxKeys = Math.max(maxKeys, o.keys);

  // Keyed edges: the receiving instance of every key, computed once.
  keyRoute = edges.map((e) => {
    if (!e.keyed) return null;
    const t = new Int32Array(maxKeys);
    for (let k = 0; k < maxKeys; k++) t[k] = keyInstance(k, par[e.to]);
    return t;
  });

  // ---------------- records ----------------
  recCap = 1024;
  recOrigin = new Float64Array(recCap);
  recKey = new Int32Array(recCap);
  recValue = new Float64Array(recCap);
  recPrev = new Int32Array(recCap); // join key lists
  recNext = new Int32Array(recCap);
  recGen = new Int32Array(recCap);
  recStored = new Uint8Array(recCap); // 1: waiting in a join
  recT = new Float64Array(recCap); // when it entered a join's state
  freeList = new Int32Array(1024);
  freeTop = 0;
  recNextId = 0;
  created = 0;

  // ---------------- instances ----------------
  state = new Uint8Array(nInst); // IDLE
  since = new Float64Array(nInst);
  tBusy = new Float64Array(nInst);
  tIdle = new Float64Array(nInst);
  tBlocked = new Float64Array(nInst);
  cur = new Int32Array(nInst).fill(-1);
  curEdge = new Int32Array(nInst).fill(-1);
  obRec = [];
  obEdge = [];
  for (let i = 0; i < nInst; i++) {
    obRec.push(new Ring(4));
    obEdge.push(new Ring(4));
  }
  rrIn = new Int32Array(nInst);
  rrOut = new Int32Array(nInst * Math.max(1, nEdges));
  processed = new Float64Array(nOps);
  edgePushed = new Float64Array(Math.max(1, nEdges));
  // Instances blocked on each edge, in the order they blocked: waitList[e * nInst + k], k < waitCount[e].
  waitList = new Int32Array(Math.max(1, nEdges * nInst));
  waitCount = new Int32Array(Math.max(1, nEdges));
  waiting = new Int32Array(nInst).fill(-1); // edge it waits on, or -1

  // Sources: backlog of creation times (stream) or a count (batch).
  backlogT = [];
  dsLeft = new Float64Array(nInst);
  genRR = new Int32Array(nOps);
  for (let i = 0; i < nInst; i++) backlogT.push(null);
  for (let o = 0; o < nOps; o++) {
    if (kind[o] !== K_SOURCE) continue;
    const op = ops[o];
    for (let j = 0; j < par[o]; j++) {
      const i = instBase[o] + j;
      if (op.rate > 0) backlogT[i] = new FRing(16);
      else dsLeft[i] = Math.floor(op.count / par[o]) + (j < op.count % par[o] ? 1 : 0);
    }
  }

  // Windows and joins.
  wCount = new Float64Array(nInst); // records in the current window, per instance
  wKeys = [];
  for (let i = 0; i < nInst; i++) wKeys.push(new Ring(4));
  wKeyCount = ops.map((o) => (o.kind === 'window' ? new Float64Array(maxKeys) : null));
  jHead = ops.map((o) => (o.kind === 'join' ? [new Int32Array(maxKeys).fill(-1), new Int32Array(maxKeys).fill(-1)] : [null, null]));
  jTail = ops.map((o) => (o.kind === 'join' ? [new Int32Array(maxKeys).fill(-1), new Int32Array(maxKeys).fill(-1)] : [null, null]));
  jFifo = ops.map((o) => (o.kind === 'join' ? new Ring(64) : null));
  jFifoGen = ops.map((o) => (o.kind === 'join' ? new Ring(64) : null));
  jStoredPerInst = new Float64Array(nInst);

  // ---------------- counters and stocks ----------------
  emitted = 0;
  sourceEmitted = 0;
  delivered = 0;
  filtered = 0;
  merged = 0;
  expired = 0;
  stockFlight = 0;
  stockBuf = 0;
  stockState = 0;
  activeSources = 0;
  for (let o = 0; o < nOps; o++) if (kind[o] === K_SOURCE) activeSources++;

  latCap = 1024;
  latT = new Float64Array(latCap);
  latV = new Float64Array(latCap);
  firstDelivered = [];

  // ---------------- trace ----------------
  traceCap = options.traceCap ?? DEFAULT_TRACE_CAP;
  events = [];
  truncated = false;
  tracing = traceCap > 0;

  // ---------------- time ----------------
  agenda = new Agenda<number>(Math.max(64, nInst * 2));
  now = 0;
  lastActivity = 0;
  error = undefined;




  // Work list: instances to (re)drive at this instant, in FIFO order.
  work = new Int32Array(nInst + 1);
  queued = new Uint8Array(nInst);
  wHead = 0;
  wLen = 0;


  /** Puts `rec` into i's outbox, once per outgoing edge (copies for the second and later edges). */

  /** Moves i's outbox into buffers. Returns false when it had to stop (blocked). */

  /** Wakes the instances blocked on edge e (a slot freed up). */



  /** Join records that have waited longer than the window leave unmatched. */

  /** Instance i finished its current record (or, for a source, reading one). */

  /**
   * Instance i is free (not busy, outbox empty): take the next input. Returns true when a record
   * was processed on the spot (zero service time), so the caller should flush and go again.
   */






  // ---------------- checks (tests) ----------------

  // ---------------- samples ----------------
  target = Math.max(8, Math.min(2000, Math.round(options.samples ?? 240)));
  if (stream) sampleDt = cfg.duration / target;
  else {
    const pred = predict(cfg);
    let total = 0;
    for (const o of ops) total += o.count;
    const est = Number.isFinite(pred.ceiling) && pred.ceiling > 0 ? (total / pred.ceiling) * 1000 : 1;
    sampleDt = Math.max(1e-3, (est * 1.05) / target);
  }
  samples = [];
  nextSample = 0;

  // ---------------- start ----------------
  for (let o = 0; o < nOps; o++) {
    if (kind[o] === K_SOURCE) {
      if (ops[o].rate > 0) agenda.push(0, EV_GEN + 8 * o);
      else {
        activeSources--; // a batch source holds its records from the start; `live` sees them via backlog
        for (let i = instBase[o]; i < instBase[o + 1]; i++) kick(i);
      }
    }
    if (kind[o] === K_WINDOW || kind[o] === K_JOIN) agenda.push(ops[o].windowMs, EV_TIMER + 8 * o);
  }
  steps = 0;
  shouldStop = options.shouldStop;
  takeSample(0);
  nextSample = sampleDt;
  try {
    runWork();
    if (check) verify();
    while (agenda.size > 0) {
      const t = agenda.peekTime();
      if (stream && t >= cfg.duration) break;
      while (nextSample <= t) {
        takeSample(nextSample);
        nextSample = samples.length > 0 ? samples[samples.length - 1].t + sampleDt : nextSample + sampleDt;
      }
      now = t;
      const item = agenda.pop() as number;
      const evKind = item & 7;
      const id = item >> 3;
      if (evKind === EV_DONE) {
        finish(id);
        setState(id, IDLE);
        drive(id);
      } else if (evKind === EV_GEN) {
        const o = id;
        const j = genRR[o];
        genRR[o] = j + 1 === par[o] ? 0 : j + 1;
        const i = instBase[o] + j;
        backlogT[i]!.push(now);
        lastActivity = now;
        if (state[i] === IDLE && obRec[i].len === 0) kick(i);
        const rate = rateAt(o, now);
        const mean = 1000 / rate;
        const dt = ops[o].arrivals === 'poisson' ? rngSrc[o].exponential(mean) : mean;
        let tn = now + dt;
        // Even spacing: a burst starts on time rather than one old-rate gap late.
        const b = ops[o].burst;
        if (b && ops[o].arrivals === 'even' && now < b.from && tn > b.from) tn = b.from;
        if (b && ops[o].arrivals === 'even' && now < b.to && tn > b.to && now >= b.from) tn = b.to;
        if (tn < cfg.duration) agenda.push(tn, EV_GEN + 8 * o);
        else activeSources--;
      } else {
        const o = id;
        if (kind[o] === K_WINDOW) fire(o);
        else joinExpire(o);
        if (stream ? now + ops[o].windowMs < cfg.duration : live() || batchLeftNow() > 0) agenda.push(now + ops[o].windowMs, EV_TIMER + 8 * o);
      }
      runWork();
      if (check) verify();
      if (shouldStop && (++steps & 4095) === 0 && shouldStop()) {
        fail('The run took too long in real time and was stopped. Try a smaller rate, count or duration.');
      }
    }
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
  }


  end = error ? now : stream ? cfg.duration : lastActivity;
  now = end;
  for (let i = 0; i < nInst; i++) setState(i, state[i]);
  for (let b = 0; b < nBuf; b++) bufTouch(b);
  // Samples taken at or after the end (a batch run's idle window timers, or the instant of the
  // last events, sampled before they happened) are replaced by one final sample at the end.
  while (samples.length > 0 && samples[samples.length - 1].t >= end) samples.pop();
  nextSample = samples.length > 0 ? samples[samples.length - 1].t + sampleDt : end;
  while (nextSample < end) {
    takeSample(nextSample);
    nextSample = samples[samples.length - 1].t + sampleDt;
  }
  takeSample(end);

  const result = finalize();
  release();
  return result;

}
