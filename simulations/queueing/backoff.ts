/**
 * Retry waits: the strategies of Marc Brooker, "Exponential Backoff And Jitter", AWS Architecture
 * Blog (2015), as its simulator (github.com/aws-samples/aws-arch-backoff-simulator,
 * src/backoff_simulator.py) computes them, with expo(n) = min(cap, base × 2^n):
 *
 * - none / immediate: 0 (the blog's NoBackoff). In the queueing engine `none` also means "no
 *   retries at all"; `immediate` retries at once.
 * - exponential: expo(n)
 * - full:  random(0, expo(n))
 * - equal: expo(n) / 2 + random(0, expo(n) / 2)
 * - decorrelated: min(cap, random(base, prev × 3)), prev starting at base (the previous wait of
 *   the same caller; the blog's `sleep`).
 *
 * `n` is the caller's choice: the blog's simulator passes the failure count (1 for the first
 * retry); the queueing engine passes k − 1 for retry k so that its first retry waits `base`, as
 * its older `backoff × 2^(k−1)` rule did.
 */

export type BackoffStrategy = 'none' | 'immediate' | 'exponential' | 'full' | 'equal' | 'decorrelated';

export const BACKOFF_STRATEGIES = ['none', 'immediate', 'exponential', 'full', 'equal', 'decorrelated'] as const satisfies readonly BackoffStrategy[];

/** min(cap, base × 2^n). */
export function expo(n: number, base: number, cap: number): number {
  return Math.min(cap, base * 2 ** n);
}

/**
 * The wait before a retry. `random` returns uniform [0, 1) numbers (one is drawn for the jittered
 * strategies, none for the others); `prev` is the previous wait (decorrelated only; pass `base`
 * before the first retry).
 */
export function backoffWait(strategy: BackoffStrategy, n: number, base: number, cap: number, prev: number, random: () => number): number {
  switch (strategy) {
    case 'none':
    case 'immediate':
      return 0;
    case 'exponential':
      return expo(n, base, cap);
    case 'full':
      return random() * expo(n, base, cap);
    case 'equal': {
      const v = expo(n, base, cap);
      return v / 2 + random() * (v / 2);
    }
    case 'decorrelated': {
      const hi = prev * 3;
      return Math.min(cap, base + random() * (hi - base));
    }
  }
}
