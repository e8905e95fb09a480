/**
 * The lab contract on the actor lab's model: links in and out (legacy `p=`, packed code, clamped
 * values, bad fields, presenter `lab`/`preset`), staleness keys, and narration of the empty and
 * failed runs. The session (session.svelte.ts) only wires these into the page.
 */
import { describe, expect, it } from 'vitest';
import { packText, writeNamespace } from '#lib/permalink';
import { readLink } from '#widgets/shared/labModel';
import { actorModel, presetSettings } from '#widgets/ActorLab/model';

const initial = presetSettings('lost-updates');
const search = (values: Record<string, string | number>, ns = 'system') => '?' + writeNamespace(new URLSearchParams(), ns, values).toString();

describe('actor lab model: links', () => {
  it('a page without the namespace shows the initial settings and no notice', async () => {
    const r = await readLink(actorModel, '?other.step=3', 'system', initial, false);
    expect(r).toMatchObject({ settings: initial, fromLink: false, notice: null, clampNotes: [] });
  });

  it('round-trips preset, edited code, threads, seed, view and step', async () => {
    const edited = { ...presetSettings('supervisor'), code: 'actor("a", { receive() {} });', threads: 2, seed: 9, view: 'supervision' as const };
    const fields = actorModel.url.encode(edited, presetSettings('supervisor'));
    fields.code = await packText(edited.code);
    const r = await readLink(actorModel, search({ ...(fields as Record<string, string | number>), step: 12 }), 'system', initial, false);
    expect(r.settings).toEqual(edited);
    expect(r.base).toEqual(presetSettings('supervisor'));
    expect(r.step).toBe(12);
    expect(r.notice).toBeNull();
  });

  it('reads old links that named the preset `p`', async () => {
    const r = await readLink(actorModel, search({ p: 'overflow' }), 'system', initial, false);
    expect(r.settings.preset).toBe('overflow');
    expect(r.settings.code).toBe(presetSettings('overflow').code);
  });

  it('leaves out what equals the preset, so a fresh lab writes only its preset', () => {
    expect(actorModel.url.encode(initial, initial)).toEqual({ preset: 'lost-updates', code: undefined, threads: undefined, seed: undefined, view: undefined });
  });

  it('clamps out-of-range values with a note instead of refusing the link', async () => {
    const r = await readLink(actorModel, search({ threads: 500 }), 'system', initial, false);
    expect(r.settings.threads).toBeLessThan(500);
    expect(r.clampNotes.join(' ')).toMatch(/threads was 500/);
    expect(r.notice).toBeNull();
  });

  it('a field that cannot be read gives the default lab and a one-line notice', async () => {
    const r = await readLink(actorModel, search({ seed: 'abc' }), 'system', initial, false);
    expect(r.settings).toEqual(initial);
    expect(r.notice).toBe("This link's lab settings could not be read (seed=abc); showing the default lab.");
  });

  it('code that does not unpack is a bad link, not an empty program', async () => {
    const r = await readLink(actorModel, search({ code: 'not-deflate-data' }), 'system', initial, false);
    expect(r.settings).toEqual(initial);
    expect(r.notice).toMatch(/code=not-deflate-data/);
  });

  it('a presenter link picks the namespace and the preset', async () => {
    const r = await readLink(actorModel, '?lab=crash&preset=supervisor&crash.step=4', 'present', initial, true);
    expect(r.ns).toBe('crash');
    expect(r.settings.preset).toBe('supervisor');
    expect(r.step).toBe(4);
    const bad = await readLink(actorModel, '?preset=nope', 'present', initial, true);
    expect(bad.notice).toMatch(/preset=nope/);
    expect(bad.settings).toEqual(initial);
  });
});

describe('actor lab model: runs', () => {
  it('a view switch is not a new run; code, threads and seed are', () => {
    const key = actorModel.runKey(initial);
    expect(actorModel.runKey({ ...initial, view: 'supervision' })).toBe(key);
    for (const patch of [{ code: initial.code + ' ' }, { threads: 2 }, { seed: 2 }]) expect(actorModel.runKey({ ...initial, ...patch })).not.toBe(key);
  });

  it('an unknown preset id throws, so a lesson with a typo fails its build', () => {
    expect(() => actorModel.preset('no-such')).toThrow(/no actor preset "no-such"/);
  });

  it('narrates a source error without running anything', async () => {
    const { runSource } = await import('#sim/actors/source');
    const run = { ...runSource("actor('a', { receive(m, ctx) { ctx.send('b' 1); } });"), host: 'worker' as const, elapsedMs: 1, runMs: 1 };
    expect(actorModel.narrate(run, actorModel.fold(run), 0)).toMatch(/^Nothing ran: /);
  });
});
