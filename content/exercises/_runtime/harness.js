/**
 * One run of one exercise under one variant, platform-neutral. The platform adapter (Node:
 * node-adapter.js; a browser Worker later) loads the modules, provides worker threads and prints.
 *
 * Order: calibrate CPU work (and warm up the JIT) -> setup.prepare -> generate the requests (seeded) -> start the
 * server (and its threads) -> run the load -> summary. Only the load is timed.
 */
import { calibrate, warmUp } from './cpu.js';
import { pickHandler } from './context.js';
import { runLoad } from './loadgen.js';
import { UsageError, VARIANTS } from './params.js';
import { createPool } from './pool.js';
import { createRng } from './rng.js';
import { createAsyncServer, createBatchServer, createSyncServer } from './servers.js';
import { roundDeep, summarize } from './stats.js';

/**
 * @param {object} o
 * @param {object} o.exercise the parsed exercise.json
 * @param {string} o.variant
 * @param {object} o.params from resolveParams
 * @param {object} o.setup the exercise's setup.js module
 * @param {object} o.handlerModule the handler module
 * @param {{ builtin?: string, url?: string }} o.handlerSpec how a worker thread loads the same
 *   handler (registry.js loadHandlerModule): { builtin: 'solution' } or { url }
 * @param {string} o.handlerName for the summary: 'solution', 'starter', a path, 'learner'
 * @param {{ spawnWorker?: () => object, runtime: string, cores: number, cpuTimeMs?: () => number }} o.platform
 *   cpuTimeMs: CPU time used so far by this process, all threads (optional; Node has it)
 * @param {(line: object) => void} o.emit one JSON-able object per output line
 * @param {boolean} [o.quiet] no per-request lines
 */
export async function runExercise({ exercise, variant, params: given, setup, handlerModule, handlerSpec, handlerName, platform, emit, quiet }) {
  if (!VARIANTS[variant]) throw new UsageError(`--variant must be one of ${Object.keys(VARIANTS).join(', ')} (got "${variant}")`);
  if (!exercise.variants.includes(variant)) throw new UsageError(`${exercise.slug} has no ${variant} variant (it has ${exercise.variants.join(', ')})`);
  if (variant === 'parallel' && !platform.spawnWorker) throw new UsageError('this runtime has no threads: the parallel variant needs worker threads');
  if (typeof setup.makeRequest !== 'function') throw new Error(`${exercise.slug}/setup.js must export makeRequest(i, rng, params)`);
  const exportName = exercise.handler.export ?? 'handle';
  const handler = pickHandler(handlerModule, `the handler (${handlerName})`, exportName);

  const params = { ...given };
  let roundsPerMs = null;
  if (params.cpuRounds === null || params.cpuRounds === undefined) {
    roundsPerMs = params.cpuMs > 0 ? calibrate() : 0;
    params.cpuRounds = Math.round(params.cpuMs * roundsPerMs);
  }
  if (params.cpuRounds > 0) warmUp();

  const data = typeof setup.prepare === 'function' ? await setup.prepare(params) : null;
  const rng = createRng(params.seed);
  const requests = Array.from({ length: params.requests }, (_, i) => setup.makeRequest(i, rng, params));

  const options = { handler, setup, params, data };
  const server =
    variant === 'sync'
      ? createSyncServer(options)
      : variant === 'async'
        ? createAsyncServer(options)
        : variant === 'sync-batch'
          ? createBatchServer(options)
          : await createPool({ size: params.pool, spawnWorker: platform.spawnWorker, slug: exercise.slug, handlerSpec, exportName, params, data });

  let stats;
  let records;
  let cpuUsed = null;
  const cpuBefore = platform.cpuTimeMs?.();
  try {
    ({ records } = await runLoad({
      requests,
      clients: params.clients,
      rate: params.rate,
      arrival: params.arrival,
      rng: createRng(params.seed ^ 0x9e3779b9),
      server,
      // Per-request lines wait until the load is over: printing crosses a process boundary in a
      // WebContainer (and a postMessage in the Worker), and inside the timed window that would
      // skew the very latencies being measured. During the load, at most ten progress lines.
      onRecord: quiet ? null : progressEmitter(requests.length, emit),
    }));
    if (cpuBefore !== undefined) cpuUsed = platform.cpuTimeMs() - cpuBefore;
    stats = await server.stats();
  } finally {
    await server.close();
  }

  if (!quiet) for (const record of records) emit(roundDeep(record));
  const numbers = summarize(records);
  const errorSamples = [...new Set(records.filter((r) => !r.ok).map((r) => r.error))].slice(0, 5);
  const summary = {
    exercise: exercise.slug,
    variant,
    handler: handlerName,
    runtime: platform.runtime,
    cores: platform.cores,
    mode: params.rate > 0 ? 'open' : 'closed',
    params,
    cpu: { rounds: params.cpuRounds, roundsPerMs },
    requests: params.requests,
    ...numbers,
    // CPU time the process used during the load (all threads), and as cores kept busy on average
    cpuTimeMs: cpuUsed,
    cpuCores: cpuUsed !== null && numbers.durationMs > 0 ? cpuUsed / numbers.durationMs : null,
    errorSamples,
    ...stats,
  };
  emit({ summary: roundDeep(summary) });
  return summary;
}

/**
 * A record callback that prints {"progress":{"done","errors","of"}} each time another tenth of
 * the requests has finished (and at the last one): at most ten short lines during the load.
 */
export function progressEmitter(total, emit) {
  const step = Math.max(1, Math.ceil(total / 10));
  let done = 0;
  let errors = 0;
  return (record) => {
    done++;
    if (!record.ok) errors++;
    if (done % step === 0 || done === total) emit({ progress: { done, errors, of: total } });
  };
}
