/**
 * Threads-mode levels (Deadlock Empire style). Each level has a buggy program, in which the
 * learner plays the scheduler until the run fails or gets stuck ("find the bug"), and a fixed
 * program, which the explorer proves: every schedule ends passing ("prove the fix").
 *
 * Win conditions are checked by the engine:
 * - `checkFound(level, choices, source?)`: replays the learner's schedule; won when it ends the way
 *   the level asks (`goal`: an assertion failure, a deadlock, or either).
 * - `checkProved(level, source)`: explores every schedule of the learner's fix; won when the search
 *   is exhaustive and no schedule fails, deadlocks or is cut, and every finished run satisfies the
 *   level's `invariant`, which the engine applies on top of the program's own check (so deleting
 *   the work or the `check(...)` line does not count as a fix).
 */
import { explore, replay, type ExploreResult, type RunEnd } from './explore';
import { compileThreads, threadsOutcome, threadsSystem, AssertionFailure, type ThreadsProgram, type Value } from './threads';

export type LevelGoal = 'failed' | 'stuck' | 'failed-or-stuck';

export interface ThreadsLevel {
  id: string;
  title: string;
  /** What the learner is asked to do, one or two sentences. */
  brief: string;
  goal: LevelGoal;
  buggy: string;
  fixed: string;
  /** Why the fix works, one or two sentences. */
  fixNote: string;
  /** What must hold at the end of every finished run of a fix (null = it holds), beyond the
   * program's own check. */
  invariant: (shared: Record<string, Value>) => string | null;
  /** Thread names a fix must keep. */
  threads: string[];
}

export const threadLevels: ThreadsLevel[] = [
  {
    id: 'counter',
    title: 'Unsynchronised counter',
    brief: 'Two threads each add one to x, so x should end at 2. Make it end at 1.',
    goal: 'failed',
    buggy: `shared({ x: 0 });

// x++ is two steps: read x, then write the value read plus one.
thread('A', function* () {
  yield* increment('x');
});
thread('B', function* () {
  yield* increment('x');
});

check((s) => assert(s.x === 2, 'two increments should make x 2'));
`,
    fixed: `shared({ x: 0 });

thread('A', function* () {
  yield atomicAdd('x', 1);
});
thread('B', function* () {
  yield atomicAdd('x', 1);
});

check((s) => assert(s.x === 2, 'two increments should make x 2'));
`,
    fixNote: 'atomicAdd reads and writes in one step, so no other thread can act between the read and the write.',
    invariant: (s) => (s.x === 2 ? null : `x is ${s.x}, not 2`),
    threads: ['A', 'B'],
  },
  {
    id: 'check-then-act',
    title: 'Check, then act',
    brief: 'One seat is left and two threads try to book it. Get both bookings through.',
    goal: 'failed',
    buggy: `shared({ seats: 1, booked: 0 });

function* book() {
  const seats = yield read('seats');
  if (seats > 0) {
    yield write('seats', seats - 1);
    yield atomicAdd('booked', 1);
  }
}
thread('A', book);
thread('B', book);

check((s) => assert(s.booked <= 1, 'one seat was booked ' + s.booked + ' times'));
`,
    fixed: `shared({ seats: 1, booked: 0 });

function* book() {
  yield lock('m');
  const seats = yield read('seats');
  if (seats > 0) {
    yield write('seats', seats - 1);
    yield atomicAdd('booked', 1);
  }
  yield unlock('m');
}
thread('A', book);
thread('B', book);

check((s) => assert(s.booked <= 1, 'one seat was booked ' + s.booked + ' times'));
`,
    fixNote: 'The check and the act happen under one lock, so the seat cannot be taken between them.',
    invariant: (s) => (s.booked === 1 && s.seats === 0 ? null : `booked ${s.booked}, seats ${s.seats}: exactly one booking should succeed`),
    threads: ['A', 'B'],
  },
  {
    id: 'lock-order',
    title: 'Lock ordering',
    brief: 'Two transfers between accounts a and b, each locking both accounts. Make them wait for each other forever.',
    goal: 'stuck',
    buggy: `shared({ a: 100, b: 100 });

function* transfer(from, to, amount) {
  yield lock(from);
  yield lock(to);
  const x = yield read(from);
  yield write(from, x - amount);
  const y = yield read(to);
  yield write(to, y + amount);
  yield unlock(to);
  yield unlock(from);
}
thread('A', function* () {
  yield* transfer('a', 'b', 10);
});
thread('B', function* () {
  yield* transfer('b', 'a', 20);
});

check((s) => assert(s.a + s.b === 200, 'money was created or lost'));
`,
    fixed: `shared({ a: 100, b: 100 });

// Every thread takes the locks in one global order (alphabetical), whatever the direction.
function* transfer(from, to, amount) {
  const [first, second] = from < to ? [from, to] : [to, from];
  yield lock(first);
  yield lock(second);
  const x = yield read(from);
  yield write(from, x - amount);
  const y = yield read(to);
  yield write(to, y + amount);
  yield unlock(second);
  yield unlock(first);
}
thread('A', function* () {
  yield* transfer('a', 'b', 10);
});
thread('B', function* () {
  yield* transfer('b', 'a', 20);
});

check((s) => assert(s.a + s.b === 200, 'money was created or lost'));
`,
    fixNote: 'With one global lock order, no thread can hold the second lock while waiting for the first, so no cycle of waits can form.',
    invariant: (s) => (s.a === 110 && s.b === 90 ? null : `a=${s.a}, b=${s.b}: both transfers should complete (a=110, b=90)`),
    threads: ['A', 'B'],
  },
  {
    id: 'lost-wakeup',
    title: 'Lost wake-up',
    brief: 'The consumer sleeps until the producer says the data is ready. Make the consumer sleep forever.',
    goal: 'stuck',
    buggy: `shared({ ready: false, got: false });

thread('Consumer', function* () {
  if (!(yield read('ready'))) {
    yield lock('m');
    yield wait('cv', 'm');
    yield unlock('m');
  }
  yield write('got', true);
});
thread('Producer', function* () {
  yield write('ready', true);
  yield lock('m');
  yield notify('cv');
  yield unlock('m');
});
`,
    fixed: `shared({ ready: false, got: false });

thread('Consumer', function* () {
  yield lock('m');
  while (!(yield read('ready'))) {
    yield wait('cv', 'm');
  }
  yield unlock('m');
  yield write('got', true);
});
thread('Producer', function* () {
  yield lock('m');
  yield write('ready', true);
  yield notify('cv');
  yield unlock('m');
});
`,
    fixNote: 'The flag is checked and set under the same lock the wait releases, so the notify cannot fall between the check and the wait.',
    invariant: (s) => (s.got === true ? null : 'the consumer never got the data'),
    threads: ['Consumer', 'Producer'],
  },
  {
    id: 'barrier',
    title: 'A barrier from semaphores',
    brief: 'Three threads meet at a barrier: nobody passes until all have arrived. Make them all wait forever.',
    goal: 'stuck',
    buggy: `const N = 3;
shared({ count: 0 });
semaphore('turnstile', 0);

function* worker() {
  // Arrive: count++ (without a lock).
  const c = yield read('count');
  yield write('count', c + 1);
  // The last to arrive opens the turnstile; each thread passes it and lets the next one through.
  if (c + 1 === N) yield release('turnstile');
  yield acquire('turnstile');
  yield release('turnstile');
  const arrived = yield read('count');
  assert(arrived === N, 'passed the barrier when only ' + arrived + ' of ' + N + ' had arrived');
}
thread('T1', worker);
thread('T2', worker);
thread('T3', worker);
`,
    fixed: `const N = 3;
shared({ count: 0 });
semaphore('mutex', 1);
semaphore('turnstile', 0);

function* worker() {
  yield acquire('mutex');
  const c = yield read('count');
  yield write('count', c + 1);
  yield release('mutex');
  if (c + 1 === N) yield release('turnstile');
  yield acquire('turnstile');
  yield release('turnstile');
  const arrived = yield read('count');
  assert(arrived === N, 'passed the barrier when only ' + arrived + ' of ' + N + ' had arrived');
}
thread('T1', worker);
thread('T2', worker);
thread('T3', worker);
`,
    fixNote: 'A semaphore used as a mutex makes count++ atomic, so exactly one thread sees the count reach N and opens the turnstile.',
    invariant: (s) => (s.count === 3 ? null : `count is ${s.count}, not 3`),
    threads: ['T1', 'T2', 'T3'],
  },
  {
    id: 'if-not-while',
    title: 'If instead of while',
    brief: 'Two consumers take items the producer puts in a buffer. Make a consumer take from an empty buffer.',
    goal: 'failed',
    buggy: `shared({ items: 0, taken: 0 });

function* consumer() {
  yield lock('m');
  if ((yield read('items')) === 0) {
    yield wait('nonEmpty', 'm');
  }
  const n = yield read('items');
  assert(n > 0, 'took an item from an empty buffer');
  yield write('items', n - 1);
  yield write('taken', (yield read('taken')) + 1);
  yield unlock('m');
}
thread('C1', consumer);
thread('C2', consumer);
thread('Producer', function* () {
  for (let k = 0; k < 2; k++) {
    yield lock('m');
    yield write('items', (yield read('items')) + 1);
    yield notify('nonEmpty');
    yield unlock('m');
  }
});
`,
    fixed: `shared({ items: 0, taken: 0 });

function* consumer() {
  yield lock('m');
  while ((yield read('items')) === 0) {
    yield wait('nonEmpty', 'm');
  }
  const n = yield read('items');
  assert(n > 0, 'took an item from an empty buffer');
  yield write('items', n - 1);
  yield write('taken', (yield read('taken')) + 1);
  yield unlock('m');
}
thread('C1', consumer);
thread('C2', consumer);
thread('Producer', function* () {
  for (let k = 0; k < 2; k++) {
    yield lock('m');
    yield write('items', (yield read('items')) + 1);
    yield notify('nonEmpty');
    yield unlock('m');
  }
});
`,
    fixNote: 'Between the notify and the woken thread relocking, another consumer can take the item; re-checking in a loop after every wake-up catches that.',
    invariant: (s) => (s.taken === 2 && s.items === 0 ? null : `taken ${s.taken}, items ${s.items}: both items should be taken`),
    threads: ['C1', 'C2', 'Producer'],
  },
  {
    id: 'try-lock',
    title: 'A lock made of a flag',
    brief: 'Each thread takes a hand-made lock (a flag) if it is free, and skips the work otherwise. Get both threads inside at once.',
    goal: 'failed',
    buggy: `shared({ flag: 0, inside: 0, entered: 0 });

function* tryWork() {
  if ((yield read('flag')) === 0) {
    yield write('flag', 1);
    const n = yield atomicAdd('inside', 1);
    assert(n === 0, 'two threads are inside the critical section');
    yield atomicAdd('entered', 1);
    yield atomicAdd('inside', -1);
    yield write('flag', 0);
  }
}
thread('A', tryWork);
thread('B', tryWork);
`,
    fixed: `shared({ flag: 0, inside: 0, entered: 0 });

function* tryWork() {
  // compareExchange tests and sets in one step: it returns 0 only to the thread that set the flag.
  if ((yield compareExchange('flag', 0, 1)) === 0) {
    const n = yield atomicAdd('inside', 1);
    assert(n === 0, 'two threads are inside the critical section');
    yield atomicAdd('entered', 1);
    yield atomicAdd('inside', -1);
    yield write('flag', 0);
  }
}
thread('A', tryWork);
thread('B', tryWork);
`,
    fixNote: 'Testing the flag and setting it are one atomic step (Atomics.compareExchange), so only one thread can see it free.',
    invariant: (s) => ((s.entered as number) >= 1 && s.inside === 0 && s.flag === 0 ? null : `entered ${s.entered}, inside ${s.inside}, flag ${s.flag}: at least one thread should do the work and leave`),
    threads: ['A', 'B'],
  },
];

export function levelById(id: string): ThreadsLevel {
  const l = threadLevels.find((x) => x.id === id);
  if (!l) throw new Error(`No threads level "${id}".`);
  return l;
}

/** Compiles a level's program (the learner's source, or the buggy one) with the level's invariant
 * added to the program's own final check. */
export function levelProgram(level: ThreadsLevel, source: string = level.buggy): ThreadsProgram {
  const p = compileThreads(source);
  const own = p.check;
  return {
    ...p,
    check(s) {
      own?.(s);
      const broken = level.invariant(s);
      if (broken !== null) throw new AssertionFailure(broken);
    },
  };
}

function goalMet(goal: LevelGoal, end: RunEnd): boolean {
  return goal === 'failed-or-stuck' ? end === 'failed' || end === 'stuck' : end === goal;
}

/** "Find the bug": does the learner's schedule (thread indices) end as the level asks? */
export function checkFound(level: ThreadsLevel, choices: readonly number[], source: string = level.buggy): { won: boolean; end: RunEnd | 'running'; outcome: string } {
  const sys = threadsSystem(levelProgram(level, source));
  const { state, status } = replay(sys, choices);
  return { won: status !== 'running' && goalMet(level.goal, status), end: status, outcome: threadsOutcome(state) };
}

/** "Prove the fix": explores every schedule of `source`. */
export function checkProved(
  level: ThreadsLevel,
  source: string,
  options: { maxSchedules?: number; reduction?: 'none' | 'sleep-sets' } = {},
): { won: boolean; reason: string; result: ExploreResult<number> | null } {
  let program: ThreadsProgram;
  try {
    program = levelProgram(level, source);
  } catch (e) {
    return { won: false, reason: (e as Error).message, result: null };
  }
  const missing = missingThreads(level, program);
  if (missing) return { won: false, reason: missing, result: null };
  const result = explore(threadsSystem(program), { maxSchedules: options.maxSchedules ?? 1_000_000, reduction: options.reduction ?? 'none' });
  return { ...provedVerdict(result), result };
}

/** Why a fix does not qualify before any exploring (a thread the level needs was removed), or null. */
export function missingThreads(level: ThreadsLevel, program: ThreadsProgram): string | null {
  const missing = level.threads.filter((t) => !program.threads.includes(t));
  return missing.length > 0 ? `The fix must keep thread${missing.length > 1 ? 's' : ''} ${missing.join(', ')}.` : null;
}

/** "Prove the fix" from an exploration of `levelProgram(level, source)` (run here, or in a Worker
 * with progress and Stop): won when it is exhaustive and no schedule fails, deadlocks or is cut. */
export function provedVerdict(result: ExploreResult<number>): { won: boolean; reason: string } {
  const bad = result.failing + result.deadlocks;
  const of = result.schedules === null ? `${result.explored} explored schedules (one per class of equivalent orders)` : `${result.schedules} schedules`;
  let reason: string;
  if (bad > 0) reason = `${bad} of ${of} fail or deadlock.`;
  else if (result.cut > 0) reason = `${result.cut} schedules never finish (a thread loops forever).`;
  else if (!result.exhaustive) reason = `Not every schedule was explored (stopped at ${result.explored}).`;
  else reason = `0 failing of ${of}: every order passes.`;
  return { won: bad === 0 && result.exhaustive, reason };
}
