/**
 * The dataflow engine as its runner calls it: an EngineFn `(job, budget) => run`, used by its sandbox
 * Worker (`serveEngine(...)`) and by EngineHost's main-thread fallback, which imports this module
 * dynamically, so the engine is never in a page's initial JavaScript through the runner.
 * A job is plain, structured-cloneable data; the wall budget comes as `budget`.
 */
import { simulate } from '#sim/dataflow/simulate';
import type { DataflowConfig, DataflowRun } from '#sim/dataflow/types';
import { compileOperator } from './dataflowCode';
import type { EngineFn } from './engineHost';

export interface DataflowCode {
  /** Operator id the function is for. */
  op: string;
  /** Name of the function the code defines. */
  name: string;
  source: string;
}

export interface DataflowJob {
  config: DataflowConfig;
  seed: number;
  code?: DataflowCode;
}

/** A run, or learner code that did not compile (with where), or a runner failure. */
export type DataflowOutcome =
  | { kind: 'run'; run: DataflowRun }
  | { kind: 'code-error'; message: string; line?: number; column?: number }
  | { kind: 'failed'; message: string };

export const runDataflowJob: EngineFn<DataflowJob, DataflowOutcome> = (job, budget) => {
  const hooks: Record<string, (r: { key: number; value: number }) => unknown> = {};
  if (job.code) {
    const compiled = compileOperator(job.code.source, job.code.name);
    if (!compiled.ok) return { kind: 'code-error', message: compiled.message, line: compiled.line, column: compiled.column };
    hooks[job.code.op] = compiled.fn;
  }
  return { kind: 'run', run: simulate(job.config, job.seed, { hooks, shouldStop: budget.shouldStop }) };
};
