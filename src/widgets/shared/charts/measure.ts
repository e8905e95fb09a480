/**
 * Room for axis labels, computed before anything is drawn (server rendering has no text metrics,
 * and a margin that changes after hydration would make the chart jump). Widths are estimated from
 * the characters at the tick font (Inter with tabular digits): a little generous, so a label such
 * as "1,200,000" always fits inside the margin given to it instead of being clipped by the SVG.
 */

/** Font size (px, in the chart's own units) of tick labels; Axis.svelte draws at this size. */
export const TICK_FONT_PX = 11;
/** Gap between a tick label and the axis. */
export const TICK_GAP = 6;
/** Room for a rotated axis title left of the labels (its font is TICK_FONT_PX). */
export const TITLE_SPACE = 16;

/**
 * Estimated advance of one character, in em, for Inter with tabular digits, rounded up from
 * widths measured in Chromium (digits 0.648 em, comma 0.27, "%" 0.98, "×" 0.65, letters ~0.59).
 */
function advance(ch: string): number {
  if (ch >= '0' && ch <= '9') return 0.66;
  if (ch === ',' || ch === '.' || ch === ':' || ch === ' ' || ch === '\u2009') return 0.3;
  if (ch === '%') return 1;
  if (ch === 'm' || ch === 'M' || ch === 'w' || ch === 'W') return 0.9;
  if (ch === '×') return 0.7;
  return 0.62;
}

/** Estimated width (px) of `text` at `px` font size; never less than the real width for digits. */
export function textWidth(text: string, px = TICK_FONT_PX): number {
  let em = 0;
  for (const ch of text) em += advance(ch);
  return em * px;
}

/**
 * The left margin a vertical axis needs: its widest label, the gap to the axis, room for the
 * rotated title when there is one, and 2 px so nothing touches the SVG's edge. At least `min`.
 */
export function leftAxisWidth(labels: readonly string[], opts: { title?: boolean; min?: number; px?: number } = {}): number {
  let widest = 0;
  for (const l of labels) widest = Math.max(widest, textWidth(l, opts.px));
  return Math.max(opts.min ?? 0, Math.ceil(widest + TICK_GAP + (opts.title ? TITLE_SPACE : 0) + 2));
}
