/**
 * Random actor systems for the invariant tests: every feature of the engine mixed together
 * (bounded mailboxes under every policy, threads, latency, timers, asks, replies, crashes,
 * injected faults, stops, spawns, unknown targets, supervisors of both strategies).
 * Everything random comes from `Rng(seed)` or `ctx.random()`, so a seed names a system.
 */
import { Rng } from '#sim/core/rng';
import type { ActorSpec, Overflow, SystemConfig } from '#sim/actors';

const OVERFLOWS: Overflow[] = ['drop-newest', 'drop-oldest', 'block'];

export function randomSystem(seed: number): SystemConfig {
  const rng = new Rng(seed);
  const n = rng.int(2, 7);
  const names = Array.from({ length: n }, (_, i) => `a${i}`);
  const actors: ActorSpec[] = names.map((name, i) => {
    const bounded = rng.chance(0.6);
    const spec: ActorSpec = {
      name,
      serviceMs: rng.pick([0, 0.5, 1, 2, 3]),
      init: () => ({ seen: 0 }),
      receive(msg: { ttl: number } | unknown, ctx) {
        ctx.state.seen++;
        const ttl = typeof msg === 'object' && msg !== null && 'ttl' in msg ? (msg as { ttl: number }).ttl : 0;
        const r = ctx.random();
        if (r < 0.06) throw new Error('random crash');
        if (r < 0.08 && ttl === 1) ctx.stop();
        if (ttl <= 0) return;
        const fanout = Math.floor(ctx.random() * 3);
        for (let k = 0; k < fanout; k++) {
          const to = ctx.random() < 0.05 ? 'nobody' : names[Math.floor(ctx.random() * names.length)];
          const kind = ctx.random();
          if (kind < 0.15) ctx.ask(to, { ttl: ttl - 1 }, 1 + ctx.random() * 6);
          else if (kind < 0.3) ctx.sendAfter(ctx.random() * 5, to, { ttl: ttl - 1 });
          else ctx.send(to, { ttl: ttl - 1 });
        }
        if (ctx.sender !== null && ctx.random() < 0.3) ctx.reply({ ttl: 0 });
        if (ctx.random() < 0.02 && ctx.state.seen < 3) ctx.spawn(`${ctx.self}-kid`, { receive() {}, serviceMs: 1 });
      },
      supervise: { strategy: rng.chance(0.5) ? 'one-for-one' : 'one-for-all', maxRestarts: rng.int(0, 4), withinMs: rng.pick([5, 20, 100]) },
    };
    if (bounded) spec.mailbox = { capacity: rng.int(1, 4), overflow: rng.pick(OVERFLOWS) };
    if (rng.chance(0.15)) spec.faults = rng.chance(0.5) ? { every: rng.int(2, 6) } : { rate: 0.1 };
    if (i > 0 && rng.chance(0.4)) spec.parent = names[rng.int(0, i - 1)];
    return spec;
  });
  const sends = Array.from({ length: rng.int(1, 4) }, () => ({
    to: rng.pick(names),
    message: { ttl: rng.int(1, 6) },
    at: rng.int(0, 5),
    count: rng.int(1, 12),
    everyMs: rng.pick([0, 0.5, 1, 3]),
  }));
  return {
    actors,
    sends,
    threads: rng.chance(0.5) ? null : rng.int(1, 3),
    latencyMs: rng.pick([0, 0.5, 1, 2]),
    guardian: { maxRestarts: rng.int(2, 10), withinMs: 50 },
    untilMs: rng.pick([30, 200, 1000]),
  };
}
