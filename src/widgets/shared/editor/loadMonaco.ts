/**
 * The one door to Monaco. This module is tiny and may be in a page's initial JavaScript; the
 * editor itself (`monaco-setup.ts`: a ~700 KB gzipped chunk, its stylesheet, its worker) is
 * fetched by the dynamic `import()` below, once per page, on first use.
 *
 *   preloadEditor()   start the download early (hover or focus on an editor, a lab's "Edit" button)
 *   loadMonaco()      the Monaco API, once it is ready (memoised; a failed load can be retried)
 */
import type { MonacoApi } from './monaco-setup';

export type { MonacoApi };

interface Loaded {
  monaco: MonacoApi;
  watchTheme: () => void;
}

let loading: Promise<Loaded> | null = null;

/** Fonts Monaco measures once; load them first so its column grid matches the glyphs. */
async function fontsReady(): Promise<void> {
  try {
    await Promise.race([
      document.fonts.load("14px 'JetBrains Mono Variable'"),
      new Promise((resolve) => setTimeout(resolve, 1500)),
    ]);
  } catch {
    /* no font loading API or font missing: Monaco falls back to the next family */
  }
}

/**
 * Import Monaco and its setup (memoised). Rejects if the chunk cannot be fetched (offline, a
 * stale deploy); the next call tries again.
 */
export function loadMonaco(): Promise<Loaded> {
  if (!loading) {
    // Never on the server; this also keeps Monaco's 3 MB out of the server build.
    if (import.meta.env.SSR) return Promise.reject(new Error('Monaco loads in the browser only.'));
    loading = Promise.all([import('./monaco-setup').then(async (mod) => (await mod.stylesReady, mod)), fontsReady()])
      .then(([mod]) => ({ monaco: mod.monaco, watchTheme: mod.watchTheme }))
      .catch((error) => {
        loading = null;
        throw error;
      });
  }
  return loading;
}

/** Start downloading the editor without waiting for it; errors surface on the real load. */
export function preloadEditor(): void {
  loadMonaco().catch(() => {});
}
