/**
 * Workload generation: the tasks a config describes when it has no explicit `tasks`.
 * Deterministic from the seed; with `jitter: 0` the seed does not matter at all.
 *
 * Units are milliseconds of virtual time. Shapes:
 *
 * - Serial task `S` (only when serialFraction s > 0): one CPU burst, listed first; every other
 *   task has `after: ['S']`. Its length makes S exactly a fraction s of all CPU work:
 *   S = s / (1 - s) x (CPU of the parallel tasks).
 *
 * - `cpu` mix: the total CPU work is fixed, W = WORK_MS = 1000 ms, whatever the task count, so
 *   one core always needs exactly 1000 ms and Amdahl's law reads straight off the numbers
 *   (S = s x 1000 ms; the other (1 - s) x 1000 ms is shared by the tasks). Each task is
 *   CPU_CHUNKS = 4 equal CPU chunks with a `yield` between them, so cooperative and parallel
 *   scheduling can interleave tasks.
 *
 * - `io` mix: each task is IO_BURSTS = 3 CPU bursts of IO_BURST_MS = 2 ms separated by I/O
 *   waits of IO_WAIT_MS = 40 ms (cpu 2, io 40, cpu 2, io 40, cpu 2: 6 ms of CPU in 86 ms).
 *
 * - `mixed` mix: tasks alternate, starting with a CPU-bound one (A, C, E... are CPU-bound,
 *   B, D, F... I/O-bound). A CPU-bound task has MIXED_CPU_TASK_MS = 40 ms of CPU in 4 chunks
 *   with yields between; an I/O-bound task has the `io` shape.
 *
 * Jitter j (0..1) spreads lengths: each length is multiplied by a weight drawn uniformly from
 * [1 - j, 1 + j] (never below 0.05). For CPU-bound tasks the weights are then rescaled so the
 * total CPU of the CPU-bound tasks stays exactly as above (so a `cpu` mix always totals 1000 ms);
 * I/O-bound bursts and waits are jittered independently and not rescaled.
 *
 * Task ids: "S" for the serial task, then A, B, ..., R, T, ..., Z ("S" is skipped so it never
 * names two tasks), then AA, AB, ... like spreadsheet columns (10,000 tasks need at most 3 letters).
 */
import { Rng, type Seed } from '../core/rng';
import type { SchedulerConfig, Step, TaskSpec } from './types';

export const WORK_MS = 1000;
export const CPU_CHUNKS = 4;
export const IO_BURSTS = 3;
export const IO_BURST_MS = 2;
export const IO_WAIT_MS = 40;
export const MIXED_CPU_TASK_MS = 40;
export const SERIAL_ID = 'S';

/** Spreadsheet-style column name: 0 -> A, 25 -> Z, 26 -> AA. */
function column(k: number): string {
  let s = '';
  let n = k + 1;
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** Id of the i-th generated (parallel) task, 0-based: A, B, ..., R, T, ..., Z, AA, AB, ... */
export function taskLabel(i: number): string {
  // Column 18 is "S", reserved for the serial task.
  return column(i < 18 ? i : i + 1);
}

function weight(rng: Rng, jitter: number): number {
  if (jitter === 0) return 1;
  return Math.max(0.05, 1 + jitter * (2 * rng.next() - 1));
}

/** `total` CPU split into CPU_CHUNKS equal chunks with yields between. */
function chunked(total: number): Step[] {
  const steps: Step[] = [];
  const chunk = total / CPU_CHUNKS;
  for (let k = 0; k < CPU_CHUNKS; k++) {
    if (k > 0) steps.push({ kind: 'yield' });
    steps.push({ kind: 'cpu', ms: chunk });
  }
  return steps;
}

function ioShape(rng: Rng, jitter: number): Step[] {
  const steps: Step[] = [];
  for (let k = 0; k < IO_BURSTS; k++) {
    if (k > 0) steps.push({ kind: 'io', ms: IO_WAIT_MS * weight(rng, jitter) });
    steps.push({ kind: 'cpu', ms: IO_BURST_MS * weight(rng, jitter) });
  }
  return steps;
}

/**
 * The generated task list for `config` (its `tasks` field is ignored). `config` must already be
 * valid (see validateConfig).
 */
export function generateTasks(config: SchedulerConfig, seed: Seed): TaskSpec[] {
  const rng = new Rng(seed);
  const n = config.taskCount;
  const j = config.jitter;
  const s = config.serialFraction;
  const isCpuBound = (i: number): boolean => config.mix === 'cpu' || (config.mix === 'mixed' && i % 2 === 0);

  // Draw CPU-bound weights first, in task order, then I/O-bound shapes in task order.
  const cpuIdx: number[] = [];
  for (let i = 0; i < n; i++) if (isCpuBound(i)) cpuIdx.push(i);
  const cpuWeights = cpuIdx.map(() => weight(rng, j));
  let wsum = 0;
  for (const w of cpuWeights) wsum += w;

  let serialMs: number;
  let cpuTotal: number; // total CPU of the CPU-bound tasks
  if (config.mix === 'cpu') {
    serialMs = s * WORK_MS;
    cpuTotal = WORK_MS - serialMs;
  } else {
    cpuTotal = cpuIdx.length * MIXED_CPU_TASK_MS;
    serialMs = 0; // set below, once the I/O-bound CPU is known
  }

  const steps: Step[][] = new Array(n);
  cpuIdx.forEach((i, k) => {
    steps[i] = chunked(j === 0 ? cpuTotal / cpuIdx.length : (cpuTotal * cpuWeights[k]) / wsum);
  });
  let parallelCpu = cpuTotal;
  for (let i = 0; i < n; i++) {
    if (isCpuBound(i)) continue;
    steps[i] = ioShape(rng, j);
    for (const st of steps[i]) if (st.kind === 'cpu') parallelCpu += st.ms;
  }
  if (config.mix !== 'cpu') serialMs = (s / (1 - s)) * parallelCpu;

  const tasks: TaskSpec[] = [];
  const hasSerial = s > 0;
  if (hasSerial) tasks.push({ id: SERIAL_ID, steps: [{ kind: 'cpu', ms: serialMs }] });
  for (let i = 0; i < n; i++) {
    const spec: TaskSpec = { id: taskLabel(i), steps: steps[i] };
    if (hasSerial) spec.after = [SERIAL_ID];
    tasks.push(spec);
  }
  return tasks;
}
