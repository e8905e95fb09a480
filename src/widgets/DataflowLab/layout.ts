/**
 * Geometry of the job graph: a layered DAG layout, left to right (top to bottom on narrow
 * screens). Layers come from the engine (`layers`: longest path from a source); within a layer,
 * nodes are ordered by the mean position of their upstream nodes (one barycentre pass), so edges
 * cross as little as a small graph needs. Pure: data in, boxes and paths out.
 */
import { layers, type ResolvedConfig } from '#sim/dataflow';

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

export interface GraphLayout {
  width: number;
  height: number;
  nodes: NodeBox[];
  edges: EdgeGeom[];
  vertical: boolean;
}

export const NODE_W = 164;
const GAP_MAIN = 104;
const GAP_CROSS = 26;
const PAD = 14;
const LABEL_ROOM = 70;

/** Height of an operator box for `p` instances (the instance strip wraps at 16 per row). */
export function nodeHeight(p: number): number {
  const rows = Math.ceil(Math.min(p, 64) / 16);
  return 84 + rows * 12;
}

export function layoutGraph(config: Pick<ResolvedConfig, 'operators' | 'edges'>, vertical: boolean): GraphLayout {
  const n = config.operators.length;
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
  const heights = config.operators.map((o) => nodeHeight(o.parallelism ?? 1));
  // Extent of each layer across the flow.
  const cross = (i: number) => (vertical ? NODE_W : heights[i]);
  const along = (i: number) => (vertical ? heights[i] : NODE_W);
  const layerCross = byLayer.map((ids) => ids.reduce((s, i) => s + cross(i), 0) + GAP_CROSS * Math.max(0, ids.length - 1));
  const layerAlong = byLayer.map((ids) => Math.max(...ids.map(along)));
  const maxCross = Math.max(...layerCross);
  const nodes: NodeBox[] = new Array(n);
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
    a += layerAlong[l] + GAP_MAIN;
  });
  const totalAlong = a - GAP_MAIN + PAD;
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
  // Top to bottom, the channel labels sit to the right of the gauges: room for them.
  return vertical
    ? { width: totalCross + LABEL_ROOM, height: totalAlong, nodes, edges, vertical }
    : { width: totalAlong, height: totalCross, nodes, edges, vertical };
}
