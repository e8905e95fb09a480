/**
 * What the actor lab's message graph draws (src/widgets/ActorLab/graph.ts): where a message in
 * flight sits on its link at the clock shown, which links bend, how many mailbox slots show, and
 * the words on and about the nodes. Positions are checked against plain geometry (a straight link
 * between two nodes on one line, a self-loop's circle), not against the functions' own output.
 */
import { describe, expect, it } from 'vitest';
import type { ActorsState, ActorView, MessageInfo } from '#sim/actors/fold';
import { OUTSIDE, type GraphLayout, type Point } from '#widgets/ActorLab/lab';
import { MAX_DOTS, MAX_SLOTS, curvesByLink, flightDots, graphSummary, linkCurves, loopCounts, mailboxText, outsideCurves, progress, slotsFor, statusLine } from '#widgets/ActorLab/graph';

function layoutOf(pos: Record<string, Point>, links: [string, string][]): GraphLayout {
  return {
    width: 800,
    height: 400,
    pos: new Map(Object.entries(pos)),
    nodes: Object.keys(pos),
    links: links.map(([from, to]) => ({ from, to, count: 1 })),
    vertical: false,
  };
}

function msg(id: number, from: string | null, to: string, departed: number, arrive: number, via: MessageInfo['via'] = 'send'): MessageInfo {
  return { id, from, to, label: `m${id}`, via, sent: departed, departed, arrive };
}

function actor(over: Partial<ActorView>): ActorView {
  return {
    name: 'a', parent: null, index: 0, capacity: Infinity, overflow: 'drop-new', strategy: 'restart', serviceMs: 10, spawnStep: 0,
    status: 'idle', current: -1, busySince: NaN, mailbox: [], holding: 0, atDoor: 0, state: '', behaviour: null, thread: -1,
    processed: 0, crashes: 0, restarts: 0, dropped: 0, lastCrash: null, lastRestartStep: -1,
    ...over,
  } as ActorView;
}

function dotsAt(layout: GraphLayout, messages: MessageInfo[], inFlight: number[], t: number) {
  const curves = linkCurves(layout);
  const outside = outsideCurves(layout, messages);
  return flightDots(layout, messages, inFlight, t, curvesByLink(curves, outside), loopCounts(messages, inFlight));
}

describe('actor graph: links and messages in flight', () => {
  const twoOnALine = layoutOf({ a: { x: 100, y: 200 }, b: { x: 500, y: 200 } }, [['a', 'b']]);

  it('a one-way link is straight; links both ways bend apart', () => {
    const [one] = linkCurves(twoOnALine);
    expect(one.self).toBe(false);
    if (!one.self) expect(one.q.c.y).toBeCloseTo(200, 6);
    const both = linkCurves(layoutOf({ a: { x: 100, y: 200 }, b: { x: 500, y: 200 } }, [['a', 'b'], ['b', 'a']]));
    const bends = both.map((c) => (c.self ? 0 : c.q.c.y - 200));
    expect(Math.abs(bends[0])).toBeGreaterThan(5);
    expect(Math.sign(bends[0])).toBe(-Math.sign(bends[1]));
  });

  it('a message halfway through its flight time is halfway between the two nodes, on the line', () => {
    const messages = [msg(0, 'a', 'b', 0, 100)];
    const [d] = dotsAt(twoOnALine, messages, [0], 50);
    expect(d.x).toBeCloseTo(300, 6);
    expect(d.y).toBeCloseTo(200, 6);
    // it moves towards b as time goes on, and stops at b's edge on arrival
    const [late] = dotsAt(twoOnALine, messages, [0], 100);
    expect(late.x).toBeGreaterThan(d.x);
    expect(late.x).toBeLessThan(500);
    expect(late.label).toBe('m0: a → b, arrives at t=100 ms');
  });

  it('a timer to oneself travels on the self-loop circle; more than three on one loop are drawn smaller', () => {
    const layout = layoutOf({ a: { x: 100, y: 200 } }, [['a', 'a']]);
    const [loop] = linkCurves(layout);
    expect(loop.self).toBe(true);
    if (!loop.self) return;
    const messages = [0, 1, 2, 3].map((i) => msg(i, 'a', 'a', 0, 100, 'timer'));
    const dots = dotsAt(layout, messages, [0], 30);
    expect(Math.hypot(dots[0].x - loop.loop.cx, dots[0].y - loop.loop.cy)).toBeCloseTo(loop.loop.r, 6);
    expect(dots[0]).toMatchObject({ timer: true, crowded: false });
    expect(dotsAt(layout, messages, [0, 1, 2, 3], 30).every((d) => d.crowded)).toBe(true);
  });

  it('messages from outside get their own link; held messages are not drawn; at most MAX_DOTS are', () => {
    const layout = layoutOf({ [OUTSIDE]: { x: 100, y: 200 }, b: { x: 500, y: 200 } }, []);
    const messages = [msg(0, null, 'b', 0, 100, 'outside'), msg(1, null, 'b', NaN, NaN, 'outside')];
    expect(outsideCurves(layout, messages).map((c) => c.key)).toEqual(['out>b']);
    const dots = dotsAt(layout, messages, [0, 1], 50);
    expect(dots.map((d) => d.id)).toEqual([0]);
    // on the straight line from the outside pill to b (the pill is narrower than an actor, so not at 300)
    expect(dots[0].y).toBeCloseTo(200, 6);
    expect(dots[0].x).toBeGreaterThan(100 + 44);
    expect(dots[0].x).toBeLessThan(500 - 78);
    expect(dots[0].label).toBe('m0: outside → b, arrives at t=100 ms');
    const many = Array.from({ length: MAX_DOTS + 5 }, (_, i) => msg(i, 'a', 'b', 0, 100));
    expect(dotsAt(twoOnALine, many, many.map((m) => m.id), 10)).toHaveLength(MAX_DOTS);
  });
});

describe('actor graph: nodes', () => {
  it('a small bounded mailbox shows its capacity; a large or unbounded one shows MAX_SLOTS and counts the rest', () => {
    expect(slotsFor({ mailbox: [1, 2, 3], capacity: 5 })).toEqual({ filled: 3, total: 5, more: 0 });
    const fifteen = Array.from({ length: 15 }, (_, i) => i);
    expect(slotsFor({ mailbox: fifteen, capacity: Infinity })).toEqual({ filled: MAX_SLOTS, total: MAX_SLOTS, more: 15 - MAX_SLOTS });
    expect(slotsFor({ mailbox: fifteen, capacity: 20 })).toEqual({ filled: MAX_SLOTS, total: MAX_SLOTS, more: 15 - MAX_SLOTS });
    expect(slotsFor({ mailbox: [], capacity: Infinity })).toEqual({ filled: 0, total: 0, more: 0 });
  });

  it('the status line names the message being handled (cut to 15 characters) or the state', () => {
    const messages = [{ ...msg(0, 'a', 'b', 0, 1), label: 'deposit(1000000000)' }];
    expect(statusLine(actor({ status: 'busy', current: 0 }), messages)).toBe('handling deposit(100000…');
    expect(statusLine(actor({ status: 'idle', state: 'balance=5' }), messages)).toBe('balance=5');
    expect(statusLine(actor({ status: 'idle' }), messages)).toBe('idle');
    expect(statusLine(actor({ status: 'blocked' }), messages)).toBe('blocked: waiting for room');
  });

  it('a busy actor is as far through its work as the clock is through its service time', () => {
    const busy = actor({ status: 'busy', busySince: 20, serviceMs: 40 });
    expect(progress(busy, 30)).toBeCloseTo(0.25, 9);
    expect(progress(busy, 10)).toBe(0);
    expect(progress(busy, 100)).toBe(1);
    expect(progress(actor({ status: 'idle' }), 30)).toBe(0);
  });

  it('mailbox and summary text', () => {
    expect(mailboxText(actor({ mailbox: [1, 2], capacity: 4, atDoor: 1, dropped: 3 }))).toBe('2/4 queued · 1 at the door · 3 dropped');
    const now = { actors: [actor({ name: 'a', status: 'busy', mailbox: [1], crashes: 2 }), actor({ name: 'z', status: 'unborn' })], inFlight: [7] } as unknown as ActorsState;
    expect(graphSummary(now)).toBe('a: busy, 1 in its mailbox, crashed 2 times. 1 message travelling.');
  });
});
