/**
 * The dataflow model: a directed acyclic graph of operators joined by bounded channels, run as a
 * discrete-event simulation. This file is the contract between the engine (simulations/dataflow)
 * and its views (src/widgets/DataflowLab): everything a view shows is in the run (samples,
 * metrics, trace) or computed by a pure helper of this folder (fold, narrate, analyze).
 *
 * Units: time in milliseconds of virtual time; rates in records per second.
 */
import type { Run, TraceEventBase } from '../core/trace';

/**
 * - `source`: creates records, either at a `rate` (a stream) or a fixed dataset of `count`
 *   records read as fast as the graph accepts them (a batch).
 * - `map`, `keyBy`: one record in, one out. `keyBy` makes its outgoing channels keyed (records
 *   are routed by a hash of their key).
 * - `filter`: keeps a record with probability `selectivity` (or by the learner's function).
 * - `flatMap`: `fanout` records out per record in on average (0 drops the record).
 * - `window`: tumbling processing-time window of `windowMs`; at each window end every instance
 *   emits one aggregate per key it saw in that window (keyed input).
 * - `join`: two inputs, keyed; a record waits up to `windowMs` in the join's state for a record
 *   with the same key from the other input, and the pair leaves as one joined record.
 * - `sink`: the end of the graph: a record processed here is delivered, and its latency measured.
 */
export type OperatorKind = 'source' | 'map' | 'filter' | 'flatMap' | 'keyBy' | 'window' | 'join' | 'sink';

/** How per-record service times are drawn around `serviceMs`. */
export type ServiceDist = 'fixed' | 'exponential' | 'uniform';

/** How a rate source spaces its records. */
export type Arrivals = 'even' | 'poisson';

export interface BurstSpec {
  /** Start of the burst (ms). */
  from: number;
  /** End of the burst (ms, exclusive). */
  to: number;
  /** Rate during the burst, records per second. */
  rate: number;
}

export interface OperatorSpec {
  /** Unique id, used in edges, links and narration ("parse"). Letters, digits, - and _. */
  id: string;
  kind: OperatorKind;
  /** Name shown in the graph (defaults to the id). */
  label?: string;
  /** Number of parallel instances, 1..64. Default 1. */
  parallelism?: number;
  /** Mean time to process one record, ms (0..10,000). Default 1; 0 for sources. */
  serviceMs?: number;
  /** Distribution of service times. Default `fixed`. */
  service?: ServiceDist;
  // --- source ---
  /** Stream source: records per second (over all instances). */
  rate?: number;
  /** Batch source: number of records in the dataset (all available at t = 0). */
  count?: number;
  /** Stream source: even spacing or a Poisson process. Default `even`. */
  arrivals?: Arrivals;
  /** Stream source: a period with a different rate. */
  burst?: BurstSpec;
  /** Number of distinct keys, 1..100,000. Default 100. */
  keys?: number;
  /** Zipf exponent of the key distribution: 0 uniform, larger is more skewed (0..3). Default 0. */
  skew?: number;
  // --- filter ---
  /** Fraction of records kept, 0..1. Default 0.5. */
  selectivity?: number;
  // --- flatMap ---
  /** Mean records out per record in, 0..16. Default 2. */
  fanout?: number;
  // --- window, join ---
  /** Window length (ms), 1..600,000. Default 100. */
  windowMs?: number;
  // --- chaining (Flink's `startNewChain()` and `disableChaining()`) ---
  /** Do not chain this operator to its upstream operator (it may still head a chain). Default false. */
  startNewChain?: boolean;
  /** Chain this operator to nothing, upstream or downstream. Default false. */
  disableChaining?: boolean;
}

export interface EdgeSpec {
  from: string;
  to: string;
}

export interface DataflowConfig {
  operators: OperatorSpec[];
  edges: EdgeSpec[];
  /** Capacity of each channel buffer, in records (one buffer per channel and receiving instance). */
  buffer: number;
  /** No capacity limit: nothing is ever backpressured, buffers grow as needed. */
  unbounded: boolean;
  /**
   * Length of the run for stream sources (ms): they create records during [0, duration) and the
   * run stops at `duration`, whatever is still in the graph. A graph with only batch sources runs
   * until every record has left it (`duration` is then ignored).
   */
  duration: number;
  /**
   * Operator chaining, as Flink does it by default: an edge whose two ends have the same
   * parallelism, that is not keyed (a forward connection), that is the only edge into its
   * receiver and the only edge out of its sender, is *chained*: the two operators run as one task,
   * instance j of the sender hands each record to instance j of the receiver by a method call,
   * with no buffer and no credit in between. Default true; false is Flink's
   * `env.disableOperatorChaining()`: every operator is its own task.
   */
  chaining?: boolean;
}

/** A record as learner code sees it. */
export interface RecordView {
  key: number;
  value: number;
}

/** Learner functions for map and filter operators, by operator id. */
export type OperatorHooks = Record<string, (record: RecordView) => unknown>;

/** Fine-grained trace events. `op` is an operator index, `inst` an instance index within it. */
export type DataflowEvent = TraceEventBase &
  (
    /** A source put a new record into its outbox (`created`: copies for extra outgoing edges). */
    | { kind: 'emit'; op: number; inst: number; created: number }
    /** A record moved from an instance's outbox into a channel buffer (edge index, receiving instance). */
    | { kind: 'push'; op: number; inst: number; edge: number; to: number }
    /** An instance took a record from a channel buffer and started processing it. */
    | { kind: 'take'; op: number; inst: number; edge: number }
    /**
     * Chained edge: instance `inst` of operator `op` received a record from the operator chained
     * before it by a method call (no buffer) and started processing it.
     */
    | { kind: 'call'; op: number; inst: number; edge: number }
    /**
     * An instance finished a record. `fate`: `out` (it goes on, plus `created` new records),
     * `filtered`, `delivered` (sink), `stored` (into window or join state), `joined` (matched a
     * waiting record: both leave the state and `created` = 1 joined record goes on).
     */
    | { kind: 'done'; op: number; inst: number; fate: 'out' | 'filtered' | 'delivered' | 'stored' | 'joined'; created: number }
    /** A window closed on an instance: `merged` records left its state, `created` aggregates went out. */
    | { kind: 'fire'; op: number; inst: number; merged: number; created: number }
    /** Join records that waited longer than the window left the state unmatched. */
    | { kind: 'expire'; op: number; inst: number; n: number }
    /** The instance's next output cannot go anywhere: the buffer it needs is full. */
    | { kind: 'block'; op: number; inst: number; edge: number }
    /** A blocked instance found space again. */
    | { kind: 'unblock'; op: number; inst: number }
  );

/** Instance states, as stored in samples. */
export const IDLE = 0;
export const BUSY = 1;
export const BLOCKED = 2;
export type InstanceState = typeof IDLE | typeof BUSY | typeof BLOCKED;

/**
 * The state of the whole graph at one instant, measured from the engine's live structures (not
 * from the counters), so that conservation is a real check.
 */
export interface Sample {
  t: number;
  /** Per instance (global index, see `DataflowRun.instances`): cumulative busy / idle / blocked ms. */
  busy: Float64Array;
  idle: Float64Array;
  blocked: Float64Array;
  /** Per instance: state at `t`. */
  state: Uint8Array;
  /** Per buffer (global index, see `DataflowRun.buffers`): records in it at `t`. */
  fill: Int32Array;
  /** Records waiting at each source operator (not yet emitted): lag. By operator index (0 for non-sources). */
  backlog: Float64Array;
  /** Cumulative counters. */
  emitted: number;
  delivered: number;
  filtered: number;
  merged: number;
  expired: number;
  /** Stocks, measured: records being processed or waiting in outboxes, in buffers, in window/join state. */
  inFlight: number;
  inBuffers: number;
  inState: number;
  /** Records emitted by sources only (cumulative), for the source rate. */
  sourceEmitted: number;
  /** Per edge: records pushed into its buffers (cumulative). */
  pushed: Float64Array;
  /** Per operator: records processed (cumulative; sources: emitted). */
  processed: Float64Array;
}

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface OperatorMetrics {
  id: string;
  label: string;
  kind: OperatorKind;
  parallelism: number;
  /** Records processed (taken from buffers; for sources: emitted). */
  processed: number;
  /** Time fractions over the whole run, averaged over instances. */
  busy: number;
  idle: number;
  blocked: number;
  /** Per instance busy fraction over the whole run. */
  instanceBusy: number[];
  /** Capacity as the model predicts it (see analyze.ts), records per second arriving at this operator. */
  capacity: number;
}

export interface EdgeMetrics {
  from: string;
  to: string;
  keyed: boolean;
  /** Largest number of records in one of its buffers at once. */
  maxFill: number;
  /** Time-averaged records in all its buffers together. */
  meanFill: number;
}

export interface Bottleneck {
  /** Operator index, or -1 when no stage is saturated. */
  op: number;
  /** Operator id, or null. */
  id: string | null;
  /** One sentence: why this operator (or why none). */
  why: string;
  /** Busiest instance of that operator: its busy fraction and index. */
  busiest: number;
  busiestInstance: number;
  /** Mean busy fraction of its instances (lower than `busiest` when keys are skewed). */
  meanBusy: number;
  /** True when the busiest instance does much more than the mean: key skew. */
  skewed: boolean;
}

export interface DataflowMetrics {
  /** Virtual time at which the run ended (ms). */
  end: number;
  /** Batch runs: time at which the last record left the graph (ms); NaN for stream runs. */
  makespan: number;
  emitted: number;
  sourceEmitted: number;
  delivered: number;
  filtered: number;
  merged: number;
  expired: number;
  /** Stocks at the end. */
  inFlight: number;
  inBuffers: number;
  inState: number;
  /** Records still waiting at the sources at the end (stream lag). */
  backlog: number;
  /** Delivered records per second over the whole run. */
  throughput: number;
  /** Delivered records per second over the second half of the run (steady state). */
  steadyThroughput: number;
  /** Records per second the sources emitted into the graph over the second half. */
  steadySourceRate: number;
  /** Latency (delivery time minus the time the record became available at the source), ms. */
  latency: LatencySummary;
  operators: OperatorMetrics[];
  edges: EdgeMetrics[];
  /** The bottleneck over the second half of the run. */
  bottleneck: Bottleneck;
  /** The first few delivered records (key, value, latency), to show what learner code did. */
  firstDelivered: { key: number; value: number; latency: number }[];
}

/** One time bin of the throughput and latency charts. */
export interface SeriesPoint {
  /** Bin end time (ms). */
  t: number;
  /** Delivered records per second over the trailing window ending at `t` (about 5% of the run, as in the fold). */
  throughput: number;
  /** Records per second the sources emitted over the same window span */
  sourceRate: number;
  /** Latency percentiles of the records delivered in the same window (NaN when none). */
  p50: number;
  p95: number;
}

export interface InstanceInfo {
  op: number;
  /** Index within its operator. */
  index: number;
}

export interface BufferInfo {
  edge: number;
  /** Receiving instance index within the downstream operator. */
  to: number;
}

export interface EdgeInfo {
  from: number;
  to: number;
  /** Routed by key hash (the receiving operator is keyed or the sender is keyBy). */
  keyed: boolean;
  /** Index of this edge among the inputs of `to` (0 or 1 for a join). */
  input: number;
  /** Inside a chain: records pass by method call, there is no buffer (see `DataflowConfig.chaining`). */
  chained: boolean;
}

export type DataflowRun = Run<DataflowEvent, DataflowMetrics> & {
  /** The validated config with defaults filled in. */
  config: ResolvedConfig;
  seed: number;
  /** `stream` when any source has a rate, else `batch`. */
  mode: 'stream' | 'batch';
  /** Snapshots at regular times, first at t = 0, last at the end. The lab steps through these. */
  samples: Sample[];
  /** One point per sample interval (samples.length - 1 points). */
  series: SeriesPoint[];
  instances: InstanceInfo[];
  /** First global instance index of each operator. */
  instanceBase: number[];
  buffers: BufferInfo[];
  /** First global buffer index of each edge. */
  bufferBase: number[];
  edges: EdgeInfo[];
  /** Tasks: the operators of each chain, upstream first (an operator that is not chained is a task of one). */
  chains: number[][];
  /** Index into `chains` of each operator's task. */
  chainOf: number[];
};

/** An operator with every default filled in. */
export interface ResolvedOperator {
  id: string;
  kind: OperatorKind;
  label: string;
  parallelism: number;
  serviceMs: number;
  service: ServiceDist;
  rate: number;
  count: number;
  arrivals: Arrivals;
  burst: BurstSpec | null;
  keys: number;
  skew: number;
  selectivity: number;
  fanout: number;
  windowMs: number;
  startNewChain: boolean;
  disableChaining: boolean;
}

export interface ResolvedConfig {
  operators: ResolvedOperator[];
  edges: EdgeSpec[];
  buffer: number;
  unbounded: boolean;
  duration: number;
  chaining: boolean;
}
