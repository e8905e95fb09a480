/**
 * Seeded pseudo-random numbers: the only source of randomness an engine may use.
 *
 * Generator: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, 128-bit state), seeded
 * from one uint32 through splitmix32 so that nearby seeds (1, 2, 3...) give unrelated streams.
 * Same seed, same sequence, on every JavaScript engine: only 32-bit integer arithmetic is used.
 *
 * Seeds are uint32 numbers. Other numbers and strings are accepted and turned into a uint32 by
 * `seedFrom` (documented there), so a seed typed into a URL ("7", "hello") always works.
 */

/** A seed as a caller may give it. */
export type Seed = number | string;

/**
 * FNV-1a hash of a string's UTF-16 code units, as a uint32. Used for string seeds.
 */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Normalises a seed to a uint32.
 * - an integer number is taken modulo 2^32 (so -1 becomes 4294967295);
 * - a string that is a canonical integer ("42") is the same seed as that number;
 * - any other string, and a non-integer number (via its decimal text), is hashed with FNV-1a.
 * Throws for NaN and infinities, which cannot come from a meaningful seed.
 */
export function seedFrom(seed: Seed): number {
  if (typeof seed === 'number') {
    if (!Number.isFinite(seed)) throw new Error(`The seed must be a finite number or a word, but it is ${seed}.`);
    if (Number.isInteger(seed)) return seed >>> 0;
    return hashString(String(seed));
  }
  if (typeof seed === 'string') {
    const trimmed = seed.trim();
    if (/^-?\d+$/.test(trimmed) && Number.isSafeInteger(Number(trimmed))) return Number(trimmed) >>> 0;
    return hashString(seed);
  }
  throw new Error(`The seed must be a number or a word, but it is ${typeof seed}.`);
}

/** A deterministic random stream. Create with `new Rng(seed)`. */
export class Rng {
  /** The uint32 the stream was seeded with (after `seedFrom`). */
  readonly seed: number;
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal = NaN;

  constructor(seed: Seed) {
    this.seed = seedFrom(seed);
    // splitmix32 expands one uint32 into the four words of sfc32 state.
    let x = this.seed;
    const mix = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    // Discard the first outputs, as the sfc32 author recommends.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Next uint32 in [0, 2^32). */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform float in [0, 1) with 32 bits of randomness. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [lo, hi], both ends included. `lo` and `hi` must be integers, lo <= hi. */
  int(lo: number, hi: number): number {
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi < lo) {
      throw new Error(`Rng.int needs integers lo <= hi, got ${lo} and ${hi}.`);
    }
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A uniformly chosen element. Throws on an empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.pick needs a non-empty array.');
    return items[Math.floor(this.next() * items.length)];
  }

  /** Fisher-Yates shuffle in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** Normal (Gaussian) sample by the Box-Muller transform; the second value is kept for the next call. */
  normal(mean = 0, sd = 1): number {
    let z: number;
    if (!Number.isNaN(this.spareNormal)) {
      z = this.spareNormal;
      this.spareNormal = NaN;
    } else {
      // 1 - next() is in (0, 1], so the log is finite.
      const u = 1 - this.next();
      const v = this.next();
      const r = Math.sqrt(-2 * Math.log(u));
      z = r * Math.cos(2 * Math.PI * v);
      this.spareNormal = r * Math.sin(2 * Math.PI * v);
    }
    return mean + sd * z;
  }

  /** Exponential sample with the given mean (rate = 1 / mean), by inversion. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }
}

/** Convenience: `rng(seed)` is `new Rng(seed)`. */
export function rng(seed: Seed): Rng {
  return new Rng(seed);
}
