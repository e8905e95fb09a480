/**
 * The lab contract on the dataflow lab's model: links in and out (per-operator fields, packed
 * learner code, clamped values, bad fields, old links without a preset, presenter `lab`/`preset`),
 * run keys, where a run happens, and the narration of its first step. The session only wires
 * these into the page.
 */
import { describe, expect, it } from 'vitest';
import { packText, writeNamespace } from '#lib/permalink';
import { DEFAULT_FILTER_CODE, getPreset, predict, simulate } from '#sim/dataflow';
import { readLink } from '#widgets/shared/labModel';
import { dataflowModel, needsSandbox, runOnPage } from '#widgets/DataflowLab/model';
import { presetSettings } from '#widgets/DataflowLab/lab';

const initial = presetSettings('bottleneck');
const search = (values: Record<string, string | number>, ns = 'pipeline') => '?' + writeNamespace(new URLSearchParams(), ns, values).toString();
const read = (q: string, ns = 'pipeline', presentPage = false) => readLink(dataflowModel, q, ns, initial, presentPage);

describe('dataflow lab model: links', () => {
  it('a fresh lab writes only its preset', () => {
    expect(Object.entries(dataflowModel.url.encode(initial, initial)).filter(([, v]) => v !== undefined)).toEqual([['preset', 'bottleneck']]);
  });

  it('round-trips instances, time per record, buffer, no-limit, rate, seed and step', async () => {
    const edited = { ...initial, par: { ...initial.par, enrich: 3 }, ms: { ...initial.ms, store: 0.8 }, buffer: 4, unbounded: true, rate: 1_500, seed: 7 };
    const fields = dataflowModel.url.encode(edited, initial) as Record<string, string | number | boolean>;
    expect(fields).toMatchObject({ p_enrich: 3, ms_store: 0.8, buffer: 4, unbounded: true, rate: 1_500, seed: 7 });
    expect(fields.p_parse).toBeUndefined();
    const query = '?' + writeNamespace(new URLSearchParams(), 'pipeline', { ...fields, step: 40 }).toString();
    const r = await read(query);
    expect(r.settings).toEqual(edited);
    expect(r.step).toBe(40);
    expect(r.notice).toBeNull();
  });

  it('the chaining switch is kept in the link, and only when it differs from the preset', async () => {
    const off = { ...initial, chaining: !initial.chaining };
    const fields = dataflowModel.url.encode(off, initial) as Record<string, unknown>;
    expect(fields.chaining).toBe(!initial.chaining);
    expect(dataflowModel.url.encode(initial, initial).chaining).toBeUndefined();
    const r = await read('?' + writeNamespace(new URLSearchParams(), 'pipeline', fields as Record<string, string | number | boolean>).toString());
    expect(r.settings.chaining).toBe(!initial.chaining);
    // The run follows: chained, the bottleneck preset's stages share one task and have no buffer.
    const chained = runOnPage({ ...initial, chaining: true }).run;
    expect(chained.metrics.edges.every((e) => e.maxFill === 0)).toBe(true);
    expect(runOnPage(initial).run.metrics.edges.some((e) => e.maxFill > 0)).toBe(true);
  });

  it('reads links written before presets were in the link (the instance’s preset is the base)', async () => {
    const r = await read(search({ p_enrich: 3, step: 40 }));
    expect(r.settings).toEqual({ ...initial, par: { ...initial.par, enrich: 3 } });
    expect(r.step).toBe(40);
  });

  it('ignores fields for operators this preset does not let the learner tune', async () => {
    const r = await read(search({ p_count: 8, p_enrich: 2 }));
    expect(r.settings.par).toEqual({ ...initial.par, enrich: 2 });
  });

  it('carries the learner’s function packed, and only for presets that have one', async () => {
    const base = presetSettings('operator');
    const code = 'function keep(record) {\n  return record.value < 500;\n}\n';
    const fields = dataflowModel.url.encode({ ...base, code }, base);
    expect(fields.code).toBe(code);
    const r = await readLink(dataflowModel, search({ preset: 'operator', code: await packText(code) }, 'operator'), 'operator', base, false);
    expect(r.settings.code).toBe(code);
    expect(dataflowModel.url.encode(base, base).code).toBeUndefined();
    const other = await read(search({ code: await packText(code) }));
    expect(other.settings.code).toBe('');
  });

  it('clamps out-of-range values with a note instead of refusing the link', async () => {
    const r = await read(search({ p_enrich: 500 }));
    expect(r.settings.par.enrich).toBe(64);
    expect(r.clampNotes).toEqual(['parallelism of "enrich" was 500; the lab allows whole numbers 1–64, so it uses 64.']);
    expect(r.notice).toBeNull();
  });

  it('a field that cannot be read gives the default lab and a one-line notice', async () => {
    const r = await read(search({ p_enrich: 'lots' }));
    expect(r.settings).toEqual(initial);
    expect(r.notice).toBe("This link's lab settings could not be read (p_enrich=lots); showing the default lab.");
  });

  it('a presenter link picks the namespace and the preset', async () => {
    const r = await read('?lab=skew&preset=skew&skew.p_count=16&skew.step=4', 'present', true);
    expect(r.ns).toBe('skew');
    expect(r.settings).toEqual({ ...presetSettings('skew'), par: { count: 16 } });
    expect(r.step).toBe(4);
    const bad = await read('?preset=nope', 'present', true);
    expect(bad.notice).toMatch(/preset=nope/);
    expect(bad.settings).toEqual(initial);
  });
});

describe('dataflow lab model: runs', () => {
  it('any setting, the seed and the code are part of the run key', () => {
    const key = dataflowModel.runKey(initial);
    for (const patch of [{ par: { ...initial.par, enrich: 2 } }, { ms: { ...initial.ms, parse: 1 } }, { buffer: 8 }, { unbounded: true }, { rate: 900 }, { seed: 2 }, { code: 'x' }, { preset: 'batch' }])
      expect(dataflowModel.runKey({ ...initial, ...patch })).not.toBe(key);
    expect(dataflowModel.runKey({ ...initial })).toBe(key);
  });

  it('only learner code goes to the sandbox; the preset’s own function runs on the page', () => {
    const op = presetSettings('operator');
    expect(op.code).toBe(DEFAULT_FILTER_CODE);
    expect(needsSandbox(op)).toBe(false);
    expect(needsSandbox({ ...op, code: op.code.replace('true', 'false') })).toBe(true);
    expect(needsSandbox(initial)).toBe(false);
  });

  it('a page run is the engine’s run of the tuned config, with capacities from predict', async () => {
    const s = { ...initial, par: { ...initial.par, enrich: 2 } };
    const r = await dataflowModel.run(s, new AbortController().signal);
    const config = structuredClone(getPreset('bottleneck').config);
    config.operators.find((o) => o.id === 'enrich')!.parallelism = 2;
    const direct = simulate(config, 1);
    expect(r.run.metrics).toEqual(direct.metrics);
    expect(r.capacity.enrich).toBeCloseTo(predict(direct.config).operators[2].capacity, 9);
    expect(r.capacity.enrich).toBeCloseTo(500, 6); // 2 instances × 1 / 4 ms
    expect(r.host).toBe('page');
    expect(r.error).toBeNull();
    // Deterministic engine: the same settings give back the same run without computing again.
    expect(runOnPage(s)).toBe(r);
    const fold = dataflowModel.fold(r);
    expect(fold.length).toBe(r.run.samples.length - 1);
    expect(dataflowModel.narrate(r, fold, 0)).toMatch(/^t = 0 ms: nothing has run yet/);
  }, 30_000);

  it('plays long runs faster, within 4 to 60 steps per second', () => {
    expect(dataflowModel.rate!(240)).toBe(15);
    expect(dataflowModel.rate!(10)).toBe(4);
    expect(dataflowModel.rate!(10_000)).toBe(60);
  });
});
