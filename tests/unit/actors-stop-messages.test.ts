/**
 * How a run that stopped early says so: once (the halt event and the run's error are the same
 * sentence), without doubled punctuation, without internal names, with numbers as people write
 * them, and asking about an infinite loop only when a behaviour was stuck in one.
 */
import { describe, expect, it } from 'vitest';
import { actorsFold, narrate, runSource } from '#sim/actors';

const PING_PONG = [
  `actor('ping', { serviceMs: 1, receive(m, ctx) { ctx.send('pong', m + 1); } });`,
  `actor('pong', { serviceMs: 1, receive(m, ctx) { ctx.send('ping', m + 1); } });`,
  `send('ping', 0);`,
].join('\n');

const lastLine = (r: ReturnType<typeof runSource>) => {
  const fold = actorsFold(r);
  return narrate(r, fold, fold.length);
};

describe('actor runs that stop early', () => {
  it('a system that never goes quiet stops at the end of its simulated time, in words and with separators', () => {
    const line = lastLine(runSource(PING_PONG));
    expect(line).toContain('t = 10,000 ms');
    expect(line).not.toMatch(/untilMs|maxMessages|\b10000\b/);
  });

  it('a long but finite run stopped on the real-time budget does not ask about an infinite loop, and says it once', () => {
    const r = runSource(PING_PONG, { shouldStop: () => true, stopMessage: 'Stopped after 2 s of real time: the program did not finish. Is there an infinite loop?' });
    expect(r.error?.message).toMatch(/real-time budget/);
    expect(r.error?.message).not.toMatch(/infinite loop/);
    const line = lastLine(r);
    expect(line.split('real-time budget').length - 1).toBe(1);
    expect(line).not.toMatch(/[.?!]\./);
  });

  it('a behaviour stuck in a loop asks about it, once, without "?."', () => {
    const t0 = performance.now();
    const r = runSource(`actor('a', { receive() { while (true) {} } });\nsend('a', 1);`, { shouldStop: () => performance.now() - t0 > 100 });
    expect(r.error?.message).toMatch(/Is there an infinite loop\?$/);
    const line = lastLine(r);
    expect(line.split('Is there an infinite loop?').length - 1).toBe(1);
    expect(line).not.toMatch(/\?\./);
  });
});
