/**
 * The labs of the site, read from src/widgets/registry.ts (LABS, labHref, presentHref), so the
 * end-to-end tests know every lab the site has without a list of their own.
 *
 * registry.ts is Vite code (a lab's presets come through `import.meta.glob`), so it is loaded
 * through Vite's module runner, once: playwright.config.ts calls `loadLabs()` and leaves the
 * result in E2E_LABS, which the test workers inherit.
 */
import { fileURLToPath } from 'node:url';

export interface E2ELab {
  id: string;
  title: string;
  /** The lab's own page, e.g. /labs/dataflow/ */
  href: string;
  /** The presenter page of the lab's first preset. */
  presentHref: string;
  presets: string[];
}

const ENV = 'E2E_LABS';

export async function loadLabs(): Promise<E2ELab[]> {
  if (process.env[ENV]) return JSON.parse(process.env[ENV]!) as E2ELab[];
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const { runnerImport } = await import('vite');
  const { aliases } = await import('../../scripts/aliases.mjs');
  type Registry = typeof import('../../src/widgets/registry');
  const { module: reg } = await runnerImport<Registry>(`${root}src/widgets/registry.ts`, {
    root,
    configFile: false,
    logLevel: 'error',
    resolve: { alias: aliases },
  });
  const labs = reg.LABS.map((lab) => ({
    id: lab.id,
    title: lab.title,
    href: reg.labHref(lab.id),
    presentHref: reg.presentHref(lab.id, lab.presets[0].id),
    presets: lab.presets.map((p) => p.id),
  }));
  process.env[ENV] = JSON.stringify(labs);
  return labs;
}
