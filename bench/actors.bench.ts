/**
 * `npm run bench -- actors`: the actor engine on 1,000 actors and 1,000,000 messages.
 *
 * Workload: 1,000 actors in a ring, 1 ms per message, 1 ms latency. Each actor starts with one
 * token; a token is forwarded to the next actor until it has made 1,000 hops, so exactly
 * 1,000,000 messages are sent and handled (the test below checks the ledger). The trace keeps its
 * default cap (100,000 events); the engine keeps running and counting past it.
 * Figures: the median wall time of 3 runs (budget 2 s) and messages handled per second of it.
 */
import { simulate, type ActorSpec } from '#sim/actors';

interface Figure {
  name: string;
  value: number;
  unit: string;
  budget?: number;
  note?: string;
}

const ACTORS = 1_000;
const HOPS = 1_000;

function ring(): { actors: ActorSpec[]; sends: { to: string; message: number }[] } {
  const actors: ActorSpec[] = [];
  for (let i = 0; i < ACTORS; i++) {
    const next = `a${(i + 1) % ACTORS}`;
    actors.push({
      name: `a${i}`,
      serviceMs: 1,
      receive(hops: number, ctx) {
        if (hops + 1 < HOPS) ctx.send(next, hops + 1);
      },
    });
  }
  return { actors, sends: actors.map((a) => ({ to: a.name, message: 0 })) };
}

export async function run(): Promise<Figure[]> {
  const times: number[] = [];
  let handled = 0;
  let events = 0;
  for (let k = 0; k < 3; k++) {
    const { actors, sends } = ring();
    const t0 = performance.now();
    const r = simulate({ actors, sends, untilMs: 1e7 }, 1);
    times.push(performance.now() - t0);
    const l = r.metrics.ledger;
    if (l.processed !== ACTORS * HOPS || l.sent !== ACTORS * HOPS) throw new Error(`actors bench: expected ${ACTORS * HOPS} messages handled, got ${l.processed} of ${l.sent}`);
    handled = l.processed;
    events = r.metrics.events;
  }
  times.sort((a, b) => a - b);
  const median = times[1];
  return [
    {
      name: `simulate(): ${ACTORS.toLocaleString('en')} actors, ${handled.toLocaleString('en')} messages`,
      value: median,
      unit: 'ms',
      budget: 2000,
      note: `median of 3 (${times.map((t) => Math.round(t)).join(', ')} ms); ${events.toLocaleString('en')} events, trace capped at 100,000`,
    },
    {
      name: 'messages handled per second of wall time',
      value: handled / (median / 1000),
      unit: 'msg/s',
    },
  ];
}
