/**
 * Every lab on the site, one line each. The `/labs/<id>/` and `/present/<id>/` pages, the lesson
 * schema's `labs` enum, the talk-demos track and the end-to-end page list derive from this list.
 * Adding a lab: a folder under src/widgets/ (model, root, meta.ts, Island.astro) and a line here;
 * the README's "Writing a lab" has the steps.
 */
import scheduler from './SchedulerLab/meta';
import eventLoop from './EventLoopLab/meta';
import syncAsync from './SyncAsyncLab/meta';
import actors from './ActorLab/meta';
import dataflow from './DataflowLab/meta';
import interleavings from './InterleavingsLab/meta';
import queueing from './QueueingLab/meta';
import type { LabMeta } from './shared/labMeta';

export const LABS = [scheduler, eventLoop, syncAsync, actors, dataflow, interleavings, queueing] as const satisfies readonly LabMeta[];

export type LabId = (typeof LABS)[number]['id'];
export const LAB_IDS = LABS.map((l) => l.id) as [LabId, ...LabId[]];

export function getLab(id: string): LabMeta {
  const lab = LABS.find((l) => l.id === id);
  if (!lab) throw new Error(`There is no lab "${id}". Labs: ${LAB_IDS.join(', ')}.`);
  return lab;
}

const base = () => (import.meta.env?.BASE_URL ?? '/').replace(/\/$/, '');

/** The presenter URL of a lab preset. */
export function presentHref(lab: string, preset: string): string {
  return `${base()}/present/${lab}/?preset=${encodeURIComponent(preset)}`;
}

/** The lab's own page (a sandbox outside any lesson). */
export function labHref(lab: string): string {
  return `${base()}/labs/${lab}/`;
}
