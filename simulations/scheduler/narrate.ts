/**
 * One plain-English line per step, for the lab's aria-live narration and the presenter view.
 *
 * `narrate(run, i)` describes step i, the state after events 0..i-1: it tells what happened at
 * the time of event i-1, combining it with the events just before it at the same time (so
 * stepping through one instant builds the sentence up clause by clause, and never mentions an
 * event the lanes do not show yet). Step 0 describes the starting point.
 *
 * Cores are named for people: the 0-based core index k is "core k+1" (`coreLabel`), so lanes
 * should use `coreLabel` too.
 */
import { formatMs } from '../core/format';
import type { SchedEvent, SchedulerRun } from './types';

/** Most clauses in one line; earlier events of the same instant are only counted. */
const MAX_CLAUSES = 4;
/** Task names listed in one clause before "and N more" (one more is listed rather than "and 1 more"). */
const MAX_NAMES = 3;

/** Learner-facing name of a 0-based core index: 0 -> "core 1". */
export function coreLabel(core: number): string {
  return `core ${core + 1}`;
}

/** Milliseconds for reading (the site's one rule, #sim/core/format): "12.25", "1,250". */
export { formatMs };

function names(tasks: string[]): string {
  if (tasks.length === 1) return tasks[0];
  if (tasks.length <= MAX_NAMES + 1) return `${tasks.slice(0, -1).join(', ')} and ${tasks[tasks.length - 1]}`;
  return `${tasks.slice(0, MAX_NAMES).join(', ')} and ${tasks.length - MAX_NAMES} more`;
}

function taskWord(n: number): string {
  return n === 1 ? 'task' : 'tasks';
}

/** The `after` list of a task, or []. */
function depsOf(run: Pick<SchedulerRun, 'tasks'>, id: string): string[] {
  for (const t of run.tasks) if (t.id === id) return t.after ?? [];
  return [];
}

function clause(run: Pick<SchedulerRun, 'tasks'>, group: SchedEvent[]): string {
  const first = group[0];
  const tasks = group.map((e) => e.task);
  const n = group.length;
  switch (first.kind) {
    case 'ready': {
      if (first.reason === 'arrival') {
        return n === 1 ? `task ${tasks[0]} arrives and joins the ready queue` : `tasks ${names(tasks)} arrive and join the ready queue`;
      }
      if (first.reason === 'io-done') {
        return n === 1
          ? `task ${tasks[0]}'s I/O is done, so it rejoins the ready queue`
          : `the I/O of tasks ${names(tasks)} is done, so they rejoin the ready queue`;
      }
      const deps = depsOf(run, tasks[0]);
      const same = tasks.every((id) => {
        const d = depsOf(run, id);
        return d.length === deps.length && d.every((x, k) => x === deps[k]);
      });
      const because =
        same && deps.length === 1
          ? `now that ${deps[0]} has finished`
          : same && deps.length > 1 && deps.length <= MAX_NAMES
            ? `now that ${names(deps)} have finished`
            : 'now that the tasks they wait for have finished';
      return `${n === 1 ? `task ${tasks[0]} is` : `tasks ${names(tasks)} are`} ready ${because}`;
    }
    case 'dispatch': {
      const listed = n <= MAX_NAMES + 1 ? n : MAX_NAMES;
      const parts = group.slice(0, listed).map((e) => `${coreLabel((e as { core: number }).core)} picks task ${e.task}`);
      if (n > listed) parts.push(`${n - listed} more cores pick up tasks`);
      return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
    }
    case 'yield':
      return n === 1
        ? `task ${tasks[0]} yields ${coreLabel(first.core)} and goes to the back of the ready queue`
        : `tasks ${names(tasks)} yield their cores and go to the back of the ready queue`;
    case 'preempt':
      return n === 1
        ? `task ${tasks[0]}'s time slice is up, so ${coreLabel(first.core)} sends it to the back of the ready queue`
        : `the time slices of tasks ${names(tasks)} are up, so they go to the back of the ready queue`;
    case 'io-wait':
      return n === 1
        ? `task ${tasks[0]} waits for I/O until t=${formatMs(first.until)} ms, freeing ${coreLabel(first.core)}`
        : `tasks ${names(tasks)} start waiting for I/O, freeing their cores`;
    case 'finish':
      return n === 1 ? `task ${tasks[0]} finishes on ${coreLabel(first.core)}` : `tasks ${names(tasks)} finish`;
  }
}

function sameKind(a: SchedEvent, b: SchedEvent): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'ready' && b.kind === 'ready') return a.reason === b.reason;
  return true;
}

/** Narration of step i (see the module comment). `i` is clamped to [0, trace.length]. */
export function narrate(run: Pick<SchedulerRun, 'trace' | 'tasks' | 'config' | 'truncated' | 'metrics'>, i: number): string {
  const trace = run.trace;
  const step = Math.max(0, Math.min(trace.length, Number.isFinite(i) ? Math.floor(i) : i > 0 ? trace.length : 0));
  const cores = run.config.cores;
  const nTasks = run.tasks.length;
  if (step === 0) {
    return `t=0 ms: ${nTasks} ${taskWord(nTasks)} and ${cores} ${cores === 1 ? 'core' : 'cores'}; nothing has run yet.`;
  }
  const last = step - 1;
  const t = trace[last].t;
  let from = last;
  while (from > 0 && trace[from - 1].t === t) from--;
  // Runs of consecutive events of the same kind make one clause each; keep the latest few.
  const runs: [number, number][] = [];
  let k = from;
  while (k <= last) {
    let end = k + 1;
    while (end <= last && sameKind(trace[k], trace[end])) end++;
    runs.push([k, end]);
    k = end;
  }
  const shown = runs.slice(-MAX_CLAUSES);
  const skipped = shown[0][0] - from;
  const clauses = shown.map(([a, b]) => clause(run, trace.slice(a, b)));
  const earlier = skipped > 0 ? `after ${skipped} earlier ${skipped === 1 ? 'event' : 'events'} at this time, ` : '';
  let line = `t=${formatMs(t)} ms: ${earlier}${clauses.join('; ')}.`;
  if (step === trace.length) {
    if (run.truncated) {
      line += ` The recording stops here: this run has more events than the lab keeps (${trace.length}).`;
    } else {
      line += nTasks === 1
        ? ` The task is done after ${formatMs(run.metrics.makespan)} ms.`
        : ` All ${nTasks} tasks are done after ${formatMs(run.metrics.makespan)} ms.`;
    }
  }
  return line;
}
