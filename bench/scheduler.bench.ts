/**
 * `npm run bench` (or `npm run bench -- scheduler`): bench/run.mjs bundles this file and calls
 * `run()`. One figure per policy: median ms of simulate() for 10,000 tasks on 16 cores, mixed
 * workload, including the one-core reference run. Budget 100 ms.
 */
import { benchScheduler } from './scheduler';

interface Figure {
  name: string;
  value: number;
  unit: string;
  budget?: number;
  note?: string;
}

export async function run(): Promise<Figure[]> {
  return benchScheduler().map((r) => ({
    name: r.name,
    value: r.medianMs,
    unit: 'ms',
    budget: r.budgetMs,
    note: `median of ${r.runsMs.length}; ${r.events} events${r.truncated ? ', trace capped' : ''}; includes the 1-core reference run`,
  }));
}
