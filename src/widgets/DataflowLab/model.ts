/**
 * The dataflow lab's model: a preset's job graph tuned by the learner (instances and time per
 * record of some operators, buffers, input rate, key skew, seed) and, for the "write an operator"
 * preset, the learner's own function. Runs on the dataflow engine: on the page when only numbers
 * changed (the engine is the lab's own code, nothing to sandbox), in the sandbox Worker
 * (`runDataflow`) when learner code runs. The root (DataflowLab.svelte) only lays out views.
 *
 * Link fields (namespaced by the lab's id): `preset`, `p_<op>` and `ms_<op>` per tunable operator,
 * `buffer`, `unbounded`, `chaining`, `rate`, `skew`, `seed`, `code` (packed), and the session's `step`; only
 * what differs from the preset is written.
 */
import { param, type ParamRecord, type ParamSchema } from '#lib/permalink';
import { dataflowFold, getPreset, narrate, predict, PRESETS, simulate, validateConfig, type DataflowFold, type DataflowRun, type DataflowView } from '#sim/dataflow';
import { runDataflow } from '#runners/dataflowRunner';
import type { LabModel } from '../shared/labModel';
import { clampSettings, codeFunctionName, hasRateControl, hasSkewControl, MAX_CODE, presetSettings, toConfig, TUNABLE_IDS, type DataflowSettings } from './lab';

/** A run as the lab shows it: the engine's run, its fold, and what the views derive once per run. */
export interface DataflowLabRun {
  run: DataflowRun;
  fold: DataflowFold;
  /** Records per second each operator can handle (the engine's `predict`, skew included). */
  capacity: Record<string, number>;
  /** Fullest each channel got during the run (for the buffer gauges' scale). */
  edgeMax: number[];
  /** An error the learner should read: settings the engine refused, or a function that threw. */
  error: string | null;
  /** Where it ran: on the page (no learner code), or where the sandbox ran the learner's code. */
  host: 'page' | 'worker' | 'main-thread';
  /** Set by the sandbox when it had to fall back (no Worker). */
  note?: string;
}

/** Learner code that did not run: a syntax error (with its place), an endless loop, a sandbox failure. */
export class CodeRunError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
    this.name = 'CodeRunError';
  }
}

function labRun(run: DataflowRun, error: string | null, host: DataflowLabRun['host'], note?: string): DataflowLabRun {
  const pred = predict(run.config);
  const capacity: Record<string, number> = {};
  run.config.operators.forEach((o, i) => (capacity[o.id] = pred.operators[i].capacity));
  return { run, fold: dataflowFold(run), error: error ?? run.error?.message ?? null, capacity, edgeMax: run.metrics.edges.map((e) => e.maxFill), host, note };
}

/** Whether these settings run learner code (anything but the preset's own starting function). */
export function needsSandbox(s: DataflowSettings): boolean {
  const code = getPreset(s.preset).code;
  return code !== undefined && s.code !== code.source;
}

const runKey = (s: DataflowSettings) => JSON.stringify([s.preset, s.par, s.ms, s.buffer, s.unbounded, s.chaining, s.rate, s.skew, s.seed, s.code]);

/**
 * Recent page runs by run key. The engine is deterministic, so a run is reused rather than
 * recomputed: Restore shows the preset's run again at once, and so does switching a setting back.
 * Runs are megabytes, so only a few are kept.
 */
const recent = new Map<string, DataflowLabRun>();
const RECENT_MAX = 4;

/**
 * Runs settings that need no sandbox on this page, synchronously. Settings the engine refuses
 * show the preset's own run with the engine's message.
 */
export function runOnPage(s: DataflowSettings): DataflowLabRun {
  const key = runKey(s);
  const hit = recent.get(key);
  if (hit) return hit;
  let result: DataflowLabRun;
  try {
    result = labRun(simulate(toConfig(s), s.seed), null, 'page');
  } catch (e) {
    const p = getPreset(s.preset);
    result = labRun(simulate(p.config, p.seed), e instanceof Error ? e.message : String(e), 'page');
  }
  recent.set(key, result);
  if (recent.size > RECENT_MAX) recent.delete(recent.keys().next().value!);
  return result;
}

const abortError = () => new DOMException('The run was replaced or stopped.', 'AbortError');

/** The sandbox's result, or an AbortError as soon as `signal` aborts. */
function whenNotAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (e) => (signal.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}

async function runInSandbox(s: DataflowSettings, signal: AbortSignal): Promise<DataflowLabRun> {
  const p = getPreset(s.preset);
  const config = toConfig(s);
  try {
    validateConfig(config);
  } catch {
    return runOnPage(s); // the engine's message, on the preset's own run
  }
  const result = await whenNotAborted(runDataflow({ config, seed: s.seed, code: { op: p.code!.op, name: codeFunctionName(p)!, source: s.code } }), signal);
  if (result.kind === 'run') return labRun(result.run, null, result.host, result.note);
  if (result.kind === 'failed' && result.message === '') throw abortError(); // a newer job replaced it
  throw new CodeRunError(result.message, result.kind === 'code-error' ? result.line : undefined, result.kind === 'code-error' ? result.column : undefined);
}

/** The state a view shows before the first run (and after Stop): an empty graph at t = 0. */
export const EMPTY_VIEW: DataflowView = {
  step: 0,
  t: 0,
  operators: [],
  edges: [],
  emitted: 0,
  delivered: 0,
  filtered: 0,
  merged: 0,
  expired: 0,
  inFlight: 0,
  inBuffers: 0,
  inState: 0,
  backlog: 0,
  throughput: 0,
  sourceRate: 0,
  bottleneck: { op: -1, id: null, why: 'Nothing has run yet.', busiest: 0, busiestInstance: 0, meanBusy: 0, skewed: false },
  windowFrom: 0,
};

const num = (v: unknown, fallback: number) => (typeof v === 'number' ? v : fallback);

export const dataflowModel: LabModel<DataflowSettings, DataflowLabRun, DataflowView> = {
  id: 'dataflow',
  noun: 'pipeline',
  presets: PRESETS.map((p) => ({ id: p.id, title: p.title, description: p.description })),
  preset: presetSettings,
  url: {
    schema: {
      preset: param.oneOf(PRESETS.map((p) => p.id)),
      ...Object.fromEntries(TUNABLE_IDS.flatMap((id) => [
        [`p_${id}`, param.number()],
        [`ms_${id}`, param.number()],
      ])),
      buffer: param.number(),
      unbounded: param.bool(),
      chaining: param.bool(),
      rate: param.number(),
      skew: param.number(),
      seed: param.int(),
      code: param.text(4 * MAX_CODE),
    } satisfies ParamSchema,
    encode(s, base) {
      const p = getPreset(s.preset);
      const differs = <T>(a: T, b: T) => (a !== b ? a : undefined);
      const r: ParamRecord = { preset: s.preset };
      for (const id of p.tunable) {
        r[`p_${id}`] = differs(s.par[id], base.par[id]);
        r[`ms_${id}`] = differs(s.ms[id], base.ms[id]);
      }
      r.buffer = differs(s.buffer, base.buffer);
      r.unbounded = differs(s.unbounded, base.unbounded);
      r.chaining = differs(s.chaining, base.chaining);
      if (hasRateControl(p)) r.rate = differs(s.rate, base.rate);
      if (hasSkewControl(p)) r.skew = differs(s.skew, base.skew);
      r.seed = differs(s.seed, base.seed);
      if (p.code) r.code = differs(s.code, base.code);
      return r;
    },
    decode(f, base) {
      const p = getPreset(base.preset);
      const s: DataflowSettings = { ...base, par: { ...base.par }, ms: { ...base.ms } };
      for (const id of p.tunable) {
        s.par[id] = num(f[`p_${id}`], s.par[id]);
        s.ms[id] = num(f[`ms_${id}`], s.ms[id]);
      }
      s.buffer = num(f.buffer, s.buffer);
      if (typeof f.unbounded === 'boolean') s.unbounded = f.unbounded;
      if (typeof f.chaining === 'boolean') s.chaining = f.chaining;
      if (hasRateControl(p)) s.rate = num(f.rate, s.rate);
      if (hasSkewControl(p)) s.skew = num(f.skew, s.skew);
      s.seed = num(f.seed, s.seed);
      if (p.code && typeof f.code === 'string') s.code = f.code;
      return s;
    },
    packed: { code: MAX_CODE },
  },
  clamp: clampSettings,
  runKey,
  run: (s, signal) => (needsSandbox(s) ? runInSandbox(s, signal) : Promise.resolve(runOnPage(s))),
  fold: (r) => r.fold,
  narrate: (r, fold, step) => narrate(r.run, step, fold as DataflowFold),
  emptyState: EMPTY_VIEW,
  rate: (length) => Math.max(4, Math.min(60, length / 16)),
  // Changing instances while looking at the end of a run shows the end of the new run (where the
  // bottleneck mark has moved), as the lab always did.
  keepStep: 'proportional',
};
