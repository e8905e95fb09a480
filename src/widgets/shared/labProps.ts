/**
 * The props every lab root takes (`<Name>Lab.svelte`), from a lesson's MDX, the lab's own page or
 * its presenter page. A lab adds its own after `LabProps &` (an initial program, a view, ...).
 */
export interface LabProps {
  /** Instance id: the DOM id and the URL namespace (`<id>.step=12`). Letters, digits, - and _. */
  id: string;
  /** A preset id of the lab's meta.ts (an unknown id fails the build). Default: the lab's own. */
  preset?: string;
  /** Title above the lab (defaults to the preset's title). */
  title?: string;
  /** One or two sentences under the title (defaults to the preset's description). */
  caption?: string;
  /** Heading level of the title, to fit the page outline. */
  headingLevel?: 1 | 2 | 3 | 4 | 5 | 6;
  /** On /present/: read `lab` (namespace) and `preset` from the URL, always full screen. */
  presentPage?: boolean;
}
