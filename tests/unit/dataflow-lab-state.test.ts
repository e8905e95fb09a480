import { describe, expect, it } from 'vitest';
import { PRESETS, simulate } from '#sim/dataflow';
import { clampSettings, presetSettings, seedMatters, toConfig } from '#widgets/DataflowLab/lab';

describe('dataflow lab settings', () => {
  it('a preset’s own settings give back the preset’s config', () => {
    for (const p of PRESETS) expect(simulate(toConfig(presetSettings(p.id)), p.seed).metrics).toEqual(simulate(p.config, p.seed).metrics);
  }, 60_000);

  it('clamps out-of-range settings with one note per value', () => {
    const base = presetSettings('bottleneck');
    const { settings, notes } = clampSettings({ ...base, par: { ...base.par, enrich: 500 }, seed: -3 });
    expect(settings.par.enrich).toBe(64);
    expect(settings.seed).toBe(0);
    expect(notes).toEqual(['parallelism of "enrich" was 500; the lab allows whole numbers 1–64, so it uses 64.', 'seed was -3; the lab uses whole numbers from 0 to 2147483647, so it uses 0.']);
    expect(clampSettings(base)).toEqual({ settings: base, notes: [] });
  });

  it('an unknown preset id throws, so a lesson with a typo fails its build', () => {
    expect(() => presetSettings('no-such')).toThrow(/no dataflow preset "no-such"/);
  });

  it('shows the seed only where it changes the run', () => {
    expect(PRESETS.filter(seedMatters).map((p) => p.id)).toEqual(['skew', 'operator']);
    // and where it is hidden, another seed really gives the same run
    for (const p of PRESETS.filter((x) => !seedMatters(x))) {
      expect(simulate(p.config, 2).metrics.delivered).toBe(simulate(p.config, 1).metrics.delivered);
      expect(simulate(p.config, 2).samples).toEqual(simulate(p.config, 1).samples);
    }
  }, 60_000);
});
