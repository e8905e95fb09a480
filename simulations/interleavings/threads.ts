/**
 * Threads mode (Deadlock Empire style): a few threads written as JavaScript generator functions
 * that `yield` one shared operation at a time. Each yield is a scheduling point: the scheduler
 * (the learner, or the explorer) picks which enabled thread performs its next operation. Code
 * between two yields is thread-local and runs at once (it cannot be observed by other threads).
 *
 * A program is source text (so a lab can show and edit it) run with these globals:
 *
 *   shared({ x: 0, ready: false })     declare shared variables and their initial values
 *   semaphore('s', 0)                   declare a counting semaphore with its initial count
 *   thread('A', function* () { ... })   declare a thread (in order; its index is its choice id)
 *   check((s) => assert(s.x === 2, 'x should be 2'))   final check, run once all threads finish
 *   assert(condition, message)          fails the run when condition is falsy
 *
 *   Operations (yield them; each is one atomic step):
 *   yield read('x')                     → the value of x
 *   yield write('x', v)
 *   yield* increment('x')               x++ as it runs: a read, then a write of that value + 1 (two steps)
 *   yield atomicAdd('x', n)             Atomics.add: adds n in one step, → the old value
 *   yield compareExchange('x', e, r)    Atomics.compareExchange: if x === e then x = r, → the old value
 *   yield exchange('x', v)              Atomics.exchange: x = v, → the old value
 *   yield lock('m') / yield unlock('m')   a mutex (not re-entrant: locking it twice blocks forever;
 *                                        unlocking a mutex the thread does not hold fails the run)
 *   yield acquire('s') / yield release('s')   semaphore wait (blocks at 0) / signal
 *   yield wait('cv', 'm')               condition variable: must hold m; releases m and sleeps until
 *                                        notified, then reacquires m (the reacquire is its own step,
 *                                        so another thread may take m first); no spurious wake-ups
 *   yield notify('cv') / yield notifyAll('cv')   wake the longest-waiting thread / all of them; a
 *                                        notify with nobody waiting is lost (the lost wake-up)
 *
 * Code between yields runs to the next yield at once: a loop that never yields hangs the engine
 * (the lab runs it in a Worker it can terminate). Mutexes and condition variables exist on first use. A run fails when an assert fails or a
 * thread throws; it is stuck (a deadlock) when some thread is unfinished and none is enabled.
 *
 * The top level runs once, when the program is compiled. Threads share state only through the
 * operations above: a thread's code must be deterministic in the results its operations return
 * (no Math.random, no clock, no writing top-level variables), because the engine memoises each
 * thread's code as a tree of (results so far → next operation) and reuses it across schedules.
 */
import { Parser } from 'acorn';
import type { Status, System } from './explore';

/** What `assert` throws. Not an Error subclass on purpose: an Error captures a stack trace when
 * constructed, which costs more than a whole schedule, and a failing check throws once per run. */
export class AssertionFailure {
  readonly name = 'AssertionFailure';
  constructor(readonly message: string) {}
}

export type Value = number | boolean | string | null;

export type Op =
  | { k: 'read'; x: string }
  | { k: 'write'; x: string; v: Value }
  | { k: 'add'; x: string; n: number }
  | { k: 'cas'; x: string; e: Value; r: Value }
  | { k: 'xchg'; x: string; v: Value }
  | { k: 'lock'; m: string }
  | { k: 'unlock'; m: string }
  | { k: 'acquire'; s: string }
  | { k: 'release'; s: string }
  | { k: 'wait'; cv: string; m: string }
  | { k: 'reacquire'; cv: string; m: string }
  | { k: 'notify'; cv: string }
  | { k: 'notifyAll'; cv: string };

const ops = {
  read: (x: string): Op => ({ k: 'read', x }),
  write: (x: string, v: Value): Op => ({ k: 'write', x, v }),
  atomicAdd: (x: string, n = 1): Op => ({ k: 'add', x, n }),
  compareExchange: (x: string, e: Value, r: Value): Op => ({ k: 'cas', x, e, r }),
  exchange: (x: string, v: Value): Op => ({ k: 'xchg', x, v }),
  lock: (m: string): Op => ({ k: 'lock', m }),
  unlock: (m: string): Op => ({ k: 'unlock', m }),
  acquire: (s: string): Op => ({ k: 'acquire', s }),
  release: (s: string): Op => ({ k: 'release', s }),
  wait: (cv: string, m: string): Op => ({ k: 'wait', cv, m }),
  notify: (cv: string): Op => ({ k: 'notify', cv }),
  notifyAll: (cv: string): Op => ({ k: 'notifyAll', cv }),
  *increment(x: string): Generator<Op, number, Value> {
    const v = (yield { k: 'read', x }) as number;
    yield { k: 'write', x, v: v + 1 };
    return v;
  },
  assert(condition: unknown, message?: string): void {
    if (!condition) throw new AssertionFailure(message ?? 'assertion failed');
  },
};

const OP_KINDS = new Set(['read', 'write', 'add', 'cas', 'xchg', 'lock', 'unlock', 'acquire', 'release', 'wait', 'notify', 'notifyAll']);

/** A human label for an operation, as the lab shows it (`x = 1`, `lock(m)`). */
export function opLabel(op: Op): string {
  const v = (x: Value) => JSON.stringify(x);
  switch (op.k) {
    case 'read':
      return `read ${op.x}`;
    case 'write':
      return `${op.x} = ${v(op.v)}`;
    case 'add':
      return `atomicAdd(${op.x}, ${op.n})`;
    case 'cas':
      return `compareExchange(${op.x}, ${v(op.e)}, ${v(op.r)})`;
    case 'xchg':
      return `exchange(${op.x}, ${v(op.v)})`;
    case 'lock':
      return `lock(${op.m})`;
    case 'unlock':
      return `unlock(${op.m})`;
    case 'acquire':
      return `acquire(${op.s})`;
    case 'release':
      return `release(${op.s})`;
    case 'wait':
      return `wait(${op.cv}, ${op.m})`;
    case 'reacquire':
      return `relock ${op.m} after wait(${op.cv})`;
    case 'notify':
      return `notify(${op.cv})`;
    case 'notifyAll':
      return `notifyAll(${op.cv})`;
  }
}

type Setup = (...api: unknown[]) => void;
type ThreadFn = () => Generator<Op, unknown, unknown>;

/** What a program's top level declares (it runs once, at compile time). */
interface Declared {
  shared: Record<string, Value>;
  semaphores: Record<string, number>;
  names: string[];
  fns: ThreadFn[];
  check: ((s: Record<string, Value>) => void) | null;
}

// The declaration globals write into the program being compiled (the top level runs
// synchronously, once).
let building: Declared | null = null;
function declaring(what: string): Declared {
  if (!building) throw new Error(`${what}(...) can only be called at the top level of the program, not inside a thread.`);
  return building;
}
const declarations = {
  shared(init: Record<string, Value>) {
    const d = declaring('shared');
    for (const k of Object.keys(init)) {
      const v = init[k];
      if (v !== null && typeof v === 'object') throw new Error(`shared: ${k} must be a number, boolean, string or null.`);
      d.shared[k] = v;
    }
  },
  semaphore(name: string, count = 0) {
    declaring('semaphore').semaphores[name] = count;
  },
  thread(name: string, fn: ThreadFn) {
    const d = declaring('thread');
    if (typeof fn !== 'function') throw new Error(`thread('${name}', ...) needs a generator function: function* () { ... }`);
    d.names.push(String(name));
    d.fns.push(fn);
  },
  check(fn: (s: Record<string, Value>) => void) {
    declaring('check').check = fn;
  },
};
/** The source line of the `yield` that produced the operation being made (set by the `__ln`
 * calls `lineTagged` adds in front of each yielded expression; 0 when unknown). */
let currentLine = 0;
const lineMark = (line: number): false => {
  currentLine = line;
  return false;
};
const API: Record<string, unknown> = { ...declarations, ...ops, __ln: lineMark };
const API_NAMES = Object.keys(API);
const API_ARGS = API_NAMES.map((n) => API[n]);

/**
 * One point in one thread's life: the operation it performs next, reached by feeding its
 * generator a given sequence of operation results. A thread's code is deterministic in those
 * results, so these nodes form a tree per thread (a memo shared by all runs): a run's thread
 * state is just a node, which makes a whole state cheap to copy, and the explorer restarts from
 * copies instead of re-running generators from the start. A generator is re-run from the start
 * only to reach a node not seen before whose parent's generator was already used.
 */
export interface ThreadNode {
  /** Next operation; null when the thread has finished or failed. */
  op: Op | null;
  done: boolean;
  /** Set when the thread's code threw (an assert, or any error) to get here. */
  error: string | null;
  parent: ThreadNode | null;
  /** The result fed to the parent's operation to reach this node. */
  input: unknown;
  children: Map<unknown, ThreadNode> | null;
  /** A generator paused exactly at this node, not yet advanced (used once, then null). */
  live: Generator<Op, unknown, unknown> | null;
  /** The source line (1-based, in the program's source) of the `yield` that is waiting here. */
  line?: number;
}

/** A compiled threads program. */
export interface ThreadsProgram {
  source: string;
  /** Thread names in declaration order; a choice is an index into this list. */
  threads: string[];
  initialShared: Record<string, Value>;
  initialSemaphores: Record<string, number>;
  check: ((s: Record<string, Value>) => void) | null;
  fns: ThreadFn[];
  /** Per thread, the root of its memo tree. */
  roots: ThreadNode[];
}

/** Compiles program source (see the file comment). Throws a readable Error on a syntax error, an
 * error at the top level, or a program that declares no thread. */
export function compileThreads(source: string): ThreadsProgram {
  let setup: Setup;
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    setup = new Function(...API_NAMES, '"use strict";\n' + lineTagged(source)) as Setup;
  } catch (e) {
    throw new Error(`The program does not parse: ${(e as Error).message}`);
  }
  const d: Declared = { shared: {}, semaphores: {}, names: [], fns: [], check: null };
  building = d;
  try {
    setup(...API_ARGS);
  } catch (e) {
    throw new Error(`The program's top level failed: ${messageOf(e)}`);
  } finally {
    building = null;
  }
  if (d.names.length === 0) throw new Error('The program declares no thread: add thread(name, function* () { ... }).');
  const program: ThreadsProgram = {
    source,
    threads: d.names,
    initialShared: d.shared,
    initialSemaphores: d.semaphores,
    check: d.check,
    fns: d.fns,
    roots: [],
  };
  program.roots = d.fns.map((fn, i) => {
    const g = fn();
    if (!g || typeof (g as Generator).next !== 'function') {
      return { op: null, done: false, error: `Thread ${d.names[i]} is not a generator function (write function* () { ... }).`, parent: null, input: undefined, children: null, live: null };
    }
    return advance(g as Generator<Op, unknown, unknown>, undefined, null, d.names[i]);
  });
  return program;
}

/**
 * The source with `__ln(line) || (...)` around the operand of every `yield` and `yield*`, so the
 * engine knows which line each operation comes from (an operation made inside a helper reached by
 * `yield*` gets the line of that `yield*`). Line numbers are the source's own. A source acorn
 * cannot parse is returned as it is (new Function then reports the error).
 */
export function lineTagged(source: string): string {
  let ast: AnyNode;
  try {
    ast = Parser.parse(source, { ecmaVersion: 'latest', sourceType: 'script', locations: true, allowReturnOutsideFunction: true }) as unknown as AnyNode;
  } catch {
    return source;
  }
  const edits: { pos: number; text: string; end: boolean }[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) {
      for (const x of n) walk(x);
      return;
    }
    if (!n || typeof n !== 'object' || typeof (n as AnyNode).type !== 'string') return;
    const node = n as AnyNode;
    if (node.type === 'YieldExpression' && node.argument) {
      edits.push({ pos: node.argument.start, text: `__ln(${node.loc!.start.line}) || (`, end: false });
      edits.push({ pos: node.argument.end, text: ')', end: true });
    }
    for (const k of Object.keys(node)) if (k !== 'loc') walk((node as unknown as Record<string, unknown>)[k]);
  };
  walk(ast);
  // Last position first; at one position, an opening goes in before a closing (so it ends up after it).
  edits.sort((a, b) => b.pos - a.pos || Number(a.end) - Number(b.end));
  let out = source;
  for (const e of edits) out = out.slice(0, e.pos) + e.text + out.slice(e.pos);
  return out;
}

interface AnyNode {
  type: string;
  start: number;
  end: number;
  loc?: { start: { line: number } };
  argument?: AnyNode | null;
}

function messageOf(e: unknown): string {
  if (e instanceof AssertionFailure) return e.message;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return `thrown: ${String(e)}`;
}

/** Feeds `input` to a generator and makes the node it reaches. */
function advance(g: Generator<Op, unknown, unknown>, input: unknown, parent: ThreadNode | null, name: string): ThreadNode {
  const node: ThreadNode = { op: null, done: false, error: null, parent, input, children: null, live: null };
  let r: IteratorResult<Op, unknown>;
  currentLine = 0;
  try {
    r = g.next(input);
  } catch (e) {
    node.error = messageOf(e);
    return node;
  }
  // No tagged yield ran: the operation comes from a library helper (increment) still inside the
  // same `yield*` as the previous one.
  const line = currentLine > 0 ? currentLine : parent?.line;
  if (line) node.line = line;
  if (r.done) {
    node.done = true;
    return node;
  }
  const op = r.value as Op;
  if (!op || typeof op !== 'object' || !OP_KINDS.has(op.k)) {
    const isGen = !!op && typeof (op as unknown as Generator).next === 'function';
    node.error = isGen
      ? `Thread ${name} yielded a generator: write yield* increment('x') (with a star), not yield increment('x').`
      : `Thread ${name} yielded ${JSON.stringify(op)}, not an operation (yield read('x'), lock('m'), ...).`;
    return node;
  }
  node.op = op;
  node.live = g;
  return node;
}

/** The node thread i reaches when its pending operation at `node` returns `result`. */
function childOf(p: ThreadsProgram, i: number, node: ThreadNode, result: unknown): ThreadNode {
  const m = (node.children ??= new Map());
  const c = m.get(result);
  if (c) return c;
  let g = node.live;
  node.live = null;
  if (!g) {
    // Re-run the thread's code from its start along the results that led to `node`.
    const inputs: unknown[] = [];
    for (let n: ThreadNode | null = node; n && n.parent; n = n.parent) inputs.push(n.input);
    g = p.fns[i]();
    g.next(undefined);
    for (let j = inputs.length - 1; j >= 0; j--) g.next(inputs[j]);
  }
  const child = advance(g, result, node, p.threads[i]);
  m.set(result, child);
  return child;
}

/** Thread flags in a state. */
const RUN = 0;
const SLEEP = 1; // in wait(cv, m), not yet notified
const RELOCK = 2; // notified (or just woken), must reacquire m before continuing

export interface ThreadsState {
  program: ThreadsProgram;
  shared: Record<string, Value>;
  /** Per thread: its memo node (its next operation). */
  nodes: ThreadNode[];
  /** Per thread: RUN, SLEEP or RELOCK (see the flags above), and the wait it is in. */
  flags: number[];
  waits: Array<{ cv: string; m: string } | null>;
  /** Mutex name → owner thread index, -1 when free. */
  mutexes: Record<string, number>;
  semaphores: Record<string, number>;
  /** Condition variable name → sleeping thread indices, longest-waiting first. */
  conditions: Record<string, number[]>;
  checked: boolean;
  failure: { thread: number; message: string } | null;
  steps: number;
}

function startThreads(p: ThreadsProgram): ThreadsState {
  const n = p.threads.length;
  const st: ThreadsState = {
    program: p,
    shared: { ...p.initialShared },
    nodes: p.roots.slice(),
    flags: new Array(n).fill(RUN),
    waits: new Array(n).fill(null),
    mutexes: {},
    semaphores: { ...p.initialSemaphores },
    conditions: {},
    checked: false,
    failure: null,
    steps: 0,
  };
  for (let i = 0; i < n; i++) {
    const e = st.nodes[i].error;
    if (e !== null) {
      st.failure = { thread: i, message: e };
      break;
    }
  }
  finishIfDone(st);
  return st;
}

function cloneThreads(st: ThreadsState): ThreadsState {
  const conditions: Record<string, number[]> = {};
  for (const c in st.conditions) conditions[c] = st.conditions[c].slice();
  return {
    program: st.program,
    shared: { ...st.shared },
    nodes: st.nodes.slice(),
    flags: st.flags.slice(),
    waits: st.waits.slice(),
    mutexes: { ...st.mutexes },
    semaphores: { ...st.semaphores },
    conditions,
    checked: st.checked,
    failure: st.failure,
    steps: st.steps,
  };
}

/** Results of final checks by check function and final shared state: a check is a function of
 * the shared variables alone, and throwing is the costliest thing a run does. */
const checkMemo = new WeakMap<(s: Record<string, Value>) => void, Map<string, string | null>>();

function finishIfDone(st: ThreadsState): void {
  if (st.failure || st.checked) return;
  for (const n of st.nodes) if (!n.done) return;
  st.checked = true;
  const check = st.program.check;
  if (!check) return;
  let memo = checkMemo.get(check);
  if (!memo) checkMemo.set(check, (memo = new Map()));
  const key = formatShared(st.shared);
  let verdict = memo.get(key);
  if (verdict === undefined) {
    verdict = null;
    try {
      check({ ...st.shared });
    } catch (e) {
      verdict = messageOf(e);
    }
    memo.set(key, verdict);
  }
  if (verdict !== null) st.failure = { thread: -1, message: verdict };
}

function canRun(st: ThreadsState, i: number): boolean {
  const f = st.flags[i];
  if (f === SLEEP) return false;
  if (f === RELOCK) return (st.mutexes[st.waits[i]!.m] ?? -1) === -1;
  const op = st.nodes[i].op;
  if (op === null) return false;
  switch (op.k) {
    case 'lock':
      return (st.mutexes[op.m] ?? -1) === -1;
    case 'acquire':
      return (st.semaphores[op.s] ?? 0) > 0;
    default:
      return true;
  }
}

/** The operation thread i performs next, as the lab labels it (the relock after a wait included). */
function pendingOp(st: ThreadsState, i: number): Op | null {
  if (st.flags[i] !== RUN) return { k: 'reacquire', cv: st.waits[i]!.cv, m: st.waits[i]!.m };
  return st.nodes[i].op;
}

function fail(st: ThreadsState, i: number, message: string): ThreadsState {
  st.failure = { thread: i, message };
  return st;
}

/** Performs thread i's pending operation (the state is modified and returned). */
function stepThreads(st: ThreadsState, i: number): ThreadsState {
  st.steps++;
  const p = st.program;
  const name = p.threads[i];
  if (st.flags[i] === RELOCK) {
    st.mutexes[st.waits[i]!.m] = i;
    st.flags[i] = RUN;
    st.waits[i] = null;
    return moveOn(st, i, undefined);
  }
  const op = st.nodes[i].op!;
  let result: unknown;
  switch (op.k) {
    case 'read':
      result = st.shared[op.x];
      break;
    case 'write':
      st.shared[op.x] = op.v;
      break;
    case 'add': {
      const old = st.shared[op.x] as number;
      st.shared[op.x] = old + op.n;
      result = old;
      break;
    }
    case 'cas': {
      const old = st.shared[op.x];
      if (old === op.e) st.shared[op.x] = op.r;
      result = old;
      break;
    }
    case 'xchg':
      result = st.shared[op.x];
      st.shared[op.x] = op.v;
      break;
    case 'lock':
      st.mutexes[op.m] = i;
      break;
    case 'unlock':
      if ((st.mutexes[op.m] ?? -1) !== i) return fail(st, i, `${name} unlocked ${op.m}, which it does not hold.`);
      st.mutexes[op.m] = -1;
      break;
    case 'acquire':
      st.semaphores[op.s]--;
      break;
    case 'release':
      st.semaphores[op.s] = (st.semaphores[op.s] ?? 0) + 1;
      break;
    case 'wait': {
      if ((st.mutexes[op.m] ?? -1) !== i) return fail(st, i, `${name} called wait(${op.cv}, ${op.m}) without holding ${op.m}.`);
      st.mutexes[op.m] = -1;
      const q = st.conditions[op.cv];
      st.conditions[op.cv] = q ? [...q, i] : [i];
      st.flags[i] = SLEEP;
      st.waits[i] = { cv: op.cv, m: op.m };
      return st; // the thread continues after its relock step
    }
    case 'notify':
    case 'notifyAll': {
      const q = st.conditions[op.cv];
      if (q && q.length > 0) {
        const woken = op.k === 'notify' ? q.slice(0, 1) : q;
        st.conditions[op.cv] = op.k === 'notify' ? q.slice(1) : [];
        for (const w of woken) st.flags[w] = RELOCK;
      }
      break;
    }
    case 'reacquire':
      break;
  }
  return moveOn(st, i, result);
}

function moveOn(st: ThreadsState, i: number, result: unknown): ThreadsState {
  const next = childOf(st.program, i, st.nodes[i], result);
  st.nodes[i] = next;
  if (next.error !== null) return fail(st, i, next.error);
  finishIfDone(st);
  return st;
}

function statusOf(st: ThreadsState): Status {
  if (st.failure) return 'failed';
  let allDone = true;
  const n = st.nodes.length;
  for (let i = 0; i < n; i++) {
    if (!st.nodes[i].done) {
      allDone = false;
      if (canRun(st, i)) return 'running';
    }
  }
  return allDone ? 'done' : 'stuck';
}

function formatShared(shared: Record<string, Value>): string {
  const parts: string[] = [];
  for (const k in shared) parts.push(`${k}=${JSON.stringify(shared[k])}`);
  return parts.join(', ');
}

/** Why each unfinished thread is blocked, e.g. "A waits for lock(b)". */
export function blockedReasons(st: ThreadsState): string[] {
  const out: string[] = [];
  for (let i = 0; i < st.nodes.length; i++) {
    if (st.nodes[i].done || canRun(st, i)) continue;
    const name = st.program.threads[i];
    if (st.flags[i] === SLEEP) out.push(`${name} sleeps in wait(${st.waits[i]!.cv})`);
    else {
      const op = pendingOp(st, i);
      if (op) out.push(`${name} waits for ${opLabel(op)}`);
    }
  }
  return out;
}

/** The final-state key used in the histogram. */
export function threadsOutcome(st: ThreadsState): string {
  const vars = formatShared(st.shared);
  if (st.failure) return `failed: ${st.failure.message}${vars ? ` (${vars})` : ''}`;
  if (statusOf(st) === 'stuck') return `stuck: ${blockedReasons(st).join('; ')}`;
  return vars;
}

/** The explorer's view of a program: choice = thread index. States are cheap to copy (threads
 * are memo nodes), so `clone` is given and DFS never re-runs from the start. */
export function threadsSystem(program: ThreadsProgram | string): System<ThreadsState, number> {
  const p = typeof program === 'string' ? compileThreads(program) : program;
  return {
    start: () => startThreads(p),
    enabled(st) {
      const out: number[] = [];
      for (let i = 0; i < st.nodes.length; i++) if (canRun(st, i)) out.push(i);
      return out;
    },
    step: stepThreads,
    status: statusOf,
    clone: cloneThreads,
    outcome: threadsOutcome,
    actor: (_s, c) => c,
    independent: (st, a, b) => independentOps(pendingOp(st, a)!, pendingOp(st, b)!),
  };
}

/** The shared objects an operation touches, and whether it changes them: 'v:' a variable, 'm:' a
 * mutex, 's:' a semaphore, 'c:' a condition variable. */
function footprint(op: Op): Array<[string, boolean]> {
  switch (op.k) {
    case 'read':
      return [['v:' + op.x, false]];
    case 'write':
    case 'add':
    case 'cas':
    case 'xchg':
      return [['v:' + op.x, true]];
    case 'lock':
    case 'unlock':
    case 'reacquire':
      return [['m:' + op.m, true]];
    case 'acquire':
    case 'release':
      return [['s:' + op.s, true]];
    case 'wait':
      return [
        ['m:' + op.m, true],
        ['c:' + op.cv, true],
      ];
    case 'notify':
    case 'notifyAll':
      return [['c:' + op.cv, true]];
  }
}

/** Two operations of different threads commute, and neither enables or disables the other,
 * unless they touch one object and at least one of them changes it. */
export function independentOps(a: Op, b: Op): boolean {
  for (const [x, wx] of footprint(a)) for (const [y, wy] of footprint(b)) if (x === y && (wx || wy)) return false;
  return true;
}

/** What the lab shows of a state. */
export interface ThreadsView {
  status: Status;
  shared: Record<string, Value>;
  threads: Array<{
    name: string;
    state: 'ready' | 'blocked' | 'sleeping' | 'done' | 'failed';
    next: string | null;
    /** The source line of the statement the thread is at (its next operation's `yield`), and that line's text, trimmed; absent once it has finished. */
    line?: number;
    text?: string;
  }>;
  /** Mutex → owner thread name, or null when free. */
  mutexes: Record<string, string | null>;
  semaphores: Record<string, number>;
  /** Condition variable → names of the threads sleeping on it, longest-waiting first. */
  conditions: Record<string, string[]>;
  failure: { thread: string | null; message: string } | null;
  blocked: string[];
  steps: number;
}

export function threadsView(st: ThreadsState): ThreadsView {
  const names = st.program.threads;
  const lines = st.program.source.split('\n');
  const name = (i: number) => (i >= 0 ? names[i] : null);
  const mutexes: Record<string, string | null> = {};
  for (const m in st.mutexes) mutexes[m] = name(st.mutexes[m]);
  const conditions: Record<string, string[]> = {};
  for (const c in st.conditions) conditions[c] = st.conditions[c].map((i) => names[i]);
  return {
    status: statusOf(st),
    shared: { ...st.shared },
    threads: names.map((n, i) => {
      const op = pendingOp(st, i);
      const state = st.nodes[i].error !== null ? 'failed' : st.nodes[i].done ? 'done' : st.flags[i] === SLEEP ? 'sleeping' : canRun(st, i) ? 'ready' : 'blocked';
      const line = st.nodes[i].done ? undefined : st.nodes[i].line;
      return { name: n, state, next: op ? opLabel(op) : null, ...(line ? { line, text: lines[line - 1]?.trim() ?? '' } : {}) };
    }),
    mutexes,
    semaphores: { ...st.semaphores },
    conditions,
    failure: st.failure ? { thread: name(st.failure.thread), message: st.failure.message } : null,
    blocked: blockedReasons(st),
    steps: st.steps,
  };
}

export interface ThreadsTraceStep {
  /** Thread index chosen, its name, and the operation it performed. */
  thread: number;
  name: string;
  op: string;
  /** The state after the step. */
  after: ThreadsView;
}

/** Replays a schedule (thread indices) and returns the initial view and every step: the lab's
 * step-by-step counterexample. Throws if a choice is not enabled. */
export function traceThreads(program: ThreadsProgram | string, choices: readonly number[]): { initial: ThreadsView; steps: ThreadsTraceStep[]; final: ThreadsView } {
  const p = typeof program === 'string' ? compileThreads(program) : program;
  const sys = threadsSystem(p);
  let st = sys.start();
  const initial = threadsView(st);
  const steps: ThreadsTraceStep[] = [];
  for (let i = 0; i < choices.length; i++) {
    const c = choices[i];
    if (sys.status(st) !== 'running' || !sys.enabled(st).includes(c)) {
      throw new Error(`Step ${i + 1}: thread ${p.threads[c] ?? c} cannot run now.`);
    }
    const label = opLabel(pendingOp(st, c)!);
    st = sys.step(st, c);
    steps.push({ thread: c, name: p.threads[c], op: label, after: threadsView(st) });
  }
  return { initial, steps, final: steps.length ? steps[steps.length - 1].after : initial };
}
