/**
 * CPU work the handlers can call: an iterated integer hash, pure JavaScript, identical in Node and
 * in browsers. Work is counted in rounds, never in wall time: a thread that is descheduled
 * finishes its rounds later, which is what makes "more threads than cores" honest.
 */
import { fnv1a } from './rng.js';

/** `rounds` rounds of a 32-bit mixing function over `input`; an 8-hex-digit digest. */
export function hash(input, rounds) {
  let h = fnv1a(String(input));
  for (let r = 0; r < rounds; r++) {
    h ^= h >>> 16;
    h = Math.imul(h, 0x7feb352d);
    h ^= h >>> 15;
    h = Math.imul(h, 0x846ca68b);
    h ^= h >>> 16;
    h = (h + r) | 0;
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * Rounds of `hash` per millisecond on this thread: the best of a few samples of about
 * `sampleMs` each (the best is the least disturbed by other load). Also warms up the JIT.
 */
export function calibrate(sampleMs = 25, samples = 3) {
  warmUp(0);
  let rounds = 20_000;
  for (;;) {
    const t = performance.now();
    hash('calibrate', rounds);
    if (performance.now() - t >= sampleMs / 4 || rounds > 1e9) break;
    rounds *= 2;
  }
  let best = 0;
  const n = Math.ceil(rounds * 4); // about sampleMs per sample
  for (let s = 0; s < samples; s++) {
    const t = performance.now();
    hash('calibrate' + s, n);
    const dt = performance.now() - t;
    if (dt > 0) best = Math.max(best, n / dt);
  }
  return best;
}

/**
 * Run `hash` for about `ms` so the JIT has optimized it before anything is timed. A fresh thread
 * (each worker of the parallel pool) otherwise spends its first requests in slower tiers.
 */
export function warmUp(ms = 15) {
  // Short calls first, so that every line of `hash` (not only its loop) runs in the interpreter
  // and records type feedback. Otherwise the first long call is compiled on the stack (OSR)
  // before the lines after the loop ever ran, and the optimized code keeps bailing out on them;
  // V8 can then settle for code twice as slow, mid-run.
  for (let i = 0; i < 500; i++) hash('warm' + i, i % 4);
  const until = performance.now() + ms;
  let i = 0;
  while (performance.now() < until) hash('warm' + i++, 20_000);
}
