/**
 * What the message graph (Graph.svelte) draws, as pure functions of the layout and the fold's
 * state: the links' curves, where each message in flight is at the clock shown, and the text and
 * mailbox slots of each actor. Geometry and wording only: every fact comes from the fold.
 */
import type { ActorsFold, ActorsState, ActorView } from '#sim/actors/fold';
import { formatMs } from '#sim/core/format';
import { OUTSIDE, flightFraction, linkCurve, loopAt, quadAt, selfLoop, visibleRange, type GraphLayout, type Point } from './lab';

/** At most this many messages in flight are drawn (the rest are counted under the graph). */
export const MAX_DOTS = 300;
/** A mailbox shows at most this many slots (a larger or unbounded one counts the rest as +n). */
export const MAX_SLOTS = 11;

type Quad = ReturnType<typeof linkCurve>;
export type LinkCurve =
  | { key: string; self: true; loop: ReturnType<typeof selfLoop>; from: string; to: string }
  | { key: string; self: false; q: Quad; range: [number, number]; from: string; to: string };
export interface OutsideCurve {
  key: string;
  q: Quad;
  range: [number, number];
}

/** The links between actors: a loop for an actor's messages to itself, a curve otherwise (bent only when messages flow both ways). */
export function linkCurves(layout: GraphLayout): LinkCurve[] {
  return layout.links.map((l) => {
    const a = layout.pos.get(l.from)!;
    const b = layout.pos.get(l.to)!;
    if (l.from === l.to) return { key: `${l.from}>${l.to}`, self: true as const, loop: selfLoop(a), from: l.from, to: l.to };
    // Only bend when messages flow both ways.
    const both = layout.links.some((m) => m.from === l.to && m.to === l.from);
    const q = linkCurve(a, b, both ? 14 : 0);
    return { key: `${l.from}>${l.to}`, self: false as const, q, range: visibleRange(q, l.from, l.to), from: l.from, to: l.to };
  });
}

/** The links from the outside (messages sent from outside any actor), one per receiving actor on the graph. */
export function outsideCurves(layout: GraphLayout, messages: ActorsFold['messages']): OutsideCurve[] {
  if (!layout.pos.has(OUTSIDE)) return [];
  return [...new Set(messages.filter((m) => m && m.from === null && m.via === 'outside').map((m) => m.to))]
    .filter((to) => layout.pos.has(to))
    .map((to) => {
      const q = linkCurve(layout.pos.get(OUTSIDE)!, layout.pos.get(to)!, 0);
      return { key: `out>${to}`, q, range: visibleRange(q, OUTSIDE, to) };
    });
}

/** Every curve by `from>to` (the outside as OUTSIDE), for placing messages on them. */
export function curvesByLink(curves: readonly LinkCurve[], outside: readonly OutsideCurve[]): Map<string, LinkCurve | OutsideCurve> {
  return new Map<string, LinkCurve | OutsideCurve>([...curves.map((c) => [c.key, c] as const), ...outside.map((c) => [`${OUTSIDE}>${c.key.slice(4)}`, c] as const)]);
}

/** Messages travelling on each self-loop (timers an actor set for itself), by actor. */
export function loopCounts(messages: ActorsFold['messages'], inFlight: readonly number[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of inFlight) {
    const m = messages[id];
    if (m && m.from === m.to) counts.set(m.to, (counts.get(m.to) ?? 0) + 1);
  }
  return counts;
}

export interface Dot {
  id: number;
  x: number;
  y: number;
  timer: boolean;
  /** On a self-loop with more than three others: drawn smaller. */
  crowded: boolean;
  label: string;
}

/** The messages in flight (the first MAX_DOTS) at the clock shown, each on its link's curve. */
export function flightDots(
  layout: GraphLayout,
  messages: ActorsFold['messages'],
  inFlight: readonly number[],
  tShown: number,
  curveOf: ReadonlyMap<string, LinkCurve | OutsideCurve>,
  onLoops: ReadonlyMap<string, number>,
): Dot[] {
  const out: Dot[] = [];
  for (const id of inFlight) {
    if (out.length >= MAX_DOTS) break;
    const m = messages[id];
    if (!m || Number.isNaN(m.arrive)) continue;
    const from = m.from ?? OUTSIDE;
    const f = flightFraction(m.departed, m.arrive, Math.max(tShown, m.departed));
    const c = curveOf.get(`${from}>${m.to}`);
    let p: Point;
    if (c && 'self' in c && c.self) p = loopAt(c.loop, f);
    else if (c && 'q' in c) p = quadAt(c.q, c.range[0] + (c.range[1] - c.range[0]) * f);
    else {
      const b = layout.pos.get(m.to);
      if (!b) continue;
      p = b;
    }
    out.push({ id, x: p.x, y: p.y, timer: m.via === 'timer', crowded: m.from === m.to && (onLoops.get(m.to) ?? 0) > 3, label: `${m.label}: ${m.from ?? 'outside'} → ${m.to}, arrives at t=${formatMs(m.arrive)} ms` });
  }
  return out;
}

export function trunc(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

/** The line under an actor's name: what it is doing, else its state. */
export function statusLine(a: ActorView, messages: ActorsFold['messages']): string {
  if (a.status === 'unborn') return 'not started yet';
  if (a.status === 'stopped') return 'stopped';
  if (a.status === 'blocked') return 'blocked: waiting for room';
  if (a.status === 'busy') {
    const m = messages[a.current];
    return `handling ${m ? trunc(m.label, 15) : '…'}`;
  }
  return a.state ? trunc(a.state, 24) : 'idle';
}

/** How far a busy actor is through its message's service time at the clock shown (0 to 1). */
export function progress(a: ActorView, tShown: number): number {
  if (a.status !== 'busy' || !(a.serviceMs > 0)) return 0;
  return Math.min(1, Math.max(0, (tShown - a.busySince) / a.serviceMs));
}

export function mailboxText(a: ActorView): string {
  const parts: string[] = [];
  const cap = a.capacity === Infinity ? '' : `/${a.capacity}`;
  parts.push(`${a.mailbox.length}${cap} queued`);
  if (a.atDoor > 0) parts.push(`${a.atDoor} at the door`);
  if (a.dropped > 0) parts.push(`${a.dropped} dropped`);
  return parts.join(' · ');
}

/** The mailbox's slots: a small bounded mailbox shows its capacity; others show up to MAX_SLOTS and count the rest. */
export function slotsFor(a: Pick<ActorView, 'mailbox' | 'capacity'>): { filled: number; total: number; more: number } {
  const depth = a.mailbox.length;
  if (a.capacity !== Infinity && a.capacity <= MAX_SLOTS) return { filled: depth, total: a.capacity, more: 0 };
  const shown = Math.min(depth, MAX_SLOTS);
  return { filled: shown, total: shown, more: depth - shown };
}

/** The graph in words, for its accessible name. */
export function graphSummary(now: ActorsState): string {
  return (
    now.actors
      .filter((a) => a.status !== 'unborn')
      .map((a) => `${a.name}: ${a.status === 'busy' ? 'busy' : a.status}, ${a.mailbox.length} in its mailbox${a.crashes ? `, crashed ${a.crashes} times` : ''}${a.restarts ? `, restarted ${a.restarts} times` : ''}`)
      .join('; ') + `. ${now.inFlight.length} ${now.inFlight.length === 1 ? 'message' : 'messages'} travelling.`
  );
}
