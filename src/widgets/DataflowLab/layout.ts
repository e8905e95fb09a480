/**
 * Geometry of the job graph: a layered DAG layout, left to right (top to bottom on narrow
 * screens). Layers come from the engine (`layers`: longest path from a source); within a layer,
 * nodes are ordered by the mean position of their upstream nodes (one barycentre pass), so edges
 * cross as little as a small graph needs. Pure: data in, boxes and paths out.
 */
import { chainsOf, edgeInfos, layers, type ResolvedConfig } from '#sim/dataflow';
import { textWidth } from '../shared/charts/measure';

/**
 * Text that must stay inside `maxW` px at `px` font size: as it is when its estimated width fits;
 * squeezed (SVG textLength) by up to 20% when it almost fits, so numbers are never cut; beyond
 * that cut with an ellipsis (and squeezed to fit what is left). Bold text is estimated 6% wider.
 */
export function fitText(text: string, px: number, maxW: number, bold = false): { text: string; length: number | undefined } {
  const k = bold ? 1.06 : 1;
  const w = (t: string) => textWidth(t, px) * k;
  if (w(text) <= maxW) return { text, length: undefined };
  if (w(text) <= maxW * 1.2) return { text, length: maxW };
  let t = text;
  while (t.length > 1 && w(t + '…') > maxW * 1.2) t = t.slice(0, -1);
  const out = t.trimEnd() + '…';
  return { text: out, length: w(out) > maxW ? maxW : undefined };
}

export interface NodeBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface EdgeGeom {
  path: string;
  /** Midpoint, where the buffer gauge sits. */
  mx: number;
  my: number;
}

/** A task of several chained operators: the frame drawn around them. */
export interface TaskFrame extends NodeBox {
  ops: number[];
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: NodeBox[];
  edges: EdgeGeom[];
  /** Per edge: chained (inside a task, no buffer to draw). */
  chained: boolean[];
  frames: TaskFrame[];
  vertical: boolean;
}

export const NODE_W = 164;
const GAP_MAIN = 104;
/** Between two chained operators: no buffer gauge, only a short arrow. */
const GAP_CHAIN = 34;
/** Room between a task's frame and the operators inside it. */
export const FRAME_PAD = 8;
/** Height of the caption at the bottom of a task's frame, under its operators. */
export const FRAME_CAPTION = 14;
/** The same on the presenter stage (its caption is larger). */
export const FRAME_CAPTION_STAGE = 20;
const GAP_CROSS = 26;
const PAD = 14;
const LABEL_ROOM = 70;

/** The first of `texts` (longest wording first) that fits without a cut; else the last, fitted. */
export function fitFirst(texts: readonly string[], px: number, maxW: number, bold = false): { text: string; length: number | undefined } {
  for (const t of texts) {
    const f = fitText(t, px, maxW, bold);
    if (f.text === t) return f;
  }
  return fitText(texts[texts.length - 1], px, maxW, bold);
}

/**
 * Where the rows of an operator box sit (y from the box's top): the name line, the kind line, the
 * instance strip, the time bar, and the box's height for `p` instances (the strip wraps at 16 per
 * row). The presenter stage (`stage`) uses larger text, so its rows are further apart.
 */
export function nodeRows(p: number, stage = false) {
  const rows = Math.ceil(Math.min(p, 64) / 16);
  return stage
    ? { labelY: 25, kindY: 46, cellsY: 56, barY: 61 + rows * 12, h: 104 + rows * 12, splitY: 104 + rows * 12 - 12 }
    : { labelY: 20, kindY: 37, cellsY: 45, barY: 50 + rows * 12, h: 84 + rows * 12, splitY: 84 + rows * 12 - 10 };
}

/** Height of an operator box for `p` instances (the instance strip wraps at 16 per row). */
export function nodeHeight(p: number, stage = false): number {
  return nodeRows(p, stage).h;
}

export function layoutGraph(config: Pick<ResolvedConfig, 'operators' | 'edges'> & { chaining?: boolean }, vertical: boolean, stage = false): GraphLayout {
  const n = config.operators.length;
  const infos = edgeInfos(config);
  const chained = infos.map((e) => e.chained);
  const layer = layers(config);
  const nLayers = Math.max(...layer) + 1;
  const index = new Map(config.operators.map((o, i) => [o.id, i]));
  const byLayer: number[][] = Array.from({ length: nLayers }, () => []);
  for (let i = 0; i < n; i++) byLayer[layer[i]].push(i);
  // One barycentre pass, left to right.
  const pos = new Array<number>(n).fill(0);
  byLayer[0].forEach((i, k) => (pos[i] = k));
  for (let l = 1; l < nLayers; l++) {
    const bary = (i: number) => {
      const ups = config.edges.filter((e) => index.get(e.to) === i).map((e) => pos[index.get(e.from)!]);
      return ups.length ? ups.reduce((a, b) => a + b, 0) / ups.length : 0;
    };
    byLayer[l].sort((a, b) => bary(a) - bary(b) || a - b);
    byLayer[l].forEach((i, k) => (pos[i] = k));
  }
  const capH = stage ? FRAME_CAPTION_STAGE : FRAME_CAPTION;
  const heights = config.operators.map((o) => nodeHeight(o.parallelism ?? 1, stage));
  // Extent of each layer across the flow.
  const cross = (i: number) => (vertical ? NODE_W : heights[i]);
  const along = (i: number) => (vertical ? heights[i] : NODE_W);
  const layerCross = byLayer.map((ids) => ids.reduce((s, i) => s + cross(i), 0) + GAP_CROSS * Math.max(0, ids.length - 1));
  const layerAlong = byLayer.map((ids) => Math.max(...ids.map(along)));
  const maxCross = Math.max(...layerCross);
  const nodes: NodeBox[] = new Array(n);
  // Layers joined only by chained edges (a straight chain) sit close together.
  const tight = (l: number) => {
    const out = infos.filter((e) => layer[e.from] === l);
    const into = infos.filter((e) => layer[e.to] === l + 1);
    return out.length > 0 && out.every((e) => e.chained && layer[e.to] === l + 1) && into.every((e) => layer[e.from] === l);
  };
  let a = PAD;
  byLayer.forEach((ids, l) => {
    let c = PAD + (maxCross - layerCross[l]) / 2;
    for (const i of ids) {
      const offAlong = (layerAlong[l] - along(i)) / 2;
      nodes[i] = vertical
        ? { x: c, y: a + offAlong, w: NODE_W, h: heights[i] }
        : { x: a + offAlong, y: c, w: NODE_W, h: heights[i] };
      c += cross(i) + GAP_CROSS;
    }
    a += layerAlong[l] + (tight(l) ? GAP_CHAIN : GAP_MAIN);
  });
  const totalAlong = a - (tight(nLayers - 1) ? GAP_CHAIN : GAP_MAIN) + PAD;
  const totalCross = maxCross + 2 * PAD;
  const edges: EdgeGeom[] = config.edges.map((e) => {
    const s = nodes[index.get(e.from)!];
    const t = nodes[index.get(e.to)!];
    if (vertical) {
      const x1 = s.x + s.w / 2;
      const y1 = s.y + s.h;
      const x2 = t.x + t.w / 2;
      const y2 = t.y;
      const my = (y1 + y2) / 2;
      return { path: `M${x1},${y1} C${x1},${my} ${x2},${my} ${x2},${y2}`, mx: (x1 + x2) / 2, my };
    }
    const x1 = s.x + s.w;
    const y1 = s.y + s.h / 2;
    const x2 = t.x;
    const y2 = t.y + t.h / 2;
    const mx = (x1 + x2) / 2;
    return { path: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`, mx, my: (y1 + y2) / 2 };
  });
  const frames: TaskFrame[] = chainsOf(config)
    .chains.filter((c) => c.length > 1)
    .map((ops) => {
      const x0 = Math.min(...ops.map((o) => nodes[o].x)) - FRAME_PAD;
      const y0 = Math.min(...ops.map((o) => nodes[o].y)) - FRAME_PAD;
      const x1 = Math.max(...ops.map((o) => nodes[o].x + nodes[o].w)) + FRAME_PAD;
      const y1 = Math.max(...ops.map((o) => nodes[o].y + nodes[o].h)) + FRAME_PAD + capH;
      return { x: x0, y: y0, w: x1 - x0, h: y1 - y0, ops };
    });
  // Top to bottom, the channel labels sit to the right of the gauges: room for them. A task's
  // caption makes its frame reach further down than its operators: room for it.
  return vertical
    ? { width: totalCross + LABEL_ROOM, height: totalAlong + (frames.length ? capH : 0), nodes, edges, chained, frames, vertical }
    : { width: totalAlong, height: totalCross + (frames.length ? capH : 0), nodes, edges, chained, frames, vertical };
}
