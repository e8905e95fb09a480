/**
 * The scheduler lab's model: links in and out, clamping through the engine, which settings make a
 * new run, the synchronous run (server-rendered) and the speedup measurements beside it.
 */
import { describe, expect, it } from 'vitest';
import { writeNamespace } from '#lib/permalink';
import { readLink } from '#widgets/shared/labModel';
import { measureSpeedups, presetSettings, schedulerModel } from '#widgets/SchedulerLab/model';
import { amdahl } from '#widgets/SchedulerLab/lab';

const initial = presetSettings('io-one-core');
const search = (values: Record<string, string | number>, ns = 'io') => '?' + writeNamespace(new URLSearchParams(), ns, values).toString();

describe('scheduler lab model', () => {
  it('round-trips every setting and the step through a link', async () => {
    const s = { ...presetSettings('cpu-many-cores'), cores: 4, policy: 'timeslice' as const, quantum: 5, seed: 3, jitter: 0.5 };
    const fields = schedulerModel.url.encode(s, presetSettings('cpu-many-cores'));
    const r = await readLink(schedulerModel, search({ ...(fields as Record<string, string | number>), step: 7 }), 'io', initial, false);
    expect(r.settings).toEqual(s);
    expect(r.step).toBe(7);
  });

  it('a link asking for 100 cores gets 64 and a note, not the default lab', async () => {
    const r = await readLink(schedulerModel, search({ cores: 100 }), 'io', initial, false);
    expect(r.settings.cores).toBe(64);
    expect(r.clampNotes).toHaveLength(1);
    expect(r.notice).toBeNull();
  });

  it('presets with their own tasks leave the workload fields out of links', () => {
    const explicit = presetSettings('cooperative-hog');
    expect(Object.keys(schedulerModel.url.encode(explicit, explicit))).not.toContain('taskCount');
    expect(Object.keys(schedulerModel.url.encode(initial, initial))).toContain('taskCount');
  });

  it('runs synchronously and narrates with the engine', () => {
    const r = schedulerModel.runSync!(presetSettings('io-one-core'));
    expect(r.error).toBeNull();
    const fold = schedulerModel.fold(r);
    expect(fold.length).toBeGreaterThan(10);
    expect(schedulerModel.narrate(r, fold, 0)).toMatch(/^t=0/);
  });

  it('only run-relevant settings make a new run', () => {
    const key = schedulerModel.runKey(initial);
    expect(schedulerModel.runKey({ ...initial })).toBe(key);
    expect(schedulerModel.runKey({ ...initial, cores: initial.cores + 1 })).not.toBe(key);
  });

  it('speedups without jitter follow Amdahl exactly at every measured core count', () => {
    const s = { ...presetSettings('cpu-many-cores'), jitter: 0, serialFraction: 0.1 };
    const r = schedulerModel.runSync!(s);
    for (const { cores, speedup } of measureSpeedups(s, r)) expect(speedup).toBeCloseTo(amdahl(0.1, cores), 2);
  });
});
