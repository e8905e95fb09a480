/**
 * The task tree of a run, derived from its trace (pure: same run, same tree).
 *
 * Nodes are the program's units of asynchronous work:
 * - `root`: the main script (the program's global scope; it never settles);
 * - `async`: one call of an async function (named by its promise; it is `running` while its body
 *   is on the stack, `suspended` while it awaits, or after its body returned a promise it now
 *   follows, and settles with its promise);
 * - `delay`: a `delay(ms)` promise (`pending` until its timer fires; `cancelled` when an abort
 *   clears its timer);
 * - `timer` / `interval`: a setTimeout / setInterval (`pending` while armed, `running` while its
 *   callback runs; a timer settles after its callback, an interval only when cleared, which makes
 *   either `cancelled`);
 * - `timeout`: the timer of `AbortSignal.timeout` (settles when it aborts its signal);
 * - `combinator`: a `Promise.all` / `allSettled` / `any` / `race` (settles with its promise).
 *
 * `parent` is the node that started it: the async call whose body was running (or the timer
 * whose callback was running, or the root) when the call was made, the timer was set or the
 * combinator was called. Work started from a promise callback or a queueMicrotask callback has
 * the root as parent (the trace does not say who registered the callback). `awaitedBy` lists the
 * nodes that wait for its result: an async call that `await`s its promise (or returned it, and
 * follows it), a combinator it was given to.
 *
 * ORPHANS. A node is an orphan once it is still pending, running or suspended while every node
 * that could observe its result has settled: each node of `awaitedBy` and its `parent`. A timer's
 * callback belongs to the scope of whoever set the timer: a timer (or interval, or timeout) as an
 * observer is alive as long as its own observers are. The root never settles, so work the main
 * script starts and keeps a handle on is never an orphan; a node with a `then`/`catch`/`finally`
 * callback on its promise is observed by that callback and is not an orphan either. An orphan
 * stays marked after its scope ends (`orphanedAt`, the trace index where it became one), even if
 * it later settles. Typical orphans: the loser of a Promise.race, the siblings of a failed
 * Promise.all still running when the function that awaited it returns, a timer set by an async
 * function that returned without clearing it.
 *
 * Steps: as everywhere in the lab, step s shows the state after trace events 0..s-1. A node
 * created by trace event i appears at step i + 1. `taskTree(run)` is the final tree (computed
 * once per run and cached); `taskTreeAt(run, step)` reads the same nodes at a step, in O(nodes).
 *
 * Trace fields used: push/pop, await.by and resume.by (which async call suspends and resumes),
 * promise-create, promise-settle, promise-follow, promise-then, timer-set, timer-clear,
 * task-start/task-end (timer tasks), signal-abort (a rejection with an aborted signal's reason
 * is a cancellation: a delay given an aborted signal, an async call rejected with that reason).
 */
import type { EventLoopEvent, EventLoopRun } from './types';

export type TaskKind = 'root' | 'async' | 'delay' | 'timer' | 'interval' | 'timeout' | 'combinator';
export type TaskState = 'running' | 'suspended' | 'pending' | 'settled' | 'cancelled';

export interface TaskNode {
  id: number;
  kind: TaskKind;
  /** "main()", "delay(100)", "setTimeout tick (timer 2)", "Promise.race"... */
  label: string;
  /** The node that started it; null only for the root. */
  parent: number | null;
  /** Nodes started by this one, in start order. */
  children: number[];
  /** Nodes that wait for its result (await, a returned promise it follows, a combinator). */
  awaitedBy: number[];
  state: TaskState;
  /** How its promise settled (promise nodes). */
  outcome?: 'fulfilled' | 'rejected';
  /** Trace index of the event that created it. */
  start: number;
  /** Trace index of the event that settled or cancelled it. */
  end?: number;
  /** Every state change: [trace index, new state], the first at `start`. */
  history: [number, TaskState][];
  /** One of the engine's promise ids (async, delay, combinator nodes). */
  promise?: number;
  /** The timer id (timer, interval, timeout and delay nodes). */
  timer?: number;
  orphan: boolean;
  /** Trace index where it became an orphan. */
  orphanedAt?: number;
}

export interface TaskTree {
  /** The step shown (trace events applied). */
  step: number;
  /** Indexed by id; node 0 is the root. */
  nodes: TaskNode[];
  /** Ids of the orphans, in the order they became orphans. */
  orphans: number[];
}

interface Work extends TaskNode {
  /** [observer id, trace index] for each awaitedBy entry. */
  awaitedAt: [number, number][];
  /** A then/catch/finally callback waits for it (from this trace index). */
  callbackAt?: number;
  /** Ids of the nodes it waits for (the reverse of awaitedBy). */
  observing: number[];
}

const LIVE: ReadonlySet<TaskState> = new Set(['running', 'suspended', 'pending']);
const TIMERLIKE: ReadonlySet<TaskKind> = new Set(['timer', 'interval', 'timeout']);

function build(trace: readonly EventLoopEvent[]): Work[] {
  const nodes: Work[] = [];
  const byPromise = new Map<number, Work>();
  const byTimer = new Map<number, Work>();
  const abortReasons = new Set<string>();
  /** The frames on the stack: the node each one runs for (undefined: none of its own). */
  let frames: (Work | undefined)[] = [];
  let lastCombinator: Work | null = null;
  let pendingDelay: Work | null = null;
  let timerTask: Work | undefined;

  const make = (kind: TaskKind, label: string, parent: Work | null, at: number, state: TaskState): Work => {
    const n: Work = {
      id: nodes.length,
      kind,
      label,
      parent: parent ? parent.id : null,
      children: [],
      awaitedBy: [],
      awaitedAt: [],
      observing: [],
      state,
      start: at,
      history: [[at, state]],
      orphan: false,
    };
    nodes.push(n);
    if (parent) parent.children.push(n.id);
    return n;
  };
  const root = make('root', '(main script)', null, 0, 'pending');

  const current = (): Work => {
    for (let i = frames.length - 1; i >= 0; i--) if (frames[i]) return frames[i]!;
    return root;
  };
  const setState = (n: Work, state: TaskState, at: number): void => {
    if (n.state === state) return;
    if (n.state === 'settled' || n.state === 'cancelled') return; // final
    n.state = state;
    n.history.push([at, state]);
    if (state === 'settled' || state === 'cancelled') {
      n.end = at;
      checkAfterSettle(n, at);
    }
  };

  /** Can `o` still observe a result? Timers pass the question on to their own observers. */
  const alive = (o: Work, depth = 0): boolean => {
    if (o.kind === 'root') return true;
    if (depth > 64) return true;
    if (TIMERLIKE.has(o.kind)) return observers(o).some((x) => alive(x, depth + 1));
    return LIVE.has(o.state);
  };
  const observers = (n: Work): Work[] => {
    const list: Work[] = [];
    if (n.parent !== null) list.push(nodes[n.parent]);
    for (const [o] of n.awaitedAt) list.push(nodes[o]);
    return list;
  };
  const check = (n: Work, at: number): void => {
    if (n.orphan || n.kind === 'root' || !LIVE.has(n.state) || n.callbackAt !== undefined) return;
    if (observers(n).some((o) => alive(o))) return;
    n.orphan = true;
    n.orphanedAt = at;
  };
  /** `x` settled: the nodes it could observe may now be orphans (through timers, their callbacks' work too). */
  const checkAfterSettle = (x: Work, at: number, depth = 0): void => {
    if (depth > 64) return;
    const affected = new Set<number>([...x.children, ...x.observing]);
    for (const id of affected) {
      const n = nodes[id];
      check(n, at);
      if (TIMERLIKE.has(n.kind) && !alive(n)) checkAfterSettle(n, at, depth + 1);
    }
  };
  const observe = (n: Work, by: Work, at: number): void => {
    if (n === by || n.awaitedAt.some(([o]) => o === by.id)) return;
    n.awaitedAt.push([by.id, at]);
    n.awaitedBy.push(by.id);
    by.observing.push(n.id);
  };

  /** The running timer task's callback is done: a timer settles, an interval waits for its next run. */
  const callbackDone = (at: number): void => {
    if (!timerTask || timerTask.state !== 'running') return;
    if (timerTask.kind === 'interval') setState(timerTask, 'pending', at);
    else if (timerTask.kind !== 'delay') setState(timerTask, 'settled', at);
  };

  for (let i = 0; i < trace.length; i++) {
    const e = trace[i];
    switch (e.kind) {
      case 'task-start': {
        frames = [];
        timerTask = e.timer !== undefined ? byTimer.get(e.timer) : undefined;
        if (timerTask) {
          if (timerTask.kind !== 'delay') setState(timerTask, 'running', i);
          frames.push(timerTask);
        }
        if (e.source === 'script') setState(root, 'running', i);
        break;
      }
      case 'task-end': {
        callbackDone(i);
        if (root.state === 'running') setState(root, 'pending', i);
        timerTask = undefined;
        frames = [];
        break;
      }
      case 'microtask-start':
      case 'tick-start':
        // The timer's callback has returned: the checkpoint after it runs other work's jobs, and
        // a job that settles the async call that set the timer must not find the timer running.
        callbackDone(i);
        frames = [];
        break;
      case 'push':
        frames.push(e.fn === -1 ? root : undefined);
        break;
      case 'pop': {
        const top = frames.pop();
        // An async body that returned a promise (or thenable) follows it: suspended until it settles.
        if (top && top.kind === 'async' && top.state === 'running') setState(top, 'suspended', i);
        break;
      }
      case 'promise-create': {
        const prev = trace[i - 1];
        if (e.by.startsWith('async ') && prev && prev.kind === 'push' && prev.fn >= 0 && prev.name === e.by.slice(6)) {
          const parent = (() => {
            for (let k = frames.length - 2; k >= 0; k--) if (frames[k]) return frames[k]!;
            return root;
          })();
          const n = make('async', prev.name === '(anonymous)' ? 'async (anonymous)' : `${prev.name}()`, parent, i, 'running');
          n.promise = e.promise;
          byPromise.set(e.promise, n);
          frames[frames.length - 1] = n;
          check(n, i);
        } else if (e.by.startsWith('delay(')) {
          const n = make('delay', e.by, current(), i, 'pending');
          n.promise = e.promise;
          byPromise.set(e.promise, n);
          pendingDelay = n;
          check(n, i);
        } else if (/^Promise\.(all|allSettled|any|race)$/.test(e.by)) {
          const n = make('combinator', e.by, current(), i, 'pending');
          n.promise = e.promise;
          byPromise.set(e.promise, n);
          lastCombinator = n;
          check(n, i);
        }
        break;
      }
      case 'timer-set': {
        const known = byTimer.get(e.timer);
        if (known) {
          if (known.kind === 'interval' && known.state === 'running') setState(known, 'pending', i);
          break;
        }
        if (e.api === 'delay' && pendingDelay) {
          pendingDelay.timer = e.timer;
          byTimer.set(e.timer, pendingDelay);
          pendingDelay = null;
          break;
        }
        const kind: TaskKind = e.callback === 'AbortSignal.timeout' ? 'timeout' : e.api === 'setInterval' ? 'interval' : 'timer';
        const label = kind === 'timeout' ? `AbortSignal.timeout(${e.delay}) (timer ${e.timer})` : `${e.api} ${e.callback} (timer ${e.timer})`;
        const n = make(kind, label, current(), i, 'pending');
        n.timer = e.timer;
        byTimer.set(e.timer, n);
        check(n, i);
        break;
      }
      case 'timer-clear': {
        const n = byTimer.get(e.timer);
        if (n && e.was !== 'none') setState(n, 'cancelled', i);
        break;
      }
      case 'await': {
        const n = e.by !== undefined ? byPromise.get(e.by) : undefined;
        frames.pop();
        if (!n) break;
        setState(n, 'suspended', i);
        const awaited = byPromise.get(e.promise);
        if (awaited) observe(awaited, n, i);
        break;
      }
      case 'resume': {
        callbackDone(i); // an await resumes in a job of the checkpoint, after the callback
        const n = e.by !== undefined ? byPromise.get(e.by) : undefined;
        frames = [n];
        if (n) setState(n, 'running', i);
        break;
      }
      case 'promise-follow': {
        const n = byPromise.get(e.promise);
        const followed = e.thenable !== undefined ? byPromise.get(e.thenable) : undefined;
        if (n && followed) observe(followed, n, i);
        break;
      }
      case 'promise-then': {
        const n = byPromise.get(e.promise);
        if (!n) break;
        if (e.via === 'all' || e.via === 'allSettled' || e.via === 'any' || e.via === 'race') {
          if (lastCombinator && lastCombinator.label === `Promise.${e.via}`) observe(n, lastCombinator, i);
        } else if (e.via === 'then' || e.via === 'catch' || e.via === 'finally') {
          if (n.callbackAt === undefined) n.callbackAt = i;
        }
        break;
      }
      case 'promise-settle': {
        const n = byPromise.get(e.promise);
        if (!n) break;
        n.outcome = e.state;
        const cancelled = n.state === 'cancelled' || (e.state === 'rejected' && abortReasons.has(e.value));
        setState(n, cancelled ? 'cancelled' : 'settled', i);
        break;
      }
      case 'signal-abort': {
        abortReasons.add(e.reason);
        const n = timerTask && timerTask.kind === 'timeout' ? timerTask : undefined;
        if (n) setState(n, 'settled', i);
        break;
      }
    }
  }
  return nodes;
}

const cache = new WeakMap<object, Work[]>();

function nodesOf(run: Pick<EventLoopRun, 'trace'>): Work[] {
  let nodes = cache.get(run.trace);
  if (!nodes) {
    nodes = build(run.trace);
    cache.set(run.trace, nodes);
  }
  return nodes;
}

function publicNode(n: Work, step: number): TaskNode {
  let state = n.history[0][1];
  for (const [at, s] of n.history) if (at < step) state = s;
  const ended = n.end !== undefined && n.end < step;
  return {
    id: n.id,
    kind: n.kind,
    label: n.label,
    parent: n.parent,
    children: n.children.slice(),
    awaitedBy: n.awaitedAt.filter(([, at]) => at < step).map(([o]) => o),
    state,
    outcome: ended ? n.outcome : undefined,
    start: n.start,
    end: ended ? n.end : undefined,
    history: n.history.filter(([at]) => at < step || at === n.start),
    promise: n.promise,
    timer: n.timer,
    orphan: n.orphanedAt !== undefined && n.orphanedAt < step,
    orphanedAt: n.orphanedAt !== undefined && n.orphanedAt < step ? n.orphanedAt : undefined,
  };
}

/** The tree at step `step` (events 0..step-1 applied): nodes created by then, with their state then. */
export function taskTreeAt(run: Pick<EventLoopRun, 'trace'>, step: number): TaskTree {
  const all = nodesOf(run);
  const s = Math.max(0, Math.min(run.trace.length, Number.isFinite(step) ? Math.floor(step) : step > 0 ? run.trace.length : 0));
  // The root exists from the start; other nodes once their creating event is applied.
  const visible = all.filter((n) => n.kind === 'root' || n.start < s);
  const ids = new Set(visible.map((n) => n.id));
  const nodes = visible.map((n) => {
    const p = publicNode(n, s);
    p.children = p.children.filter((c) => ids.has(c));
    return p;
  });
  const orphans = nodes.filter((n) => n.orphan).sort((a, b) => a.orphanedAt! - b.orphanedAt! || a.id - b.id).map((n) => n.id);
  return { step: s, nodes, orphans };
}

/** The final tree (every event applied). */
export function taskTree(run: Pick<EventLoopRun, 'trace'>): TaskTree {
  return taskTreeAt(run, run.trace.length);
}

/** How many orphans the tree has (the final tree when given a run). */
export function orphanCount(x: TaskTree | Pick<EventLoopRun, 'trace'>): number {
  return 'orphans' in x ? x.orphans.length : taskTree(x).orphans.length;
}

/* ---------------- rows: the tree as indented rows, per step ---------------- */

/** One node of the final tree placed in depth-first order, with what a step needs to read its state. */
export interface TaskRowPlan {
  id: number;
  kind: TaskKind;
  label: string;
  /** Nesting level under the root (the root is 0). */
  depth: number;
  parent: number | null;
  start: number;
  end?: number;
  outcome?: 'fulfilled' | 'rejected';
  history: readonly [number, TaskState][];
  orphanedAt?: number;
  /** Labels of the nodes that wait for it, with the trace index from which each waits. */
  awaitedAt: readonly [string, number][];
}

/** The run's nodes in depth-first order (children in start order): computed once per run. */
export interface TaskLayout {
  rows: readonly TaskRowPlan[];
  /** Trace length (the last step). */
  length: number;
}

/** One row of the tree at a step. */
export interface TaskRow {
  id: number;
  kind: TaskKind;
  label: string;
  depth: number;
  state: TaskState;
  /** Set once it has settled (by this step). */
  outcome?: 'fulfilled' | 'rejected';
  orphan: boolean;
  /** Labels of the nodes waiting for it by this step. */
  awaitedBy: string[];
}

const layoutCache = new WeakMap<object, TaskLayout>();

/** The tree's nodes as indented rows in depth-first order (cached per trace). */
export function taskLayout(run: Pick<EventLoopRun, 'trace'>): TaskLayout {
  const known = layoutCache.get(run.trace);
  if (known) return known;
  const nodes = nodesOf(run);
  const rows: TaskRowPlan[] = [];
  // Iterative DFS: a deep chain of async calls must not overflow the stack.
  const todo: [number, number][] = nodes.length > 0 ? [[0, 0]] : [];
  while (todo.length > 0) {
    const [id, depth] = todo.pop()!;
    const n = nodes[id];
    rows.push({
      id: n.id,
      kind: n.kind,
      label: n.label,
      depth,
      parent: n.parent,
      start: n.start,
      end: n.end,
      outcome: n.outcome,
      history: n.history,
      orphanedAt: n.orphanedAt,
      awaitedAt: n.awaitedAt.map(([o, at]) => [nodes[o].label, at] as [string, number]),
    });
    for (let k = n.children.length - 1; k >= 0; k--) todo.push([n.children[k], depth + 1]);
  }
  const layout = { rows, length: run.trace.length };
  layoutCache.set(run.trace, layout);
  return layout;
}

/**
 * The rows at step `step` (events 0..step-1 applied), as taskTreeAt reads the nodes: a node
 * appears once its creating event is applied, shows its state of that step, and stays an orphan
 * from the step after it became one. O(rows + their history), no trace walk.
 */
export function taskRowsAt(layout: TaskLayout, step: number): { step: number; rows: TaskRow[]; orphans: number } {
  const s = Math.max(0, Math.min(layout.length, Number.isFinite(step) ? Math.floor(step) : step > 0 ? layout.length : 0));
  const rows: TaskRow[] = [];
  let orphans = 0;
  for (const r of layout.rows) {
    if (r.kind !== 'root' && r.start >= s) continue;
    let state = r.history[0][1];
    for (const [at, st] of r.history) {
      if (at < s) state = st;
      else break;
    }
    const orphan = r.orphanedAt !== undefined && r.orphanedAt < s;
    if (orphan) orphans++;
    rows.push({
      id: r.id,
      kind: r.kind,
      label: r.label,
      depth: r.depth,
      state,
      outcome: r.end !== undefined && r.end < s ? r.outcome : undefined,
      orphan,
      awaitedBy: r.awaitedAt.filter(([, at]) => at < s).map(([label]) => label),
    });
  }
  return { step: s, rows, orphans };
}
