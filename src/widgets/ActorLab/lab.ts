/**
 * The actor lab's pure helpers: its URL schema, the presets menu, and geometry for the two views
 * (the message graph and the supervision tree). Nothing here decides semantics: who sent what,
 * where every message is, who crashed and who restarted all come from the engine's trace and fold.
 *
 * Layouts are computed once per run from the whole trace (every actor that ever exists, every
 * pair that ever exchanges a message), so nothing moves while the run plays.
 *   - Message graph: layers by distance from the outside world along message links (layer 0 is
 *     "outside"), declaration order within a layer, then a short d3-force pass (anchored to those
 *     positions, with collision) that pulls linked actors into line. Left to right on wide
 *     screens, top to bottom on narrow ones.
 *   - Supervision tree: d3.tree over guardian -> top-level actors -> children.
 */
import { forceCollide, forceLink, forceSimulation, forceX, forceY, hierarchy, tree, type SimulationNodeDatum } from 'd3';
import { param, type ParamSchema } from '#lib/permalink';
import { PRESETS, type ActorPreset } from '#sim/actors/presets';
import type { ActorsFold } from '#sim/actors/fold';

export const PRESET_IDS = PRESETS.map((p) => p.id) as readonly string[];
export const MAX_CODE = 20_000;
export const VIEWS = ['messages', 'supervision'] as const;
export type ViewName = (typeof VIEWS)[number];
/** Thread choices offered by the lab (0 = as the code says). */
export const THREAD_CHOICES = [0, 1, 2, 4, 8] as const;

/**
 * What a link carries in the lab's namespace: `p` (preset id), `code` (packed, only once edited),
 * `threads`, `seed`, `view` and `step`. Types only; ranges are the engine's (clampSettings).
 */
export const urlSchema = {
  p: param.oneOf(PRESET_IDS),
  code: param.text(4 * MAX_CODE),
  threads: param.int(),
  seed: param.int(),
  view: param.oneOf(VIEWS),
  step: param.int(),
} satisfies ParamSchema;

export interface LinkState {
  p: string | undefined;
  code: string | undefined;
  threads: number;
  seed: number;
  view: ViewName;
  step: number;
}

export function findPreset(id: string | null | undefined): ActorPreset | undefined {
  return id ? PRESETS.find((p) => p.id === id) : undefined;
}

export { PRESETS };

/* ---------------- geometry ---------------- */

export const NODE_W = 156;
export const NODE_H = 48;
/** Name of the pseudo-node for messages from outside the system. */
export const OUTSIDE = '\u0000outside';

export interface Point {
  x: number;
  y: number;
}

export interface GraphLayout {
  width: number;
  height: number;
  /** Centre of each node by name (actors and, when used, OUTSIDE). */
  pos: Map<string, Point>;
  /** Actor names that appear, in spawn order (OUTSIDE first when present). */
  nodes: string[];
  links: { from: string; to: string; count: number }[];
  vertical: boolean;
}

interface SimNode extends SimulationNodeDatum {
  id: string;
  ax: number;
  ay: number;
}

/** Message-graph layout for a run. `vertical`: layers top to bottom (narrow screens). */
export function graphLayout(fold: Pick<ActorsFold, 'actors' | 'links' | 'messages'>, vertical: boolean): GraphLayout {
  const hasOutside = fold.messages.some((m) => m && m.from === null && m.via === 'outside');
  const names = [...(hasOutside ? [OUTSIDE] : []), ...fold.actors.map((a) => a.name)];
  const out = new Map<string, string[]>();
  for (const n of names) out.set(n, []);
  for (const m of fold.messages) {
    if (m && m.from === null && m.via === 'outside' && out.has(m.to) && !out.get(OUTSIDE)!.includes(m.to)) out.get(OUTSIDE)!.push(m.to);
  }
  for (const l of fold.links) if (l.from !== l.to && out.has(l.from) && out.has(l.to) && !out.get(l.from)!.includes(l.to)) out.get(l.from)!.push(l.to);

  // Layers: breadth-first distance from the sources.
  const layer = new Map<string, number>();
  const queue: string[] = [];
  const hasIncoming = new Set<string>();
  for (const [, tos] of out) for (const t of tos) hasIncoming.add(t);
  for (const n of names) if (n === OUTSIDE || !hasIncoming.has(n)) {
    layer.set(n, 0);
    queue.push(n);
  }
  while (queue.length > 0) {
    const n = queue.shift()!;
    for (const t of out.get(n)!) {
      if (!layer.has(t)) {
        layer.set(t, layer.get(n)! + 1);
        queue.push(t);
      }
    }
  }
  // Actors reached by no link (e.g. a supervisor that only supervises): beside their children.
  for (const a of fold.actors) {
    if (layer.has(a.name)) continue;
    layer.set(a.name, 0);
  }
  const columns: string[][] = [];
  for (const n of names) {
    const k = layer.get(n)!;
    (columns[k] ??= []).push(n);
  }
  const cols = columns.filter(Boolean);
  const along = vertical ? 124 : 236; // between layers
  const across = vertical ? 188 : 104; // between nodes of a layer
  const tallest = Math.max(...cols.map((c) => c.length));
  const nodes: SimNode[] = [];
  cols.forEach((col, k) => {
    col.forEach((id, j) => {
      const offset = (j - (col.length - 1) / 2) * across + ((tallest - 1) / 2) * across;
      const a = k * along;
      nodes.push(vertical ? { id, ax: offset, ay: a, x: offset, y: a } : { id, ax: a, ay: offset, x: a, y: offset });
    });
  });
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const simLinks: { source: SimNode; target: SimNode }[] = [];
  for (const [from, tos] of out) for (const to of tos) simLinks.push({ source: byId.get(from)!, target: byId.get(to)! });
  // A short, deterministic force pass: anchored along the layer axis, loosely across it.
  const sim = forceSimulation(nodes)
    .force('along', vertical ? forceY<SimNode>((d) => d.ay).strength(1) : forceX<SimNode>((d) => d.ax).strength(1))
    .force('across', vertical ? forceX<SimNode>((d) => d.ax).strength(0.15) : forceY<SimNode>((d) => d.ay).strength(0.15))
    .force('link', forceLink(simLinks).strength(0.06))
    .force('collide', forceCollide<SimNode>(vertical ? 94 : 58).strength(1))
    .stop();
  for (let i = 0; i < 160; i++) sim.tick();
  // Fit into a viewBox with margins (room for mailboxes under the nodes and self-loops above).
  const padX = NODE_W / 2 + 16;
  const padTop = NODE_H / 2 + 40;
  const padBottom = NODE_H / 2 + 40;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const n of nodes) {
    minX = Math.min(minX, n.x!);
    maxX = Math.max(maxX, n.x!);
    minY = Math.min(minY, n.y!);
    maxY = Math.max(maxY, n.y!);
  }
  const pos = new Map<string, Point>();
  for (const n of nodes) pos.set(n.id, { x: Math.round(n.x! - minX + padX), y: Math.round(n.y! - minY + padTop) });
  return {
    width: Math.round(maxX - minX + 2 * padX),
    height: Math.round(maxY - minY + padTop + padBottom),
    pos,
    nodes: names,
    links: fold.links.filter((l) => pos.has(l.from) && pos.has(l.to)),
    vertical,
  };
}

/** Points of a link's curve: a quadratic Bézier bent to one side, so A→B and B→A stay apart. */
export function linkCurve(a: Point, b: Point, bend = 18): { p0: Point; c: Point; p1: Point } {
  const mx = (a.x + b.x) / 2;
  const my = (a.y + b.y) / 2;
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = Math.hypot(dx, dy) || 1;
  return { p0: a, c: { x: mx - (dy / len) * bend * 2, y: my + (dx / len) * bend * 2 }, p1: b };
}

export function quadAt(q: { p0: Point; c: Point; p1: Point }, f: number): Point {
  const u = 1 - f;
  return {
    x: u * u * q.p0.x + 2 * u * f * q.c.x + f * f * q.p1.x,
    y: u * u * q.p0.y + 2 * u * f * q.c.y + f * f * q.p1.y,
  };
}

/** Half-size of a node's box (the outside pill is smaller). */
export function halfSize(name: string): { w: number; h: number } {
  return name === OUTSIDE ? { w: 46, h: 17 } : { w: NODE_W / 2 + 3, h: NODE_H / 2 + 3 };
}

/**
 * The part of a curve between the edges of its two nodes, as [f0, f1]: where it leaves the box
 * of `from` and enters the box of `to` (found by sampling; boxes are axis-aligned).
 */
export function visibleRange(q: { p0: Point; c: Point; p1: Point }, from: string, to: string): [number, number] {
  const a = halfSize(from);
  const b = halfSize(to);
  const inside = (p: Point, c: Point, h: { w: number; h: number }) => Math.abs(p.x - c.x) <= h.w && Math.abs(p.y - c.y) <= h.h;
  const N = 60;
  let f0 = 0;
  let f1 = 1;
  for (let i = 0; i <= N; i++) {
    if (!inside(quadAt(q, i / N), q.p0, a)) {
      f0 = i / N;
      break;
    }
  }
  for (let i = N; i >= 0; i--) {
    if (!inside(quadAt(q, i / N), q.p1, b)) {
      f1 = i / N;
      break;
    }
  }
  return f1 > f0 ? [f0, f1] : [0, 1];
}

/** The SVG path of a curve between f0 and f1 (a sampled polyline: cheap and exact enough). */
export function curvePath(q: { p0: Point; c: Point; p1: Point }, f0: number, f1: number): string {
  const n = 16;
  let d = '';
  for (let i = 0; i <= n; i++) {
    const p = quadAt(q, f0 + ((f1 - f0) * i) / n);
    d += `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)} ${p.y.toFixed(1)}`;
  }
  return d;
}

/** Direction of the curve at f (for arrowheads), in degrees. */
export function quadAngle(q: { p0: Point; c: Point; p1: Point }, f: number): number {
  const dx = 2 * (1 - f) * (q.c.x - q.p0.x) + 2 * f * (q.p1.x - q.c.x);
  const dy = 2 * (1 - f) * (q.c.y - q.p0.y) + 2 * f * (q.p1.y - q.c.y);
  return (Math.atan2(dy, dx) * 180) / Math.PI;
}

/** A self-loop above a node: a circle whose bottom touches the node's top edge. */
export function selfLoop(p: Point): { cx: number; cy: number; r: number } {
  return { cx: p.x + NODE_W / 2 - 26, cy: p.y - NODE_H / 2 - 16, r: 18 };
}

export function loopAt(l: { cx: number; cy: number; r: number }, f: number): Point {
  // Start at the bottom-left of the circle, go round clockwise, end at the bottom-right.
  const a = Math.PI / 2 + 0.6 + f * (2 * Math.PI - 1.2);
  return { x: l.cx + l.r * Math.cos(a), y: l.cy + l.r * Math.sin(a) };
}

/** Where a message in flight is drawn at time t: 0 at departure, 1 on arrival. */
export function flightFraction(departed: number, arrive: number, t: number): number {
  if (!(arrive > departed)) return 1;
  return Math.min(1, Math.max(0, (t - departed) / (arrive - departed)));
}

export interface TreeLayout {
  width: number;
  height: number;
  nodes: { name: string; x: number; y: number; depth: number }[];
  edges: { from: Point; to: Point }[];
}

export const SYSTEM = 'system';

/** Supervision tree: the guardian at the top, its children below, and so on. */
export function treeLayout(fold: Pick<ActorsFold, 'actors'>): TreeLayout {
  interface T {
    name: string;
    children: T[];
  }
  const nodes = new Map<string, T>();
  const root: T = { name: SYSTEM, children: [] };
  for (const a of fold.actors) nodes.set(a.name, { name: a.name, children: [] });
  for (const a of fold.actors) (a.parent && nodes.has(a.parent) ? nodes.get(a.parent)! : root).children.push(nodes.get(a.name)!);
  const h = hierarchy<T>(root, (d) => (d.children.length ? d.children : undefined));
  const laid = tree<T>().nodeSize([NODE_W + 22, NODE_H + 58])(h);
  let minX = Infinity;
  let maxX = -Infinity;
  let maxY = 0;
  laid.each((n) => {
    minX = Math.min(minX, n.x);
    maxX = Math.max(maxX, n.x);
    maxY = Math.max(maxY, n.y);
  });
  const padX = NODE_W / 2 + 26;
  const padY = NODE_H / 2 + 14;
  const at = (n: { x: number; y: number }): Point => ({ x: Math.round(n.x - minX + padX), y: Math.round(n.y + padY) });
  const out: TreeLayout['nodes'] = [];
  const edges: TreeLayout['edges'] = [];
  laid.each((n) => {
    const p = at(n);
    out.push({ name: n.data.name, x: p.x, y: p.y, depth: n.depth });
    if (n.parent) edges.push({ from: at(n.parent), to: p });
  });
  return { width: Math.round(maxX - minX + 2 * padX), height: Math.round(maxY + 2 * padY + 18), nodes: out, edges };
}
