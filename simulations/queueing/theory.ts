/**
 * Closed forms for the truth tests and the lab's reference lines. λ = arrivals per ms, the mean
 * service time S in ms (μ = 1 / S); ρ = λS / c must be < 1.
 */
export interface QueueFormulas {
  /** Mean time in system, ms. */
  W: number;
  /** Mean wait in queue, ms. */
  Wq: number;
  /** Mean number in system. */
  L: number;
  /** Mean number waiting. */
  Lq: number;
  /** Utilisation per server. */
  rho: number;
}

/** Erlang C: probability an arrival waits, c servers, offered load a = λS (Erlangs). */
export function erlangC(c: number, a: number): number {
  // Sum a^k / k! iteratively (stable for the c used here).
  let term = 1;
  let sum = 1;
  for (let k = 1; k < c; k++) {
    term *= a / k;
    sum += term;
  }
  const top = ((term * a) / c) * (c / (c - a));
  return top / (sum + top);
}

function from(Wq: number, S: number, lambda: number, rho: number): QueueFormulas {
  const W = Wq + S;
  return { W, Wq, L: lambda * W, Lq: lambda * Wq, rho };
}

/** M/M/c: Wq = C(c, a) / (cμ − λ). */
export function mmc(c: number, lambda: number, S: number): QueueFormulas {
  const a = lambda * S;
  const Wq = erlangC(c, a) / (c / S - lambda);
  return from(Wq, S, lambda, a / c);
}

/** M/M/1: W = S / (1 − ρ). */
export function mm1(lambda: number, S: number): QueueFormulas {
  const rho = lambda * S;
  return from((rho * S) / (1 - rho), S, lambda, rho);
}

/** M/D/1 by Pollaczek-Khinchine: Wq = ρS / (2(1 − ρ)). */
export function md1(lambda: number, S: number): QueueFormulas {
  const rho = lambda * S;
  return from((rho * S) / (2 * (1 - rho)), S, lambda, rho);
}
