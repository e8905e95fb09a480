/**
 * The scheduler model: tasks made of CPU bursts and I/O waits, run on N cores under a policy.
 *
 * This file is the contract between the engine (simulations/scheduler) and its views
 * (src/widgets/SchedulerLab). Everything a view shows is either in the trace, in the metrics,
 * or computed by a pure helper exported from this folder (fold, narrate), never in the widget.
 */
import type { Run, TraceEventBase } from '../core/trace';

/**
 * - `timeslice`: preemptive round robin. A running task is preempted when its quantum expires
 *   and goes to the back of the ready queue. With one core this is classic time-slicing.
 * - `parallel`: every ready task is dispatched to a free core and keeps it until its CPU burst
 *   ends (no preemption). Like OS threads on N cores with nothing else to run.
 * - `cooperative`: a task keeps its core until it explicitly yields (a `yield` step) or waits
 *   for I/O. Like an event loop: one long CPU burst holds everyone else up.
 */
export type Policy = 'timeslice' | 'parallel' | 'cooperative';

/** The task mix generated from a seed when `tasks` is not given. */
export type TaskMix = 'cpu' | 'io' | 'mixed';

/** One step of a task's program. */
export type Step =
  | { kind: 'cpu'; ms: number }
  | { kind: 'io'; ms: number }
  | { kind: 'yield' };

export interface TaskSpec {
  /** Short label shown in lanes and narration ("A", "B"...). Unique. */
  id: string;
  /** Ordered program. */
  steps: Step[];
  /** Virtual time at which the task becomes ready. Default 0. */
  arrival?: number;
  /** Task ids that must finish before this one becomes ready (used for the serial phase). */
  after?: string[];
}

export interface SchedulerConfig {
  /** Number of cores, 1..64. */
  cores: number;
  policy: Policy;
  /** Round-robin quantum in ms (timeslice only), 1..1000. */
  quantum: number;
  /** Generated workload: how many tasks in the parallel phase, 1..10,000. */
  taskCount: number;
  /** Generated workload: the kind of tasks. */
  mix: TaskMix;
  /**
   * Fraction of the total CPU work that must run serially before the parallel phase, 0..0.95
   * (LIMITS.serialFraction; s = 1 would leave nothing to run in parallel).
   * Implemented as one task `S` that every other task waits for: Amdahl's law.
   */
  serialFraction: number;
  /** Relative spread of generated burst lengths, 0 (all equal) .. 1. */
  jitter: number;
  /** Explicit tasks; when present, taskCount/mix/serialFraction/jitter are ignored. */
  tasks?: TaskSpec[];
}

/** Trace events. `task` is a TaskSpec id, `core` is 0-based. */
export type SchedEvent = TraceEventBase &
  (
    | { kind: 'ready'; task: string; reason: 'arrival' | 'io-done' | 'deps-done' }
    | { kind: 'dispatch'; task: string; core: number }
    | { kind: 'preempt'; task: string; core: number }
    | { kind: 'yield'; task: string; core: number }
    | { kind: 'io-wait'; task: string; core: number; until: number }
    | { kind: 'finish'; task: string; core: number }
  );

export interface SchedMetrics {
  /** Time at which the last task finished (ms). */
  makespan: number;
  /** Busy time / makespan for each core, 0..1. */
  utilization: number[];
  /** Makespan of the same workload on one core (same policy) divided by this makespan. */
  speedup: number;
  /**
   * Amdahl's prediction 1 / (s + (1 - s) / N) for this serial fraction and core count. With
   * explicit `tasks`, s is `config.serialFraction` as given (set it to describe those tasks).
   */
  amdahl: number;
  /** Sum of CPU ms over all tasks. */
  totalCpu: number;
  /** Per task: time spent ready but not running (ms), and its turnaround (finish - arrival). */
  tasks: { id: string; waiting: number; turnaround: number; cpu: number; io: number }[];
  /** Percentiles of waiting time across tasks. */
  waiting: { mean: number; p50: number; p95: number; max: number };
  /** Makespan of the same workload and policy on one core (ms): the numerator of `speedup`. */
  makespanOneCore: number;
  /** Busy (running a task) ms for each core; sums to `totalCpu`. */
  busy: number[];
}

export type SchedulerRun = Run<SchedEvent, SchedMetrics> & {
  /** The tasks that ran: `config.tasks` or the generated workload. */
  tasks: TaskSpec[];
  /** The validated config with defaults filled in. */
  config: SchedulerConfig;
  /** The seed as a uint32 (see core/rng `seedFrom`). */
  seed: number;
};
