/**
 * Lesson 5 ("Actors") states numbers measured on the actor engine. This test measures them again
 * and checks that the lesson's sentences contain exactly those values, so the lesson cannot drift
 * from the engine (or the presets) without this test failing.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { getPreset, runSource, type ActorEvent, type SourceRun } from '#sim/actors';

const lesson = readFileSync(resolve(__dirname, '../../content/lessons/05-actors.mdx'), 'utf8').replace(/\s+/g, ' ');

const run = (id: string, edit?: (s: string) => string, seed = 1): SourceRun => {
  const r = runSource(edit ? edit(getPreset(id).source) : getPreset(id).source, { seed });
  expect(r.sourceError).toBeUndefined();
  return r;
};
const actor = (r: SourceRun, name: string) => r.metrics.actors.find((a) => a.name === name)!;
const state = (r: SourceRun, name: string) => Function(`return (${actor(r, name).state})`)() as Record<string, number>;
const fmt = (n: number) => n.toLocaleString('en');
const list = (xs: (string | number)[]) => (xs.length === 1 ? `${xs[0]}` : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`);
const says = (text: string) => expect(lesson, `the lesson should say: ${text}`).toContain(text);

describe('lesson 5 states what the engine measures', () => {
  it('the lost-update lab', () => {
    const r = run('lost-updates');
    const shared = Number(r.metrics.watches['shared count']);
    const others = [2, 3, 4, 5].map((seed) => Number(run('lost-updates', undefined, seed).metrics.watches['shared count']));
    says(`The shared count ends at **${shared}**: ${1000 - shared} of the 1,000 updates are lost (seeds 2 to 5 give ${Math.min(...others)} to ${Math.max(...others)}).`);
    says(`The actor counts all **${fmt(state(r, 'counter').count)}**`);
    const fixed = run('lost-updates', (s) => s.replace('ctx.sendAfter(ctx.random() * 10, ctx.self, { write: seen + 1 }); // await', 'count = seen + 1;'));
    expect(Number(fixed.metrics.watches['shared count'])).toBe(1000);
    says('the shared variable counts all 1,000 too');
  });

  it('the supervisor lab', () => {
    const r = run('supervisor');
    const crashes = r.trace.filter((e) => e.kind === 'crash' && e.actor === 'flaky').map((e) => e.t);
    says(`Flaky crashes **${crashes.length}** times (at ${list(crashes)} ms) and finishes **${actor(r, 'flaky').processed}** jobs`);
    says(`\`done\` counter ends at **${state(r, 'flaky').done}**`);
    says(`Steady finishes all **${state(r, 'steady').done}** and is never restarted`);
    expect(actor(r, 'steady').restarts).toBe(0);

    const all = run('supervisor', (s) => s.replace("strategy: 'one-for-one'", "strategy: 'one-for-all'"));
    const cut = all.trace.filter((e): e is Extract<ActorEvent, { kind: 'restart' }> => e.kind === 'restart' && e.actor === 'steady' && e.interrupted >= 0).length;
    says(`steady is restarted ${actor(all, 'steady').restarts} times along with flaky, and the ${cut} jobs it was working on`);
    says(`so it finishes **${actor(all, 'steady').processed}**`);

    const esc = run('supervisor', (s) => s.replace('maxRestarts: 3, withinMs: 100', 'maxRestarts: 1, withinMs: 100'));
    says(`supervisor give up **${esc.metrics.escalations}** times`);
    says(`steady loses **${30 - actor(esc, 'steady').processed}** jobs`);
  });

  it('the overflow lab', () => {
    const r = run('overflow');
    const newest = state(r, 'slow/drop-newest');
    const oldest = state(r, 'slow/drop-oldest');
    expect(oldest.handled).toBe(newest.handled);
    expect(actor(r, 'slow/drop-oldest').dropped).toBe(actor(r, 'slow/drop-newest').dropped);
    says(`each consumer handles **${newest.handled}** of the 40 and **${actor(r, 'slow/drop-newest').dropped}** are dropped`);
    says(`its last one is **${newest.last}**, because 40 arrived at a full mailbox`);
    says(`so its last one is **${oldest.last}**`);
    says(`all **${state(r, 'slow/block').handled}** are handled`);
    const lastSend = (from: string) => Math.max(...r.trace.filter((e) => e.kind === 'send' && e.from === from && e.via === 'send').map((e) => e.t));
    const lastDone = (a: string) => Math.max(...r.trace.filter((e) => e.kind === 'done' && e.actor === a).map((e) => e.t));
    expect(lastSend('fast/drop-oldest')).toBe(lastSend('fast/drop-newest'));
    says(`last message leaves at **${lastSend('fast/block')}** ms instead of **${lastSend('fast/drop-newest')}**`);
    says(`its consumer finishes at **${lastDone('slow/block')}** ms instead of **${lastDone('slow/drop-newest')}**`);
  });

  it('the ask lab', () => {
    const r = run('ask-timeout');
    const a = r.metrics.asks;
    says(`**${a.answered}**. Requests 4, 8 and 12 time out: the client gets **${a.timedOut}** timeout messages instead, and the **${a.late}** late answers become dead letters`);
    expect(r.metrics.ledger.dead).toBe(a.late);
    // which requests time out: the slow ones, every fourth
    const timedOut = r.trace.filter((e) => e.kind === 'timeout').map((e) => (e as { ask: number }).ask + 1);
    expect(timedOut).toEqual([4, 8, 12]);
  });
});
