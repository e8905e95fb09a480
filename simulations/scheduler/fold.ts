/**
 * State of a scheduler run at step i, for the lab's lanes, queue and step back.
 *
 * Step i is the state after applying trace events 0..i-1 (step 0: nothing has happened; step
 * trace.length: after the last recorded event). The widget draws this; it never re-derives
 * scheduling semantics from the raw trace.
 *
 * How it stays fast on 100k-event traces: one pass over the trace precomputes the append-only
 * logs (every CPU segment with the steps at which it opens and closes, every I/O wait, the order
 * tasks enter the ready queue, the order they finish). The folded state (core/fold, snapshot every
 * 256 events) is then tiny: who is on each core, and counters into those logs. Because the ready
 * queue is FIFO, its contents at any step are a contiguous slice of the enqueue log.
 * `at(i)` costs O(256) event applications plus building the returned lists.
 *
 * Objects for closed segments are shared between calls: treat the returned state as read-only.
 */
import { createFold, type Fold } from '../core/fold';
import type { SchedEvent, SchedulerRun } from './types';

export interface CpuSegment {
  task: string;
  /** 0-based core index. */
  core: number;
  start: number;
  /** Close time, or the state's `t` for a segment still running (`open`). */
  end: number;
  /** True while the task is still on the core at this step. */
  open: boolean;
}

export interface IoSegment {
  task: string;
  start: number;
  /** End time, or the state's `t` while the wait is still going on (`open`). */
  end: number;
  /** When the wait will end (known when it starts). */
  until: number;
  open: boolean;
}

export interface SchedulerState {
  /** The step this state is at (0..trace.length). */
  step: number;
  /** Virtual time (ms) of the last applied event; 0 at step 0. */
  t: number;
  /** Task id running on each core, or null when the core is idle. Index = 0-based core. */
  cores: (string | null)[];
  /** Ready queue, front first. */
  ready: string[];
  /** Tasks waiting for I/O, in the order they started waiting. */
  io: { task: string; since: number; until: number }[];
  /** Finished tasks, in finishing order. */
  finished: string[];
  /** CPU segments so far, in the order they started; open ones end at `t`. */
  segments: CpuSegment[];
  /** I/O waits so far, in the order they started; open ones end at `t`. */
  ioSegments: IoSegment[];
}

export interface SchedulerFold {
  /** Number of steps after the initial state (the trace length). */
  readonly length: number;
  /** State after events 0..i-1; i is clamped to [0, length]. */
  at(i: number): SchedulerState;
  /** The largest step whose time is <= t (events at exactly t are included): for time scrubbing. */
  stepAtTime(t: number): number;
}

interface SegLog {
  task: string;
  core: number;
  start: number;
  startStep: number; // the dispatch event's index
  end: number;
  endStep: number; // index of the closing event, or Infinity
  closed: CpuSegment; // shared object for when it is closed
}

interface IoLog {
  task: string;
  start: number;
  until: number;
  startStep: number;
  end: number;
  endStep: number;
  closed: IoSegment;
}

interface Compact {
  t: number;
  coreTask: (string | null)[];
  readyHead: number;
  readyTail: number;
  segStarted: number;
  ioStarted: number;
  finished: number;
}

/** Builds the step-i view of a run. Cost: one pass over the trace. */
export function schedulerFold(run: Pick<SchedulerRun, 'trace' | 'config'>, every?: number): SchedulerFold {
  const trace = run.trace;
  const cores = run.config.cores;

  // One pass: append-only logs.
  const enqueueLog: string[] = [];
  const finishLog: string[] = [];
  const segs: SegLog[] = [];
  const ios: IoLog[] = [];
  const openSeg = new Int32Array(cores).fill(-1);
  const openIo = new Map<string, number>();
  const closeSeg = (core: number, j: number, t: number): void => {
    const k = openSeg[core];
    if (k < 0) return;
    const s = segs[k];
    s.end = t;
    s.endStep = j;
    s.closed = { task: s.task, core: s.core, start: s.start, end: t, open: false };
    openSeg[core] = -1;
  };
  for (let j = 0; j < trace.length; j++) {
    const e = trace[j];
    switch (e.kind) {
      case 'ready': {
        enqueueLog.push(e.task);
        if (e.reason === 'io-done') {
          const k = openIo.get(e.task);
          if (k !== undefined) {
            const s = ios[k];
            s.end = e.t;
            s.endStep = j;
            s.closed = { task: s.task, start: s.start, end: e.t, until: s.until, open: false };
            openIo.delete(e.task);
          }
        }
        break;
      }
      case 'dispatch': {
        openSeg[e.core] = segs.length;
        segs.push({
          task: e.task,
          core: e.core,
          start: e.t,
          startStep: j,
          end: NaN,
          endStep: Infinity,
          closed: undefined as unknown as CpuSegment,
        });
        break;
      }
      case 'yield':
      case 'preempt':
        enqueueLog.push(e.task);
        closeSeg(e.core, j, e.t);
        break;
      case 'io-wait':
        closeSeg(e.core, j, e.t);
        openIo.set(e.task, ios.length);
        ios.push({
          task: e.task,
          start: e.t,
          until: e.until,
          startStep: j,
          end: NaN,
          endStep: Infinity,
          closed: undefined as unknown as IoSegment,
        });
        break;
      case 'finish':
        closeSeg(e.core, j, e.t);
        finishLog.push(e.task);
        break;
    }
  }

  const fold: Fold<Compact> = createFold<SchedEvent, Compact>(
    trace,
    {
      init: () => ({
        t: 0,
        coreTask: new Array<string | null>(cores).fill(null),
        readyHead: 0,
        readyTail: 0,
        segStarted: 0,
        ioStarted: 0,
        finished: 0,
      }),
      clone: (s) => ({ ...s, coreTask: s.coreTask.slice() }),
      apply: (s, e) => {
        s.t = e.t;
        switch (e.kind) {
          case 'ready':
            s.readyTail++;
            break;
          case 'dispatch':
            s.readyHead++;
            s.coreTask[e.core] = e.task;
            s.segStarted++;
            break;
          case 'yield':
          case 'preempt':
            s.readyTail++;
            s.coreTask[e.core] = null;
            break;
          case 'io-wait':
            s.coreTask[e.core] = null;
            s.ioStarted++;
            break;
          case 'finish':
            s.coreTask[e.core] = null;
            s.finished++;
            break;
        }
      },
    },
    { every },
  );

  return {
    length: trace.length,
    at(i: number): SchedulerState {
      const c = fold.at(i);
      const step = Math.max(0, Math.min(trace.length, Number.isFinite(i) ? Math.floor(i) : i > 0 ? trace.length : 0));
      const t = c.t;
      const segments: CpuSegment[] = new Array(c.segStarted);
      for (let k = 0; k < c.segStarted; k++) {
        const s = segs[k];
        segments[k] = s.endStep < step ? s.closed : { task: s.task, core: s.core, start: s.start, end: t, open: true };
      }
      const ioSegments: IoSegment[] = new Array(c.ioStarted);
      const io: SchedulerState['io'] = [];
      for (let k = 0; k < c.ioStarted; k++) {
        const s = ios[k];
        if (s.endStep < step) {
          ioSegments[k] = s.closed;
        } else {
          ioSegments[k] = { task: s.task, start: s.start, end: t, until: s.until, open: true };
          io.push({ task: s.task, since: s.start, until: s.until });
        }
      }
      return {
        step,
        t,
        cores: c.coreTask,
        ready: enqueueLog.slice(c.readyHead, c.readyTail),
        io,
        finished: finishLog.slice(0, c.finished),
        segments,
        ioSegments,
      };
    },
    stepAtTime(t: number): number {
      // First index whose time is > t.
      let lo = 0;
      let hi = trace.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (trace[mid].t <= t) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    },
  };
}
