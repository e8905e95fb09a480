/**
 * Run parameters: what each one means, its command-line flag and its widest range. An exercise's
 * exercise.json `parameters` gives its own default (and may narrow min/max) for the ones it
 * exposes; the lab UI shows those. Values outside the exercise's range are refused with a
 * message that says which flag and which range.
 */

export const PARAMETERS = {
  clients: { flag: 'clients', type: 'int', min: 1, max: 10000, default: 50, unit: 'clients', label: 'Concurrent clients (closed loop: each waits for its answer before sending again)' },
  requests: { flag: 'requests', type: 'int', min: 1, max: 200000, default: 500, unit: 'requests', label: 'Requests in the run' },
  rate: { flag: 'rate', type: 'number', min: 0, max: 100000, default: 0, unit: 'req/s', label: 'Open-loop arrival rate; 0 = closed loop with `clients` clients' },
  arrival: { flag: 'arrival', type: 'enum', values: ['poisson', 'fixed'], default: 'poisson', label: 'Open-loop gaps between arrivals: random (Poisson) or evenly spaced' },
  ioMs: { flag: 'io-ms', type: 'number', min: 0, max: 60000, default: 20, unit: 'ms', label: 'Latency of one database or downstream call' },
  perKeyMs: { flag: 'per-key-ms', type: 'number', min: 0, max: 1000, default: 0.1, unit: 'ms', label: 'Extra cost of each key in a call (what a batch of keys adds)' },
  jitter: { flag: 'jitter', type: 'number', min: 0, max: 1, default: 0, unit: '', label: 'Per-key latency spread: each key costs io-ms × (1 ± jitter), always the same for the same key' },
  dbLimit: { flag: 'db-limit', type: 'int', min: 0, max: 10000, default: 0, unit: 'calls', label: 'Database calls allowed in flight at once (a connection pool); 0 = unlimited' },
  limit: { flag: 'limit', type: 'int', min: 0, max: 10000, default: 0, unit: 'calls', label: 'Downstream calls allowed in flight at once; 0 = unlimited' },
  cpuMs: { flag: 'cpu-ms', type: 'number', min: 0, max: 10000, default: 0, unit: 'ms', label: 'CPU work of one ctx.cpu.hash() call, calibrated to this machine at start' },
  cpuRounds: { flag: 'cpu-rounds', type: 'int', min: 0, max: 2147483647, default: null, unit: 'rounds', label: 'Exact hash rounds per ctx.cpu.hash() call (overrides cpu-ms; makes runs comparable across machines)' },
  batch: { flag: 'batch', type: 'int', min: 1, max: 10000, default: 20, unit: 'requests', label: 'sync-batch: most requests served by one group (one blocking call per resource per round)' },
  pool: { flag: 'pool', type: 'int', min: 1, max: 256, default: 4, unit: 'threads', label: 'parallel: worker threads, each a sync server' },
  timeoutMs: { flag: 'timeout-ms', type: 'number', min: 0, max: 3600000, default: 10000, unit: 'ms', label: 'A handler still pending after this long fails (0 = never). Cannot stop a handler that blocks or loops' },
  seed: { flag: 'seed', type: 'int', min: 0, max: 4294967295, default: 1, unit: '', label: 'Seed of the request payloads and open-loop arrivals' },
};

/** Options that are not run parameters. */
export const OPTIONS = {
  exercise: { flag: 'exercise', label: 'Exercise folder name (slug)' },
  variant: { flag: 'variant', label: 'sync | async | sync-batch | parallel' },
  handler: { flag: 'handler', label: "'solution' (default), 'starter', or a path to a module exporting handle(req, ctx)" },
  quiet: { flag: 'quiet', boolean: true, label: 'Print only the summary line, not one line per request' },
  help: { flag: 'help', boolean: true, label: 'Print this help' },
};

export const VARIANTS = {
  sync: { title: 'sync', summary: 'One request at a time; I/O blocks the thread (Atomics.wait). Others wait in a queue.' },
  async: { title: 'async', summary: 'I/O is a timer-backed promise; many requests are in flight on one thread.' },
  'sync-batch': { title: 'sync + batching', summary: 'One group of up to `batch` queued requests at a time; one blocking call serves all their keys.' },
  parallel: { title: 'parallel', summary: 'A pool of `pool` threads, each a sync server; blocking I/O and CPU work overlap across threads.' },
};

export class UsageError extends Error {
  constructor(message) {
    super(message);
    this.name = 'UsageError';
  }
}

const byFlag = Object.fromEntries(
  [...Object.entries(PARAMETERS), ...Object.entries(OPTIONS)].map(([name, def]) => [def.flag, { name, ...def }]),
);

/** Parse `--flag value`, `--flag=value` and boolean `--flag`. Values stay strings. */
export function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}" (options look like --clients 50)`);
    let flag = arg.slice(2);
    let value;
    const eq = flag.indexOf('=');
    if (eq >= 0) [flag, value] = [flag.slice(0, eq), flag.slice(eq + 1)];
    const def = byFlag[flag];
    if (!def) throw new UsageError(`unknown option --${flag}. Known: ${Object.keys(byFlag).map((f) => '--' + f).join(' ')}`);
    if (def.boolean) {
      if (value !== undefined && !/^(true|false)$/.test(value)) throw new UsageError(`--${flag} takes no value`);
      out[def.name] = value !== 'false';
      continue;
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${flag} needs a value`);
    }
    out[def.name] = value;
  }
  return out;
}

/** The parameter table of one exercise: the runtime's definitions with the exercise's defaults and ranges. */
export function parameterTable(exercise) {
  const table = {};
  for (const [name, def] of Object.entries(PARAMETERS)) table[name] = { ...def, ...(exercise.parameters?.[name] ?? {}) };
  return table;
}

/** Check and convert raw (string or number) values against an exercise's table; fill defaults. */
export function resolveParams(exercise, raw) {
  const table = parameterTable(exercise);
  const params = {};
  for (const [name, def] of Object.entries(table)) {
    const given = raw[name];
    if (given === undefined || given === null || given === '') {
      params[name] = def.default;
      continue;
    }
    if (def.type === 'enum') {
      if (!def.values.includes(String(given))) throw new UsageError(`--${def.flag} must be one of ${def.values.join(', ')} (got "${given}")`);
      params[name] = String(given);
      continue;
    }
    const value = Number(given);
    if (!Number.isFinite(value)) throw new UsageError(`--${def.flag} must be a number (got "${given}")`);
    if (def.type === 'int' && !Number.isInteger(value)) throw new UsageError(`--${def.flag} must be a whole number (got "${given}")`);
    if (value < def.min || value > def.max) {
      throw new UsageError(`--${def.flag} must be between ${def.min} and ${def.max} for ${exercise.slug} (got ${value})`);
    }
    params[name] = value;
  }
  return params;
}

export function usage() {
  const lines = [
    'Usage: node run.js --exercise <slug> --variant <sync|async|sync-batch|parallel> [options]',
    '',
    'Prints one JSON line per request {"i","start","end","latency","ok"} and a final {"summary":{...}} line.',
    '',
    'Options:',
  ];
  for (const def of Object.values(OPTIONS)) lines.push(`  --${def.flag.padEnd(12)} ${def.label}`);
  lines.push('', 'Parameters (defaults are the exercise\'s own; see its exercise.json):');
  for (const def of Object.values(PARAMETERS)) {
    const range = def.type === 'enum' ? def.values.join('|') : `${def.min}..${def.max}`;
    lines.push(`  --${def.flag.padEnd(12)} ${def.label} [${range}${def.unit ? ' ' + def.unit : ''}]`);
  }
  return lines.join('\n');
}
