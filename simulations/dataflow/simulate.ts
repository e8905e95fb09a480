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
import { chainsOf, edgeInfos, keyInstance, keyProbabilities, mix32, predict } from './analyze';
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

class Stop extends Error {}

/**
 * One run's state and its event handlers. `simulate` makes a fresh one per call, so runs never
 * share state: a learner hook may itself call `simulate`, and two runs may interleave.
 */
class DataflowSim {
  cfg: ResolvedConfig;
  seed32: number;
  ops: ResolvedOperator[];
  nOps: number;
  edges: EdgeInfo[];
  nEdges: number;
  cap: number;
  stream: boolean;
  hooks: OperatorHooks;
  check: boolean;
  kind: Uint8Array;
  par: Int32Array;
  svc: Float64Array;
  dist: Uint8Array;
  instBase: Int32Array;
  hook: ((r: { key: number; value: number }) => unknown)[];
  nInst: number;
  instOp: Int32Array;
  instances: InstanceInfo[];
  outStart: Int32Array;
  inStart: Int32Array;
  outList: Int32Array;
  inList: Int32Array;
  eTo: Int32Array;
  eKeyed: Uint8Array;
  eInput: Int32Array;
  bufBase: Int32Array;
  nBuf: number;
  buffers: BufferInfo[];
  bufs: Ring[];
  bufArea: Float64Array;
  bufLastT: Float64Array;
  bufMax: Int32Array;
  rngSvc: Rng[];
  rngSel: Rng[];
  rngSrc: Rng[];
  keyCdf: (Float64Array | null)[];
  maxKeys: number;
  keyRoute: (Int32Array | null)[];
  recCap: number;
  recOrigin: Float64Array;
  recKey: Int32Array;
  recValue: Float64Array;
  recPrev: Int32Array;
  recNext: Int32Array;
  recGen: Int32Array;
  recStored: Uint8Array;
  recT: Float64Array;
  freeList: Int32Array;
  freeTop: number;
  recNextId: number;
  created: number;
  /** Reported state (a chain's members report their task's state); `ls`: each instance's own. */
  state: Uint8Array;
  ls: Uint8Array;
  chains: number[][];
  chainOf: number[];
  /** Per operator: the operator chained after it, or -1. */
  chainNext: Int32Array;
  chainPrev: Int32Array;
  eChained: Uint8Array;
  since: Float64Array;
  tBusy: Float64Array;
  tIdle: Float64Array;
  tBlocked: Float64Array;
  cur: Int32Array;
  curEdge: Int32Array;
  obRec: Ring[];
  obEdge: Ring[];
  rrIn: Int32Array;
  rrOut: Int32Array;
  processed: Float64Array;
  edgePushed: Float64Array;
  waitList: Int32Array;
  waitCount: Int32Array;
  waiting: Int32Array;
  backlogT: (FRing | null)[];
  dsLeft: Float64Array;
  genRR: Int32Array;
  wCount: Float64Array;
  wKeys: Ring[];
  wKeyCount: (Float64Array | null)[];
  jHead: (Int32Array | null)[][];
  jTail: (Int32Array | null)[][];
  jFifo: (Ring | null)[];
  jFifoGen: (Ring | null)[];
  jStoredPerInst: Float64Array;
  emitted: number;
  sourceEmitted: number;
  delivered: number;
  filtered: number;
  merged: number;
  expired: number;
  stockFlight: number;
  stockBuf: number;
  stockState: number;
  activeSources: number;
  latCap: number;
  latT: Float64Array;
  latV: Float64Array;
  firstDelivered: DataflowMetrics['firstDelivered'];
  traceCap: number;
  events: DataflowEvent[];
  truncated: boolean;
  tracing: boolean;
  agenda: Agenda<number>;
  now: number;
  lastActivity: number;
  error: { message: string } | undefined;
  work: Int32Array;
  queued: Uint8Array;
  wHead: number;
  wLen: number;
  target: number;
  sampleDt: number;
  samples: Sample[];
  nextSample: number;
  steps: number;
  shouldStop: (() => boolean) | undefined;
  end: number;

  constructor(config: DataflowConfig, seed: Seed, options: SimulateOptions) {
    this.cfg = validateConfig(config);
    this.seed32 = seedFrom(seed);
    this.ops = this.cfg.operators;
    this.nOps = this.ops.length;
    this.edges = edgeInfos(this.cfg);
    this.nEdges = this.edges.length;
    this.cap = this.cfg.unbounded ? Infinity : this.cfg.buffer;
    this.stream = this.ops.some((o) => o.kind === 'source' && o.rate > 0);
    this.hooks = options.hooks ?? {};
    this.check = options.check === true;

    // ---------------- compiled graph ----------------
    this.kind = new Uint8Array(this.nOps);
    this.par = new Int32Array(this.nOps);
    this.svc = new Float64Array(this.nOps);
    this.dist = new Uint8Array(this.nOps);
    this.instBase = new Int32Array(this.nOps + 1);
    this.hook = [];
    for (let o = 0; o < this.nOps; o++) {
      const op = this.ops[o];
      this.kind[o] = KIND_CODE[op.kind];
      this.par[o] = op.parallelism;
      this.svc[o] = op.serviceMs;
      this.dist[o] = op.service === 'fixed' ? D_FIXED : op.service === 'exponential' ? D_EXP : D_UNIFORM;
      this.instBase[o + 1] = this.instBase[o] + op.parallelism;
      const h = this.hooks[op.id];
      if (h && (op.kind === 'map' || op.kind === 'filter')) this.hook[o] = h;
    }
    this.nInst = this.instBase[this.nOps];
    this.instOp = new Int32Array(this.nInst);
    this.instances = [];
    for (let o = 0; o < this.nOps; o++) {
      for (let j = 0; j < this.par[o]; j++) {
        this.instOp[this.instBase[o] + j] = o;
        this.instances.push({ op: o, index: j });
      }
    }
    // Edges: out lists and in lists (CSR), buffers.
    this.outStart = new Int32Array(this.nOps + 1);
    this.inStart = new Int32Array(this.nOps + 1);
    for (const e of this.edges) {
      this.outStart[e.from + 1]++;
      this.inStart[e.to + 1]++;
    }
    for (let o = 0; o < this.nOps; o++) {
      this.outStart[o + 1] += this.outStart[o];
      this.inStart[o + 1] += this.inStart[o];
    }
    this.outList = new Int32Array(this.nEdges);
    this.inList = new Int32Array(this.nEdges);
    {
      const oc = this.outStart.slice(0, this.nOps);
      this.edges.forEach((e, k) => {
        this.outList[oc[e.from]++] = k;
      });
      // In lists ordered by input slot.
      for (let o = 0; o < this.nOps; o++) {
        const mine = this.edges.map((e, k) => ({ e, k })).filter((x) => x.e.to === o).sort((a, b) => a.e.input - b.e.input);
        mine.forEach((x, j) => {
          this.inList[this.inStart[o] + j] = x.k;
        });
      }
    }
    this.eTo = Int32Array.from(this.edges, (e) => e.to);
    this.eKeyed = Uint8Array.from(this.edges, (e) => (e.keyed ? 1 : 0));
    this.eInput = Int32Array.from(this.edges, (e) => e.input);
    this.eChained = Uint8Array.from(this.edges, (e) => (e.chained ? 1 : 0));
    ({ chains: this.chains, chainOf: this.chainOf } = chainsOf(this.cfg));
    this.chainNext = new Int32Array(this.nOps).fill(-1);
    this.chainPrev = new Int32Array(this.nOps).fill(-1);
    for (const e of this.edges) {
      if (!e.chained) continue;
      this.chainNext[e.from] = e.to;
      this.chainPrev[e.to] = e.from;
    }
    this.bufBase = new Int32Array(this.nEdges + 1);
    for (let k = 0; k < this.nEdges; k++) this.bufBase[k + 1] = this.bufBase[k] + this.par[this.eTo[k]];
    this.nBuf = this.bufBase[this.nEdges];
    this.buffers = [];
    for (let k = 0; k < this.nEdges; k++) for (let j = 0; j < this.par[this.eTo[k]]; j++) this.buffers.push({ edge: k, to: j });
    this.bufs = [];
    for (let b = 0; b < this.nBuf; b++) this.bufs.push(new Ring(Math.min(64, Number.isFinite(this.cap) ? this.cap : 64)));
    this.bufArea = new Float64Array(this.nBuf);
    this.bufLastT = new Float64Array(this.nBuf);
    this.bufMax = new Int32Array(this.nBuf);

    // ---------------- random streams ----------------
    this.rngSvc = [];
    this.rngSel = [];
    this.rngSrc = [];
    for (let o = 0; o < this.nOps; o++) {
      this.rngSvc.push(new Rng(streamSeed(this.seed32, this.ops[o].id, 1)));
      this.rngSel.push(new Rng(streamSeed(this.seed32, this.ops[o].id, 2)));
      this.rngSrc.push(new Rng(streamSeed(this.seed32, this.ops[o].id, 3)));
    }
    this.keyCdf = this.ops.map((o) => {
      if (o.kind !== 'source' || o.skew === 0) return null;
      const p = keyProbabilities(o.keys, o.skew);
      for (let k = 1; k < p.length; k++) p[k] += p[k - 1];
      return p;
    });
    this.maxKeys = 1;
    for (const o of this.ops) if (o.kind === 'source') this.maxKeys = Math.max(this.maxKeys, o.keys);

    // Keyed edges: the receiving instance of every key, computed once.
    this.keyRoute = this.edges.map((e) => {
      if (!e.keyed) return null;
      const t = new Int32Array(this.maxKeys);
      for (let k = 0; k < this.maxKeys; k++) t[k] = keyInstance(k, this.par[e.to]);
      return t;
    });

    // ---------------- records ----------------
    this.recCap = 1024;
    this.recOrigin = new Float64Array(this.recCap);
    this.recKey = new Int32Array(this.recCap);
    this.recValue = new Float64Array(this.recCap);
    this.recPrev = new Int32Array(this.recCap); // join key lists
    this.recNext = new Int32Array(this.recCap);
    this.recGen = new Int32Array(this.recCap);
    this.recStored = new Uint8Array(this.recCap); // 1: waiting in a join
    this.recT = new Float64Array(this.recCap); // when it entered a join's state
    this.freeList = new Int32Array(1024);
    this.freeTop = 0;
    this.recNextId = 0;
    this.created = 0;

    // ---------------- instances ----------------
    this.state = new Uint8Array(this.nInst); // IDLE
    this.ls = new Uint8Array(this.nInst);
    this.since = new Float64Array(this.nInst);
    this.tBusy = new Float64Array(this.nInst);
    this.tIdle = new Float64Array(this.nInst);
    this.tBlocked = new Float64Array(this.nInst);
    this.cur = new Int32Array(this.nInst).fill(-1);
    this.curEdge = new Int32Array(this.nInst).fill(-1);
    this.obRec = [];
    this.obEdge = [];
    for (let i = 0; i < this.nInst; i++) {
      this.obRec.push(new Ring(4));
      this.obEdge.push(new Ring(4));
    }
    this.rrIn = new Int32Array(this.nInst);
    this.rrOut = new Int32Array(this.nInst * Math.max(1, this.nEdges));
    this.processed = new Float64Array(this.nOps);
    this.edgePushed = new Float64Array(Math.max(1, this.nEdges));
    // Instances blocked on each edge, in the order they blocked: waitList[e * nInst + k], k < waitCount[e].
    this.waitList = new Int32Array(Math.max(1, this.nEdges * this.nInst));
    this.waitCount = new Int32Array(Math.max(1, this.nEdges));
    this.waiting = new Int32Array(this.nInst).fill(-1); // edge it waits on, or -1

    // Sources: backlog of creation times (stream) or a count (batch).
    this.backlogT = [];
    this.dsLeft = new Float64Array(this.nInst);
    this.genRR = new Int32Array(this.nOps);
    for (let i = 0; i < this.nInst; i++) this.backlogT.push(null);
    for (let o = 0; o < this.nOps; o++) {
      if (this.kind[o] !== K_SOURCE) continue;
      const op = this.ops[o];
      for (let j = 0; j < this.par[o]; j++) {
        const i = this.instBase[o] + j;
        if (op.rate > 0) this.backlogT[i] = new FRing(16);
        else this.dsLeft[i] = Math.floor(op.count / this.par[o]) + (j < op.count % this.par[o] ? 1 : 0);
      }
    }

    // Windows and joins.
    this.wCount = new Float64Array(this.nInst); // records in the current window, per instance
    this.wKeys = [];
    for (let i = 0; i < this.nInst; i++) this.wKeys.push(new Ring(4));
    this.wKeyCount = this.ops.map((o) => (o.kind === 'window' ? new Float64Array(this.maxKeys) : null));
    this.jHead = this.ops.map((o) => (o.kind === 'join' ? [new Int32Array(this.maxKeys).fill(-1), new Int32Array(this.maxKeys).fill(-1)] : [null, null]));
    this.jTail = this.ops.map((o) => (o.kind === 'join' ? [new Int32Array(this.maxKeys).fill(-1), new Int32Array(this.maxKeys).fill(-1)] : [null, null]));
    this.jFifo = this.ops.map((o) => (o.kind === 'join' ? new Ring(64) : null));
    this.jFifoGen = this.ops.map((o) => (o.kind === 'join' ? new Ring(64) : null));
    this.jStoredPerInst = new Float64Array(this.nInst);

    // ---------------- counters and stocks ----------------
    this.emitted = 0;
    this.sourceEmitted = 0;
    this.delivered = 0;
    this.filtered = 0;
    this.merged = 0;
    this.expired = 0;
    this.stockFlight = 0;
    this.stockBuf = 0;
    this.stockState = 0;
    this.activeSources = 0;
    for (let o = 0; o < this.nOps; o++) if (this.kind[o] === K_SOURCE) this.activeSources++;

    this.latCap = 1024;
    this.latT = new Float64Array(this.latCap);
    this.latV = new Float64Array(this.latCap);
    this.firstDelivered = [];

    // ---------------- trace ----------------
    this.traceCap = options.traceCap ?? DEFAULT_TRACE_CAP;
    this.events = [];
    this.truncated = false;
    this.tracing = this.traceCap > 0;

    // ---------------- time ----------------
    this.agenda = new Agenda<number>(Math.max(64, this.nInst * 2));
    this.now = 0;
    this.lastActivity = 0;
    this.error = undefined;

    // Work list: instances to (re)drive at this instant, in FIFO order.
    this.work = new Int32Array(this.nInst + 1);
    this.queued = new Uint8Array(this.nInst);
    this.wHead = 0;
    this.wLen = 0;

    // ---------------- samples ----------------
    this.target = Math.max(8, Math.min(2000, Math.round(options.samples ?? 240)));
    if (this.stream) this.sampleDt = this.cfg.duration / this.target;
    else {
      const pred = predict(this.cfg);
      let total = 0;
      for (const o of this.ops) total += o.count;
      const est = Number.isFinite(pred.ceiling) && pred.ceiling > 0 ? (total / pred.ceiling) * 1000 : 1;
      this.sampleDt = Math.max(1e-3, (est * 1.05) / this.target);
    }
    this.samples = [];
    this.nextSample = 0;
    this.steps = 0;
    this.shouldStop = options.shouldStop;
    this.end = 0;
  }

  run(): DataflowRun {
    // ---------------- start ----------------
    for (let o = 0; o < this.nOps; o++) {
      if (this.kind[o] === K_SOURCE) {
        if (this.ops[o].rate > 0) this.agenda.push(0, EV_GEN + 8 * o);
        else {
          this.activeSources--; // a batch source holds its records from the start; `live` sees them via backlog
          for (let i = this.instBase[o]; i < this.instBase[o + 1]; i++) this.kick(i);
        }
      }
      if (this.kind[o] === K_WINDOW || this.kind[o] === K_JOIN) this.agenda.push(this.ops[o].windowMs, EV_TIMER + 8 * o);
    }
    this.takeSample(0);
    this.nextSample = this.sampleDt;
    try {
      this.runWork();
      if (this.check) this.verify();
      while (this.agenda.size > 0) {
        const t = this.agenda.peekTime();
        if (this.stream && t >= this.cfg.duration) break;
        while (this.nextSample <= t) {
          this.takeSample(this.nextSample);
          this.nextSample = this.samples.length > 0 ? this.samples[this.samples.length - 1].t + this.sampleDt : this.nextSample + this.sampleDt;
        }
        this.now = t;
        const item = this.agenda.pop() as number;
        const evKind = item & 7;
        const id = item >> 3;
        if (evKind === EV_DONE) {
          this.finish(id);
          this.setState(id, IDLE);
          this.drive(id);
        } else if (evKind === EV_GEN) {
          const o = id;
          const j = this.genRR[o];
          this.genRR[o] = j + 1 === this.par[o] ? 0 : j + 1;
          const i = this.instBase[o] + j;
          this.backlogT[i]!.push(this.now);
          this.lastActivity = this.now;
          if (this.ls[i] === IDLE && this.obRec[i].len === 0) this.kick(i);
          const rate = this.rateAt(o, this.now);
          const mean = 1000 / rate;
          const dt = this.ops[o].arrivals === 'poisson' ? this.rngSrc[o].exponential(mean) : mean;
          let tn = this.now + dt;
          // Even spacing: a burst starts on time rather than one old-rate gap late.
          const b = this.ops[o].burst;
          if (b && this.ops[o].arrivals === 'even' && this.now < b.from && tn > b.from) tn = b.from;
          if (b && this.ops[o].arrivals === 'even' && this.now < b.to && tn > b.to && this.now >= b.from) tn = b.to;
          if (tn < this.cfg.duration) this.agenda.push(tn, EV_GEN + 8 * o);
          else this.activeSources--;
        } else {
          const o = id;
          if (this.kind[o] === K_WINDOW) this.fire(o);
          else this.joinExpire(o);
          if (this.stream ? this.now + this.ops[o].windowMs < this.cfg.duration : this.live() || this.batchLeftNow() > 0) this.agenda.push(this.now + this.ops[o].windowMs, EV_TIMER + 8 * o);
        }
        this.runWork();
        if (this.check) this.verify();
        if (this.shouldStop && (++this.steps & 4095) === 0 && this.shouldStop()) {
          this.fail('The run took too long in real time and was stopped. Try a smaller rate, count or duration.');
        }
      }
    } catch (err) {
      if (!(err instanceof Stop)) throw err;
    }

    this.end = this.error ? this.now : this.stream ? this.cfg.duration : this.lastActivity;
    this.now = this.end;
    for (let i = 0; i < this.nInst; i++) this.report(i, this.state[i]);
    for (let b = 0; b < this.nBuf; b++) this.bufTouch(b);
    // Samples taken at or after the end (a batch run's idle window timers, or the instant of the
    // last events, sampled before they happened) are replaced by one final sample at the end.
    while (this.samples.length > 0 && this.samples[this.samples.length - 1].t >= this.end) this.samples.pop();
    this.nextSample = this.samples.length > 0 ? this.samples[this.samples.length - 1].t + this.sampleDt : this.end;
    while (this.nextSample < this.end) {
      this.takeSample(this.nextSample);
      this.nextSample = this.samples[this.samples.length - 1].t + this.sampleDt;
    }
    this.takeSample(this.end);

    return this.finalize();
  }

  growRecords() {
    const n = this.recCap * 2;
    const g = <T extends Float64Array | Int32Array | Uint8Array>(a: T, C: new (n: number) => T): T => {
      const b = new C(n);
      b.set(a);
      return b;
    };
    this.recOrigin = g(this.recOrigin, Float64Array);
    this.recKey = g(this.recKey, Int32Array);
    this.recValue = g(this.recValue, Float64Array);
    this.recPrev = g(this.recPrev, Int32Array);
    this.recNext = g(this.recNext, Int32Array);
    this.recGen = g(this.recGen, Int32Array);
    this.recStored = g(this.recStored, Uint8Array);
    this.recT = g(this.recT, Float64Array);
    this.recCap = n;
  }

  /** A new record, counted as emitted and in flight (it goes into an outbox next). */
  alloc(origin: number, key: number, value: number): number {
    let id: number;
    if (this.freeTop > 0) id = this.freeList[--this.freeTop];
    else {
      if (this.recNextId === this.recCap) this.growRecords();
      id = this.recNextId++;
    }
    this.recOrigin[id] = origin;
    this.recKey[id] = key;
    this.recValue[id] = value;
    this.recGen[id]++;
    this.recStored[id] = 0;
    this.created++;
    this.emitted++;
    this.stockFlight++;
    return id;
  }

  free(id: number) {
    if (this.freeTop === this.freeList.length) {
      const b = new Int32Array(this.freeList.length * 2);
      b.set(this.freeList);
      this.freeList = b;
    }
    this.freeList[this.freeTop++] = id;
  }

  backlogLen(i: number) {
    return (this.backlogT[i] ? this.backlogT[i]!.len : this.dsLeft[i]);
  }

  ev(e: DataflowEvent) {
    if (this.events.length < this.traceCap) {
      e.seq = this.events.length;
      this.events.push(e);
    } else {
      this.truncated = true;
      this.tracing = false;
    }
  }


  fail(message: string) {
    this.error = { message };
    throw new Stop(message);
  }

  /** Sets i's own state (what the engine acts on), then what is reported for its task. */
  setState(i: number, s: number) {
    this.ls[i] = s;
    const o = this.instOp[i];
    const c = this.chains[this.chainOf[o]];
    if (c.length === 1) {
      this.report(i, s);
      return;
    }
    // A chain is one task: blocked when any of its operators is (only its tail can be), else
    // busy when any of them is working, else idle. Every operator of the chain reports that.
    const local = i - this.instBase[o];
    let ts = IDLE;
    for (const m of c) {
      const x = this.ls[this.instBase[m] + local];
      if (x === BLOCKED) ts = BLOCKED;
      else if (x === BUSY && ts === IDLE) ts = BUSY;
    }
    for (const m of c) {
      const k = this.instBase[m] + local;
      if (this.state[k] !== ts) this.report(k, ts);
    }
  }

  /** Time accounting: i's reported state becomes s from now. */
  report(i: number, s: number) {
    const d = this.now - this.since[i];
    const old = this.state[i];
    if (old === BUSY) this.tBusy[i] += d;
    else if (old === BLOCKED) this.tBlocked[i] += d;
    else this.tIdle[i] += d;
    this.since[i] = this.now;
    this.state[i] = s;
  }

  /**
   * True when the chained operators after instance i hold no record: the whole rest of the chain
   * is free to take a record by method call (Flink's chained operators run depth-first in one thread).
   */
  chainFree(i: number): boolean {
    let o = this.instOp[i];
    const local = i - this.instBase[o];
    for (o = this.chainNext[o]; o >= 0; o = this.chainNext[o]) {
      const r = this.instBase[o] + local;
      if (this.cur[r] >= 0 || this.obRec[r].len > 0) return false;
    }
    return true;
  }

  /** Starts processing the record now in cur[i] (taken from a buffer or handed over in a chain). */
  begin(i: number, o: number): boolean {
    const d = this.drawService(o);
    if (d === 0) {
      if (this.ls[i] !== IDLE) this.setState(i, IDLE);
      this.finish(i);
      return true;
    }
    this.setState(i, BUSY);
    this.agenda.push(this.now + d, EV_DONE + 8 * i);
    return false;
  }

  drawService(o: number): number {
    const s = this.svc[o];
    if (s === 0) return 0;
    const d = this.dist[o];
    if (d === D_FIXED) return s;
    if (d === D_EXP) return this.rngSvc[o].exponential(s);
    return s * (0.5 + this.rngSvc[o].next());
  }

  drawKey(o: number): number {
    const cdf = this.keyCdf[o];
    const r = this.rngSrc[o];
    if (!cdf) return Math.floor(r.next() * this.ops[o].keys);
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

  kick(i: number) {
    if (this.queued[i]) return;
    this.queued[i] = 1;
    let k = this.wHead + this.wLen;
    if (k >= this.work.length) k -= this.work.length;
    this.work[k] = i;
    this.wLen++;
  }

  bufTouch(b: number) {
    this.bufArea[b] += this.bufs[b].len * (this.now - this.bufLastT[b]);
    this.bufLastT[b] = this.now;
  }

  /** A new record equal to `rec`: an edge's copy, a flatMap's extra output. */
  copyOf(rec: number): number {
    return this.alloc(this.recOrigin[rec], this.recKey[rec], this.recValue[rec]);
  }

  /** Puts `rec` into i's outbox, once per outgoing edge (copies for the second and later edges). */
  enqueueOut(i: number, o: number, rec: number): number {
    let extra = 0;
    for (let k = this.outStart[o]; k < this.outStart[o + 1]; k++) {
      let r = rec;
      if (k > this.outStart[o]) {
        r = this.copyOf(rec);
        extra++;
      }
      this.obRec[i].push(r);
      this.obEdge[i].push(this.outList[k]);
    }
    return extra;
  }

  /** Instance i sends on the record it processed (map, keyBy, a filter that keeps it): into its outbox, and the trace. */
  passOn(i: number, o: number, rec: number) {
    const c = this.enqueueOut(i, o, rec);
    if (this.tracing) this.ev({ seq: 0, t: this.now, kind: 'done', op: o, inst: i - this.instBase[o], fate: 'out', created: c });
  }

  /** Moves i's outbox into buffers. Returns false when it had to stop (blocked). */
  flush(i: number): boolean {
    const o = this.instOp[i];
    const ob = this.obRec[i];
    const oe = this.obEdge[i];
    while (ob.len > 0) {
      const rec = ob.peek();
      const e = oe.peek();
      const to = this.eTo[e];
      if (this.eChained[e]) {
        // Chained: a method call into the same-numbered instance of the next operator, once it
        // (and the rest of the chain after it) is done with the previous record. No buffer, no credit.
        const r = this.instBase[to] + (i - this.instBase[o]);
        if (this.cur[r] >= 0 || this.obRec[r].len > 0 || !this.chainFree(r)) return false;
        ob.shift();
        oe.shift();
        this.edgePushed[e]++;
        this.cur[r] = rec;
        this.curEdge[r] = e;
        if (this.tracing) this.ev({ seq: 0, t: this.now, kind: 'call', op: to, inst: r - this.instBase[to], edge: e });
        if (this.begin(r, to)) this.kick(r);
        continue;
      }
      const p = this.par[to];
      let j: number;
      if (this.eKeyed[e]) {
        j = this.keyRoute[e]![this.recKey[rec]];
        if (this.bufs[this.bufBase[e] + j].len >= this.cap) j = -1;
      } else {
        const slot = i * this.nEdges + e;
        const start = this.rrOut[slot];
        j = -1;
        for (let r = 0; r < p; r++) {
          let c = start + r;
          if (c >= p) c -= p;
          if (this.bufs[this.bufBase[e] + c].len < this.cap) {
            j = c;
            break;
          }
        }
        if (j >= 0) this.rrOut[slot] = j + 1 === p ? 0 : j + 1;
      }
      if (j < 0) {
        if (this.ls[i] !== BLOCKED) {
          this.setState(i, BLOCKED);
          if (this.tracing) this.ev({ seq: 0, t: this.now, kind: 'block', op: o, inst: i - this.instBase[o], edge: e });
        }
        if (this.waiting[i] !== e) {
          this.waiting[i] = e;
          this.waitList[e * this.nInst + this.waitCount[e]++] = i;
        }
        return false;
      }
      ob.shift();
      oe.shift();
      const b = this.bufBase[e] + j;
      this.bufTouch(b);
      this.bufs[b].push(rec);
      if (this.bufs[b].len > this.bufMax[b]) this.bufMax[b] = this.bufs[b].len;
      this.stockFlight--;
      this.stockBuf++;
      this.edgePushed[e]++;
      if (this.tracing) this.ev({ seq: 0, t: this.now, kind: 'push', op: o, inst: i - this.instBase[o], edge: e, to: j });
      const r = this.instBase[to] + j;
      if (this.ls[r] === IDLE) this.kick(r);
    }
    if (this.ls[i] === BLOCKED) {
      this.setState(i, IDLE);
      if (this.tracing) this.ev({ seq: 0, t: this.now, kind: 'unblock', op: o, inst: i - this.instBase[o] });
    }
    return true;
  }

  /** Wakes the instances blocked on edge e (a slot freed up). */
  wake(e: number) {
    const n = this.waitCount[e];
    const base = e * this.nInst;
    for (let k = 0; k < n; k++) {
      const i = this.waitList[base + k];
      this.waiting[i] = -1;
      this.kick(i);
    }
    this.waitCount[e] = 0;
  }

  callHook(o: number, rec: number): unknown {
    try {
      // Called as a plain function: `this` is undefined in the learner's strict-mode code.
      const fn = this.hook[o];
      return fn({ key: this.recKey[rec], value: this.recValue[rec] });
    } catch (err) {
      const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      return this.fail(`Your ${this.ops[o].kind} function for "${this.ops[o].label}" threw on the record { key: ${this.recKey[rec]}, value: ${this.recValue[rec]} }: ${what}`);
    }
  }

  joinUnlink(o: number, side: number, rec: number) {
    const key = this.recKey[rec];
    const head = this.jHead[o][side]!;
    const tail = this.jTail[o][side]!;
    const p = this.recPrev[rec];
    const n = this.recNext[rec];
    if (p >= 0) this.recNext[p] = n;
    else head[key] = n;
    if (n >= 0) this.recPrev[n] = p;
    else tail[key] = p;
    this.recStored[rec] = 0;
  }

  /** Join records that have waited longer than the window leave unmatched. */
  joinExpire(o: number) {
    const fifo = this.jFifo[o]!;
    const gens = this.jFifoGen[o]!;
    const limit = this.now - this.ops[o].windowMs;
    while (fifo.len > 0) {
      const rec = fifo.peek();
      const gen = gens.peek();
      const live = this.recGen[rec] === gen && this.recStored[rec] !== 0;
      if (live && this.recT[rec] > limit) break;
      fifo.shift();
      gens.shift();
      if (!live) continue;
      const side = this.recStored[rec] - 1;
      const inst = this.instBase[o] + keyInstance(this.recKey[rec], this.par[o]);
      this.joinUnlink(o, side, rec);
      this.jStoredPerInst[inst]--;
      this.stockState--;
      this.expired++;
      this.free(rec);
      if (this.tracing) this.ev({ seq: 0, t: this.now, kind: 'expire', op: o, inst: inst - this.instBase[o], n: 1 });
    }
  }

  /** Instance i finished its current record (or, for a source, reading one). */
  finish(i: number) {
    const o = this.instOp[i];
    const k = this.kind[o];
    const local = i - this.instBase[o];
    this.lastActivity = this.now;
    this.processed[o]++;
    if (k === K_SOURCE) {
      let origin = 0;
      const bl = this.backlogT[i];
      if (bl) origin = bl.shift();
      else this.dsLeft[i]--;
      if (this.created >= GRAPH_LIMITS.maxRecords) this.fail(`The run stopped after ${formatCount(GRAPH_LIMITS.maxRecords)} records, the most one run may create. Lower the rate, the count or the duration.`);
      const r = this.rngSrc[o];
      const key = this.drawKey(o);
      const value = Math.floor(r.next() * 1000);
      const rec = this.alloc(origin, key, value);
      this.sourceEmitted++;
      const c = this.enqueueOut(i, o, rec);
      if (this.tracing) this.ev({ seq: 0, t: this.now, kind: 'emit', op: o, inst: local, created: c });
      return;
    }
    const rec = this.cur[i];
    this.cur[i] = -1;
    switch (k) {
      case K_MAP: {
        if (this.hook[o]) {
          const v = this.callHook(o, rec);
          if (typeof v !== 'number' || !Number.isFinite(v)) {
            this.fail(`Your map function for "${this.ops[o].label}" must return a number (the new value), but for { key: ${this.recKey[rec]}, value: ${this.recValue[rec]} } it returned ${typeof v === 'number' ? String(v) : typeof v}.`);
          }
          this.recValue[rec] = v as number;
        }
        this.passOn(i, o, rec);
        return;
      }
      case K_KEYBY:
        this.passOn(i, o, rec);
        return;
      case K_FILTER: {
        const keep = this.hook[o] ? Boolean(this.callHook(o, rec)) : this.rngSel[o].next() < this.ops[o].selectivity;
        if (keep) this.passOn(i, o, rec);
        else {
          this.filtered++;
          this.stockFlight--;
          this.free(rec);
          if (this.tracing) this.ev({ seq: 0, t: this.now, kind: 'done', op: o, inst: local, fate: 'filtered', created: 0 });
        }
        return;
      }
      case K_FLATMAP: {
        const f = this.ops[o].fanout;
        const whole = Math.floor(f);
        const n = whole + (f > whole && this.rngSel[o].next() < f - whole ? 1 : 0);
        if (n === 0) {
          this.filtered++;
          this.stockFlight--;
          this.free(rec);
          if (this.tracing) this.ev({ seq: 0, t: this.now, kind: 'done', op: o, inst: local, fate: 'filtered', created: 0 });
          return;
        }
        let c = this.enqueueOut(i, o, rec);
        for (let m = 1; m < n; m++) {
          if (this.created >= GRAPH_LIMITS.maxRecords) this.fail(`The run stopped after ${formatCount(GRAPH_LIMITS.maxRecords)} records, the most one run may create. Lower the fanout, the rate or the duration.`);
          c += 1 + this.enqueueOut(i, o, this.copyOf(rec));
        }
        if (this.tracing) this.ev({ seq: 0, t: this.now, kind: 'done', op: o, inst: local, fate: 'out', created: c });
        return;
      }
      case K_SINK: {
        this.delivered++;
        this.stockFlight--;
        const lat = this.now - this.recOrigin[rec];
        if (this.delivered > this.latCap) {
          this.latCap *= 2;
          const a = new Float64Array(this.latCap);
          a.set(this.latT);
          this.latT = a;
          const b = new Float64Array(this.latCap);
          b.set(this.latV);
          this.latV = b;
        }
        this.latT[this.delivered - 1] = this.now;
        this.latV[this.delivered - 1] = lat;
        if (this.firstDelivered.length < 8) this.firstDelivered.push({ key: this.recKey[rec], value: this.recValue[rec], latency: lat });
        this.free(rec);
        if (this.tracing) this.ev({ seq: 0, t: this.now, kind: 'done', op: o, inst: local, fate: 'delivered', created: 0 });
        return;
      }
      case K_WINDOW: {
        const key = this.recKey[rec];
        const counts = this.wKeyCount[o]!;
        if (counts[key] === 0) this.wKeys[i].push(key);
        counts[key]++;
        this.wCount[i]++;
        this.stockFlight--;
        this.stockState++;
        this.free(rec);
        if (this.tracing) this.ev({ seq: 0, t: this.now, kind: 'done', op: o, inst: local, fate: 'stored', created: 0 });
        return;
      }
      case K_JOIN: {
        this.joinExpire(o);
        const side = this.eInput[this.curEdge[i]];
        const other = 1 - side;
        const key = this.recKey[rec];
        const partner = this.jHead[o][other]![key];
        if (partner >= 0) {
          this.joinUnlink(o, other, partner);
          this.jStoredPerInst[i]--;
          this.stockState--;
          this.stockFlight--;
          this.merged += 2;
          const out = this.alloc(Math.max(this.recOrigin[rec], this.recOrigin[partner]), key, this.recValue[rec] + this.recValue[partner]);
          this.free(rec);
          this.free(partner);
          const c = this.enqueueOut(i, o, out);
          if (this.tracing) this.ev({ seq: 0, t: this.now, kind: 'done', op: o, inst: local, fate: 'joined', created: 1 + c });
        } else {
          const head = this.jHead[o][side]!;
          const tail = this.jTail[o][side]!;
          this.recPrev[rec] = tail[key];
          this.recNext[rec] = -1;
          if (tail[key] >= 0) this.recNext[tail[key]] = rec;
          else head[key] = rec;
          tail[key] = rec;
          this.recStored[rec] = side + 1;
          this.recT[rec] = this.now;
          this.jFifo[o]!.push(rec);
          this.jFifoGen[o]!.push(this.recGen[rec]);
          this.jStoredPerInst[i]++;
          this.stockFlight--;
          this.stockState++;
          if (this.tracing) this.ev({ seq: 0, t: this.now, kind: 'done', op: o, inst: local, fate: 'stored', created: 0 });
        }
        return;
      }
    }
  }

  /**
   * Instance i is free (not busy, outbox empty): take the next input. Returns true when a record
   * was processed on the spot (zero service time), so the caller should flush and go again.
   */
  startNext(i: number): boolean {
    const o = this.instOp[i];
    if (this.kind[o] === K_SOURCE) {
      if (this.backlogLen(i) <= 0) {
        if (this.ls[i] !== IDLE) this.setState(i, IDLE);
        return false;
      }
      const d = this.drawService(o);
      if (d === 0) {
        if (this.ls[i] !== IDLE) this.setState(i, IDLE);
        this.finish(i);
        return true;
      }
      this.setState(i, BUSY);
      this.agenda.push(this.now + d, EV_DONE + 8 * i);
      return false;
    }
    const local = i - this.instBase[o];
    const nIn = this.inStart[o + 1] - this.inStart[o];
    let b = -1;
    let e = -1;
    for (let r = 0; r < nIn; r++) {
      let c = this.rrIn[i] + r;
      if (c >= nIn) c -= nIn;
      const ek = this.inList[this.inStart[o] + c];
      const bk = this.bufBase[ek] + local;
      if (this.bufs[bk].len > 0) {
        b = bk;
        e = ek;
        this.rrIn[i] = c + 1 === nIn ? 0 : c + 1;
        break;
      }
    }
    if (b < 0) {
      if (this.ls[i] !== IDLE) this.setState(i, IDLE);
      return false;
    }
    this.bufTouch(b);
    const rec = this.bufs[b].shift();
    this.stockBuf--;
    this.stockFlight++;
    this.cur[i] = rec;
    this.curEdge[i] = e;
    if (this.tracing) this.ev({ seq: 0, t: this.now, kind: 'take', op: o, inst: local, edge: e });
    if (this.waitCount[e] > 0) this.wake(e);
    return this.begin(i, o);
  }

  drive(i: number) {
    if (this.ls[i] === BUSY) return;
    const o = this.instOp[i];
    for (;;) {
      if (this.obRec[i].len > 0 && !this.flush(i)) return;
      // A chain takes its next input only when the record before it has gone all the way through.
      if (this.chainNext[o] >= 0 && !this.chainFree(i)) return;
      if (this.cur[i] >= 0) return;
      if (!this.startNext(i)) break;
    }
    // i and the chain after it are free: the operator chained before i may go on.
    const up = this.chainPrev[o];
    if (up >= 0) this.kick(this.instBase[up] + (i - this.instBase[o]));
  }

  runWork() {
    while (this.wLen > 0) {
      const i = this.work[this.wHead];
      this.wHead++;
      if (this.wHead === this.work.length) this.wHead = 0;
      this.wLen--;
      this.queued[i] = 0;
      this.drive(i);
    }
  }

  fire(o: number) {
    const counts = this.wKeyCount[o]!;
    for (let j = 0; j < this.par[o]; j++) {
      const i = this.instBase[o] + j;
      const n = this.wCount[i];
      if (n === 0) continue;
      const keys = this.wKeys[i];
      let made = 0;
      while (keys.len > 0) {
        const key = keys.shift();
        if (this.created >= GRAPH_LIMITS.maxRecords) this.fail(`The run stopped after ${formatCount(GRAPH_LIMITS.maxRecords)} records, the most one run may create.`);
        const rec = this.alloc(this.now, key, counts[key]);
        counts[key] = 0;
        made += 1 + this.enqueueOut(i, o, rec);
      }
      this.wCount[i] = 0;
      this.stockState -= n;
      this.merged += n;
      this.lastActivity = this.now;
      if (this.tracing) this.ev({ seq: 0, t: this.now, kind: 'fire', op: o, inst: j, merged: n, created: made });
      if (this.ls[i] === IDLE) this.kick(i);
    }
  }

  rateAt(o: number, t: number): number {
    const op = this.ops[o];
    return op.burst && t >= op.burst.from && t < op.burst.to ? op.burst.rate : op.rate;
  }

  live() {
    return this.activeSources > 0 || this.stockFlight + this.stockBuf + this.stockState > 0;
  }

  verify() {
    let f = 0;
    let bsum = 0;
    let s = 0;
    for (let i = 0; i < this.nInst; i++) {
      f += this.obRec[i].len + (this.cur[i] >= 0 ? 1 : 0);
      s += this.wCount[i] + this.jStoredPerInst[i];
    }
    for (let b = 0; b < this.nBuf; b++) {
      bsum += this.bufs[b].len;
      if (this.bufs[b].len > this.cap) throw new Error(`check: buffer ${b} holds ${this.bufs[b].len} > ${this.cap} at t=${this.now}`);
    }
    const rhs = f + bsum + s + this.delivered + this.filtered + this.merged + this.expired;
    if (this.emitted !== rhs) throw new Error(`check: conservation broken at t=${this.now}: emitted ${this.emitted} != ${rhs}`);
    if (f !== this.stockFlight || bsum !== this.stockBuf || s !== this.stockState) throw new Error(`check: stock counters drifted at t=${this.now}`);
  }

  takeSample(t: number) {
    const busy = new Float64Array(this.nInst);
    const idle = new Float64Array(this.nInst);
    const blocked = new Float64Array(this.nInst);
    const st = new Uint8Array(this.nInst);
    let f = 0;
    let s = 0;
    for (let i = 0; i < this.nInst; i++) {
      const d = t - this.since[i];
      busy[i] = this.tBusy[i] + (this.state[i] === BUSY ? d : 0);
      idle[i] = this.tIdle[i] + (this.state[i] === IDLE ? d : 0);
      blocked[i] = this.tBlocked[i] + (this.state[i] === BLOCKED ? d : 0);
      st[i] = this.state[i];
      f += this.obRec[i].len + (this.cur[i] >= 0 ? 1 : 0);
      s += this.wCount[i] + this.jStoredPerInst[i];
    }
    const fill = new Int32Array(this.nBuf);
    let bsum = 0;
    for (let b = 0; b < this.nBuf; b++) {
      fill[b] = this.bufs[b].len;
      bsum += fill[b];
    }
    const backlog = new Float64Array(this.nOps);
    for (let o = 0; o < this.nOps; o++) {
      if (this.kind[o] !== K_SOURCE) continue;
      for (let i = this.instBase[o]; i < this.instBase[o + 1]; i++) backlog[o] += this.backlogLen(i);
    }
    this.samples.push({
      t,
      busy,
      idle,
      blocked,
      state: st,
      fill,
      backlog,
      emitted: this.emitted,
      delivered: this.delivered,
      filtered: this.filtered,
      merged: this.merged,
      expired: this.expired,
      inFlight: f,
      inBuffers: bsum,
      inState: s,
      sourceEmitted: this.sourceEmitted,
      pushed: this.edgePushed.slice(0, this.nEdges),
      processed: this.processed.slice(),
    });
    if (this.samples.length >= 2 * this.target + 1) {
      // Too many (a batch ran longer than predicted): keep every other sample, double the interval.
      let w = 0;
      for (let r = 0; r < this.samples.length; r += 2) this.samples[w++] = this.samples[r];
      this.samples.length = w;
      this.sampleDt *= 2;
    }
  }

  batchLeftNow(): number {
    let s = 0;
    for (let i = 0; i < this.nInst; i++) s += this.dsLeft[i];
    return s;
  }

  finalize(): DataflowRun {
    const last = this.samples[this.samples.length - 1];
    // Steady window: the second half of the run.
    let mid = 0;
    while (mid < this.samples.length - 1 && this.samples[mid].t < this.end / 2) mid++;
    const a = this.samples[Math.min(mid, this.samples.length - 1)];
    const span = (last.t - a.t) / 1000;
    const steadyThroughput = span > 0 ? (last.delivered - a.delivered) / span : 0;
    const steadySourceRate = span > 0 ? (last.sourceEmitted - a.sourceEmitted) / span : 0;

    const lat = this.latV.subarray(0, this.delivered).slice().sort();
    const pct = (p: number) => percentileSorted(lat, p);
    let latSum = 0;
    for (let k = 0; k < lat.length; k++) latSum += lat[k];

    // Rates over the same trailing window as the lab's "now" (fold.ts), so the chart and the
    // graph agree and a few records per interval do not draw a saw; latency per interval.
    // Latency percentiles too are over the window (records delivered in it), from at most 2,048
    // of them taken at even strides when there are more, so long runs stay fast.
    const series: SeriesPoint[] = [];
    const w = windowSamples(this.samples.length);
    let lo = 0;
    let hi = 0;
    for (let s = 1; s < this.samples.length; s++) {
      const s0 = this.samples[Math.max(0, s - w)];
      const s1 = this.samples[s];
      const dt = (s1.t - s0.t) / 1000;
      while (hi < this.delivered && this.latT[hi] <= s1.t) hi++;
      while (lo < hi && this.latT[lo] <= s0.t) lo++;
      let p50 = NaN;
      let p95 = NaN;
      if (hi > lo) {
        const n = hi - lo;
        const stride = Math.max(1, Math.floor(n / 2048));
        const bin = new Float64Array(Math.ceil(n / stride));
        for (let k = 0, j = lo; j < hi; j += stride) bin[k++] = this.latV[j];
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

    const pred = predict(this.cfg);
    const opMetrics: OperatorMetrics[] = this.ops.map((op, o) => {
      let b = 0;
      let idl = 0;
      let bl = 0;
      const instanceBusy: number[] = [];
      for (let i = this.instBase[o]; i < this.instBase[o + 1]; i++) {
        const total = last.busy[i] + last.idle[i] + last.blocked[i];
        const denom = total > 0 ? total : 1;
        b += last.busy[i] / denom;
        idl += last.idle[i] / denom;
        bl += last.blocked[i] / denom;
        instanceBusy.push(last.busy[i] / denom);
      }
      const p = this.par[o];
      return {
        id: op.id,
        label: op.label,
        kind: op.kind,
        parallelism: p,
        processed: this.processed[o],
        busy: b / p,
        idle: idl / p,
        blocked: bl / p,
        instanceBusy,
        capacity: pred.operators[o].capacity,
      };
    });
    const edgeMetrics: EdgeMetrics[] = this.edges.map((e, k) => {
      let maxFill = 0;
      let area = 0;
      for (let b = this.bufBase[k]; b < this.bufBase[k + 1]; b++) {
        maxFill = Math.max(maxFill, this.bufMax[b]);
        area += this.bufArea[b];
      }
      return { from: this.ops[e.from].id, to: this.ops[e.to].id, keyed: e.keyed, maxFill, meanFill: this.end > 0 ? area / this.end : 0 };
    });
    let backlog = 0;
    for (let o = 0; o < this.nOps; o++) backlog += last.backlog[o];
    const partial = { config: this.cfg, instances: this.instances, instanceBase: Array.from(this.instBase.subarray(0, this.nOps)), buffers: this.buffers, bufferBase: Array.from(this.bufBase.subarray(0, this.nEdges)), edges: this.edges, samples: this.samples };
    const metrics: DataflowMetrics = {
      end: this.end,
      makespan: this.stream ? NaN : this.end,
      emitted: this.emitted,
      sourceEmitted: this.sourceEmitted,
      delivered: this.delivered,
      filtered: this.filtered,
      merged: this.merged,
      expired: this.expired,
      inFlight: last.inFlight,
      inBuffers: last.inBuffers,
      inState: last.inState,
      backlog,
      throughput: this.end > 0 ? (this.delivered / this.end) * 1000 : 0,
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
      bottleneck: findBottleneck(partial, Math.min(mid, this.samples.length - 1), this.samples.length - 1),
      firstDelivered: this.firstDelivered,
    };
    return {
      trace: this.events,
      metrics,
      truncated: this.truncated,
      ...(this.error ? { error: this.error } : {}),
      config: this.cfg,
      seed: this.seed32,
      mode: this.stream ? 'stream' : 'batch',
      samples: this.samples,
      series,
      instances: this.instances,
      instanceBase: partial.instanceBase,
      buffers: this.buffers,
      bufferBase: partial.bufferBase,
      edges: this.edges,
      chains: this.chains,
      chainOf: this.chainOf,
    };
  }
}

/**
 * Simulates `config` with `seed`. Throws an Error naming the field for a bad config. A run that
 * stops early (learner code threw, too many records, wall-time budget) returns with `error` set
 * and the metrics of what happened until then.
 */
export function simulate(config: DataflowConfig, seed: Seed = 1, options: SimulateOptions = {}): DataflowRun {
  return new DataflowSim(config, seed, options).run();
}
