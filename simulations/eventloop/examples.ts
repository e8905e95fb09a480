/**
 * Teaching programs for the event-loop lab (and its lessons). Each one runs on the engine without
 * error; tests/unit/eventloop-examples.test.ts pins what each prints, and
 * tests/unit/eventloop-node-presets.test.ts checks the Node ones against real Node 24.
 */
import type { Runtime } from './types';

export interface EventLoopExample {
  id: string;
  title: string;
  /** One sentence on what to watch for. */
  point: string;
  source: string;
  /** The event loop the example is written for (absent: the browser's). Node examples set 'node'. */
  runtime?: Runtime;
  /** The example is about the task tree: the lab opens it with the task-tree panel on. */
  tree?: boolean;
}

/** Lesson 8's connection pool, shared by the two pool presets (the lesson shows it once). */
const CREATE_POOL = `function createPool(size) {
  let free = size;
  const waiting = [];
  return {
    async acquire() {
      if (free > 0) free--;
      else await new Promise((resolve) => waiting.push(resolve));
    },
    release() {
      const next = waiting.shift();
      if (next) next(); // hand the connection on
      else free++;
    },
    free: () => free,
  };
}
`;

export const EXAMPLES: readonly EventLoopExample[] = [
  {
    id: 'sync-vs-timeout',
    title: 'Synchronous code first, then a 0 ms timer',
    point: 'A 0 ms timer still waits: its callback is a task, and tasks run only after the current script is done.',
    source: `console.log('start');

setTimeout(() => {
  console.log('timeout callback');
}, 0);

console.log('end');
`,
  },
  {
    id: 'microtasks-before-timers',
    title: 'Microtasks run before the next task',
    point: 'After every task the whole microtask queue is drained, so promise callbacks beat a timer that was set earlier.',
    source: `setTimeout(() => console.log('timer'), 0);

Promise.resolve()
  .then(() => console.log('promise 1'))
  .then(() => console.log('promise 2'));

queueMicrotask(() => console.log('microtask'));

console.log('script end');
`,
  },
  {
    id: 'await-ticks',
    title: 'How many ticks does an await cost?',
    point: 'Awaiting a promise costs one microtask tick; awaiting a thenable, or returning a promise from an async function, costs more.',
    source: `async function awaitsPromise() {
  await Promise.resolve();
  console.log('after await promise');
}

async function awaitsThenable() {
  await { then(resolve) { resolve(); } };
  console.log('after await thenable');
}

async function returnsPromise() {
  return Promise.resolve('value');
}

awaitsThenable();
awaitsPromise();
returnsPromise().then((v) => console.log('returned', v));

Promise.resolve()
  .then(() => console.log('tick 1'))
  .then(() => console.log('tick 2'))
  .then(() => console.log('tick 3'))
  .then(() => console.log('tick 4'));
`,
  },
  {
    id: 'promise-chain',
    title: 'A promise chain with an error and a recovery',
    point: 'Each then returns a new promise; a throw skips the fulfilment handlers until a catch, and finally passes the value through.',
    source: `delay(100, 2)
  .then((n) => {
    console.log('got', n);
    return n * 10;
  })
  .then((n) => {
    throw new Error('too big: ' + n);
  })
  .then(() => console.log('never printed'))
  .catch((err) => {
    console.log('caught', err.message);
    return 'recovered';
  })
  .finally(() => console.log('finally'))
  .then((v) => console.log('result', v));
`,
  },
  {
    id: 'error-in-task',
    title: 'An uncaught error ends its task, not the event loop',
    point: 'The error is reported, the rest of that callback is skipped, and the next task runs as usual.',
    source: `setTimeout(() => {
  console.log('first timer');
  throw new Error('boom');
  console.log('never printed');
}, 0);

setTimeout(() => {
  console.log('second timer still runs');
}, 0);
`,
  },
  {
    id: 'unhandled-rejection',
    title: 'An unhandled rejection is reported after the microtasks',
    point: 'A rejection nobody handles by the end of the microtask checkpoint is reported by a task queued then (behind the tasks already queued, such as a 0 ms timer); a handler attached within the same checkpoint prevents the report.',
    source: `const handledInTime = Promise.reject(new Error('handled in time'));
Promise.resolve().then(() => {
  handledInTime.catch((err) => console.log('caught', err.message));
});

Promise.reject(new Error('nobody catches me'));

setTimeout(() => console.log('the next task still runs'), 0);
`,
  },
  {
    id: 'blocking-loop',
    title: 'A long synchronous loop blocks everything',
    point: 'While the loop runs nothing else can: the microtask waits for the loop to end, and the 0 ms timer fires about 200 ms late.',
    source: `const start = performance.now();
const elapsed = () => Math.round(performance.now() - start);

setTimeout(() => {
  console.log('timer fired after', elapsed(), 'ms');
}, 0);

Promise.resolve().then(() => console.log('microtask after', elapsed(), 'ms'));

// Busy-wait for 200 ms of (virtual) time.
while (performance.now() - start < 200) {}
console.log('loop done after', elapsed(), 'ms');
`,
  },
  {
    id: 'for-await',
    title: 'for await over an async generator',
    point: 'Each value costs several microtask ticks, and a delay inside the generator hands the loop back to the timers.',
    source: `async function* countdown(n) {
  while (n > 0) {
    await delay(50);
    yield n--;
  }
}

async function main() {
  for await (const n of countdown(3)) {
    console.log('tick', n);
  }
  console.log('liftoff');
}

main();
setTimeout(() => console.log('timer at 75 ms'), 75);
`,
  },
  {
    id: 'async-interleave',
    title: 'Two async functions take turns',
    point: 'Every await hands control back to the event loop, so two loops with awaits interleave one step at a time.',
    source: `async function worker(name, steps) {
  for (let i = 1; i <= steps; i++) {
    console.log(name, 'step', i);
    await null;
  }
  return name + ' done';
}

Promise.all([worker('A', 3), worker('B', 2)]).then((results) => {
  console.log(results);
});
console.log('both started');
`,
  },
  {
    id: 'orphans-race-all',
    title: 'Orphans: work left running after race and all',
    point: 'A race and a rejected Promise.all settle early; the other calls run on, orphans nobody waits for (turn on the task tree).',
    source: `async function fetchFrom(server, ms) {
  await delay(ms);
  console.log(server, 'answered after', ms, 'ms');
  return server;
}

async function part(name, ms, fail) {
  await delay(ms);
  if (fail) throw new Error(name + ' failed');
  console.log(name, 'finished anyway');
}

async function main() {
  const first = await Promise.race([fetchFrom('fast', 10), fetchFrom('slow', 70)]);
  console.log('race won by', first);
  try {
    await Promise.all([part('a', 40), part('b', 20, true), part('c', 80)]);
  } catch (e) {
    console.log('all rejected:', e.message);
  }
  console.log('main done');
}

main();
`,
  },
  {
    id: 'scope-no-orphans',
    tree: true,
    title: 'A scope: the failure cancels, no orphans',
    point: 'b fails, the scope aborts its signal, a and c stop at once, and the scope waits for all three before it settles: the tree counts no orphans.',
    source: `async function withScope(body) {
  const controller = new AbortController();
  const signal = controller.signal;
  const children = [];
  const spawn = (task) => {
    children.push((async () => {
      try {
        return await task(signal);
      } catch (err) {
        controller.abort(err); // the first failure cancels the rest
      }
    })());
  };
  try {
    body({ signal, spawn });
  } catch (err) {
    controller.abort(err);
  }
  const results = [];
  for (const child of children) results.push(await child); // wait for every child
  if (signal.aborted) throw signal.reason;
  return results;
}

async function part(name, ms, signal, fail) {
  try {
    await delay(ms, name, { signal });
  } catch (err) {
    console.log(name, 'cancelled');
    throw err;
  }
  if (fail) throw new Error(name + ' failed');
  console.log(name, 'finished');
  return name;
}

async function main() {
  try {
    await withScope((scope) => {
      scope.spawn((signal) => part('a', 90, signal));
      scope.spawn((signal) => part('b', 30, signal, true));
      scope.spawn((signal) => part('c', 60, signal));
    });
  } catch (err) {
    console.log('scope failed:', err.message);
  }
  console.log('main done');
}

main();
`,
  },
  {
    id: 'pool-leak-race',
    tree: true,
    title: 'A race drains a connection pool',
    point: 'Each timeout wins its race, but the losing queries keep their connections: the fast request finds none free and times out too.',
    source: `${CREATE_POOL}const pool = createPool(2);
async function query(sql, ms) {
  await pool.acquire();
  try {
    return await delay(ms, sql + ' ok'); // the database at work
  } finally {
    pool.release();
  }
}

async function handle(sql, ms) {
  const timeout = delay(50).then(() => { throw new Error('timed out'); });
  try {
    console.log(await Promise.race([query(sql, ms), timeout]));
  } catch (err) {
    console.log(sql, err.message, '| free:', pool.free());
  }
}

handle('slow 1', 500);
handle('slow 2', 500);
setTimeout(() => handle('fast', 10), 100);
`,
  },
  {
    id: 'pool-abort-finally',
    tree: true,
    title: 'Abort + finally give connections back',
    point: 'The timeout aborts the query itself: its delay stops, finally releases the connection, and the fast request gets one.',
    source: `${CREATE_POOL}const pool = createPool(2);
async function query(sql, ms, signal) {
  await pool.acquire();
  try {
    return await delay(ms, sql + ' ok', { signal }); // stops on abort
  } finally {
    pool.release();
  }
}

async function handle(sql, ms) {
  try {
    console.log(await query(sql, ms, AbortSignal.timeout(50)));
  } catch (err) {
    console.log(sql, err.name, '| free:', pool.free());
  }
}

handle('slow 1', 500);
handle('slow 2', 500);
setTimeout(() => handle('fast', 10), 100);
`,
  },
  {
    id: 'node-tick-vs-promise',
    runtime: 'node',
    title: 'Node: process.nextTick before promise jobs',
    point: 'Node drains the next-tick queue before the promise jobs; a tick queued by a promise job waits until the microtask queue is empty, then runs before anything else.',
    source: `console.log('script start');

Promise.resolve()
  .then(() => {
    console.log('promise 1');
    process.nextTick(() => console.log('tick queued by promise 1'));
  })
  .then(() => console.log('promise 2'));

process.nextTick(() => console.log('tick 1'));
process.nextTick(() => console.log('tick 2'));

console.log('script end');
`,
  },
  {
    id: 'node-immediate-vs-timeout-io',
    runtime: 'node',
    title: 'Node: setImmediate vs setTimeout(0) in an I/O callback',
    point: 'An I/O callback runs in the poll phase, and the check phase comes next: the immediate always runs before the 0 ms timer, which waits for the next turn’s timers phase.',
    source: `const fs = require('fs');

fs.readFile('data.txt', 'utf8', (err, text) => {
  console.log('read:', text);
  setTimeout(() => console.log('timeout 0'), 0);
  setImmediate(() => console.log('immediate'));
});

console.log('reading…');
`,
  },
  {
    id: 'node-tick-starvation',
    runtime: 'node',
    title: 'Node: recursive nextTick starves the loop',
    point: 'Ticks queued by ticks run before anything else, so a 0 ms timer (and even a promise job) waits for all of them; this one stops after 100 ticks, a real runaway would never let the loop go on.',
    source: `const LIMIT = 100; // without a limit, the timer would never run
let n = 0;

setTimeout(() => console.log('timer ran after', n, 'ticks'), 0);
Promise.resolve().then(() => console.log('promise job ran after', n, 'ticks'));

function again() {
  n++;
  if (n < LIMIT) process.nextTick(again);
}
process.nextTick(again);

console.log('script done');
`,
  },
  {
    id: 'node-timer-1ms',
    runtime: 'node',
    title: 'Node: setTimeout(fn, 0) is a 1 ms timer',
    point: 'Node turns a delay below 1 ms into 1 ms, so setTimeout 0 and setTimeout 1 are the same timer and run in the order they were created.',
    source: `setTimeout(() => console.log('A: setTimeout 1 ms, created first'), 1);
setTimeout(() => console.log('B: setTimeout 0 ms, created second'), 0);
setTimeout(() => console.log('C: setTimeout 2 ms'), 2);
`,
  },
];

/** The example with this id (throws for an unknown id, so a lesson with a typo fails its build). */
export function getExample(id: string): EventLoopExample {
  const e = EXAMPLES.find((x) => x.id === id);
  if (!e) throw new Error(`Unknown event-loop example "${id}". Known: ${EXAMPLES.map((x) => x.id).join(', ')}.`);
  return e;
}
