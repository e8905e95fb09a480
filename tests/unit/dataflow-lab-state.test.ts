import { describe, expect, it } from 'vitest';
import { getPreset, PRESETS, simulate } from '#sim/dataflow';
import { clampState, fromRecord, presetState, sameSettings, seedMatters, toConfig, toRecord, urlSchema } from '#widgets/DataflowLab/lab';
import { decodeState, writeNamespace } from '#lib/permalink';

describe('dataflow lab state', () => {
  it('a preset’s own state gives back the preset’s config', () => {
    for (const p of PRESETS) expect(simulate(toConfig(presetState(p), p), p.seed).metrics).toEqual(simulate(p.config, p.seed).metrics);
  });

  it('round-trips through the URL, and clamps what a link asks for with notes', () => {
    const p = getPreset('bottleneck');
    const state = { ...presetState(p), par: { ...presetState(p).par, enrich: 3 }, step: 40 };
    const params = writeNamespace(new URLSearchParams('other.x=1'), 'lab', toRecord(state, p));
    const decoded = decodeState(params, 'lab', urlSchema(p), toRecord(presetState(p), p) as Record<string, number | boolean>);
    expect(decoded.notice).toBeNull();
    expect(fromRecord(decoded.value, p)).toEqual(state);
    const { value, notes } = clampState({ ...state, par: { ...state.par, enrich: 500 }, seed: -3 }, p);
    expect(value.par.enrich).toBe(64);
    expect(value.seed).toBe(0);
    expect(notes).toEqual(['parallelism of "enrich" was 500; the lab allows whole numbers 1–64, so it uses 64.', 'seed was -3; the lab uses whole numbers from 0 to 2147483647, so it uses 0.']);
    expect(sameSettings({ ...state, step: 1 }, { ...state, step: 2 })).toBe(true);
    expect(sameSettings(state, value)).toBe(false);
  });

  it('shows the seed only where it changes the run', () => {
    expect(PRESETS.filter(seedMatters).map((p) => p.id)).toEqual(['skew', 'operator']);
    // and where it is hidden, another seed really gives the same run
    for (const p of PRESETS.filter((x) => !seedMatters(x))) {
      expect(simulate(p.config, 2).metrics.delivered).toBe(simulate(p.config, 1).metrics.delivered);
      expect(simulate(p.config, 2).samples).toEqual(simulate(p.config, 1).samples);
    }
  });
});
