/**
 * Every lab on the site, for the "talk demos" track and presenter links. A lab appears here
 * when it exists; its presets come from its engine so names never drift.
 */
import { PRESETS as SCHEDULER_PRESETS } from '#sim/scheduler/presets';
import { EXAMPLES as EVENT_LOOP_EXAMPLES } from '#sim/eventloop/examples';
import { EXERCISES as SYNC_ASYNC_EXERCISES } from './SyncAsyncLab/lab';
import { PRESETS as ACTOR_PRESETS } from '#sim/actors/presets';
import { PRESETS as DATAFLOW_PRESETS } from '#sim/dataflow/presets';

export interface LabPreset {
  name: string;
  title: string;
  description: string;
}

export interface LabInfo {
  id: string;
  title: string;
  description: string;
  presets: LabPreset[];
}

export const LABS: LabInfo[] = [
  {
    id: 'scheduler',
    title: 'Scheduler lab',
    description: 'Tasks of CPU bursts and I/O waits on N cores: time-slicing, parallelism, cooperation, Amdahl’s law.',
    presets: SCHEDULER_PRESETS.map((p) => ({ name: p.id, title: p.title, description: p.description })),
  },
  {
    id: 'event-loop',
    title: 'Event-loop lab',
    description: 'Your own JavaScript on a modelled event loop: call stack, timers, task queue, microtask queue and console, step by step.',
    presets: EVENT_LOOP_EXAMPLES.map((e) => ({ name: e.id, title: e.title, description: e.point })),
  },
  {
    id: 'sync-async',
    title: 'Sync vs async lab',
    description: 'Your request handler under a blocking server, an event loop, sync with batching and a thread pool, measured in real Node or a browser Worker.',
    presets: SYNC_ASYNC_EXERCISES.map((e) => ({ name: e.slug, title: e.title, description: e.description })),
  },
  {
    id: 'actors',
    title: 'Actor lab',
    description: 'Actors that own their state, mailboxes, supervisors that restart crashed actors, bounded mailboxes and backpressure, from your own JavaScript.',
    presets: ACTOR_PRESETS.map((p) => ({ name: p.id, title: p.title, description: p.description })),
  },
  {
    id: 'dataflow',
    title: 'Dataflow lab',
    description: 'A job graph of operators on bounded channels: the slowest stage sets the pace, backpressure reaches the source, hot keys defeat parallelism.',
    presets: DATAFLOW_PRESETS.map((p) => ({ name: p.id, title: p.title, description: p.description })),
  },
];

/** The presenter URL of a lab preset. */
export function presentHref(lab: string, preset: string): string {
  return `${import.meta.env.BASE_URL.replace(/\/$/, '')}/present/${lab}/?preset=${encodeURIComponent(preset)}`;
}

/** The lab's own page (a sandbox outside any lesson). */
export function labHref(lab: string): string {
  return `${import.meta.env.BASE_URL.replace(/\/$/, '')}/labs/${lab}/`;
}
