/**
 * Which operator limits the pipeline between two samples, and why, in the way Flink's web UI
 * suggests reading its job graph: the bottleneck is busy nearly all the time and is not itself
 * backpressured (blocked waiting for buffer space), while the operators upstream of it are.
 *
 * Rule, over the interval between samples `from` and `to`:
 * - per operator, the busy and blocked fractions of each instance;
 * - candidates are operators that do work per record (not stream sources) and are blocked less
 *   than half the time; the candidate whose busiest instance is busiest wins (the first in
 *   topological order on a tie);
 * - if that busiest instance is busy less than 85% of the time and no source is held back, no
 *   stage is saturated and there is no bottleneck: the sources set the pace;
 * - the bottleneck is "skewed" when its busiest instance is busy at least 25 points more than the
 *   mean of its instances: the keys routed to that instance carry more than their share.
 */
import { chainsOf, topoOrder } from './analyze';
import type { Bottleneck, DataflowRun } from './types';

const SATURATED = 0.85;
const SKEW_GAP = 0.25;

export type BottleneckInput = Pick<DataflowRun, 'config' | 'instanceBase' | 'samples' | 'edges'>;

/** Number of samples in the trailing window ("now") for a run with n samples: about 5% of the run. */
export function windowSamples(n: number): number {
  return Math.max(1, Math.round((n - 1) / 20));
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** Per operator: busy fraction of each instance, mean blocked fraction, over samples [from, to]. */
export function operatorLoad(run: BottleneckInput, from: number, to: number): { busy: number[]; blocked: number; meanBusy: number; maxBusy: number; maxAt: number }[] {
  const a = run.samples[Math.max(0, Math.min(from, run.samples.length - 1))];
  const b = run.samples[Math.max(0, Math.min(to, run.samples.length - 1))];
  const dt = b.t - a.t;
  return run.config.operators.map((op, o) => {
    const base = run.instanceBase[o];
    const busy: number[] = [];
    let blocked = 0;
    let maxBusy = 0;
    let maxAt = 0;
    let sum = 0;
    for (let j = 0; j < op.parallelism; j++) {
      const i = base + j;
      const x = dt > 0 ? (b.busy[i] - a.busy[i]) / dt : b.state[i] === 1 ? 1 : 0;
      const y = dt > 0 ? (b.blocked[i] - a.blocked[i]) / dt : b.state[i] === 2 ? 1 : 0;
      busy.push(x);
      blocked += y;
      sum += x;
      if (x > maxBusy + 1e-12) {
        maxBusy = x;
        maxAt = j;
      }
    }
    return { busy, blocked: blocked / op.parallelism, meanBusy: sum / op.parallelism, maxBusy, maxAt };
  });
}

/** The bottleneck between samples `from` and `to` (indices into run.samples). */
export function findBottleneck(run: BottleneckInput, from: number, to: number): Bottleneck {
  const ops = run.config.operators;
  const load = operatorLoad(run, from, to);
  const order = topoOrder(run.config);
  let best = -1;
  for (const o of order) {
    const op = ops[o];
    const works = op.kind !== 'source' || (op.rate === 0 && op.serviceMs > 0);
    if (!works || load[o].blocked >= 0.5) continue;
    if (best < 0 || load[o].maxBusy > load[best].maxBusy + 1e-9) best = o;
  }
  let sourceHeld = 0;
  ops.forEach((op, o) => {
    if (op.kind === 'source') sourceHeld = Math.max(sourceHeld, load[o].blocked);
  });
  if (best < 0 || (load[best].maxBusy < SATURATED && sourceHeld < 0.05)) {
    const busiest = best >= 0 ? ` The busiest, "${ops[best].label}", works ${pct(load[best].maxBusy)} of the time.` : '';
    return {
      op: -1,
      id: null,
      why: `No stage is saturated: every operator has spare time, so the sources set the pace.${busiest}`,
      busiest: best >= 0 ? load[best].maxBusy : 0,
      busiestInstance: best >= 0 ? load[best].maxAt : 0,
      meanBusy: best >= 0 ? load[best].meanBusy : 0,
      skewed: false,
    };
  }
  const op = ops[best];
  const l = load[best];
  const skewed = op.parallelism > 1 && l.maxBusy - l.meanBusy >= SKEW_GAP;
  // The most-blocked operator directly upstream.
  let up = -1;
  for (const e of run.edges) {
    if (e.to !== best) continue;
    if (up < 0 || load[e.from].blocked > load[up].blocked) up = e.from;
  }
  const upText =
    up >= 0 && load[up].blocked >= 0.05
      ? `, while "${ops[up].label}" upstream is blocked ${pct(load[up].blocked)} of the time waiting for space in its buffer`
      : '';
  const waits = l.blocked < 0.02 ? 'never waits for space downstream' : `waits for space downstream only ${pct(l.blocked)} of the time`;
  // In a chain, every operator reports its task's time: name the task, as Flink's web UI shows it.
  const { chains, chainOf } = chainsOf(run.config);
  const chain = chains[chainOf[best]];
  const name = chain.length > 1 ? `the chain "${chain.map((m) => ops[m].label).join(' → ')}" (one task)` : `"${op.label}"`;
  const Name = name[0].toUpperCase() + name.slice(1);
  let why: string;
  if (skewed) {
    why = `Key skew: instance ${l.maxAt + 1} of ${name} is busy ${pct(l.maxBusy)} of the time, but its ${op.parallelism} instances average ${pct(l.meanBusy)}: the most frequent keys all hash to that one instance${upText}.`;
  } else if (op.parallelism > 1) {
    why = `${Name} is busy ${pct(l.meanBusy)} of the time on each of its ${op.parallelism} instances and ${waits}${upText}.`;
  } else {
    why = `${Name} is busy ${pct(l.maxBusy)} of the time and ${waits}${upText}.`;
  }
  return { op: best, id: op.id, why, busiest: l.maxBusy, busiestInstance: l.maxAt, meanBusy: l.meanBusy, skewed };
}
