/**
 * Named dataflow scenarios for the lesson and the lab. Each is a complete config, a seed, a title
 * and one sentence saying what to look at. The figures in comments are what `simulate` gives
 * (tests/unit/dataflow-presets.test.ts and dataflow-lesson.test.ts check them).
 */
import type { DataflowConfig, OperatorSpec } from './types';

export interface DataflowPreset {
  id: string;
  title: string;
  description: string;
  config: DataflowConfig;
  seed: number;
  /** Operators whose parallelism and service time the lab offers as inputs. */
  tunable: string[];
  /** A learner-code exercise: the operator whose function the learner writes, and its starting code. */
  code?: { op: string; kind: 'filter' | 'map'; source: string };
}

const chain = (ops: OperatorSpec[]) => ops.slice(1).map((o, i) => ({ from: ops[i].id, to: o.id }));

/**
 * A straight pipeline. Chaining is off (Flink's `env.disableOperatorChaining()`) unless `extra`
 * turns it on: these scenarios are about the buffers between operators, and with chaining on,
 * Flink (and the model) would run a pipeline of equal parallelism as one task with no buffer at all.
 */
function pipeline(ops: OperatorSpec[], extra: Partial<DataflowConfig> = {}): DataflowConfig {
  return { operators: ops, edges: chain(ops), buffer: 16, unbounded: false, duration: 4_000, chaining: false, ...extra };
}

/** The learner's filter for the "write an operator" preset, as it starts. */
export const DEFAULT_FILTER_CODE = `// Runs once per record: { key, value }, value from 0 to 999.
// Return true to keep the record, false to drop it.
function keep(record) {
  return true;
}
`;

export const PRESETS: readonly DataflowPreset[] = [
  {
    // Throughput 250/s with enrich at 1 instance; 500, 750 at 2, 3; at 4 the sink (800/s) limits.
    id: 'bottleneck',
    title: 'Three stages, one slow',
    description:
      'Records arrive at 1,000 per second, but the middle stage needs 4 ms for each. Raise its parallelism and watch the bottleneck move.',
    config: pipeline([
      { id: 'source', kind: 'source', label: 'events', rate: 1_000 },
      { id: 'parse', kind: 'map', label: 'parse', serviceMs: 0.6 },
      { id: 'enrich', kind: 'map', label: 'enrich', serviceMs: 4 },
      { id: 'store', kind: 'sink', label: 'store', serviceMs: 1.25 },
    ]),
    seed: 1,
    tunable: ['parse', 'enrich', 'store'],
  },
  {
    // Records in per second: 1,510 with 4 instances, 1,693 with 8, 1,778 with 16; without skew, 4 give 2,009 and 8 keep up with all 3,000.
    id: 'skew',
    title: 'Hot keys in an aggregation',
    description:
      'Clicks are counted per user in 200 ms windows, and a few users send most of the clicks. Each user’s key goes to one instance, so more instances barely help.',
    config: pipeline(
      [
        { id: 'source', kind: 'source', label: 'clicks', rate: 3_000, keys: 200, skew: 1.3 },
        { id: 'byUser', kind: 'keyBy', label: 'key by user', serviceMs: 0.1 },
        { id: 'count', kind: 'window', label: 'count per user', serviceMs: 1.6, parallelism: 4, windowMs: 200 },
        { id: 'store', kind: 'sink', label: 'store', serviceMs: 0.1 },
      ],
      // Flink's default: the source and the keyBy chain (same parallelism, forward); the keyed
      // edge and the change of parallelism before the store break the chain there.
      { duration: 4_000, chaining: true },
    ),
    seed: 1,
    tunable: ['count'],
  },
  {
    id: 'burst',
    title: 'A burst, absorbed by backpressure',
    description:
      'For one second the input jumps from 600 to 2,400 records per second. The buffers stay small: the source is held back and catches up once the burst is over.',
    config: pipeline(
      [
        { id: 'source', kind: 'source', label: 'events', rate: 600, burst: { from: 1_000, to: 2_000, rate: 2_400 } },
        { id: 'parse', kind: 'map', label: 'parse', serviceMs: 0.5 },
        { id: 'process', kind: 'map', label: 'process', serviceMs: 1 },
        { id: 'store', kind: 'sink', label: 'store', serviceMs: 0.5 },
      ],
      { duration: 6_000 },
    ),
    seed: 1,
    tunable: ['process'],
  },
  {
    id: 'unbounded',
    title: 'No backpressure: a buffer without limit',
    description:
      'Input arrives 25% faster than the slow stage can go, and the buffers have no limit. Nothing upstream notices; the buffer in front of the slow stage just grows.',
    config: pipeline(
      [
        { id: 'source', kind: 'source', label: 'events', rate: 1_250 },
        { id: 'parse', kind: 'map', label: 'parse', serviceMs: 0.5 },
        { id: 'process', kind: 'map', label: 'process', serviceMs: 1 },
        { id: 'store', kind: 'sink', label: 'store', serviceMs: 0.5 },
      ],
      { duration: 6_000, unbounded: true },
    ),
    seed: 1,
    tunable: ['process'],
  },
  {
    id: 'batch',
    title: 'Batch: a fixed dataset',
    description:
      'Five thousand records are all there at the start. The job reads them as fast as the slowest stage allows: what matters is when the last one is done.',
    config: pipeline([
      { id: 'source', kind: 'source', label: 'dataset', count: 5_000 },
      { id: 'parse', kind: 'map', label: 'parse', serviceMs: 0.5 },
      { id: 'enrich', kind: 'map', label: 'enrich', serviceMs: 2, parallelism: 2 },
      { id: 'store', kind: 'sink', label: 'store', serviceMs: 0.5 },
    ]),
    seed: 1,
    tunable: ['parse', 'enrich', 'store'],
  },
  {
    id: 'stream',
    title: 'Stream: the same records as they arrive',
    description:
      'The same five thousand records and the same stages, but the records arrive at 800 per second: what matters is how long each one waits.',
    config: pipeline(
      [
        { id: 'source', kind: 'source', label: 'events', rate: 800 },
        { id: 'parse', kind: 'map', label: 'parse', serviceMs: 0.5 },
        { id: 'enrich', kind: 'map', label: 'enrich', serviceMs: 2, parallelism: 2 },
        { id: 'store', kind: 'sink', label: 'store', serviceMs: 0.5 },
      ],
      { duration: 6_250 },
    ),
    seed: 1,
    tunable: ['parse', 'enrich', 'store'],
  },
  {
    id: 'operator',
    title: 'Write an operator: filter early',
    description:
      'Enrichment takes 1.5 ms per record, too slow for 1,000 records per second. Write the filter in front of it so that only the records worth enriching reach it.',
    config: pipeline([
      { id: 'source', kind: 'source', label: 'events', rate: 1_000 },
      { id: 'keep', kind: 'filter', label: 'your filter', serviceMs: 0.2, selectivity: 1 },
      { id: 'enrich', kind: 'map', label: 'enrich', serviceMs: 1.5 },
      { id: 'store', kind: 'sink', label: 'store', serviceMs: 0.5 },
    ]),
    seed: 1,
    tunable: ['enrich'],
    code: { op: 'keep', kind: 'filter', source: DEFAULT_FILTER_CODE },
  },
  {
    // The bottleneck pipeline as Flink runs it by default: one chain, one task, no buffer inside.
    // Throughput 1,000 / (0.6 + 4 + 1.25) = 171 a second; chaining off gives back 250.
    id: 'chaining',
    title: 'Three stages chained into one task',
    description:
      'The same three stages, now chained as Flink does by default: one task calls parse, enrich and store in turn for each record, with no buffer between them. Switch chaining off to compare.',
    config: pipeline(
      [
        { id: 'source', kind: 'source', label: 'events', rate: 1_000 },
        { id: 'parse', kind: 'map', label: 'parse', serviceMs: 0.6 },
        { id: 'enrich', kind: 'map', label: 'enrich', serviceMs: 4 },
        { id: 'store', kind: 'sink', label: 'store', serviceMs: 1.25 },
      ],
      { chaining: true },
    ),
    seed: 1,
    tunable: ['parse', 'enrich', 'store'],
  },
];

/** The preset with this id; throws with the list of ids when there is none. */
export function getPreset(id: string): DataflowPreset {
  const p = PRESETS.find((x) => x.id === id);
  if (!p) throw new Error(`There is no dataflow preset "${id}". Presets: ${PRESETS.map((x) => x.id).join(', ')}.`);
  return p;
}
