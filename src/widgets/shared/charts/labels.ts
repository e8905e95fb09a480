/**
 * Labels at the ends of a chart's lines, kept apart: each label is a box (its text width estimated
 * like axis labels, ./measure.ts) anchored at a point; a simple collision pass puts each label, in
 * order of x, on the first row (from its wanted y, moving down by one line) where its box overlaps
 * no label placed before it. Labels that would run past the plot's right edge are anchored at
 * their end instead. Pure, so Vitest checks it.
 */
import { textWidth } from './measure';

export interface EndLabel<K> {
  key: K;
  text: string;
  /** The point the label belongs to (the line's end). */
  x: number;
  /** The y it would like (before any nudging). */
  y: number;
}

export interface PlacedLabel<K> {
  key: K;
  text: string;
  /** Where the text is drawn (its anchor point) and how it is anchored. */
  x: number;
  y: number;
  anchor: 'start' | 'end';
  /** The box it takes: [left, right] and [top, bottom]. */
  box: { x0: number; x1: number; y0: number; y1: number };
}

export function placeEndLabels<K>(
  items: readonly EndLabel<K>[],
  opts: { right: number; px: number; lineHeight?: number; pad?: number; gap?: number },
): PlacedLabel<K>[] {
  const line = opts.lineHeight ?? Math.ceil(opts.px * 1.25);
  const pad = opts.pad ?? 6;
  const gap = opts.gap ?? 6;
  const placed: PlacedLabel<K>[] = [];
  for (const it of [...items].sort((a, b) => a.x - b.x)) {
    const w = textWidth(it.text, opts.px);
    const anchor = it.x + pad + w > opts.right ? 'end' : 'start';
    const x = anchor === 'start' ? it.x + pad : it.x - pad;
    const x0 = anchor === 'start' ? x : x - w;
    const x1 = anchor === 'start' ? x + w : x;
    let y = it.y;
    const hits = (yy: number) =>
      placed.some((p) => p.box.x0 < x1 + gap && x0 - gap < p.box.x1 && p.box.y0 < yy + line * 0.25 && yy - line + line * 0.25 < p.box.y1);
    while (hits(y)) y += line;
    placed.push({ key: it.key, text: it.text, x, y, anchor, box: { x0, x1, y0: y - line + line * 0.25, y1: y + line * 0.25 } });
  }
  return placed;
}
