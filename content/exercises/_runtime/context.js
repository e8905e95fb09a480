/**
 * The `ctx` a handler receives. One shape for every variant; only the I/O mode differs:
 *
 *   ctx.db.get(key) / ctx.db.getMany(keys)               -> Promise of record(s)
 *   ctx.downstream.call(req) / ctx.downstream.callMany(reqs) -> Promise of reply(s)
 *   ctx.cpu.hash(input, rounds = ctx.params.cpuRounds)  -> hex digest (synchronous CPU work)
 *   ctx.params   the resolved run parameters (read-only)
 *   ctx.data     whatever the exercise's setup.js `prepare` returned (read-only)
 */
import { hash } from './cpu.js';
import { createResource } from './fake.js';

const defaultRecord = (key) => ({ key });
const defaultReply = (request) => ({ ok: true, request });

/**
 * @param {object} o
 * @param {'async'|'blocking'|'batch'} o.mode
 * @param {object} o.setup the exercise's setup.js module
 * @param {object} o.params resolved parameters (with cpuRounds)
 * @param {any} o.data from setup.prepare
 * @param {{db?: Int32Array, downstream?: Int32Array}} [o.shared] semaphores shared across threads
 * @param {import('./fake.js').Collector} [o.collector] for 'batch' mode
 */
export function createContext({ mode, setup, params, data, shared = {}, collector }) {
  const common = { mode, ioMs: params.ioMs, perKeyMs: params.perKeyMs, jitter: params.jitter, collector };
  const db = createResource({
    ...common,
    name: 'db',
    limit: params.dbLimit,
    respond: setup.dbRecord ?? defaultRecord,
    shared: shared.db,
  });
  const downstream = createResource({
    ...common,
    name: 'downstream',
    limit: params.limit,
    respond: setup.downstreamReply ?? defaultReply,
    shared: shared.downstream,
  });
  const rounds = params.cpuRounds;
  const ctx = Object.freeze({
    db: Object.freeze({ get: db.one, getMany: db.many }),
    downstream: Object.freeze({ call: downstream.one, callMany: downstream.many }),
    cpu: Object.freeze({ hash: (input, r = rounds) => hash(input, r), rounds }),
    params: Object.freeze({ ...params }),
    data: deepFreeze(data ?? null),
  });
  return { ctx, stats: () => ({ db: { ...db.stats }, downstream: { ...downstream.stats } }) };
}

function deepFreeze(value) {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Call a learner's handler so that a synchronous throw becomes a rejected promise. */
export function invoke(handler, req, ctx) {
  try {
    return Promise.resolve(handler(req, ctx));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** A one-line, readable description of anything thrown. */
export function describeError(error) {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  try {
    return `thrown: ${JSON.stringify(error)}`;
  } catch {
    return `thrown: ${String(error)}`;
  }
}

/** The handler function of a loaded module: its export `name` ('handle') or a default export. */
export function pickHandler(mod, where = 'the handler module', name = 'handle') {
  const fn = typeof mod[name] === 'function' ? mod[name] : typeof mod.default === 'function' ? mod.default : null;
  if (!fn) throw new Error(`${where} must export a function: export async function ${name}(req, ctx) { ... }`);
  return fn;
}
