/**
 * The environment for child processes that run Astro from inside Vitest: Vitest's own variables
 * (NODE_ENV=test, BASE_URL, MODE...) would otherwise change how Astro builds and serves.
 */
export function astroChildEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(VITEST.*|NODE_ENV|TEST|MODE|BASE_URL|DEV|PROD|SSR)$/.test(k)),
  );
}
