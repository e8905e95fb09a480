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
import { asyncSystem, asyncOutcomeOf, exploreProgramSync, type ExploreProgramResult } from './async';
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
export function checkFound(level: Level, choices: readonly number[], source: string = level.buggy): { won: boolean; end: RunEnd | 'running'; outcome: string } {
  if (isAsyncLevel(level)) return checkFoundAsync(level, choices, source);
  const sys = threadsSystem(levelProgram(level, source));
  const { state, status } = replay(sys, choices);
  return { won: status !== 'running' && goalMet(level.goal, status), end: status, outcome: threadsOutcome(state) };
}

/** "Prove the fix": explores every schedule of `source`. */
export function checkProved(
  level: Level,
  source: string,
  options: { maxSchedules?: number; reduction?: 'none' | 'sleep-sets' } = {},
): { won: boolean; reason: string; result: ExploreResult<number> | null } {
  if (isAsyncLevel(level)) return checkProvedAsync(level, source, options);
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

// ---------------------------------------------------------------------------------------------
// Async levels: learner JavaScript in async mode (async.ts). The scheduler's choices are which
// pending completion (a delay, a db round trip) comes next; microtasks run as the language says.
// Start delays make the natural order (the durations') pass, as on the developer's machine: the
// learner has to find the order that breaks it.

export interface AsyncLevel {
  mode: 'async';
  id: string;
  title: string;
  brief: string;
  goal: LevelGoal;
  buggy: string;
  fixed: string;
  fixNote: string;
  /** What must hold at the end of every finished run of a fix (null = it holds), on the db. */
  invariant: (db: Record<string, unknown>) => string | null;
}

export type Level = ThreadsLevel | AsyncLevel;

export function isAsyncLevel(level: Level): level is AsyncLevel {
  return (level as AsyncLevel).mode === 'async';
}

const MUTEX = `// A lock for async code: lock() resolves when the caller holds it.
class Mutex {
  constructor() {
    this.locked = false;
    this.waiters = [];
  }
  async lock() {
    if (!this.locked) {
      this.locked = true;
      return;
    }
    // Wait in line; unlock() hands the lock straight to the first waiter.
    await new Promise((resolve) => this.waiters.push(resolve));
  }
  unlock() {
    const next = this.waiters.shift();
    if (next) next();
    else this.locked = false;
  }
}
`;

export const asyncLevels: AsyncLevel[] = [
  {
    mode: 'async',
    id: 'lost-update',
    title: 'Lost update across await',
    brief: 'Two deposits of 50 and 25 on a balance of 100 should leave 175. Choose the completions so that one deposit is lost.',
    goal: 'failed',
    buggy: `async function deposit(amount, arriveMs) {
  await delay(arriveMs); // the request arrives
  const balance = await db.get('balance');
  await db.set('balance', balance + amount);
}

async function main() {
  await db.set('balance', 100);
  await Promise.all([deposit(50, 5), deposit(25, 30)]);
  const balance = await db.get('balance');
  assert(balance === 175, 'balance is ' + balance + ', not 175');
}
main();
`,
    fixed: `// One deposit at a time: each waits for the previous one to finish.
let last = Promise.resolve();
function serially(work) {
  const run = last.then(work);
  last = run.catch(() => {});
  return run;
}

async function deposit(amount, arriveMs) {
  await delay(arriveMs); // the request arrives
  await serially(async () => {
    const balance = await db.get('balance');
    await db.set('balance', balance + amount);
  });
}

async function main() {
  await db.set('balance', 100);
  await Promise.all([deposit(50, 5), deposit(25, 30)]);
  const balance = await db.get('balance');
  assert(balance === 175, 'balance is ' + balance + ', not 175');
}
main();
`,
    fixNote: 'The read and the write of one deposit can no longer have the other deposit between them: a deposit starts only when the previous one has written.',
    invariant: (db) => (db.balance === 175 ? null : `balance is ${String(db.balance)}, not 175`),
  },
  {
    mode: 'async',
    id: 'double-booking',
    title: 'Check, then act: double booking',
    brief: 'Ada and Grace both want seat 12A. Only one may get a ticket. Give both of them one.',
    goal: 'failed',
    buggy: `async function book(name, arriveMs) {
  await delay(arriveMs);
  const holder = await db.get('seat 12A');
  if (holder === undefined) {
    await db.set('seat 12A', name);
    await db.set('ticket ' + name, '12A');
  }
}

async function main() {
  await Promise.all([book('Ada', 5), book('Grace', 40)]);
  const ada = await db.get('ticket Ada');
  const grace = await db.get('ticket Grace');
  assert(!(ada && grace), 'two tickets for one seat');
}
main();
`,
    fixed: `// Check and claim in one synchronous step: no await between them.
const claimed = new Set();

async function book(name, arriveMs) {
  await delay(arriveMs);
  if (claimed.has('12A')) return;
  claimed.add('12A');
  const holder = await db.get('seat 12A');
  if (holder === undefined) {
    await db.set('seat 12A', name);
    await db.set('ticket ' + name, '12A');
  }
}

async function main() {
  await Promise.all([book('Ada', 5), book('Grace', 40)]);
  const ada = await db.get('ticket Ada');
  const grace = await db.get('ticket Grace');
  assert(!(ada && grace), 'two tickets for one seat');
}
main();
`,
    fixNote: 'Between a check and the act that depends on it there must be no await: code between two awaits runs without interruption, so the claim is taken by whoever checks first.',
    invariant: (db) => {
      const tickets = Object.keys(db).filter((k) => k.startsWith('ticket '));
      if (tickets.length !== 1) return `${tickets.length} tickets, not 1`;
      return tickets[0] === `ticket ${String(db['seat 12A'])}` ? null : `the ticket and the seat name different people`;
    },
  },
  {
    mode: 'async',
    id: 'async-mutex',
    title: 'An async lock that lets two in',
    brief: 'This Mutex waits with `if`. Three workers each add one to count under the lock. Get two workers inside the lock at once.',
    goal: 'failed',
    buggy: `class Mutex {
  constructor() {
    this.locked = false;
    this.released = Promise.resolve();
  }
  async lock() {
    if (this.locked) await this.released;
    this.locked = true;
    this.released = new Promise((resolve) => (this.wake = resolve));
  }
  unlock() {
    this.locked = false;
    this.wake();
  }
}

const mutex = new Mutex();
let inside = 0;

async function worker(arriveMs) {
  await delay(arriveMs);
  await mutex.lock();
  inside++;
  assert(inside === 1, inside + ' workers inside the lock');
  const count = await db.get('count');
  await db.set('count', count + 1);
  inside--;
  mutex.unlock();
}

async function main() {
  await db.set('count', 0);
  await Promise.all([worker(5), worker(40), worker(80)]);
  const count = await db.get('count');
  assert(count === 3, 'count is ' + count + ', not 3');
}
main();
`,
    fixed: `class Mutex {
  constructor() {
    this.locked = false;
    this.released = Promise.resolve();
  }
  async lock() {
    // Woken up, look again: another waiter woken by the same unlock may have taken it.
    while (this.locked) await this.released;
    this.locked = true;
    this.released = new Promise((resolve) => (this.wake = resolve));
  }
  unlock() {
    this.locked = false;
    this.wake();
  }
}

const mutex = new Mutex();
let inside = 0;

async function worker(arriveMs) {
  await delay(arriveMs);
  await mutex.lock();
  inside++;
  assert(inside === 1, inside + ' workers inside the lock');
  const count = await db.get('count');
  await db.set('count', count + 1);
  inside--;
  mutex.unlock();
}

async function main() {
  await db.set('count', 0);
  await Promise.all([worker(5), worker(40), worker(80)]);
  const count = await db.get('count');
  assert(count === 3, 'count is ' + count + ', not 3');
}
main();
`,
    fixNote: 'One unlock wakes every waiter of the same promise. With `while`, each woken waiter checks again and the losers wait for the next release.',
    invariant: (db) => (db.count === 3 ? null : `count is ${String(db.count)}, not 3`),
  },
  {
    mode: 'async',
    id: 'lock-order',
    title: 'Lock-order deadlock',
    brief: 'Two transfers lock both accounts, in opposite orders. Make them wait for each other forever.',
    goal: 'stuck',
    buggy: `${MUTEX}
const locks = { alice: new Mutex(), bob: new Mutex() };

async function transfer(from, to, amount, arriveMs) {
  await delay(arriveMs);
  await locks[from].lock();
  const a = await db.get(from);
  await locks[to].lock();
  const b = await db.get(to);
  await db.set(from, a - amount);
  await db.set(to, b + amount);
  locks[to].unlock();
  locks[from].unlock();
}

async function main() {
  await db.set('alice', 100);
  await db.set('bob', 100);
  await Promise.all([transfer('alice', 'bob', 30, 5), transfer('bob', 'alice', 10, 60)]);
  console.log('both transfers done');
}
main();
`,
    fixed: `${MUTEX}
const locks = { alice: new Mutex(), bob: new Mutex() };

async function transfer(from, to, amount, arriveMs) {
  await delay(arriveMs);
  // Every transfer takes the locks in the same (alphabetical) order.
  const [first, second] = [from, to].sort();
  await locks[first].lock();
  await locks[second].lock();
  const a = await db.get(from);
  const b = await db.get(to);
  await db.set(from, a - amount);
  await db.set(to, b + amount);
  locks[second].unlock();
  locks[first].unlock();
}

async function main() {
  await db.set('alice', 100);
  await db.set('bob', 100);
  await Promise.all([transfer('alice', 'bob', 30, 5), transfer('bob', 'alice', 10, 60)]);
  console.log('both transfers done');
}
main();
`,
    fixNote: 'A wait cycle needs someone holding a lock while waiting for one taken earlier by another. When every transfer locks in one global order, the holder of the later lock never waits for the earlier one.',
    invariant: (db) => (db.alice === 80 && db.bob === 120 ? null : `alice ${String(db.alice)}, bob ${String(db.bob)}: not 80 and 120`),
  },
  {
    mode: 'async',
    id: 'await-cycle',
    title: 'An await cycle',
    brief: 'The user profile waits for the settings, and the settings wait for the profile. Complete the loads and watch the app never start.',
    goal: 'stuck',
    buggy: `let userLoad, settingsLoad;

async function loadUser() {
  const user = await db.get('user');
  const settings = await settingsLoad; // the profile shows the theme
  return { user, theme: settings.theme };
}

async function loadSettings() {
  const theme = await db.get('theme');
  const user = await userLoad; // settings are per user
  return { theme, owner: user.user };
}

async function main() {
  await db.set('user', 'ada');
  await db.set('theme', 'dark');
  userLoad = loadUser();
  settingsLoad = loadSettings();
  await Promise.all([userLoad, settingsLoad]);
  console.log('app started');
  await db.set('started', true);
}
main();
`,
    fixed: `let userLoad, settingsLoad;

async function loadUser() {
  const user = await db.get('user');
  return { user };
}

async function loadSettings() {
  const theme = await db.get('theme');
  const user = await userLoad; // settings are per user; the user no longer waits for them
  return { theme, owner: user.user };
}

async function main() {
  await db.set('user', 'ada');
  await db.set('theme', 'dark');
  userLoad = loadUser();
  settingsLoad = loadSettings();
  await Promise.all([userLoad, settingsLoad]);
  console.log('app started');
  await db.set('started', true);
}
main();
`,
    fixNote: 'Each promise of the cycle settles only after the other one: no completion order can break it. Remove one edge (here the profile no longer needs the settings) and every order ends.',
    invariant: (db) => (db.started === true ? null : 'the app never started'),
  },
  {
    mode: 'async',
    id: 'promise-all-counter',
    title: 'Promise.all and a shared counter',
    brief: 'Three uploads run under Promise.all and count themselves. Make the count come out short.',
    goal: 'failed',
    buggy: `let uploaded = 0;

async function upload(name, arriveMs) {
  await delay(arriveMs);
  const before = uploaded;
  await db.set('file ' + name, 'stored');
  uploaded = before + 1;
}

async function main() {
  await Promise.all([upload('a', 5), upload('b', 30), upload('c', 60)]);
  await db.set('uploaded', uploaded);
  assert(uploaded === 3, 'counted ' + uploaded + ' uploads, not 3');
}
main();
`,
    fixed: `let uploaded = 0;

async function upload(name, arriveMs) {
  await delay(arriveMs);
  await db.set('file ' + name, 'stored');
  uploaded++; // read and written with no await between
}

async function main() {
  await Promise.all([upload('a', 5), upload('b', 30), upload('c', 60)]);
  await db.set('uploaded', uploaded);
  assert(uploaded === 3, 'counted ' + uploaded + ' uploads, not 3');
}
main();
`,
    fixNote: 'A value read before an await is stale after it. Reading and writing the counter in the same synchronous stretch makes the update indivisible.',
    invariant: (db) => (db.uploaded === 3 ? null : `uploaded is ${String(db.uploaded)}, not 3`),
  },
  {
    mode: 'async',
    id: 'timeout-leftover',
    title: 'A timeout leaves work behind',
    brief: 'A payment that takes too long is given up and tried again. The first attempt is still running. Charge the customer twice.',
    goal: 'failed',
    buggy: `function timeout(ms) {
  return delay(ms).then(() => {
    throw new Error('timed out');
  });
}

async function charge(attempt, workMs) {
  await delay(workMs); // the payment provider at work
  await db.set('charge ' + attempt, 30);
}

async function main() {
  const first = charge(1, 10);
  try {
    await Promise.race([first, timeout(25)]);
  } catch {
    console.log('payment timed out, trying again');
    await charge(2, 10);
  }
  await first; // let everything finish before counting
  const one = await db.get('charge 1');
  const two = await db.get('charge 2');
  assert(!(one && two), 'charged twice');
}
main();
`,
    fixed: `function timeout(ms) {
  return delay(ms).then(() => {
    throw new Error('timed out');
  });
}

async function charge(attempt, workMs) {
  await delay(workMs); // the payment provider at work
  await db.set('charge ' + attempt, 30);
}

async function main() {
  const first = charge(1, 10);
  try {
    await Promise.race([first, timeout(25)]);
  } catch {
    // The timeout stopped our waiting, not the payment: retry only if it really failed.
    console.log('payment timed out, waiting for its outcome');
    const landed = await first.then(() => true, () => false);
    if (!landed) await charge(2, 10);
  }
  await first; // let everything finish before counting
  const one = await db.get('charge 1');
  const two = await db.get('charge 2');
  assert(!(one && two), 'charged twice');
}
main();
`,
    fixNote: 'Promise.race settles the caller; it does not cancel the loser. The first payment goes on after the timeout, so a blind retry can charge again: find out how the first attempt ended (or make the work cancellable or idempotent) before retrying.',
    invariant: (db) => {
      const charges = Object.keys(db).filter((k) => k.startsWith('charge '));
      return charges.length === 1 ? null : `${charges.length} charges, not 1`;
    },
  },
  {
    mode: 'async',
    id: 'cache-stampede',
    title: 'One thread, two loads',
    brief: 'getConfig caches the config so it is loaded once. Make two callers load it twice.',
    goal: 'failed',
    buggy: `let config;
let loads = 0;

async function getConfig() {
  if (config === undefined) {
    loads++;
    config = await db.get('config');
  }
  return config;
}

async function caller(arriveMs) {
  await delay(arriveMs);
  await getConfig();
}

async function main() {
  await db.set('config', 'v1');
  await Promise.all([caller(5), caller(40)]);
  await db.set('loads', loads);
  assert(loads === 1, 'loaded ' + loads + ' times');
}
main();
`,
    fixed: `let configLoad;
let loads = 0;

function getConfig() {
  if (configLoad === undefined) {
    loads++;
    configLoad = db.get('config'); // cache the promise, at once
  }
  return configLoad;
}

async function caller(arriveMs) {
  await delay(arriveMs);
  await getConfig();
}

async function main() {
  await db.set('config', 'v1');
  await Promise.all([caller(5), caller(40)]);
  await db.set('loads', loads);
  assert(loads === 1, 'loaded ' + loads + ' times');
}
main();
`,
    fixNote: 'The cache was filled only after the await, so a second caller in between saw it empty. Caching the promise fills it before any await.',
    invariant: (db) => (db.loads === 1 ? null : `loaded ${String(db.loads)} times`),
  },
];

export function asyncLevelById(id: string): AsyncLevel {
  const l = asyncLevels.find((x) => x.id === id);
  if (!l) throw new Error(`No async level "${id}".`);
  return l;
}

/** Async "find the bug": replays the learner's completion order (completion ids) on `source`. */
function checkFoundAsync(level: AsyncLevel, choices: readonly number[], source: string): { won: boolean; end: RunEnd | 'running'; outcome: string } {
  const sys = asyncSystem(source);
  const { state, status } = replay(sys, choices);
  const end = sys.end(state);
  return { won: end !== null && goalMet(level.goal, status as RunEnd), end: end === null ? 'running' : (status as RunEnd), outcome: end ? asyncOutcomeOf(end) : '' };
}

/** Async "prove the fix": every completion order passes, and every final db satisfies the
 * level's invariant (checked on one run of each distinct final state). */
function checkProvedAsync(level: AsyncLevel, source: string, options: { maxSchedules?: number }): { won: boolean; reason: string; result: ExploreResult<number> | null } {
  return provedVerdictAsync(level, source, exploreProgramSync(source, { maxSchedules: options.maxSchedules ?? 100_000 }));
}

/** Async "prove the fix" from an exploration of `source` (run here, or in a Worker with progress
 * and Stop): won when it is exhaustive, no order fails or deadlocks, and every final db keeps the
 * level's invariant. */
export function provedVerdictAsync(level: AsyncLevel, source: string, r: ExploreProgramResult): { won: boolean; reason: string; result: ExploreResult<number> | null } {
  if (r.error) return { won: false, reason: `Line ${r.error.line ?? '?'}: ${r.error.message}`, result: null };
  const result = r.result!;
  const bad = r.failing + r.deadlocks;
  if (bad > 0) return { won: false, reason: `${bad} of ${r.schedules} schedules fail or deadlock.`, result };
  if (result.cut > 0) return { won: false, reason: `${result.cut} schedules never finish.`, result };
  if (!r.exhaustive) return { won: false, reason: `Not every schedule was explored (stopped at ${r.schedules}).`, result };
  const sys = asyncSystem(source);
  for (const h of result.histogram) {
    const end = sys.end(replay(sys, h.example).state);
    const broken = end ? level.invariant(end.db) : 'the run did not end';
    if (broken !== null) return { won: false, reason: `${h.count} of ${r.schedules} schedules end with ${broken}.`, result };
  }
  return { won: true, reason: `0 failing of ${r.schedules} schedules: every order passes.`, result };
}
