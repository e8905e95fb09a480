/**
 * Runs one exercise under several variants, one after the other, on one runner, and collects
 * what each run measured: the CLI's summary and every request's latency.
 *
 *   const outcomes = await runVariants(runner, { exercise: 'io-db', variants: ['sync', 'async'], params }, {
 *     signal, budgetMs: 30_000, onProgress: (p) => ...,
 *   });
 *
 * - Variants run sequentially: two variants at once would share the CPU and spoil both figures.
 * - A wall-time budget per variant, the same for every runtime: past it the run is aborted and
 *   its outcome says `timedOut` with a readable message. (The Worker runner also has a hard
 *   budget of its own; the WebContainer runner has none, so this is the one that stops a learner's
 *   infinite loop there.) The next variant still runs: a stuck sync handler does not hide async.
 * - The caller's signal stops the current variant and skips the rest (`stopped`).
 * - A handler that throws is an errored request in the records, not a failed run.
 */
import type { RunEvent, RunJob, Runner, RunnerKind, RunSummary, Variant } from './runner';

export interface CompareJob {
  exercise: string;
  variants: readonly Variant[];
  params?: RunJob['params'];
  handlerSource?: string;
  handler?: RunJob['handler'];
}

export interface Progress {
  variant: Variant;
  /** Position of the variant in the job (0-based) and how many there are. */
  index: number;
  count: number;
  /** Requests finished so far in this variant, and how many failed. */
  done: number;
  errors: number;
  /** Requests in the run (params.requests), when known. */
  total: number | null;
}

export type OutcomeStatus = 'ok' | 'failed' | 'timedOut' | 'stopped';

export interface VariantOutcome {
  variant: Variant;
  /** The runtime that ran it. */
  runner: RunnerKind;
  status: OutcomeStatus;
  /** Why it is not ok, readable. */
  message?: string;
  /** True when the CLI refused the options (a bad parameter, not a failed handler). */
  usage?: boolean;
  summary: RunSummary | null;
  /** Latency (ms) of every request that finished, in completion order. */
  latencies: number[];
  /** Requests that finished with ok: false. */
  requestErrors: number;
  /** Output lines that were not the CLI's JSON (the handler's console.log, stderr), first 50. */
  lines: string[];
  /** Real time the variant took, ms. */
  wallMs: number;
}

export interface CompareOptions {
  signal: AbortSignal;
  /** Wall-time budget of one variant, ms. */
  budgetMs: number;
  onProgress?: (progress: Progress) => void;
  /** Called when a variant finishes (before the next starts). */
  onOutcome?: (outcome: VariantOutcome, index: number) => void;
  now?: () => number;
}

export const MAX_LINES = 50;

export const budgetMessage = (ms: number) =>
  `Stopped at the time budget (${Math.round(ms / 100) / 10} s of real time) before the run finished. Is the handler stuck in a loop, or are there too many requests for this variant?`;

export const STOPPED_MESSAGE = 'You stopped the run.';

const numberOr = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Run every variant of the job; resolves with one outcome per variant that was started or skipped. */
export async function runVariants(runner: Runner, job: CompareJob, options: CompareOptions): Promise<VariantOutcome[]> {
  const { signal, budgetMs, onProgress, onOutcome } = options;
  const now = options.now ?? (() => performance.now());
  const total = numberOr(job.params?.requests);
  const outcomes: VariantOutcome[] = [];

  for (let index = 0; index < job.variants.length; index++) {
    const variant = job.variants[index];
    const outcome: VariantOutcome = {
      variant,
      runner: runner.kind,
      status: 'ok',
      summary: null,
      latencies: [],
      requestErrors: 0,
      lines: [],
      wallMs: 0,
    };
    if (signal.aborted) {
      outcome.status = 'stopped';
      outcome.message = STOPPED_MESSAGE;
      outcomes.push(outcome);
      onOutcome?.(outcome, index);
      continue;
    }

    const local = new AbortController();
    const forward = () => local.abort();
    signal.addEventListener('abort', forward, { once: true });
    let overBudget = false;
    const timer = setTimeout(() => {
      overBudget = true;
      local.abort();
    }, budgetMs);
    const started = now();
    let exitCode: number | null = null;
    let failure: Extract<RunEvent, { type: 'error' }> | null = null;
    onProgress?.({ variant, index, count: job.variants.length, done: 0, errors: 0, total });

    const runJob: RunJob = { exercise: job.exercise, variant, params: job.params };
    if (job.handlerSource !== undefined) runJob.handlerSource = job.handlerSource;
    else if (job.handler) runJob.handler = job.handler;

    try {
      for await (const event of runner.run(runJob, local.signal)) {
        switch (event.type) {
          case 'progress':
            // during the load: the CLI prints a count per tenth of the requests
            onProgress?.({ variant, index, count: job.variants.length, done: event.done, errors: event.errors, total: event.of ?? total });
            break;
          case 'request':
            // after the load: every record (older CLIs printed them during the load)
            outcome.latencies.push(event.latency);
            if (!event.ok) outcome.requestErrors++;
            onProgress?.({ variant, index, count: job.variants.length, done: outcome.latencies.length, errors: outcome.requestErrors, total });
            break;
          case 'summary':
            outcome.summary = event;
            break;
          case 'line':
            if (outcome.lines.length < MAX_LINES) outcome.lines.push(event.text);
            break;
          case 'error':
            // the first error says why; a later one (e.g. the exit after a fatal) adds nothing
            failure ??= event;
            break;
          case 'exit':
            exitCode = event.code;
            break;
        }
      }
    } catch (error) {
      failure ??= { type: 'error', message: error instanceof Error ? error.message : String(error), runner: runner.kind };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', forward);
    }
    outcome.wallMs = now() - started;

    const note = failure?.note ? ` ${failure.note}` : '';
    if (overBudget && !signal.aborted) {
      outcome.status = 'timedOut';
      outcome.message = budgetMessage(budgetMs) + note;
    } else if (signal.aborted) {
      outcome.status = 'stopped';
      outcome.message = STOPPED_MESSAGE + note;
    } else if (failure?.timedOut) {
      outcome.status = 'timedOut';
      outcome.message = failure.message;
    } else if (failure) {
      outcome.status = 'failed';
      outcome.message = failure.message;
      if (failure.usage) outcome.usage = true;
    } else if (!outcome.summary) {
      outcome.status = 'failed';
      outcome.message = `The run ended${exitCode !== null ? ` with code ${exitCode}` : ''} without a summary.${outcome.lines.length ? ` It printed: ${outcome.lines.slice(-3).join(' / ')}` : ''}`;
    }
    outcomes.push(outcome);
    onOutcome?.(outcome, index);
  }
  return outcomes;
}
