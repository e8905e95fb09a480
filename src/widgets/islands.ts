/**
 * The lab islands by registry id, for the pages that derive from the registry. Each lab folder
 * has an `Island.astro` (Astro hydrates a component only from a static import, so each lab
 * renders itself); this finds it by the folder the lab's meta names. Build-time only.
 */
import type { AstroComponentFactory } from 'astro/runtime/server/index.js';
import { getLab } from './registry';

const ISLANDS = import.meta.glob<{ default: AstroComponentFactory }>('./*/Island.astro', { eager: true });

export function islandFor(id: string): AstroComponentFactory {
  const lab = getLab(id);
  const island = ISLANDS[`./${lab.folder}/Island.astro`];
  if (!island) throw new Error(`Lab "${id}": src/widgets/${lab.folder}/Island.astro is missing.`);
  return island.default;
}
