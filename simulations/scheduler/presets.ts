/**
 * Named scheduler scenarios used by the lessons. Each is a complete config plus a seed, a title
 * and one sentence saying what to look at. Figures in the comments are what `simulate` gives.
 */
import { DEFAULT_CONFIG } from './config';
import type { SchedulerConfig, TaskSpec } from './types';

export interface SchedulerPreset {
  id: string;
  title: string;
  description: string;
  config: SchedulerConfig;
  seed: number;
}

/** A short I/O-bound task: 2 ms of CPU, 30 ms of I/O, twice, then 2 ms of CPU (66 ms in all). */
function ioTask(id: string): TaskSpec {
  return {
    id,
    steps: [
      { kind: 'cpu', ms: 2 },
      { kind: 'io', ms: 30 },
      { kind: 'cpu', ms: 2 },
      { kind: 'io', ms: 30 },
      { kind: 'cpu', ms: 2 },
    ],
  };
}

/** Three short I/O-bound tasks, then H: 200 ms of CPU with no yield in it. */
export const HOG_TASKS: readonly TaskSpec[] = Object.freeze([
  ioTask('A'),
  ioTask('B'),
  ioTask('C'),
  { id: 'H', steps: [{ kind: 'cpu', ms: 200 }] },
]);

function hogTasks(): TaskSpec[] {
  return HOG_TASKS.map((t) => ({ ...t, steps: t.steps.map((s) => ({ ...s })) }));
}

export const PRESETS: readonly SchedulerPreset[] = [
  {
    // Makespan 92 ms; each task alone takes 86 ms; back to back they would take 344 ms.
    id: 'io-one-core',
    title: 'Waiting together on one core',
    description:
      'Four tasks that mostly wait for I/O share a single core, and they finish in about the time of the longest one, not the sum of all four.',
    config: { ...DEFAULT_CONFIG, cores: 1, policy: 'timeslice', quantum: 10, taskCount: 4, mix: 'io', serialFraction: 0, jitter: 0 },
    seed: 1,
  },
  {
    // Makespan 212.5 ms against 1000 ms on one core: speedup 4.71, exactly Amdahl's 1 / (0.1 + 0.9 / 8).
    id: 'cpu-many-cores',
    title: 'Thirty-two CPU tasks on eight cores',
    description:
      'The parallel work shrinks eightfold, but the serial 10% still runs on one core, so the speedup stops at Amdahl’s 4.7×, not 8×.',
    config: { ...DEFAULT_CONFIG, cores: 8, policy: 'parallel', quantum: 10, taskCount: 32, mix: 'cpu', serialFraction: 0.1, jitter: 0 },
    seed: 1,
  },
  {
    // A, B, C finish at 240, 242, 244 ms: H holds the only core from 6 to 206 ms.
    id: 'cooperative-hog',
    title: 'One task that never yields',
    description:
      'With cooperative scheduling, task H computes for 200 ms without yielding, and the quick I/O tasks sit in the ready queue the whole time.',
    config: { ...DEFAULT_CONFIG, cores: 1, policy: 'cooperative', quantum: 10, serialFraction: 0, jitter: 0, tasks: hogTasks() },
    seed: 1,
  },
  {
    // A, B, C finish at 74, 76, 78 ms; H finishes at 218 ms instead of 206.
    id: 'timeslice-fair',
    title: 'The same tasks, time-sliced',
    description:
      'Time slices of 10 ms take the core away from H whenever another task is ready, so the I/O tasks finish early and H finishes only a little later.',
    config: { ...DEFAULT_CONFIG, cores: 1, policy: 'timeslice', quantum: 10, serialFraction: 0, jitter: 0, tasks: hogTasks() },
    seed: 1,
  },
];

/** The preset with this id; throws with the list of ids when there is none. */
export function getPreset(id: string): SchedulerPreset {
  const p = PRESETS.find((x) => x.id === id);
  if (!p) throw new Error(`There is no scheduler preset "${id}". Presets: ${PRESETS.map((x) => x.id).join(', ')}.`);
  return p;
}
