/**
 * Geometry for the Gantt: the scheduler trace re-read as intervals (who was running on which core,
 * who sat in the ready queue, who waited for I/O, from when to when). This is a projection of
 * the events the engine recorded, not a second scheduler: every interval starts and ends at a
 * trace event, and nothing here decides what runs.
 *
 * Each interval also remembers the step (index into the timeline, 0..trace.length) at which it
 * opens and closes, so the view can show "everything up to step i" by filtering on steps.
 */
import type { SchedEvent, TaskSpec } from '#sim/scheduler/types';

export type SegKind = 'run' | 'ready' | 'io' | 'blocked';

export interface Segment {
  task: string;
  kind: SegKind;
  /** Core index for `run` segments, -1 otherwise. */
  core: number;
  start: number;
  /** End time; for an interval still open when the trace ends, the trace's last time. */
  end: number;
  /** Step at which the interval opens (the event that opens it has been applied). */
  startStep: number;
  /** Step at which it closes; Infinity when the trace ends first. */
  endStep: number;
}

/** Counts of tasks in each state after a trace event (for the aggregate strip). */
export interface CountPoint {
  t: number;
  step: number;
  running: number;
  ready: number;
  io: number;
  blocked: number;
}

export interface Projection {
  /** Task ids in task-list order. */
  taskIds: string[];
  /** Run intervals, ordered by start step. */
  runs: Segment[];
  /** Per task (same order as taskIds): its intervals, ordered by start step. */
  byTask: Segment[][];
  /**
   * Counts after each instant: one point per distinct time, holding the counts after the last
   * event at that time, plus the matching step.
   */
  counts: CountPoint[];
  /** Time of the last recorded event. */
  tEnd: number;
  /** Time at step i (the time of event i-1; 0 at step 0). */
  timeAt(step: number): number;
}

export function project(trace: readonly SchedEvent[], tasks: readonly TaskSpec[]): Projection {
  const taskIds = tasks.map((t) => t.id);
  const index = new Map<string, number>();
  taskIds.forEach((id, i) => index.set(id, i));
  const byTask: Segment[][] = taskIds.map(() => []);
  const open: (Segment | null)[] = taskIds.map(() => null);
  const runs: Segment[] = [];
  const tEnd = trace.length > 0 ? trace[trace.length - 1].t : 0;

  let running = 0;
  let ready = 0;
  let io = 0;
  let blocked = 0;

  const openSeg = (ti: number, kind: SegKind, t: number, step: number, core = -1) => {
    const seg: Segment = { task: taskIds[ti], kind, core, start: t, end: tEnd, startStep: step, endStep: Infinity };
    open[ti] = seg;
    byTask[ti].push(seg);
    if (kind === 'run') runs.push(seg);
    if (kind === 'run') running++;
    else if (kind === 'ready') ready++;
    else if (kind === 'io') io++;
    else blocked++;
  };
  const closeSeg = (ti: number, t: number, step: number) => {
    const seg = open[ti];
    if (!seg) return;
    seg.end = t;
    seg.endStep = step;
    open[ti] = null;
    if (seg.kind === 'run') running--;
    else if (seg.kind === 'ready') ready--;
    else if (seg.kind === 'io') io--;
    else blocked--;
  };

  // Tasks that wait for others start out blocked (the serial phase of Amdahl's law).
  tasks.forEach((t, i) => {
    if (t.after && t.after.length > 0) openSeg(i, 'blocked', t.arrival ?? 0, 0);
  });

  const counts: CountPoint[] = [{ t: 0, step: 0, running, ready, io, blocked }];

  for (let k = 0; k < trace.length; k++) {
    const e = trace[k];
    const step = k + 1;
    const ti = index.get(e.task);
    if (ti !== undefined) {
      switch (e.kind) {
        case 'ready':
          closeSeg(ti, e.t, step);
          openSeg(ti, 'ready', e.t, step);
          break;
        case 'dispatch':
          closeSeg(ti, e.t, step);
          openSeg(ti, 'run', e.t, step, e.core);
          break;
        case 'preempt':
        case 'yield':
          closeSeg(ti, e.t, step);
          openSeg(ti, 'ready', e.t, step);
          break;
        case 'io-wait':
          closeSeg(ti, e.t, step);
          openSeg(ti, 'io', e.t, step);
          break;
        case 'finish':
          closeSeg(ti, e.t, step);
          break;
      }
    }
    const point = { t: e.t, step, running, ready, io, blocked };
    const last = counts[counts.length - 1];
    if (last.t === e.t) counts[counts.length - 1] = point;
    else counts.push(point);
  }

  return {
    taskIds,
    runs,
    byTask,
    counts,
    tEnd,
    timeAt(step: number) {
      if (step <= 0 || trace.length === 0) return 0;
      return trace[Math.min(step, trace.length) - 1].t;
    },
  };
}

/**
 * Index of the first element of `list` (sorted by startStep) whose startStep > step: the visible
 * prefix at `step` is list.slice(0, visibleCount(list, step)).
 */
export function visibleCount(list: readonly Segment[], step: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].startStep <= step) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Counts at step i: the last count point at or before it. */
export function countsAt(counts: readonly CountPoint[], step: number): CountPoint {
  let lo = 0;
  let hi = counts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (counts[mid].step <= step) lo = mid;
    else hi = mid - 1;
  }
  return counts[lo];
}
