/**
 * The scheduler engine: tasks made of CPU bursts, I/O waits and yields, run on N cores.
 *
 * Semantics (the contract the views and tests rely on):
 *
 * - A task becomes ready at its `arrival` (default 0) once every task in its `after` list has
 *   finished; ready tasks wait in ONE FIFO ready queue shared by all cores.
 * - A task needs a core for its CPU steps; it also needs a core to start an I/O wait, to yield
 *   and to finish, but those take no time. So a task whose next step is I/O, a yield or nothing
 *   (after a yield or an I/O wait at the end of its program) is dispatched and acts at once.
 *   Consecutive CPU steps run as one burst.
 * - An I/O wait frees the core; when it ends the task rejoins the back of the ready queue.
 * - A `yield` step moves the task from its core to the back of the ready queue (every policy).
 * - `timeslice`: each dispatch gets a quantum. When the quantum expires during CPU work, the
 *   task is preempted (back of the queue) only if more tasks are ready than there are free
 *   cores; otherwise it keeps the core for a fresh quantum and no event is recorded.
 *   `parallel` and `cooperative` never preempt: a task keeps its core until it yields, waits
 *   for I/O or finishes (the two differ in intent, not in mechanics).
 * - Dispatch takes the front of the ready queue onto the lowest-numbered free core.
 *   Context switches cost nothing.
 *
 * Tie-breaking, deterministic: times are compared exactly. Everything that happens at the same
 * instant t is processed in these phases, and the trace records events in this order:
 *   1. CPU work ending at t, by core number: finish (then tasks waiting on it become ready,
 *      'deps-done', in task-list order), io-wait, or yield (to the back of the queue);
 *   2. I/O waits ending at t, in the order they started: 'ready' (io-done);
 *   3. arrivals at t, in the order they were scheduled (task-list order at the start): 'ready';
 *   4. quanta expiring at t (timeslice), by core number: preempt while ready tasks outnumber
 *      free cores, otherwise renew the quantum silently;
 *   5. dispatch, while a core is free and a task is ready.
 * So finishes and I/O completions always come before dispatch, and a task freed at t can get a
 * core at t.
 *
 * Metrics: makespan (time of the last finish), per-core busy time and utilization (busy /
 * makespan), speedup = makespan of the same tasks and policy on one core / makespan (the
 * one-core run is simulated without recording a trace), Amdahl's prediction
 * 1 / (s + (1 - s) / N) with s = config.serialFraction (also for explicit tasks: set
 * serialFraction to describe them), total CPU, and per task: waiting (time spent in the ready
 * queue), turnaround (finish - arrival), CPU and I/O totals.
 */
import { TraceRecorder } from '../core/recorder';
import { seedFrom, type Seed } from '../core/rng';
import { summary } from '../core/stats';
import { Agenda } from '../core/agenda';
import { DEFAULT_TRACE_CAP } from '../core/trace';
import { validateConfig } from './config';
import { generateTasks } from './generate';
import type { Policy, SchedEvent, SchedMetrics, SchedulerConfig, SchedulerRun, TaskSpec } from './types';

export { DEFAULT_CONFIG, LIMITS, TASK_LIMITS, clampConfig, validateConfig, formatNumber } from './config';
export type { ClampResult, FieldLimit, NumericField } from './config';

export interface SimulateOptions {
  /** Most events kept in the trace (default 100,000). Metrics are exact whatever the cap. */
  traceCap?: number;
}

const STEP_CPU = 0;
const STEP_IO = 1;
const STEP_YIELD = 2;

// Agenda items are small integers: kind + 4 * id.
const EV_CORE = 0; // id = core: the CPU work scheduled on that core reaches its next point
const EV_IO = 1; // id = task: its I/O wait ends
const EV_ARRIVAL = 2; // id = task: it arrives (its dependencies are done)

/** Tasks compiled to flat arrays for the hot loop. */
interface Compiled {
  n: number;
  ids: string[];
  arrival: Float64Array;
  stepStart: Int32Array; // first step of task i
  stepEnd: Int32Array; // one past its last step
  stepKind: Uint8Array;
  stepMs: Float64Array;
  depCount: Int32Array;
  dependents: Int32Array; // CSR: dependents of i are dependents[depStart[i] .. depStart[i+1])
  depStart: Int32Array;
  cpu: Float64Array;
  io: Float64Array;
}

function compile(tasks: TaskSpec[]): Compiled {
  const n = tasks.length;
  const index = new Map<string, number>();
  tasks.forEach((t, i) => index.set(t.id, i));
  let total = 0;
  for (const t of tasks) total += t.steps.length;
  const stepKind = new Uint8Array(total);
  const stepMs = new Float64Array(total);
  const stepStart = new Int32Array(n);
  const stepEnd = new Int32Array(n);
  const arrival = new Float64Array(n);
  const cpu = new Float64Array(n);
  const io = new Float64Array(n);
  const depCount = new Int32Array(n);
  const depLists: number[][] = tasks.map(() => []);
  let k = 0;
  tasks.forEach((t, i) => {
    stepStart[i] = k;
    for (const st of t.steps) {
      if (st.kind === 'cpu') {
        cpu[i] += st.ms;
        // Merge consecutive CPU steps into one burst.
        if (k > stepStart[i] && stepKind[k - 1] === STEP_CPU) {
          stepMs[k - 1] += st.ms;
          continue;
        }
        stepKind[k] = STEP_CPU;
        stepMs[k] = st.ms;
      } else if (st.kind === 'io') {
        io[i] += st.ms;
        stepKind[k] = STEP_IO;
        stepMs[k] = st.ms;
      } else {
        stepKind[k] = STEP_YIELD;
      }
      k++;
    }
    stepEnd[i] = k;
    arrival[i] = t.arrival ?? 0;
    const deps = new Set(t.after ?? []);
    depCount[i] = deps.size;
    for (const d of deps) depLists[index.get(d) as number].push(i);
  });
  const depStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) depStart[i + 1] = depStart[i] + depLists[i].length;
  const dependents = new Int32Array(depStart[n]);
  for (let i = 0; i < n; i++) dependents.set(depLists[i], depStart[i]);
  return {
    n,
    ids: tasks.map((t) => t.id),
    arrival,
    stepStart,
    stepEnd,
    stepKind,
    stepMs,
    depCount,
    dependents,
    depStart,
    cpu,
    io,
  };
}

interface EngineResult {
  makespan: number;
  busy: Float64Array;
  waiting: Float64Array;
  finish: Float64Array;
}

/** Runs the compiled tasks. Records into `rec` when given; the hot loop allocates nothing else. */
function run(c: Compiled, cores: number, policy: Policy, quantum: number, rec: TraceRecorder<SchedEvent> | null): EngineResult {
  const n = c.n;
  const { ids, stepKind, stepMs, stepEnd, dependents, depStart, arrival } = c;
  const timeslice = policy === 'timeslice';

  // Task state.
  const pc = Int32Array.from(c.stepStart);
  const rem = new Float64Array(n); // CPU left in the current burst after the scheduled core event
  const pending = Int32Array.from(c.depCount);
  const readySince = new Float64Array(n);
  const waiting = new Float64Array(n);
  const finish = new Float64Array(n);

  // Ready queue: ring buffer of task indices (a task is in it at most once).
  const queue = new Int32Array(Math.max(1, n));
  let qHead = 0;
  let qLen = 0;

  // Core state.
  const coreTask = new Int32Array(cores).fill(-1);
  const coreSliceEnd = new Float64Array(cores);
  const coreStepEnd = new Uint8Array(cores); // 1: the scheduled core event ends the CPU step
  const coreSince = new Float64Array(cores); // when the current task was dispatched
  const busy = new Float64Array(cores);
  let free = cores;

  // Per-instant scratch buffers.
  const coreEvents = new Int32Array(cores);
  const expired = new Int32Array(cores);
  let ioBuf = new Int32Array(16);
  let arrBuf = new Int32Array(16);

  const agenda = new Agenda<number>(Math.max(64, Math.min(n, 1 << 16)));
  let now = 0;
  let makespan = 0;
  let nExpired = 0;

  for (let i = 0; i < n; i++) if (pending[i] === 0) agenda.push(arrival[i], EV_ARRIVAL + 4 * i);

  const enqueue = (task: number): void => {
    let slot = qHead + qLen;
    if (slot >= n) slot -= n;
    queue[slot] = task;
    qLen++;
    readySince[task] = now;
  };

  const release = (core: number): void => {
    busy[core] += now - coreSince[core];
    coreTask[core] = -1;
    free++;
  };

  /** Schedules the next core event for the CPU burst of the task on `core` (rem[task] > 0). */
  const scheduleBurst = (core: number, task: number): void => {
    const r = rem[task];
    const end = now + r;
    if (timeslice) {
      const sliceEnd = coreSliceEnd[core];
      // A burst that would overrun the slice by a rounding error ends with the step.
      if (end - sliceEnd > 1e-9 * (sliceEnd > 1 ? sliceEnd : 1)) {
        rem[task] = end - sliceEnd;
        coreStepEnd[core] = 0;
        agenda.push(sliceEnd, EV_CORE + 4 * core);
        return;
      }
    }
    rem[task] = 0;
    coreStepEnd[core] = 1;
    agenda.push(end, EV_CORE + 4 * core);
  };

  const finishTask = (core: number, task: number): void => {
    if (rec) rec.emit({ seq: 0, t: now, kind: 'finish', task: ids[task], core });
    finish[task] = now;
    if (now > makespan) makespan = now;
    release(core);
    for (let k = depStart[task]; k < depStart[task + 1]; k++) {
      const d = dependents[k];
      if (--pending[d] === 0) {
        if (arrival[d] <= now) {
          if (rec) rec.emit({ seq: 0, t: now, kind: 'ready', task: ids[d], reason: 'deps-done' });
          enqueue(d);
        } else {
          agenda.push(arrival[d], EV_ARRIVAL + 4 * d);
        }
      }
    }
  };

  /**
   * The task on `core` is at step pc[task] with no CPU in flight: act on that step.
   * `sliceCheck`: a CPU step starting exactly at the end of the quantum goes through phase 4.
   */
  const proceed = (core: number, task: number, sliceCheck: boolean): void => {
    const p = pc[task];
    if (p >= stepEnd[task]) {
      finishTask(core, task);
      return;
    }
    const kind = stepKind[p];
    if (kind === STEP_CPU) {
      rem[task] = stepMs[p];
      if (sliceCheck && timeslice && now >= coreSliceEnd[core]) {
        expired[nExpired++] = core;
        coreStepEnd[core] = 0; // phase 4 decides; rem holds the whole step
        return;
      }
      scheduleBurst(core, task);
    } else if (kind === STEP_IO) {
      const until = now + stepMs[p];
      if (rec) rec.emit({ seq: 0, t: now, kind: 'io-wait', task: ids[task], core, until });
      pc[task] = p + 1;
      release(core);
      agenda.push(until, EV_IO + 4 * task);
    } else {
      if (rec) rec.emit({ seq: 0, t: now, kind: 'yield', task: ids[task], core });
      pc[task] = p + 1;
      release(core);
      enqueue(task);
    }
  };

  while (agenda.size > 0) {
    now = agenda.peekTime();
    let nCore = 0;
    let nIo = 0;
    let nArr = 0;
    while (agenda.size > 0 && agenda.peekTime() === now) {
      const item = agenda.pop() as number;
      const kind = item & 3;
      const id = item >> 2;
      if (kind === EV_CORE) {
        // Insertion sort by core number (at most `cores` entries).
        let j = nCore++;
        while (j > 0 && coreEvents[j - 1] > id) {
          coreEvents[j] = coreEvents[j - 1];
          j--;
        }
        coreEvents[j] = id;
      } else if (kind === EV_IO) {
        if (nIo === ioBuf.length) {
          const b = new Int32Array(nIo * 2);
          b.set(ioBuf);
          ioBuf = b;
        }
        ioBuf[nIo++] = id;
      } else {
        if (nArr === arrBuf.length) {
          const b = new Int32Array(nArr * 2);
          b.set(arrBuf);
          arrBuf = b;
        }
        arrBuf[nArr++] = id;
      }
    }

    // Phase 1: CPU work reaching its next point, by core number.
    nExpired = 0;
    for (let k = 0; k < nCore; k++) {
      const core = coreEvents[k];
      const task = coreTask[core];
      if (coreStepEnd[core] === 0) {
        expired[nExpired++] = core; // quantum over in the middle of a CPU step
      } else {
        pc[task]++;
        proceed(core, task, true);
      }
    }
    // Phase 2: I/O completions, in the order they started.
    for (let k = 0; k < nIo; k++) {
      const task = ioBuf[k];
      if (rec) rec.emit({ seq: 0, t: now, kind: 'ready', task: ids[task], reason: 'io-done' });
      enqueue(task);
    }
    // Phase 3: arrivals.
    for (let k = 0; k < nArr; k++) {
      const task = arrBuf[k];
      if (rec) rec.emit({ seq: 0, t: now, kind: 'ready', task: ids[task], reason: 'arrival' });
      enqueue(task);
    }
    // Phase 4: quantum expiries (timeslice only), by core number (already sorted).
    if (nExpired > 0) {
      let need = qLen - free;
      for (let k = 0; k < nExpired; k++) {
        const core = expired[k];
        const task = coreTask[core];
        if (need > 0) {
          need--;
          if (rec) rec.emit({ seq: 0, t: now, kind: 'preempt', task: ids[task], core });
          release(core);
          enqueue(task);
        } else {
          coreSliceEnd[core] = now + quantum;
          scheduleBurst(core, task);
        }
      }
    }
    // Phase 5: dispatch.
    while (qLen > 0 && free > 0) {
      const task = queue[qHead];
      qHead++;
      if (qHead === n) qHead = 0;
      qLen--;
      let core = 0;
      while (coreTask[core] !== -1) core++;
      coreTask[core] = task;
      free--;
      coreSince[core] = now;
      coreSliceEnd[core] = now + quantum;
      waiting[task] += now - readySince[task];
      if (rec) rec.emit({ seq: 0, t: now, kind: 'dispatch', task: ids[task], core });
      if (rem[task] > 0) scheduleBurst(core, task); // resume a preempted burst
      else proceed(core, task, false);
    }
  }
  return { makespan, busy, waiting, finish };
}

/**
 * Simulates `config` (missing settings come from DEFAULT_CONFIG) with the workload generated from
 * `seed`, or the explicit `config.tasks`. Throws an Error naming the field for a bad config.
 * Same config and seed, same run, bit for bit.
 */
export function simulate(
  config: Partial<SchedulerConfig> | SchedulerConfig = {},
  seed: Seed = 1,
  options: SimulateOptions = {},
): SchedulerRun {
  const cfg = validateConfig(config);
  const seed32 = seedFrom(seed);
  const tasks = cfg.tasks ?? generateTasks(cfg, seed32);
  const compiled = compile(tasks);
  const rec = new TraceRecorder<SchedEvent>(options.traceCap ?? DEFAULT_TRACE_CAP);
  const res = run(compiled, cfg.cores, cfg.policy, cfg.quantum, rec);
  const makespanOneCore = cfg.cores === 1 ? res.makespan : run(compiled, 1, cfg.policy, cfg.quantum, null).makespan;

  let totalCpu = 0;
  for (let i = 0; i < compiled.n; i++) totalCpu += compiled.cpu[i];
  const busy = Array.from(res.busy);
  const utilization = busy.map((b) => (res.makespan > 0 ? Math.min(1, b / res.makespan) : 0));
  const perTask = tasks.map((t, i) => ({
    id: t.id,
    waiting: res.waiting[i],
    turnaround: res.finish[i] - compiled.arrival[i],
    cpu: compiled.cpu[i],
    io: compiled.io[i],
  }));
  const w = summary(res.waiting);
  const s = cfg.serialFraction;
  const metrics: SchedMetrics = {
    makespan: res.makespan,
    utilization,
    speedup: res.makespan > 0 ? makespanOneCore / res.makespan : 1,
    amdahl: 1 / (s + (1 - s) / cfg.cores),
    totalCpu,
    tasks: perTask,
    waiting: { mean: w.mean, p50: w.p50, p95: w.p95, max: w.max },
    makespanOneCore,
    busy,
  };
  return {
    trace: rec.events,
    metrics,
    truncated: rec.truncated,
    tasks,
    config: cfg,
    seed: seed32,
  };
}
