/**
 * The interleavings engine as its runner calls it (an EngineFn, see engineHost.ts), used by the
 * sandbox Worker (interleavings.worker.ts) and the main-thread fallback. Two kinds of job, and
 * four more for an async exploration in parts over several Workers (interleavingsRunner.ts):
 * `estimate` (how many schedules: worth it?), `split` (the schedule tree into parts), `part` (one
 * part searched) and `finish` (the merged result judged, its counterexample as cards):
 *
 * - `trace`: replays the learner's schedule (thread indices) on a level's program (the learner's
 *   source, with the level's invariant added by the engine's `levelProgram`) and returns every
 *   step's view (`traceThreads`) and the "find the bug" verdict (`checkFound`).
 * - `explore`: explores every schedule (`Explorer`, one schedule per `next()`), posting progress
 *   through the budget and stopping at the wall budget, and returns the counts, histogram,
 *   counterexample and the "prove it" verdict (`provedVerdict`).
 *
 * Learner code is parsed with acorn first so a syntax error names its line and column (the engine
 * compiles with `new Function`, whose SyntaxError does not). Async mode (`mode: 'async'`, an async
 * level): a trace is `playAsync` (the choices are indices into the pending completions, the cards
 * the learner clicked) judged by `checkFound` on the completion ids; an explore is
 * `exploreProgramSync` with progress and Stop, judged by `provedVerdictAsync`, its counterexample
 * given back as card indices (`picks`) and card names (`labels`) for the lab to replay and show.
 */
import { parse } from 'acorn';
import { Explorer, type ExploreResult } from '#sim/interleavings/explore';
import { threadsSystem, traceThreads, type ThreadsTraceStep, type ThreadsView } from '#sim/interleavings/threads';
import { asyncLevelById, checkFound, levelById, levelProgram, missingThreads, provedVerdict, provedVerdictAsync } from '#sim/interleavings/levels';
import { asyncPickIndices, estimateSchedules, exploreProgramPart, exploreProgramSync, playAsync, programResult, splitProgram, type AsyncTraceStep, type AsyncView, type ExploreProgramResult, type RuntimeCounts } from '#sim/interleavings/async';
import type { PartResult, Split } from '#sim/interleavings/parts';
import { ProgramError } from '#sim/eventloop/transform';
import type { EngineFn } from './engineHost';

import { MAX_CHOICES, MAX_SCHEDULES, MAX_SOURCE, type Mode } from './interleavingsLimits';
export { MAX_CHOICES, MAX_SCHEDULES, MAX_SOURCE, type Mode };

export interface SourceError {
  message: string;
  line?: number;
  column?: number;
}

export type InterleavingsJob =
  | { kind: 'trace'; mode: Mode; level: string; source: string; choices: number[] }
  | { kind: 'explore'; mode: Mode; level: string; source: string; maxSchedules?: number }
  // An async exploration in parts, over several Workers (interleavingsRunner.ts): the split, each
  // part, then the verdict on the merged result.
  | { kind: 'estimate'; mode: 'async'; level: string; source: string }
  | { kind: 'split'; mode: 'async'; level: string; source: string; want: number }
  | { kind: 'part'; mode: 'async'; level: string; source: string; prefix: number[]; maxSchedules: number }
  | { kind: 'finish'; mode: 'async'; level: string; source: string; result: ExploreResult<number>; runs: RuntimeCounts; ms: number; timedOut: boolean };

/** Knuth's estimate of how many schedules the program has (whether to search it in parts). */
export interface EstimateRun {
  kind: 'estimate';
  schedules: number | null;
  error?: SourceError;
}

/** The split of an exploration into parts (parts.ts). */
export interface SplitRun {
  kind: 'split';
  split: Split<number> | null;
  error?: SourceError;
}

/** One part searched: its result, and whether the wall budget stopped it. */
export interface PartRun {
  kind: 'part';
  part: (PartResult<number> & { runs: RuntimeCounts }) | null;
  timedOut: boolean;
  error?: SourceError;
}

export interface TraceRun {
  kind: 'trace';
  threads: string[];
  initial: ThreadsView | null;
  steps: ThreadsTraceStep[];
  /** The choices that were replayed (a prefix of the job's, when one was not enabled). */
  choices: number[];
  /** Set when the job's choices had to be cut at this index (thread not enabled there). */
  cutAt?: number;
  found: { won: boolean; end: string; outcome: string } | null;
  error?: SourceError;
}

/** An async schedule played (mode 'async'): views of pending completions, the db and the console. */
export interface AsyncTraceRun {
  kind: 'async-trace';
  initial: AsyncView | null;
  startEvents: string[];
  steps: AsyncTraceStep[];
  /** The picks that were replayed (a prefix of the job's, when one did not exist). */
  choices: number[];
  cutAt?: number;
  found: { won: boolean; end: string; outcome: string } | null;
  error?: SourceError;
}

export interface ExploreProgressInfo {
  schedules: number;
  failing: number;
  deadlocks: number;
  fraction: number;
}

export interface ExploreRun {
  kind: 'explore';
  source: string;
  level: string;
  threads: string[];
  result: ExploreResult<number> | null;
  verdict: { won: boolean; reason: string } | null;
  /** Stopped by the wall budget (not by the learner). */
  timedOut: boolean;
  /** Wall milliseconds the exploration took in the Worker (the search only, not the verdict). */
  ms?: number;
  /** Async mode: how many runs the fast runtime made and how many the full engine made. */
  runs?: RuntimeCounts;
  /** Set when the search ran in parts over this many Workers at once (interleavingsRunner.ts). */
  workers?: number;
  /** Async mode: the counterexample as card indices (to replay) and as completion names (to show). */
  picks?: number[];
  labels?: string[];
  error?: SourceError;
}

export type InterleavingsRun = TraceRun | AsyncTraceRun | ExploreRun | EstimateRun | SplitRun | PartRun;

/** A syntax error with its line and column, or null when the source parses. */
export function syntaxError(source: string): SourceError | null {
  if (source.length > MAX_SOURCE) return { message: `The program is ${source.length} characters long; the lab takes at most ${MAX_SOURCE}.` };
  try {
    parse(source, { ecmaVersion: 'latest', sourceType: 'script' });
    return null;
  } catch (error) {
    const e = error as SyntaxError & { loc?: { line: number; column: number } };
    const msg = e.message.replace(/\s*\(\d+:\d+\)$/, '');
    return { message: `Syntax error on line ${e.loc?.line ?? '?'}, column ${e.loc ? e.loc.column + 1 : '?'}: ${msg}`, line: e.loc?.line, column: e.loc ? e.loc.column + 1 : undefined };
  }
}

function emptyTrace(error: SourceError, choices: number[] = []): TraceRun {
  return { kind: 'trace', threads: [], initial: null, steps: [], choices, found: null, error };
}

function runTrace(job: Extract<InterleavingsJob, { kind: 'trace' }>): TraceRun {
  const bad = syntaxError(job.source);
  if (bad) return emptyTrace(bad);
  const level = levelById(job.level);
  let program;
  try {
    program = levelProgram(level, job.source);
  } catch (e) {
    return emptyTrace({ message: (e as Error).message });
  }
  // Keep the longest prefix of the schedule that can run (a link made for other code).
  let choices = job.choices;
  let cutAt: number | undefined;
  const sys = threadsSystem(program);
  let st = sys.start();
  for (let i = 0; i < choices.length; i++) {
    if (sys.status(st) !== 'running' || !sys.enabled(st).includes(choices[i])) {
      cutAt = i;
      choices = choices.slice(0, i);
      break;
    }
    st = sys.step(st, choices[i]);
  }
  const trace = traceThreads(program, choices);
  const found = checkFound(level, choices, job.source);
  return { kind: 'trace', threads: program.threads, initial: trace.initial, steps: trace.steps, choices, ...(cutAt !== undefined ? { cutAt } : {}), found };
}

function runExplore(job: Extract<InterleavingsJob, { kind: 'explore' }>, shouldStop: () => boolean, progress?: (p: unknown) => void): ExploreRun {
  const base = { kind: 'explore' as const, source: job.source, level: job.level, threads: [] as string[], result: null, verdict: null, timedOut: false };
  const bad = syntaxError(job.source);
  if (bad) return { ...base, error: bad };
  const level = levelById(job.level);
  let program;
  try {
    program = levelProgram(level, job.source);
  } catch (e) {
    return { ...base, error: { message: (e as Error).message } };
  }
  const missing = missingThreads(level, program);
  const ex = new Explorer(threadsSystem(program), { maxSchedules: Math.min(job.maxSchedules ?? MAX_SCHEDULES, MAX_SCHEDULES) });
  let timedOut = false;
  let n = 0;
  const t0 = performance.now();
  while (ex.next()) {
    if ((++n & 255) === 0) {
      if (shouldStop()) {
        timedOut = true;
        ex.stop();
        break;
      }
      if ((n & 4095) === 0) progress?.(ex.progress() satisfies ExploreProgressInfo);
    }
  }
  const ms = performance.now() - t0;
  const result = ex.result();
  const verdict = missing ? { won: false, reason: missing } : provedVerdict(result);
  return { ...base, threads: program.threads, result, verdict, timedOut, ms };
}

function programError(e: unknown): SourceError {
  if (e instanceof ProgramError) return { message: e.message, ...(e.line !== undefined ? { line: e.line } : {}), ...(e.column !== undefined ? { column: e.column } : {}) };
  return { message: (e as Error).message };
}

function runAsyncTrace(job: Extract<InterleavingsJob, { kind: 'trace' }>): AsyncTraceRun {
  const empty = (error: SourceError): AsyncTraceRun => ({ kind: 'async-trace', initial: null, startEvents: [], steps: [], choices: [], found: null, error });
  const bad = syntaxError(job.source);
  if (bad) return empty(bad);
  const level = asyncLevelById(job.level);
  let play;
  try {
    play = playAsync(job.source, job.choices);
  } catch (e) {
    return empty(programError(e));
  }
  const choices = play.steps.map((s) => s.index);
  const found = checkFound(level, play.ids, job.source);
  return { kind: 'async-trace', initial: play.initial, startEvents: play.startEvents, steps: play.steps, choices, ...(play.cutAt !== undefined ? { cutAt: play.cutAt } : {}), found };
}

function runAsyncExplore(job: Extract<InterleavingsJob, { kind: 'explore' }>, shouldStop: () => boolean, progress?: (p: unknown) => void): ExploreRun {
  const base = { kind: 'explore' as const, source: job.source, level: job.level, threads: [] as string[], result: null, verdict: null, timedOut: false };
  const bad = syntaxError(job.source);
  if (bad) return { ...base, error: bad };
  asyncLevelById(job.level); // an unknown level throws before any work
  let timedOut = false;
  const signal = {
    get aborted() {
      if (shouldStop()) timedOut = true;
      return timedOut;
    },
  };
  const t0 = performance.now();
  const r = exploreProgramSync(job.source, { maxSchedules: Math.min(job.maxSchedules ?? MAX_SCHEDULES, MAX_SCHEDULES), signal, onProgress: (p) => progress?.(p satisfies ExploreProgressInfo) });
  const ms = performance.now() - t0;
  if (r.error) return { ...base, error: r.error };
  return asyncExploreRun(job, r, ms, timedOut);
}

/** An async exploration's result as the lab shows it: the "prove it" verdict, and the
 * counterexample as cards to replay and as their names. */
function asyncExploreRun(job: { source: string; level: string }, r: ExploreProgramResult, ms: number, timedOut: boolean): ExploreRun {
  const level = asyncLevelById(job.level);
  const { won, reason } = provedVerdictAsync(level, job.source, r);
  const ce = r.counterexample;
  let picks: number[] | undefined;
  let labels: string[] | undefined;
  if (ce) {
    picks = asyncPickIndices(job.source, ce.choices);
    labels = playAsync(job.source, picks).steps.map((s) => s.completion.name);
  }
  return { kind: 'explore', source: job.source, level: job.level, threads: [], result: r.result ?? null, verdict: { won, reason }, timedOut, ms, ...(r.runs ? { runs: r.runs } : {}), ...(picks ? { picks, labels } : {}) };
}

function runEstimate(job: Extract<InterleavingsJob, { kind: 'estimate' }>): EstimateRun {
  const bad = syntaxError(job.source);
  if (bad) return { kind: 'estimate', schedules: null, error: bad };
  const n = estimateSchedules(job.source);
  return typeof n === 'number' ? { kind: 'estimate', schedules: n } : { kind: 'estimate', schedules: null, error: n.error };
}

function runSplit(job: Extract<InterleavingsJob, { kind: 'split' }>): SplitRun {
  const bad = syntaxError(job.source);
  if (bad) return { kind: 'split', split: null, error: bad };
  const split = splitProgram(job.source, job.want);
  if ('error' in split) return { kind: 'split', split: null, error: split.error };
  return { kind: 'split', split };
}

function runPart(job: Extract<InterleavingsJob, { kind: 'part' }>, shouldStop: () => boolean, progress?: (p: unknown) => void): PartRun {
  let timedOut = false;
  const signal = {
    get aborted() {
      if (shouldStop()) timedOut = true;
      return timedOut;
    },
  };
  try {
    const part = exploreProgramPart(job.source, job.prefix, { maxSchedules: job.maxSchedules, signal, onProgress: (p) => progress?.(p satisfies ExploreProgressInfo) });
    return { kind: 'part', part, timedOut };
  } catch (e) {
    return { kind: 'part', part: null, timedOut, error: programError(e) };
  }
}

export const runInterleavingsJob: EngineFn<InterleavingsJob, InterleavingsRun> = (job, budget) => {
  if (job.kind === 'estimate') return runEstimate(job);
  if (job.kind === 'split') return runSplit(job);
  if (job.kind === 'part') return runPart(job, budget.shouldStop, budget.progress);
  if (job.kind === 'finish') return asyncExploreRun(job, programResult(job.source, job.result, job.runs), job.ms, job.timedOut);
  if (job.mode === 'async') return job.kind === 'trace' ? runAsyncTrace(job) : runAsyncExplore(job, budget.shouldStop, budget.progress);
  return job.kind === 'trace' ? runTrace(job) : runExplore(job, budget.shouldStop, budget.progress);
};
