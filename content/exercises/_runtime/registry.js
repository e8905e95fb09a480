/**
 * Every exercise's modules, by slug, as literal dynamic imports. Node runs them as they are, and a
 * bundler (Vite) can follow literal imports into a browser Worker, where a file URL of setup.js
 * would not exist. Worker threads of the parallel pool load modules through here too, so a thread
 * needs only the slug. Keep in step with the folders (tests/unit/exercises.test.ts checks).
 */
export const registry = {
  'cpu-hash': {
    setup: () => import('../cpu-hash/setup.js'),
    solution: () => import('../cpu-hash/handler.solution.js'),
    starter: () => import('../cpu-hash/handler.starter.js'),
  },
  'io-db': {
    setup: () => import('../io-db/setup.js'),
    solution: () => import('../io-db/handler.solution.js'),
    starter: () => import('../io-db/handler.starter.js'),
  },
  'mixed-downstream': {
    setup: () => import('../mixed-downstream/setup.js'),
    solution: () => import('../mixed-downstream/handler.solution.js'),
    starter: () => import('../mixed-downstream/handler.starter.js'),
  },
};

/**
 * The handler module a spec names: { builtin: 'solution' | 'starter' } from the registry, or
 * { url } (a learner's file, a blob: URL in a browser, a data: URL).
 */
export async function loadHandlerModule(slug, spec) {
  if (spec.builtin) {
    const load = registry[slug]?.[spec.builtin];
    if (!load) throw new Error(`no ${spec.builtin} handler for exercise "${slug}" in _runtime/registry.js`);
    return load();
  }
  try {
    return await import(/* @vite-ignore */ spec.url);
  } catch (error) {
    throw new Error(`the handler could not be loaded: ${error?.name ?? 'Error'}: ${error?.message ?? error}`);
  }
}

/** The exercise's setup.js module. */
export function loadSetup(slug) {
  const load = registry[slug]?.setup;
  if (!load) throw new Error(`exercise "${slug}" is not in _runtime/registry.js`);
  return load();
}
