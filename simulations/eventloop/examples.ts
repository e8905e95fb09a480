/**
 * Teaching programs for the event-loop lab (and its lessons). Each one runs on the engine without
 * error; tests/unit/eventloop-examples.test.ts pins what each prints.
 */
export interface EventLoopExample {
  id: string;
  title: string;
  /** One sentence on what to watch for. */
  point: string;
  source: string;
}

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
];

/** The example with this id (throws for an unknown id, so a lesson with a typo fails its build). */
export function getExample(id: string): EventLoopExample {
  const e = EXAMPLES.find((x) => x.id === id);
  if (!e) throw new Error(`Unknown event-loop example "${id}". Known: ${EXAMPLES.map((x) => x.id).join(', ')}.`);
  return e;
}
