// The import aliases (`#sim/eventloop/run`, `#widgets/shared/...`), read from tsconfig.json's
// `paths` so there is one list: Astro and esbuild read tsconfig themselves; Vitest takes these.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { compilerOptions } = JSON.parse(readFileSync(new URL('../tsconfig.json', import.meta.url), 'utf8'));

/** Vite `resolve.alias` entries: `#sim/x` → `<root>/simulations/x`. */
export const aliases = Object.entries(compilerOptions.paths).map(([key, [target]]) => ({
  find: new RegExp(`^${key.replace('/*', '/')}`),
  replacement: root + target.replace(/^\.\//, '').replace('*', ''),
}));
