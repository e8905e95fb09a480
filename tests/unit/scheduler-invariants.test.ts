import { describe, expect, it } from 'vitest';
import { Rng } from '#sim/core/rng';
import {
  schedulerFold,
  simulate,
  type CpuSegment,
  type IoSegment,
  type SchedEvent,
  type SchedulerConfig,
  type SchedulerRun,
  type SchedulerState,
  type Step,
  type TaskSpec,
} from '#sim/scheduler';

/** Random explicit tasks: integer durations (many ties), leading I/O, repeated yields, arrivals, a DAG. */
function randomTasks(r: Rng): TaskSpec[] {
  const n = r.int(1, 8);
  const tasks: TaskSpec[] = [];
  for (let i = 0; i < n; i++) {
    const steps: Step[] = [];
    const len = r.int(1, 6);
    for (let k = 0; k < len; k++) {
      const roll = r.next();
      if (roll < 0.5) steps.push({ kind: 'cpu', ms: r.int(1, 25) });
      else if (roll < 0.8) steps.push({ kind: 'io', ms: r.int(1, 40) });
      else steps.push({ kind: 'yield' });
    }
    const spec: TaskSpec = { id: `T${i}`, steps };
    if (r.chance(0.3)) spec.arrival = r.int(0, 30);
    if (i > 0 && r.chance(0.3)) spec.after = [`T${r.int(0, i - 1)}`];
    tasks.push(spec);
  }
  return tasks;
}

function randomConfig(r: Rng): SchedulerConfig {
  const config: SchedulerConfig = {
    cores: r.chance(0.8) ? r.int(1, 6) : r.int(7, 64),
    policy: r.pick(['timeslice', 'parallel', 'cooperative'] as const),
    quantum: r.chance(0.5) ? r.int(1, 20) : r.uniform(1, 30),
    taskCount: r.int(1, 40),
    mix: r.pick(['cpu', 'io', 'mixed'] as const),
    serialFraction: r.chance(0.4) ? 0 : r.uniform(0, 0.9),
    jitter: r.chance(0.3) ? 0 : r.next(),
  };
  if (r.chance(0.35)) config.tasks = randomTasks(r);
  return config;
}

/** Reference fold written the obvious way: lists edited in place, the ready queue searched by id. */
function referenceState(run: SchedulerRun, step: number): SchedulerState {
  const s: SchedulerState = {
    step,
    t: 0,
    cores: new Array(run.config.cores).fill(null),
    ready: [],
    io: [],
    finished: [],
    segments: [],
    ioSegments: [],
  };
  const openCpu = new Map<number, CpuSegment>();
  const openIo = new Map<string, IoSegment>();
  const closeCpu = (core: number, t: number) => {
    const seg = openCpu.get(core)!;
    seg.end = t;
    seg.open = false;
    openCpu.delete(core);
  };
  for (const e of run.trace.slice(0, step)) {
    s.t = e.t;
    switch (e.kind) {
      case 'ready':
        s.ready.push(e.task);
        if (e.reason === 'io-done') {
          s.io = s.io.filter((x) => x.task !== e.task);
          const seg = openIo.get(e.task)!;
          seg.end = e.t;
          seg.open = false;
          openIo.delete(e.task);
        }
        break;
      case 'dispatch': {
        s.ready.splice(s.ready.indexOf(e.task), 1);
        s.cores[e.core] = e.task;
        const seg: CpuSegment = { task: e.task, core: e.core, start: e.t, end: e.t, open: true };
        s.segments.push(seg);
        openCpu.set(e.core, seg);
        break;
      }
      case 'yield':
      case 'preempt':
        s.cores[e.core] = null;
        closeCpu(e.core, e.t);
        s.ready.push(e.task);
        break;
      case 'io-wait': {
        s.cores[e.core] = null;
        closeCpu(e.core, e.t);
        s.io.push({ task: e.task, since: e.t, until: e.until });
        const seg: IoSegment = { task: e.task, start: e.t, end: e.t, until: e.until, open: true };
        s.ioSegments.push(seg);
        openIo.set(e.task, seg);
        break;
      }
      case 'finish':
        s.cores[e.core] = null;
        closeCpu(e.core, e.t);
        s.finished.push(e.task);
        break;
    }
  }
  for (const seg of openCpu.values()) seg.end = s.t;
  for (const seg of openIo.values()) seg.end = s.t;
  return s;
}

function checkRun(run: SchedulerRun, r: Rng): void {
  const { trace, metrics, tasks, config } = run;
  expect(run.truncated).toBe(false);
  const ids = tasks.map((t) => t.id);
  const cpuOf = new Map(tasks.map((t) => [t.id, t.steps.reduce((s, st) => s + (st.kind === 'cpu' ? st.ms : 0), 0)]));
  const tol = (x: number) => 1e-9 * Math.max(1, Math.abs(x));

  // Trace shape: seq is the index, time never goes backwards.
  trace.forEach((e, i) => expect(e.seq).toBe(i));
  for (let i = 1; i < trace.length; i++) expect(trace[i].t).toBeGreaterThanOrEqual(trace[i - 1].t);

  // Replay with explicit state: one task per core, a task on one core at a time, dispatched only when ready.
  const coreOf = new Map<string, number>();
  const onCore: (string | null)[] = new Array(config.cores).fill(null);
  const status = new Map<string, 'new' | 'ready' | 'running' | 'io' | 'done'>(ids.map((id) => [id, 'new']));
  const dispatchAt = new Map<string, number>();
  const readyAt = new Map<string, number>();
  const ioUntil = new Map<string, number>();
  const cpuUsed = new Map<string, number>(ids.map((id) => [id, 0]));
  const waited = new Map<string, number>(ids.map((id) => [id, 0]));
  const busy = new Array(config.cores).fill(0);
  const finishes = new Map<string, number>(ids.map((id) => [id, 0]));
  let preempts = 0;
  const leave = (e: SchedEvent & { core: number }) => {
    expect(onCore[e.core]).toBe(e.task);
    expect(coreOf.get(e.task)).toBe(e.core);
    onCore[e.core] = null;
    coreOf.delete(e.task);
    const ran = e.t - dispatchAt.get(e.task)!;
    cpuUsed.set(e.task, cpuUsed.get(e.task)! + ran);
    busy[e.core] += ran;
  };
  const enqueue = (task: string, t: number) => {
    status.set(task, 'ready');
    readyAt.set(task, t);
  };
  for (const e of trace) {
    switch (e.kind) {
      case 'ready':
        if (e.reason === 'io-done') {
          expect(status.get(e.task)).toBe('io');
          expect(e.t).toBe(ioUntil.get(e.task));
        } else {
          expect(status.get(e.task)).toBe('new');
          const spec = tasks.find((t) => t.id === e.task)!;
          expect(e.t).toBeGreaterThanOrEqual(spec.arrival ?? 0);
          for (const dep of spec.after ?? []) expect(status.get(dep)).toBe('done');
        }
        enqueue(e.task, e.t);
        break;
      case 'dispatch':
        expect(status.get(e.task)).toBe('ready');
        expect(onCore[e.core]).toBe(null);
        onCore[e.core] = e.task;
        coreOf.set(e.task, e.core);
        status.set(e.task, 'running');
        dispatchAt.set(e.task, e.t);
        waited.set(e.task, waited.get(e.task)! + e.t - readyAt.get(e.task)!);
        break;
      case 'preempt':
        preempts++;
        // A preempted task has run for a whole number of quanta since its dispatch.
        {
          const q = (e.t - dispatchAt.get(e.task)!) / config.quantum;
          expect(Math.abs(q - Math.round(q))).toBeLessThan(1e-6);
          expect(Math.round(q)).toBeGreaterThanOrEqual(1);
        }
        leave(e);
        enqueue(e.task, e.t);
        break;
      case 'yield':
        leave(e);
        enqueue(e.task, e.t);
        break;
      case 'io-wait':
        leave(e);
        status.set(e.task, 'io');
        ioUntil.set(e.task, e.until);
        break;
      case 'finish':
        leave(e);
        status.set(e.task, 'done');
        finishes.set(e.task, finishes.get(e.task)! + 1);
        break;
    }
  }
  for (const id of ids) {
    expect(finishes.get(id)).toBe(1);
    expect(Math.abs(cpuUsed.get(id)! - cpuOf.get(id)!)).toBeLessThanOrEqual(1e-6 * Math.max(1, cpuOf.get(id)!));
  }
  if (config.policy !== 'timeslice') expect(preempts).toBe(0);

  // Metrics agree with the trace.
  const lastFinish = Math.max(...trace.filter((e) => e.kind === 'finish').map((e) => e.t));
  expect(metrics.makespan).toBe(lastFinish);
  const totalCpu = [...cpuOf.values()].reduce((a, b) => a + b, 0);
  expect(Math.abs(metrics.totalCpu - totalCpu)).toBeLessThanOrEqual(tol(totalCpu) * 10);
  expect(Math.abs(metrics.busy.reduce((a, b) => a + b, 0) - totalCpu)).toBeLessThanOrEqual(1e-6 * Math.max(1, totalCpu));
  metrics.utilization.forEach((u, c) => {
    expect(u).toBeGreaterThanOrEqual(0);
    expect(u).toBeLessThanOrEqual(1);
    expect(Math.abs(u - (metrics.makespan > 0 ? busy[c] / metrics.makespan : 0))).toBeLessThan(1e-9);
  });
  metrics.tasks.forEach((m) => {
    expect(Math.abs(m.waiting - waited.get(m.id)!)).toBeLessThanOrEqual(1e-6);
    expect(m.turnaround).toBeGreaterThanOrEqual(m.cpu - 1e-9);
  });
  expect(metrics.makespanOneCore).toBe(simulate({ ...config, cores: 1 }, run.seed).metrics.makespan);
  expect(metrics.speedup).toBeCloseTo(metrics.makespan > 0 ? metrics.makespanOneCore / metrics.makespan : 1, 12);

  // The fold: end state, random steps against the reference, and no idle core while a task waits.
  const fold = schedulerFold(run, 16);
  const end = fold.at(trace.length);
  expect(end).toEqual(referenceState(run, trace.length));
  expect(end.cores.every((c) => c === null)).toBe(true);
  expect(end.ready).toEqual([]);
  expect(end.io).toEqual([]);
  expect([...end.finished].sort()).toEqual([...ids].sort());
  expect(end.segments.some((s) => s.open)).toBe(false);
  for (const id of ids) {
    const sum = end.segments.filter((s) => s.task === id).reduce((a, s) => a + (s.end - s.start), 0);
    expect(Math.abs(sum - cpuOf.get(id)!)).toBeLessThanOrEqual(1e-6 * Math.max(1, cpuOf.get(id)!));
  }
  for (let k = 0; k < 6; k++) {
    const i = r.int(0, trace.length);
    expect(fold.at(i)).toEqual(referenceState(run, i));
  }
  // Time slicing: a task is preempted only when enough others wait to fill every idle core,
  // including the one it leaves, and it keeps its core past the end of a quantum only when nobody
  // else was left waiting.
  if (config.policy === 'timeslice') {
    for (let i = 0; i < trace.length; i++) {
      if (trace[i].kind !== 'preempt') continue;
      // Preemptions at one instant are consecutive; count them against the state just before.
      let j = i;
      while (j < trace.length && trace[j].kind === 'preempt') j++;
      const before = fold.at(i);
      const idle = before.cores.filter((c) => c === null).length;
      expect(j - i).toBeLessThanOrEqual(before.ready.length - idle);
      const after = fold.at(j);
      expect(after.ready.slice(after.ready.length - (j - i))).toEqual(trace.slice(i, j).map((e) => e.task));
      i = j - 1;
    }
    for (const seg of end.segments) {
      let b = seg.start + config.quantum;
      while (b < seg.end - 1e-9) {
        const st = fold.at(fold.stepAtTime(b));
        const preemptedNow = new Set(trace.filter((e) => e.kind === 'preempt' && e.t === b).map((e) => e.task));
        for (const waiting of st.ready) expect(preemptedNow.has(waiting)).toBe(true);
        b = b + config.quantum;
      }
    }
  }
  // Work conservation: at the end of every instant, either nobody is ready or every core is busy.
  for (let i = 1; i <= trace.length; i++) {
    if (i < trace.length && trace[i].t === trace[i - 1].t) continue;
    const st = fold.at(i);
    expect(st.ready.length === 0 || st.cores.every((c) => c !== null)).toBe(true);
  }
}

describe('scheduler invariants on random configs', () => {
  it('hold for 200 seeded random configs', () => {
    const r = new Rng('invariants');
    let withTasks = 0;
    for (let k = 0; k < 200; k++) {
      const config = randomConfig(r);
      if (config.tasks) withTasks++;
      const run = simulate(config, r.int(0, 1_000_000));
      checkRun(run, r);
    }
    expect(withTasks).toBeGreaterThan(30);
  });
});
