/**
 * One plain-English line per step, for the lab's aria-live narration and the presenter view.
 * It reads the step's view (fold.ts): how fast records leave, which stage limits them and why it
 * shows (busy, upstream blocked), where records pile up (a full buffer, a growing unbounded one,
 * the source's backlog), and at the last step how the run ended.
 */
import { formatCount, formatDuration, formatPercent, formatRate as formatRateNumber } from '../core/format';
import { dataflowFold, type DataflowFold, type DataflowView } from './fold';
import type { DataflowRun } from './types';

/** Time for reading: "340 ms", "4.5 ms", "1.25 s" (the site's formatDuration, #sim/core/format). */
export const formatTime = formatDuration;

/** Whole numbers with thousands separators ("1,250"). */
export { formatCount };

/** A rate for reading: "1,250/s", "2.5/s". */
export function formatRate(perSecond: number): string {
  return `${formatRateNumber(perSecond)}/s`;
}

const pct = (x: number) => formatPercent(x);

function burstNote(run: Pick<DataflowRun, 'config'>, t: number): string {
  for (const op of run.config.operators) {
    if (op.kind === 'source' && op.burst && t >= op.burst.from && t < op.burst.to) {
      return `A burst is on: "${op.label}" receives ${formatRate(op.burst.rate)} instead of ${formatRate(op.rate)}. `;
    }
  }
  return '';
}

function describe(run: Pick<DataflowRun, 'config' | 'mode'>, v: DataflowView): string {
  const ops = run.config.operators;
  const parts: string[] = [];
  // A window turns many records into a few aggregates: count what enters instead.
  if (ops.some((o) => o.kind === 'window')) parts.push(`${formatRate(v.sourceRate)} enter the graph`);
  else parts.push(`${formatRate(v.throughput)} reach the ${ops.filter((o) => o.kind === 'sink').length > 1 ? 'sinks' : 'sink'}`);
  const b = v.bottleneck;
  if (b.op >= 0) {
    const op = ops[b.op];
    if (b.skewed) parts.push(`"${op.label}" is the bottleneck: its instance ${b.busiestInstance + 1} is busy ${pct(b.busiest)}, the others far less (key skew)`);
    else parts.push(`"${op.label}" is the bottleneck, busy ${pct(b.busiest)}`);
  } else {
    parts.push('no stage is saturated');
  }
  // The most-blocked operator, when it is not the bottleneck.
  // (the one feeding the bottleneck when it is blocked: that is where the stall starts).
  let blockedOp = -1;
  for (const e of v.edges) {
    if (e.to === b.op && v.operators[e.from].blocked >= 0.2) blockedOp = e.from;
  }
  if (blockedOp < 0) {
    v.operators.forEach((o, k) => {
      if (o.blocked >= 0.2 && (blockedOp < 0 || o.blocked > v.operators[blockedOp].blocked)) blockedOp = k;
    });
  }
  if (blockedOp >= 0 && blockedOp !== b.op) {
    parts.push(`"${ops[blockedOp].label}" is blocked ${pct(v.operators[blockedOp].blocked)} of the time by a full buffer`);
  }
  // Where records pile up: the buffer into the bottleneck when it is full, else the fullest one.
  let biggest = v.edges.findIndex((e) => e.to === b.op && e.ratio >= 1);
  if (biggest < 0) {
    v.edges.forEach((e, k) => {
      if (biggest < 0 || e.fill > v.edges[biggest].fill) biggest = k;
    });
  }
  if (biggest >= 0 && v.edges[biggest].fill > 0) {
    const e = v.edges[biggest];
    const into = ops[e.to].label;
    if (!Number.isFinite(e.capacity)) {
      if (e.fill >= 50) parts.push(`the unbounded buffer into "${into}" holds ${formatCount(e.fill)} records`);
    } else if (e.ratio >= 1) {
      parts.push(`the buffer into "${into}" is full`);
    }
  }
  if (v.backlog >= 1 && run.mode === 'stream') parts.push(`${formatCount(v.backlog)} records wait at the source`);
  return parts.join('; ');
}

/** Narration of step i, with a fold built on the spot (pass `fold` to reuse one). */
export function narrate(
  run: Pick<DataflowRun, 'config' | 'samples' | 'instanceBase' | 'bufferBase' | 'edges' | 'mode' | 'metrics' | 'error'>,
  i: number,
  fold: DataflowFold = dataflowFold(run),
): string {
  const step = Math.max(0, Math.min(fold.length, Number.isFinite(i) ? Math.floor(i) : i > 0 ? fold.length : 0));
  const ops = run.config.operators;
  if (step === 0) {
    const sources = ops.filter((o) => o.kind === 'source');
    const what = sources
      .map((o) => (o.rate > 0 ? `"${o.label}" will receive ${formatRate(o.rate)} for ${formatTime(run.config.duration)}` : `"${o.label}" holds ${formatCount(o.count)} records`))
      .join(' and ');
    return `t = 0 ms: nothing has run yet. ${what[0].toUpperCase()}${what.slice(1)}.`;
  }
  const v = fold.at(step);
  let line = `t = ${formatTime(v.t)}: ${burstNote(run, v.t)}${describe(run, v)}.`;
  if (step === fold.length) {
    const m = run.metrics;
    if (run.error) line += ` The run stopped early: ${run.error.message}`;
    else if (run.mode === 'batch') {
      line += ` The job is done after ${formatTime(m.makespan)}: ${formatCount(m.delivered)} records delivered; the median one was out ${formatTime(m.latency.p50)} after the start.`;
    } else {
      line += ` The run ends: ${formatCount(m.delivered)} records delivered, median latency ${formatTime(m.latency.p50)}, 95th percentile ${formatTime(m.latency.p95)}.`;
    }
  }
  return line;
}
