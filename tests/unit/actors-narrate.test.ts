/** The narration line for a step: what the step did, in words, at its time. */
import { describe, expect, it } from 'vitest';
import { actorsFold, narrate, runSource, simulate } from '#sim/actors';

describe('narrate', () => {
  const r = runSource(
    [
      `actor('sink', { serviceMs: 2, mailbox: { capacity: 1, overflow: 'drop-newest' }, init: () => ({ n: 0 }), receive(m, ctx) { ctx.state.n++; } });`,
      `send('sink', 'a');`,
      `send('sink', 'b');`,
      `send('sink', 'c');`,
    ].join('\n'),
  );
  const fold = actorsFold(r);
  const lines = Array.from({ length: fold.length + 1 }, (_, i) => narrate(r, fold, i));

  it('starts with the cast, then tells each event at its time', () => {
    expect(lines[0]).toBe('t=0 ms: 1 actor, nothing has happened yet. Step forward to start them.');
    expect(lines[1]).toBe('t=0 ms: sink starts, with a mailbox of 1 (drop-newest when full).');
    expect(lines).toContain('t=0 ms: “a” arrives from outside for sink.');
    expect(lines).toContain('t=0 ms: sink takes “a” from its mailbox and works on it for 2 ms.');
    expect(lines).toContain('t=0 ms: sink’s mailbox is full (1): the arriving “c” is dropped (drop-newest).'.replace('’', "'"));
    expect(lines).toContain('t=2 ms: sink handled “a”; its state is now { n: 1 }.');
  });

  it('ends with the outcome', () => {
    expect(lines.at(-1)).toMatch(/The run is over: 3 messages sent, 2 handled, 1 dropped\.$/);
  });

  it('says when the recording stops early', () => {
    const capped = simulate({ actors: [{ name: 'w', receive() {} }], sends: [{ to: 'w', message: 1, count: 50 }] }, 1, { traceCap: 20 });
    const f = actorsFold(capped);
    expect(narrate(capped, f, 20)).toMatch(/The recording stops here/);
  });

  it('tells crashes with their line, and restarts', () => {
    const c = runSource(`actor('w', { receive(m) {\n  throw new Error('nope');\n} });\nsend('w', 1);`);
    const f = actorsFold(c);
    const all = Array.from({ length: f.length + 1 }, (_, i) => narrate(c, f, i));
    expect(all).toContain('t=1 ms: ✕ w crashes handling “1”: nope (line 2).');
    expect(all.at(-1)).toBe('t=1 ms: system restarts w with fresh state. The run is over: 1 message sent, 0 handled, 1 lost in crashes.');
  });
});
