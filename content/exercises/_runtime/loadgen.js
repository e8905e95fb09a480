/**
 * The load generator: drives a server with a fixed number of requests and records, for each, when
 * it was sent and when its answer came back.
 *
 *   closed loop (rate = 0): `clients` clients; each sends a request, waits for the answer, sends
 *       the next, until `requests` have been sent. In flight: at most `clients`.
 *   open loop (rate > 0): requests arrive on a seeded schedule ('poisson' or 'fixed' gaps) at
 *       `rate` per second, whether or not earlier ones are done. In flight: unbounded.
 *
 * A request's start is when it was *due* (its client sent it, or its scheduled arrival), even if the
 * thread was blocked at that moment and only noticed later: latency then includes the time it sat
 * unnoticed, as it would for a real client (no "coordinated omission").
 */
import { arrivalSchedule } from './rng.js';

/**
 * @param {object} o
 * @param {any[]} o.requests the request payloads, in order
 * @param {number} o.clients @param {number} o.rate @param {'poisson'|'fixed'} o.arrival
 * @param {() => number} o.rng for the open-loop schedule
 * @param {{ send(req: any): Promise<object>, setPump?(fn: () => void): void }} o.server
 * @param {(record: object) => void} [o.onRecord] called as each request completes
 * @returns {Promise<{ t0: number, records: object[] }>} times in ms since t0 (performance.now())
 */
export async function runLoad({ requests, clients, rate, arrival, rng, server, onRecord }) {
  const n = requests.length;
  const records = [];
  const t0 = performance.now();

  const one = async (i, start) => {
    const outcome = await server.send(requests[i]);
    const end = performance.now();
    const record = { i, start: start - t0, end: end - t0, latency: end - start, ok: outcome.ok };
    if (!outcome.ok) record.error = outcome.error;
    if (outcome.worker !== undefined) record.worker = outcome.worker;
    if (outcome.batch !== undefined) record.batch = outcome.batch;
    records.push(record);
    onRecord?.(record);
  };

  if (!(rate > 0)) {
    let next = 0;
    const client = async () => {
      while (next < n) {
        const i = next++;
        await one(i, performance.now());
      }
    };
    await Promise.all(Array.from({ length: Math.min(clients, n) }, client));
  } else {
    const due = arrivalSchedule(n, rate, arrival, rng);
    const inflight = [];
    let k = 0;
    // Send every request whose arrival time has passed. Servers that block the thread call this
    // before taking work, so what arrived while they were blocked is queued in arrival order.
    const pump = () => {
      const now = performance.now() - t0;
      while (k < n && due[k] <= now) {
        inflight.push(one(k, t0 + due[k]));
        k++;
      }
    };
    server.setPump?.(pump);
    while (k < n) {
      pump();
      if (k < n) await new Promise((resolve) => setTimeout(resolve, Math.max(0, t0 + due[k] - performance.now())));
    }
    await Promise.all(inflight);
    server.setPump?.(null);
  }
  return { t0, records };
}
