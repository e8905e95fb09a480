/**
 * The state of a dataflow run at step i, for the lab's graph, charts and step back.
 *
 * The lab steps through the run's samples (snapshots at regular times): step i shows sample i,
 * so step 0 is t = 0 and step `length` is the end of the run. Each sample is a complete snapshot,
 * so `at(i)` costs O(operators + buffers) wherever i is: stepping back is as cheap as forward.
 * Rates and time fractions are measured over a short trailing window (about 5% of the run)
 * ending at step i, the way a monitoring console shows "now".
 *
 * `recordFold` is the record-level view: a fold (core/fold, snapshots every 256 events) over the
 * fine-grained trace that counts where every record is after event j. Tests use it to check
 * conservation at every event.
 */
import { createFold, type Fold } from '../core/fold';
import { findBottleneck, operatorLoad, windowSamples } from './bottleneck';
import type { Bottleneck, DataflowEvent, DataflowRun, OperatorKind } from './types';

export interface OperatorView {
  id: string;
  label: string;
  kind: OperatorKind;
  parallelism: number;
  /** Fractions of time over the trailing window, mean over instances. */
  busy: number;
  blocked: number;
  idle: number;
  /** Per instance busy and blocked fractions over the sampling window span */
  instanceBusy: number[];
  instanceBlocked: number[];
  /** Per instance state at this step: 0 idle, 1 busy, 2 blocked. */
  instanceState: number[];
  /** Records processed per second over the window (sources: emitted). */
  rate: number;
  /** Sources: records waiting to be emitted (lag). */
  backlog: number;
}

export interface EdgeView {
  from: number;
  to: number;
  keyed: boolean;
  /** Records in each of its buffers (one per receiving instance). */
  fills: number[];
  /** Records in all its buffers. */
  fill: number;
  /** Capacity of one buffer (Infinity when unbounded). */
  capacity: number;
  /** Fullest buffer / capacity, 0..1 (unbounded: 0). */
  ratio: number;
  /** Records per second moving along it over the sampling window span */
  rate: number;
}

export interface DataflowView {
  step: number;
  t: number;
  operators: OperatorView[];
  edges: EdgeView[];
  emitted: number;
  delivered: number;
  filtered: number;
  merged: number;
  expired: number;
  inFlight: number;
  inBuffers: number;
  inState: number;
  /** Records waiting at all sources. */
  backlog: number;
  /** Delivered records per second over the sampling window span */
  throughput: number;
  /** Records per second the sources emitted over the sampling window span */
  sourceRate: number;
  /** The bottleneck over the window (none at step 0). */
  bottleneck: Bottleneck;
  /** Start time of the trailing window span */
  windowFrom: number;
}

export interface DataflowFold {
  /** Steps after the first: samples.length - 1. Valid steps are 0..length. */
  readonly length: number;
  at(i: number): DataflowView;
  /** The last step whose time is <= t. */
  stepAtTime(t: number): number;
}

export { windowSamples };

const NO_BOTTLENECK: Bottleneck = {
  op: -1,
  id: null,
  why: 'Nothing has run yet.',
  busiest: 0,
  busiestInstance: 0,
  meanBusy: 0,
  skewed: false,
};

export function dataflowFold(run: Pick<DataflowRun, 'config' | 'samples' | 'instanceBase' | 'bufferBase' | 'edges'>): DataflowFold {
  const samples = run.samples;
  const length = samples.length - 1;
  const w = windowSamples(samples.length);
  const ops = run.config.operators;
  const cap = run.config.unbounded ? Infinity : run.config.buffer;
  return {
    length,
    at(i: number): DataflowView {
      const step = Math.max(0, Math.min(length, Number.isFinite(i) ? Math.floor(i) : i > 0 ? length : 0));
      const s = samples[step];
      const from = Math.max(0, step - w);
      const a = samples[from];
      const dt = (s.t - a.t) / 1000;
      const load = operatorLoad(run, from, step);
      const operators: OperatorView[] = ops.map((op, o) => {
        const base = run.instanceBase[o];
        const instanceState: number[] = [];
        const instanceBlocked: number[] = [];
        for (let j = 0; j < op.parallelism; j++) {
          instanceState.push(s.state[base + j]);
          const d = s.t - a.t;
          instanceBlocked.push(d > 0 ? (s.blocked[base + j] - a.blocked[base + j]) / d : 0);
        }
        const busy = step === 0 ? 0 : load[o].meanBusy;
        const blocked = step === 0 ? 0 : load[o].blocked;
        return {
          id: op.id,
          label: op.label,
          kind: op.kind,
          parallelism: op.parallelism,
          busy,
          blocked,
          idle: Math.max(0, 1 - busy - blocked),
          instanceBusy: step === 0 ? load[o].busy.map(() => 0) : load[o].busy,
          instanceBlocked,
          instanceState,
          rate: dt > 0 ? (s.processed[o] - a.processed[o]) / dt : 0,
          backlog: s.backlog[o],
        };
      });
      const edges: EdgeView[] = run.edges.map((e, k) => {
        const base = run.bufferBase[k];
        const fills: number[] = [];
        let fill = 0;
        let max = 0;
        for (let j = 0; j < ops[e.to].parallelism; j++) {
          const f = s.fill[base + j];
          fills.push(f);
          fill += f;
          if (f > max) max = f;
        }
        return {
          from: e.from,
          to: e.to,
          keyed: e.keyed,
          fills,
          fill,
          capacity: cap,
          ratio: Number.isFinite(cap) ? max / cap : 0,
          rate: dt > 0 ? (s.pushed[k] - a.pushed[k]) / dt : 0,
        };
      });
      let backlog = 0;
      for (let o = 0; o < ops.length; o++) backlog += s.backlog[o];
      return {
        step,
        t: s.t,
        operators,
        edges,
        emitted: s.emitted,
        delivered: s.delivered,
        filtered: s.filtered,
        merged: s.merged,
        expired: s.expired,
        inFlight: s.inFlight,
        inBuffers: s.inBuffers,
        inState: s.inState,
        backlog,
        throughput: dt > 0 ? (s.delivered - a.delivered) / dt : 0,
        sourceRate: dt > 0 ? (s.sourceEmitted - a.sourceEmitted) / dt : 0,
        bottleneck: step === 0 ? NO_BOTTLENECK : findBottleneck(run, from, step),
        windowFrom: a.t,
      };
    },
    stepAtTime(t: number): number {
      let lo = 0;
      let hi = samples.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (samples[mid].t <= t) lo = mid + 1;
        else hi = mid;
      }
      return Math.max(0, lo - 1);
    },
  };
}

/** Where the records are after trace event j-1, counted from the events alone. */
export interface RecordCounts {
  emitted: number;
  inFlight: number;
  inBuffers: number;
  inState: number;
  delivered: number;
  filtered: number;
  merged: number;
  expired: number;
  /** Records in each buffer, by "edge:instance". */
  fills: Record<string, number>;
}

/** A fold over the fine-grained trace (see core/fold). */
export function recordFold(run: Pick<DataflowRun, 'trace'>, every?: number): Fold<RecordCounts> {
  return createFold<DataflowEvent, RecordCounts>(
    run.trace,
    {
      init: () => ({ emitted: 0, inFlight: 0, inBuffers: 0, inState: 0, delivered: 0, filtered: 0, merged: 0, expired: 0, fills: {} }),
      clone: (s) => ({ ...s, fills: { ...s.fills } }),
      apply: (s, e) => {
        switch (e.kind) {
          case 'emit':
            s.emitted += 1 + e.created;
            s.inFlight += 1 + e.created;
            break;
          case 'push': {
            const k = `${e.edge}:${e.to}`;
            s.fills[k] = (s.fills[k] ?? 0) + 1;
            s.inFlight--;
            s.inBuffers++;
            break;
          }
          case 'take': {
            // The receiving instance is the one that takes: its index is `inst`.
            const k = `${e.edge}:${e.inst}`;
            s.fills[k] = (s.fills[k] ?? 0) - 1;
            s.inBuffers--;
            s.inFlight++;
            break;
          }
          case 'done':
            s.emitted += e.created;
            s.inFlight += e.created;
            if (e.fate === 'filtered') {
              s.inFlight--;
              s.filtered++;
            } else if (e.fate === 'delivered') {
              s.inFlight--;
              s.delivered++;
            } else if (e.fate === 'stored') {
              s.inFlight--;
              s.inState++;
            } else if (e.fate === 'joined') {
              // The arriving record and its partner from the state become one new record (in `created`).
              s.inFlight--;
              s.inState--;
              s.merged += 2;
            }
            break;
          case 'fire':
            s.inState -= e.merged;
            s.merged += e.merged;
            s.emitted += e.created;
            s.inFlight += e.created;
            break;
          case 'expire':
            s.inState -= e.n;
            s.expired += e.n;
            break;
          default:
            break;
        }
      },
    },
    { every },
  );
}
