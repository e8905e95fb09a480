/**
 * Brooker's optimistic-concurrency contention model ("Exponential Backoff And Jitter", AWS
 * Architecture Blog, 2015), re-implemented from its simulator
 * (github.com/aws-samples/aws-arch-backoff-simulator, src/backoff_simulator.py):
 *
 * - one server holds one row with a version number; N clients each want to update it once;
 * - a client reads the row (request and response each take a network delay), then writes with the
 *   version it read (another round trip); the server accepts the write only if the version is
 *   still current (then bumps it), otherwise the write is a conflict;
 * - after a conflict the client's attempt count n goes up by one and it reads again after a
 *   network delay plus backoff(n) (n = 1 for the first retry; see ../queueing/backoff.ts);
 * - network delay: |N(mean, sd)|, the simulator's `abs(random.normalvariate(10, 2))`;
 * - all clients start at time 0; the run ends when every client has written.
 *
 * `calls` counts writes reaching the server (the blog's "calls"; reads are not counted), and
 * `completionMs` is the time of the last event (the blog's "time"). The blog's setup: base 5 ms,
 * cap 2,000 ms, delay N(10 ms, 2 ms), 10 to 190 clients, 100 runs averaged.
 */
import { Agenda } from '../core/agenda';
import { Rng, type Seed } from '../core/rng';
import { backoffWait, type BackoffStrategy } from '../queueing/backoff';

export type ContentionStrategy = Exclude<BackoffStrategy, 'immediate'>;

export interface ContentionConfig {
  clients: number;
  strategy: ContentionStrategy;
  baseMs: number;
  capMs: number;
  network: { meanMs: number; sdMs: number };
}

export interface ContentionResult {
  /** Writes the server received. */
  calls: number;
  /** Writes refused as conflicts (calls − clients). */
  conflicts: number;
  /** When the last client's write was acknowledged, ms. */
  completionMs: number;
  /** Writes per client: how many attempts each needed. */
  attempts: number[];
  /** When each write reached the server, in order (the blog's per-strategy time series of calls). */
  writeTimes: number[];
}

// Messages: client × 4 + kind.
const READ = 0; // arrives at the server
const READ_RSP = 1; // arrives at the client with the version
const WRITE = 2; // arrives at the server with the version read
const WRITE_RSP = 3; // arrives at the client: success or conflict

export function simulateContention(config: ContentionConfig, seed: Seed = 1): ContentionResult {
  const { clients, strategy, baseMs, capMs } = config;
  if (!(Number.isInteger(clients) && clients >= 1)) throw new Error(`clients must be a whole number ≥ 1, got ${clients}.`);
  if (!(baseMs >= 0 && capMs >= 0)) throw new Error('baseMs and capMs must be ≥ 0.');
  const rng = new Rng(seed);
  const random = (): number => rng.next();
  const { meanMs, sdMs } = config.network;
  const delay = (): number => Math.abs(rng.normal(meanMs, sdMs));

  const attempt = new Int32Array(clients); // conflicts so far
  const payload = new Int32Array(clients); // version read, or 1/0 success of the write
  const sleep = new Float64Array(clients).fill(baseMs); // decorrelated jitter's previous wait
  const writes = new Array<number>(clients).fill(0);
  const writeTimes: number[] = [];
  let version = 0;
  let calls = 0;
  let tm = 0;
  const agenda = new Agenda<number>(clients * 2);
  for (let c = 0; c < clients; c++) agenda.push(delay(), c * 4 + READ);
  while (agenda.size > 0) {
    tm = agenda.peekTime();
    const code = agenda.pop() as number;
    const kind = code & 3;
    const c = code >> 2;
    switch (kind) {
      case READ:
        payload[c] = version;
        agenda.push(tm + delay(), c * 4 + READ_RSP);
        break;
      case READ_RSP:
        agenda.push(tm + delay(), c * 4 + WRITE);
        break;
      case WRITE: {
        calls++;
        writes[c]++;
        writeTimes.push(tm);
        const ok = payload[c] === version;
        if (ok) version++;
        payload[c] = ok ? 1 : 0;
        agenda.push(tm + delay(), c * 4 + WRITE_RSP);
        break;
      }
      case WRITE_RSP:
        if (payload[c] === 0) {
          attempt[c]++;
          const wait = backoffWait(strategy, attempt[c], baseMs, capMs, sleep[c], random);
          sleep[c] = wait;
          agenda.push(tm + delay() + wait, c * 4 + READ);
        }
        break;
    }
  }
  return { calls, conflicts: calls - clients, completionMs: tm, attempts: writes, writeTimes };
}
