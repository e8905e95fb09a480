/**
 * A permalink cut off mid-query (a chat client's length limit, a bad copy) must not be applied in
 * part without a word: `readLink` gives the same notice as for any bad link when the cut shows
 * (see its comment for what is and is not detectable).
 */
import { describe, expect, it } from 'vitest';
import { packText, writeNamespace } from '#lib/permalink';
import { readLink, type LabModel } from '#widgets/shared/labModel';
import { actorModel, presetSettings } from '#widgets/ActorLab/model';
import { dataflowModel } from '#widgets/DataflowLab/model';
import { eventLoopModel } from '#widgets/EventLoopLab/model';
import { schedulerModel } from '#widgets/SchedulerLab/model';
import { syncAsyncModel } from '#widgets/SyncAsyncLab/model';

const initial = presetSettings('lost-updates');
const search = (values: Record<string, string | number>, ns = 'system') => '?' + writeNamespace(new URLSearchParams(), ns, values).toString();

async function fullLink(): Promise<string> {
  const edited = { ...presetSettings('supervisor'), code: 'actor("a", { receive() {} });', threads: 2, seed: 4242 };
  const fields = actorModel.url.encode(edited, presetSettings('supervisor')) as Record<string, string | number>;
  fields.code = await packText(edited.code);
  return search({ ...fields, step: 12 });
}

describe('readLink: links cut off mid-query', () => {
  it('the whole link reads without a notice', async () => {
    const r = await readLink(actorModel, await fullLink(), 'system', initial, false);
    expect(r.notice).toBeNull();
    expect(r.settings.seed).toBe(4242);
  });

  it('a key cut short is a bad link, not ignored', async () => {
    const link = (await fullLink()) + '&system.se';
    const r = await readLink(actorModel, link, 'system', initial, false);
    expect(r.notice).toMatch(/could not be read \(se=\)/);
    expect(r.settings).toEqual(initial);
  });

  it('the namespace cut short as the last parameter is a bad link', async () => {
    for (const tail of ['&system', '&syst', '&system.']) {
      const r = await readLink(actorModel, (await fullLink()) + tail, 'system', initial, false);
      expect(r.notice, tail).toMatch(/could not be read/);
      expect(r.settings, tail).toEqual(initial);
    }
  });

  it('a value cut to nothing, or to something its parser refuses, is a bad link', async () => {
    for (const tail of ['&system.seed=', '&system.step=', '&system.view=graph_']) {
      const r = await readLink(actorModel, (await fullLink()).replace(/&system\.(seed|step|view)=[^&]*/g, '') + tail, 'system', initial, false);
      expect(r.notice, tail).toMatch(/could not be read/);
    }
    const r = await readLink(actorModel, search({ preset: 'supervi' }), 'system', initial, false);
    expect(r.notice).toMatch(/preset=supervi/);
  });

  it('packed code cut anywhere is a bad link', async () => {
    const link = await fullLink();
    const code = new URLSearchParams(link).get('system.code')!;
    for (const keep of [4, Math.floor(code.length / 2), code.length - 3]) {
      const cut = search({ preset: 'supervisor', code: code.slice(0, keep) });
      const r = await readLink(actorModel, cut, 'system', initial, false);
      expect(r.notice, `code cut to ${keep} of ${code.length}`).toMatch(/could not be read/);
    }
  });

  it('another lab’s fields, and parameters outside the namespace, are not a cut', async () => {
    const r = await readLink(actorModel, '?crash.seed=3&theme=dark&system.seed=5', 'system', initial, false);
    expect(r.notice).toBeNull();
    expect(r.settings.seed).toBe(5);
  });

  // The check refuses keys the lab does not know, so every lab's links must use only keys it knows.
  const models = [actorModel, dataflowModel, eventLoopModel, schedulerModel, syncAsyncModel] as unknown as LabModel<object, unknown, unknown>[];
  for (const model of models) {
    it(`${model.id}: every preset's link, relative to every other preset, uses only keys of the schema`, () => {
      const keys = new Set([...Object.keys(model.url.schema), 'step', 'res']);
      for (const a of model.presets) {
        for (const b of model.presets) {
          const fields = model.url.encode(model.preset(a.id), model.preset(b.id));
          for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== null) expect(keys.has(k), `${model.id} ${a.id}/${b.id}: ${k}`).toBe(true);
        }
      }
    });
  }
});
