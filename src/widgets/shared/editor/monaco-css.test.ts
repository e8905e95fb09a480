import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { render } from './monaco-css.mjs';

describe('monaco.css', () => {
  it('lists exactly the stylesheets of the Monaco modules monaco-setup.ts imports (regenerate with monaco-css.mjs)', () => {
    const current = readFileSync(fileURLToPath(new URL('./monaco.css', import.meta.url)), 'utf8');
    expect(current).toBe(render());
    expect(current).toContain("editor/browser/widget/codeEditor/editor.css'");
  });
});
