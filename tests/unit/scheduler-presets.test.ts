import { describe, expect, it } from 'vitest';
import { PRESETS, getPreset, simulate, validateConfig } from '#sim/scheduler';

const finishOf = (run: ReturnType<typeof simulate>, id: string) => run.trace.find((e) => e.kind === 'finish' && e.task === id)!.t;

describe('scheduler presets', () => {
  it('have unique ids, a title, one sentence of description, and valid configs', () => {
    expect(new Set(PRESETS.map((p) => p.id)).size).toBe(PRESETS.length);
    for (const id of ['io-one-core', 'cpu-many-cores', 'cooperative-hog', 'timeslice-fair']) expect(getPreset(id).id).toBe(id);
    for (const p of PRESETS) {
      expect(p.title.length).toBeGreaterThan(5);
      expect(p.description).toMatch(/^[A-Z].*\.$/);
      expect(p.description.split(/\.\s/).length).toBe(1);
      expect(() => validateConfig(p.config)).not.toThrow();
    }
    expect(() => getPreset('nope')).toThrow(/io-one-core/);
  });

  it('io-one-core: four I/O tasks finish in 92 ms on one core, not 4 x 86 ms', () => {
    const p = getPreset('io-one-core');
    const run = simulate(p.config, p.seed);
    expect(run.config.cores).toBe(1);
    expect(run.tasks.length).toBe(4);
    expect(run.metrics.makespan).toBe(92);
  });

  it("cpu-many-cores: 8 cores reach Amdahl's 4.7x for a 10% serial part, not 8x", () => {
    const p = getPreset('cpu-many-cores');
    const run = simulate(p.config, p.seed);
    expect(run.tasks.length).toBe(33);
    expect(run.metrics.makespan).toBeCloseTo(212.5, 9);
    expect(run.metrics.speedup).toBeCloseTo(1 / (0.1 + 0.9 / 8), 6);
  });

  it('cooperative-hog vs timeslice-fair: time slices let the short tasks finish long before the hog', () => {
    const hog = simulate(getPreset('cooperative-hog').config, 1);
    const fair = simulate(getPreset('timeslice-fair').config, 1);
    expect(hog.tasks).toEqual(fair.tasks);
    expect(['A', 'B', 'C', 'H'].map((id) => finishOf(hog, id))).toEqual([240, 242, 244, 206]);
    expect(['A', 'B', 'C', 'H'].map((id) => finishOf(fair, id))).toEqual([74, 76, 78, 218]);
    expect(hog.trace.some((e) => e.kind === 'preempt')).toBe(false);
    expect(fair.trace.filter((e) => e.kind === 'preempt').map((e) => [e.t, e.task])).toEqual([
      [36, 'H'],
      [72, 'H'],
    ]);
    // The short tasks wait far less under time slicing.
    const waitOf = (run: typeof hog) => run.metrics.tasks.filter((t) => t.id !== 'H').reduce((s, t) => s + t.waiting, 0);
    expect(waitOf(fair)).toBeLessThan(waitOf(hog) / 10);
  });
});
