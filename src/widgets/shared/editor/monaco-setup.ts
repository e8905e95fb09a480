/**
 * The lazily loaded half of the code editor: Monaco's core, the few editor features the labs use,
 * JavaScript syntax colouring (Monarch grammar only, no TypeScript language service), the worker
 * environment, and the site's two themes. Only `loadMonaco.ts` imports this file, with a dynamic
 * `import()`, so none of it is in a page's initial JavaScript.
 *
 * Everything is served from the site's own origin (pages are cross-origin isolated): the editor
 * worker is bundled by Vite as an ES module worker.
 */
import * as monaco from 'monaco-editor/editor';
// Editor features, picked one by one (monaco-editor >= 0.56 entry points). The core alone is
// ~685 KB gzipped; these add ~20 KB. Left out on purpose: hover (+86 KB; marker messages show as
// a native tooltip, in the problem list under the editor and with F8 instead), suggest, find,
// multicursor (+22 KB), clipboard (only the context menu; the browser's own Ctrl+C/X/V work),
// the command palette, folding and the TypeScript language service.
import 'monaco-editor/features/gotoError/register'; // F8 / Shift+F8: next / previous problem, shown inline
import 'monaco-editor/features/toggleTabFocusMode/register'; // Ctrl+M (macOS: Ctrl+Shift+M)
import 'monaco-editor/features/readOnlyMessage/register';
import 'monaco-editor/features/bracketMatching/register';
import 'monaco-editor/features/comment/register'; // Ctrl+/
import 'monaco-editor/features/wordOperations/register'; // Ctrl+Backspace, Ctrl+Arrow
import 'monaco-editor/features/linesOperations/register'; // Alt+Up/Down, Shift+Alt+Down...
import 'monaco-editor/features/codicon/register'; // icon font of the problem widget (fetched only if shown)
import 'monaco-editor/languages/definitions/javascript/register'; // Monarch colouring, lazy chunk
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
// Monaco's stylesheets, linked by hand: see monaco-css.mjs for why.
import monacoCssUrl from './monaco.css?url';

export type MonacoApi = typeof monaco;

// The generic editor worker (diffs, links, word ranges). No language workers: JavaScript gets
// syntax colouring only.
(self as unknown as { MonacoEnvironment: monaco.Environment }).MonacoEnvironment = {
  getWorker: () => new EditorWorker(),
};

export { monaco };

/** Resolves once Monaco's stylesheet has loaded (rejects if it cannot be fetched). */
export const stylesReady: Promise<void> = new Promise((resolve, reject) => {
  // Vite's preload helper usually links it already (and waits for it) before this module runs.
  const href = new URL(monacoCssUrl, location.href).href;
  const linked = [...document.querySelectorAll<HTMLLinkElement>('link[rel="stylesheet"]')].some((l) => l.href === href);
  if (linked) return resolve();
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = monacoCssUrl;
  link.dataset.monacoCss = '';
  link.onload = () => resolve();
  link.onerror = () => reject(new Error(`Monaco's stylesheet could not be loaded (${monacoCssUrl}).`));
  document.head.appendChild(link);
});

// Monaco measures the font once; measure again when the site's web fonts finish loading.
document.fonts?.ready.then(() => monaco.editor.remeasureFonts()).catch(() => {});

// ---------------------------------------------------------------------------------------------
// Themes from the site's tokens: one light and one dark Monaco theme whose colours are read from
// CSS custom properties (src/styles/tokens.css and the editor's own --code-* token colours), so
// the static view and Monaco can never disagree. Re-read whenever <html data-theme> changes.
// ---------------------------------------------------------------------------------------------

type RGB = [number, number, number];

let probe: HTMLElement | null = null;

/** Resolve any CSS colour (hex, rgb(), color-mix...) to [r, g, b] via the browser. */
function resolve(color: string, fallback: RGB): RGB {
  if (!color.trim()) return fallback;
  if (!probe) {
    probe = document.createElement('span');
    probe.style.display = 'none';
    document.body.appendChild(probe);
  }
  probe.style.color = '';
  probe.style.color = color;
  const out = getComputedStyle(probe).color;
  let m = /rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/.exec(out);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  m = /color\(srgb\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)/.exec(out);
  if (m) return [Number(m[1]) * 255, Number(m[2]) * 255, Number(m[3]) * 255];
  return fallback;
}

const hex = (c: RGB, alpha?: number) =>
  '#' +
  c.map((v) => Math.round(Math.min(255, Math.max(0, v))).toString(16).padStart(2, '0')).join('') +
  (alpha === undefined ? '' : Math.round(alpha * 255).toString(16).padStart(2, '0'));
/** `a` over `b` at weight t. */
const mix = (a: RGB, b: RGB, t: number): RGB => [0, 1, 2].map((i) => a[i] * t + b[i] * (1 - t)) as RGB;

export function themeFromCss(el: Element, dark: boolean): monaco.editor.IStandaloneThemeData {
  const css = getComputedStyle(el);
  const v = (name: string, fallback: RGB) => resolve(css.getPropertyValue(name), fallback);
  const bg = v('--code-bg', dark ? [16, 16, 19] : [241, 239, 233]);
  const ink = v('--ink', dark ? [236, 235, 230] : [29, 28, 26]);
  const faint = v('--ink-faint', dark ? [161, 157, 147] : [107, 103, 95]);
  const rule = v('--rule', dark ? [52, 52, 59] : [220, 216, 206]);
  const raised = v('--bg-raised', dark ? [30, 30, 35] : [255, 255, 255]);
  const focus = v('--focus', dark ? [138, 180, 248] : [26, 95, 180]);
  const failed = v('--c-failed', dark ? [255, 107, 97] : [179, 38, 30]);
  const warn = v('--code-warning', dark ? [230, 180, 80] : [132, 85, 0]);
  const running = v('--c-running', dark ? [86, 180, 233] : [0, 114, 178]);
  const kw = v('--code-keyword', ink);
  const str = v('--code-string', ink);
  const num = v('--code-number', ink);
  const com = v('--code-comment', faint);
  const re = v('--code-regexp', str);
  const t = (c: RGB) => hex(c).slice(1);
  return {
    base: dark ? 'vs-dark' : 'vs',
    inherit: true,
    rules: [
      { token: '', foreground: t(ink), background: t(bg) },
      { token: 'keyword', foreground: t(kw) },
      { token: 'string', foreground: t(str) },
      { token: 'number', foreground: t(num) },
      { token: 'comment', foreground: t(com), fontStyle: 'italic' },
      { token: 'regexp', foreground: t(re) },
      { token: 'identifier', foreground: t(ink) },
      { token: 'type.identifier', foreground: t(ink) },
      { token: 'delimiter', foreground: t(ink) },
      { token: 'invalid', foreground: t(ink) },
    ],
    colors: {
      'editor.background': hex(bg),
      'editor.foreground': hex(ink),
      'editorGutter.background': hex(bg),
      'editorLineNumber.foreground': hex(faint),
      'editorLineNumber.activeForeground': hex(ink),
      'editorCursor.foreground': hex(ink),
      'editor.selectionBackground': hex(mix(focus, bg, dark ? 0.35 : 0.25)),
      'editor.inactiveSelectionBackground': hex(mix(focus, bg, 0.15)),
      'editor.selectionHighlightBackground': hex(mix(focus, bg, 0.12)),
      'editor.lineHighlightBackground': hex(mix(ink, bg, 0.05)),
      'editor.lineHighlightBorder': hex(mix(ink, bg, 0.05)),
      'editorIndentGuide.background1': hex(rule),
      'editorIndentGuide.activeBackground1': hex(faint),
      'editorWhitespace.foreground': hex(rule),
      // brackets in the text colour, as in the static view (no rainbow pairs)
      ...Object.fromEntries([1, 2, 3, 4, 5, 6].map((n) => [`editorBracketHighlight.foreground${n}`, hex(ink)])),
      'editorBracketHighlight.unexpectedBracket.foreground': hex(failed),
      'editorBracketMatch.background': hex(mix(focus, bg, 0.15)),
      'editorBracketMatch.border': hex(faint),
      'editorError.foreground': hex(failed),
      'editorWarning.foreground': hex(warn),
      'editorOverviewRuler.border': hex(rule),
      'editorOverviewRuler.errorForeground': hex(failed),
      'editorOverviewRuler.warningForeground': hex(warn),
      'editorWidget.background': hex(raised),
      'editorWidget.foreground': hex(ink),
      'editorWidget.border': hex(rule),
      'editorHoverWidget.background': hex(raised),
      'editorHoverWidget.foreground': hex(ink),
      'editorHoverWidget.border': hex(rule),
      'editorMarkerNavigation.background': hex(raised),
      'editorMarkerNavigationError.background': hex(failed),
      'editorMarkerNavigationWarning.background': hex(warn),
      'scrollbarSlider.background': hex(faint, 0.35),
      'scrollbarSlider.hoverBackground': hex(faint, 0.55),
      'scrollbarSlider.activeBackground': hex(faint, 0.75),
      'focusBorder': hex(focus),
      'editorOverviewRuler.rangeHighlightForeground': hex(running),
    },
  };
}

let themeWatch: MutationObserver | null = null;

/** Define the site themes from the current CSS and apply the one matching <html data-theme>. */
export function applyTheme(): void {
  const dark = document.documentElement.dataset.theme === 'dark';
  // any mounted editor root carries the --code-* colours (they are the same on all of them)
  const el = document.querySelector('[data-code-editor]') ?? document.documentElement;
  const name = dark ? 'async-lab-dark' : 'async-lab-light';
  monaco.editor.defineTheme(name, themeFromCss(el, dark));
  monaco.editor.setTheme(name);
}

/** Apply the theme now and again whenever the site's theme changes (once per page). */
export function watchTheme(): void {
  applyTheme();
  if (themeWatch) return;
  themeWatch = new MutationObserver(() => applyTheme());
  themeWatch.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
}
