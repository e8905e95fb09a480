/**
 * What the site knows about a lab without loading it: the registry (src/widgets/registry.ts)
 * lists one `LabMeta` per lab, and the `/labs/<id>/` and `/present/<id>/` pages, the lesson
 * schema's `labs` enum, the talk-demos track and the end-to-end page list all derive from it.
 * Pure data: no Svelte, no engine beyond its preset list.
 */
import type { LabPreset } from './labModel';

/** One lab island on the lab's own page. */
export interface LabInstance {
  /** DOM id and URL namespace. */
  id: string;
  preset?: string;
  /** Any other prop of the lab root (e.g. `view`). */
  props?: Record<string, unknown>;
}

export interface LabMeta {
  /** URL id: `/labs/<id>/`, `/present/<id>/`, a lesson's `labs: [...]`. */
  id: string;
  /** The folder under src/widgets/ that holds the lab (its root, model and Island.astro). */
  folder: string;
  title: string;
  /** One sentence: what the learner does with it (talk-demos track, search). */
  description: string;
  presets: readonly LabPreset[];
  /** False for a lab without steps (a measurement): no stepping keys on its presenter page. */
  steps?: boolean;
  /** The lab's own page. */
  page: {
    /** Meta description of the page. */
    description: string;
    /** The paragraph under the heading (plain text). */
    lede: string;
    /** Lesson slugs that explain the lab, linked after the lede. */
    lessons: string[];
    instances: LabInstance[];
    /** `only` for labs whose state lives only in the browser (no server render). Default `visible`. */
    hydrate?: 'visible' | 'only';
  };
}

/** Identity function that checks a lab's meta against the type. */
export const defineLab = <const M extends LabMeta>(meta: M): M => meta;
