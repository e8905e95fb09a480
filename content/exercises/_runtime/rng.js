/** Seeded randomness for request payloads and open-loop arrivals (same seed, same run plan). */

/** mulberry32: a tiny, fast, well-mixed 32-bit generator. Returns floats in [0, 1). */
export function createRng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  /** An integer in [lo, hi]. */
  next.int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  /** One element of `items`. */
  next.pick = (items) => items[Math.floor(next() * items.length)];
  return next;
}

/**
 * Arrival offsets (ms from the start) of `n` requests at `rate` per second.
 * 'fixed': evenly spaced; 'poisson': exponential gaps with mean 1000/rate (seeded).
 */
export function arrivalSchedule(n, rate, kind, rng) {
  const gap = 1000 / rate;
  const times = new Array(n);
  let t = 0;
  for (let i = 0; i < n; i++) {
    if (kind === 'fixed') t = i * gap;
    else t += -Math.log(1 - rng()) * gap;
    times[i] = t;
  }
  return times;
}

/** FNV-1a of a string, as an unsigned 32-bit integer. */
export function fnv1a(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
