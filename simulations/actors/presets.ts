/**
 * Named actor systems used by the lab and lesson 5. Each is learner-visible source code (run with
 * `runSource`), a title, one sentence saying what to look at, and a seed. The numbers the lesson
 * quotes are asserted by tests/unit/actors-lesson.test.ts, so they cannot drift from the engine.
 */

export interface ActorPreset {
  id: string;
  title: string;
  description: string;
  source: string;
  seed: number;
}

const LOST_UPDATES = `// 1,000 increments arrive within 100 ms, twice: once for an event loop that
// keeps the count in a shared variable, once for an actor that owns its count.

let count = 0; // shared: every request handler reads and writes it

// An event loop is one actor whose messages are tasks. An async handler
//   const seen = count; await save(seen + 1); count = seen + 1;
// is two tasks: the part before the await, and the rest, which runs
// when the save is done (here after 0 to 10 ms). Other tasks run between.
actor('loop', {
  serviceMs: 0.05,
  receive(msg, ctx) {
    if (msg === 'inc') {
      const seen = count;                            // read
      ctx.sendAfter(ctx.random() * 10, ctx.self, { write: seen + 1 }); // await
    } else {
      count = msg.write;                             // write, after the await
    }
  },
});

// The actor reads and writes its own count inside one message.
actor('counter', {
  init: () => ({ count: 0 }),
  serviceMs: 0.05,
  receive(msg, ctx) {
    ctx.state.count += 1;
  },
});

send('loop', 'inc', { count: 1000, everyMs: 0.1 });
send('counter', 'inc', { count: 1000, everyMs: 0.1 });
watch('shared count', () => count);
`;

const SUPERVISOR = `// "Let it crash": the worker does not guard against its failures. Its
// supervisor restarts it with fresh state and the next job carries on.

actor('supervisor', {
  supervise: { strategy: 'one-for-one', maxRestarts: 3, withinMs: 100 },
  receive(msg, ctx) {},
});

actor('flaky', {
  parent: 'supervisor',
  init: () => ({ done: 0 }),
  serviceMs: 4,
  receive(job, ctx) {
    if (ctx.random() < 0.2) throw new Error('lost the connection');
    ctx.state.done += 1;
  },
});

actor('steady', {
  parent: 'supervisor',
  init: () => ({ done: 0 }),
  serviceMs: 4,
  receive(job, ctx) {
    ctx.state.done += 1;
  },
});

send('flaky', 'job', { count: 30, everyMs: 10 });
send('steady', 'job', { at: 2, count: 30, everyMs: 10 });
`;

const OVERFLOW = `// Three fast producers (a message every 2 ms) and three slow consumers
// (5 ms per message). Each consumer's mailbox holds 5 messages; when it is
// full, each one does something different.

for (const policy of ['drop-newest', 'drop-oldest', 'block']) {
  const consumer = actor('slow/' + policy, {
    init: () => ({ handled: 0, last: 0 }),
    serviceMs: 5,
    mailbox: { capacity: 5, overflow: policy },
    receive(n, ctx) {
      ctx.state.handled += 1;
      ctx.state.last = n;
    },
  });
  actor('fast/' + policy, {
    init: () => ({ sent: 0 }),
    serviceMs: 0,
    receive(tick, ctx) {
      ctx.state.sent += 1;
      ctx.send(consumer, ctx.state.sent);
      if (ctx.state.sent < 40) ctx.sendAfter(2, ctx.self, 'tick');
    },
  });
  send('fast/' + policy, 'tick');
}
`;

const ASK = `// The client asks the server every 10 ms and waits at most 25 ms for each
// answer. One request in four is a slow query: its answer comes after 40 ms.

actor('client', {
  init: () => ({ next: 1, answered: 0, timedOut: 0 }),
  receive(msg, ctx) {
    if (msg === 'tick') {
      ctx.ask('server', { id: ctx.state.next }, 25);
      ctx.state.next += 1;
      if (ctx.state.next <= 12) ctx.sendAfter(10, ctx.self, 'tick');
    } else if (msg.type === 'reply') {
      ctx.state.answered += 1;
    } else if (msg.type === 'timeout') {
      ctx.state.timedOut += 1;
    }
  },
});

actor('server', {
  serviceMs: 5,
  receive(request, ctx) {
    const answer = 'answer ' + request.id;
    if (request.id % 4 === 0) ctx.sendAfter(35, ctx.sender, answer); // slow
    else ctx.reply(answer);
  },
});

send('client', 'tick');
`;

export const PRESETS: readonly ActorPreset[] = [
  {
    id: 'lost-updates',
    title: 'A thousand increments, two ways',
    description:
      'The same 1,000 increments hit a shared variable with an await between read and write, and an actor that owns its count. Watch the shared count fall behind.',
    source: LOST_UPDATES,
    seed: 1,
  },
  {
    id: 'supervisor',
    title: 'A supervisor restarts a flaky worker',
    description:
      'The flaky worker crashes on about one job in five; its supervisor restarts it with fresh state, and the steady worker is not disturbed.',
    source: SUPERVISOR,
    seed: 1,
  },
  {
    id: 'overflow',
    title: 'A fast producer, a slow consumer',
    description:
      'Three bounded mailboxes of 5 fill up. One drops new messages, one drops old ones, one makes its producer wait.',
    source: OVERFLOW,
    seed: 1,
  },
  {
    id: 'ask-timeout',
    title: 'Request and reply with a timeout',
    description:
      'The client asks and waits at most 25 ms. Slow answers arrive after the client stopped waiting, and become dead letters.',
    source: ASK,
    seed: 1,
  },
];

/** The preset with this id; throws with the list of ids when there is none. */
export function getPreset(id: string): ActorPreset {
  const p = PRESETS.find((x) => x.id === id);
  if (!p) throw new Error(`There is no actor preset "${id}". Presets: ${PRESETS.map((x) => x.id).join(', ')}.`);
  return p;
}

/** The preset whose source is exactly `source`, if any. */
export function presetWithSource(source: string): ActorPreset | undefined {
  return PRESETS.find((p) => p.source === source);
}
