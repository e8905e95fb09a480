/**
 * The sync/async lab's model: an exercise (the preset), the learner's handler, the variants to
 * run, the exercise's parameters, a time budget per variant and the runtime picked. A run measures
 * the variants one after the other on a real runtime (src/runners/compare.ts), reporting a row per
 * variant as it goes; the run is the list of results, it has no steps (a fold of length 0), and its
 * narration is the reading of the numbers (lab.ts readResults). Measurements cannot be repeated
 * exactly, so the run on screen travels in the link (`url.result`) and the lab never runs by itself.
 *
 * The runtime (WebContainer or browser Worker) is one per page (runtime.svelte.ts), made and
 * loaded on the first run.
 */
import { param } from '#lib/permalink';
import { runVariants } from '#runners/compare';
import { APPLE_MOBILE_MESSAGE, PREFERENCES, type RuntimePreference } from '#runners/select';
import type { RuntimeStatus } from '#runners/session';
import type { Variant } from '#runners/runner';
import { BOOT_TIMEOUT_MS } from '#runners/webcontainer';
import type { LabModel } from '../shared/labModel';
import { acquireRunner } from './runtime.svelte';
import {
  CONTROLS,
  EXERCISES,
  EXERCISE_SLUGS,
  MAX_CODE,
  VARIANT_TITLES,
  checkHandler,
  clampConfig,
  controlsFor,
  decodeResults,
  defaultConfig,
  encodeResults,
  getExercise,
  readResults,
  resultOf,
  variantList,
  type LabConfig,
  type VariantResult,
} from './lab';

export interface SyncAsyncSettings extends LabConfig {
  runtime: RuntimePreference;
  /** The handler module the variants run. */
  code: string;
}

/** One variant's line in the progress table. */
export interface Row {
  variant: Variant;
  state: 'waiting' | 'running' | 'done' | 'failed' | 'timedOut' | 'stopped';
  done: number;
  errors: number;
  total: number | null;
  message?: string;
}

/** What a run reports while it measures: a row per variant and the variants finished so far. */
export interface SyncAsyncProgress {
  rows: Row[];
  results: VariantResult[];
}

export interface PresetOptions {
  /** Variants ticked at first (default: all the exercise has). */
  variants?: readonly Variant[];
  /** Parameter values that differ from the lab's defaults. */
  params?: Record<string, number>;
  /** Which shipped handler fills the editor. */
  handler?: 'starter' | 'solution';
  runtime?: RuntimePreference;
}

/** The settings an exercise starts from (an unknown slug throws, so a lesson's typo fails its build). */
export function presetSettings(slug: string, options: PresetOptions = {}): SyncAsyncSettings {
  const ex = getExercise(slug);
  const base = defaultConfig(ex.slug, options.variants);
  const { value } = clampConfig({ ...base, params: { ...base.params, ...(options.params ?? {}) } });
  return { ...value, runtime: options.runtime ?? 'auto', code: options.handler === 'solution' ? ex.solution : ex.starter };
}

/** Which handler the editor holds: one of the exercise's own, or the learner's. */
export function handlerKind(s: SyncAsyncSettings): 'starter' | 'solution' | 'edited' {
  const ex = getExercise(s.preset);
  return s.code === ex.starter ? 'starter' : s.code === ex.solution ? 'solution' : 'edited';
}

/* ---------------- before a run ---------------- */

export interface RunProblem {
  /** The sentence the lab shows; nothing ran. */
  message: string;
  /** Where in the handler (1-based), for the editor's marker. */
  at?: { line: number; column: number; message: string };
}

/** Why these settings cannot run (too long, no variant, a handler that does not parse or export), or null. */
export async function checkSettings(s: SyncAsyncSettings): Promise<RunProblem | null> {
  if (s.code.length > MAX_CODE) {
    return { message: `The handler is ${s.code.length.toLocaleString('en')} characters long; the lab takes up to ${MAX_CODE.toLocaleString('en')}.` };
  }
  if (s.variants.length === 0) return { message: 'Tick at least one variant to run.' };
  const check = await checkHandler(s.code);
  if (check.ok) return null;
  return {
    message: `${check.message} (line ${check.line}, column ${check.column}). Nothing ran: fix the handler and run again.`,
    at: { line: check.line, column: check.column, message: check.message },
  };
}

/* ---------------- rows and lines ---------------- */

/** The progress table of a finished run, from its results. */
export function rowsOf(results: readonly VariantResult[], total: number | null): Row[] {
  return results.map((r) => ({
    variant: r.variant,
    state: r.status === 'ok' ? 'done' : r.status,
    done: r.completed,
    errors: r.errors,
    total,
    message: r.message,
  }));
}

export function rowText(r: Row): string {
  const state =
    r.state === 'waiting'
      ? 'waiting'
      : r.state === 'running'
        ? `${r.done} / ${r.total ?? '?'}`
        : r.state === 'done'
          ? `done, ${r.done} requests`
          : r.state === 'timedOut'
            ? 'stopped at the budget'
            : r.state;
  return state + (r.errors > 0 ? `, ${r.errors} errored` : '');
}

/** The narration while a run measures. */
export function progressLine(p: SyncAsyncProgress | null): string {
  const row = p?.rows.find((r) => r.state === 'running');
  return row ? `Running ${VARIANT_TITLES[row.variant]}: ${row.done} of ${row.total ?? '?'} requests…` : 'Running…';
}

export const INTRO = 'Edit the handler if you like, choose the variants, and press Run to measure them one after the other.';

const runtimeLabel = (kind: 'worker' | 'webcontainer') => (kind === 'worker' ? 'browser Worker' : 'WebContainer (Node)');

/**
 * The runtime's status line for a lab that picked `preference`: the page's runtime status when it
 * is about that preference (one runtime serves every lab on the page), otherwise what Run will do.
 */
export function runtimeLine(
  status: RuntimeStatus,
  preference: RuntimePreference,
  now: number,
  appleMobile = false,
): { phase: RuntimeStatus['phase']; text: string } {
  const s: RuntimeStatus = status.phase !== 'idle' && status.preference === preference ? status : { phase: 'idle' };
  const limit = BOOT_TIMEOUT_MS / 1000;
  switch (s.phase) {
    case 'idle':
      return {
        phase: 'idle',
        text:
          preference === 'worker'
            ? 'Runs in the browser Worker.'
            : preference === 'auto' && appleMobile
              ? `Runs in the browser Worker. ${APPLE_MOBILE_MESSAGE}`
              : `The first Run starts the WebContainer (real Node, loaded from StackBlitz)${preference === 'auto' ? `; if it has not started within ${limit} s, the browser Worker runs instead` : ''}.`,
      };
    case 'starting': {
      if (s.preference === 'worker') return { phase: s.phase, text: 'Starting the browser Worker…' };
      const left = Math.max(0, Math.ceil(limit - (now - s.since) / 1000));
      const then = s.preference === 'auto' ? `${left} s left before the browser Worker takes over (or pick it now)` : `${left} s left before it gives up`;
      return { phase: s.phase, text: `Starting the WebContainer (real Node in your browser)… ${then}.` };
    }
    case 'ready':
      if (s.switched) return { phase: s.phase, text: 'Runs in the WebContainer (Node): it finished starting after the browser Worker had taken over, so the next Run uses it.' };
      return { phase: s.phase, text: s.fellBackBecause ? `Runs in the browser Worker. ${s.fellBackBecause}` : `Runs in the ${runtimeLabel(s.kind)}.` };
    case 'unavailable':
      return { phase: s.phase, text: s.reason };
  }
}

/* ---------------- the run ---------------- */

const stoppedResult = (variant: Variant, runtime: RuntimePreference): VariantResult =>
  resultOf({ variant, runner: runtime === 'webcontainer' ? 'webcontainer' : 'worker', status: 'stopped', message: 'You stopped the run.', summary: null, latencies: [], requestErrors: 0, lines: [], wallMs: 0 });

async function measure(s: SyncAsyncSettings, signal: AbortSignal, progress: (p: SyncAsyncProgress) => void): Promise<VariantResult[]> {
  const problem = await checkSettings(s);
  if (problem) throw new Error(problem.message);
  const total = s.params.requests ?? null;
  let rows: Row[] = s.variants.map((variant) => ({ variant, state: 'waiting', done: 0, errors: 0, total }));
  const results: VariantResult[] = [];
  let last = 0;
  const report = (force: boolean) => {
    const now = performance.now();
    if (!force && now - last < 50) return; // a request every few ms: the table needs a few frames a second
    last = now;
    progress({ rows, results: [...results] });
  };
  report(true);

  let runner;
  try {
    runner = await acquireRunner(s.runtime, signal);
  } catch (error) {
    // Stop while the runtime starts: nothing was measured, every variant says so.
    if (signal.aborted) return s.variants.map((v) => stoppedResult(v, s.runtime));
    throw error;
  }
  await runVariants(runner, { exercise: s.preset, variants: s.variants, params: { ...s.params }, handlerSource: s.code }, {
    signal,
    budgetMs: s.budgetS * 1000,
    onProgress: (p) => {
      rows = rows.map((r, i) => (i === p.index ? { ...r, state: 'running', done: p.done, errors: p.errors, total: p.total } : r));
      report(p.done === 0);
    },
    onOutcome: (outcome, index) => {
      const r = resultOf(outcome);
      results.push(r);
      rows = rows.map((row, i) => (i === index ? rowsOf([r], row.total)[0] : row));
      report(true);
    },
  });
  return results;
}

export const syncAsyncModel: LabModel<SyncAsyncSettings, VariantResult[], VariantResult[], SyncAsyncProgress> = {
  id: 'sync-async',
  noun: 'handler',
  presets: EXERCISES.map((e) => ({ id: e.slug, title: e.title, description: e.description })),
  preset: (id) => presetSettings(id),
  url: {
    schema: {
      preset: param.oneOf(EXERCISE_SLUGS),
      v: variantList,
      budget: param.number(),
      rt: param.oneOf(PREFERENCES),
      h: param.oneOf(['starter', 'solution'] as const),
      code: param.text(4 * MAX_CODE),
      ...Object.fromEntries(CONTROLS.map((c) => [c.name, param.number()])),
    },
    // Every setting is written (a link read on another lesson's lab still means the same run);
    // the handler as `h` when it is the exercise's solution, as packed text when edited.
    encode: (s) => {
      const kind = handlerKind(s);
      return {
        preset: s.preset,
        v: s.variants.join(',') || undefined,
        ...s.params,
        budget: s.budgetS,
        rt: s.runtime === 'auto' ? undefined : s.runtime,
        h: kind === 'solution' ? 'solution' : undefined,
        code: kind === 'edited' ? s.code : undefined,
      };
    },
    decode: (f, base) => {
      const slug = (f.preset as string | undefined) ?? base.preset;
      const ex = getExercise(slug);
      const from = slug === base.preset ? base : presetSettings(slug, { runtime: base.runtime });
      const params = { ...from.params };
      for (const c of controlsFor(ex)) if (typeof f[c.name] === 'number') params[c.name] = f[c.name] as number;
      return {
        preset: slug,
        variants: (f.v as Variant[] | undefined) ?? from.variants,
        params,
        budgetS: (f.budget as number | undefined) ?? from.budgetS,
        runtime: (f.rt as RuntimePreference | undefined) ?? from.runtime,
        code: (f.code as string | undefined) ?? (f.h === 'solution' ? ex.solution : ex.starter),
      };
    },
    packed: { code: MAX_CODE },
    result: { encode: encodeResults, decode: decodeResults, max: 200_000 },
  },
  autoRun: false,
  keepStopped: true,
  keepOnPresetChange: (prev, next) => ({
    ...next,
    variants: prev.variants.some((v) => next.variants.includes(v)) ? prev.variants : next.variants,
    budgetS: prev.budgetS,
    runtime: prev.runtime,
    code: handlerKind(prev) === 'solution' ? getExercise(next.preset).solution : next.code,
  }),
  clamp(s) {
    const { value, notes } = clampConfig(s);
    return { settings: { ...s, ...value }, notes };
  },
  runKey: (s) => JSON.stringify([s.preset, s.variants, s.params, s.code]),
  run: measure,
  fold: (run) => ({ length: 0, at: () => run }),
  narrate: (run) => readResults(run),
  emptyState: [],
};
