// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import svelte from '@astrojs/svelte';

/**
 * Every response carries these three headers so that `crossOriginIsolated` is true on every
 * page: WebContainers and Atomics.wait-based blocking I/O need it. The same values are in
 * public/_headers for static hosts; tests/e2e/headers.spec.ts checks both.
 */
export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export default defineConfig({
  site: 'https://async.example',
  integrations: [mdx(), svelte()],
  // Code blocks follow the site theme (global.css switches to the dark colours under
  // data-theme="dark"). The "-default" GitHub themes keep comments above 4.5:1 contrast.
  markdown: {
    shikiConfig: { themes: { light: 'github-light-default', dark: 'github-dark-default' } },
  },
  server: { headers: isolationHeaders },
  vite: {
    server: { headers: isolationHeaders },
    preview: { headers: isolationHeaders },
    worker: { format: 'es' },
  },
});
