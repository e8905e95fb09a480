import { describe, expect, it } from 'vitest';
import { numberCommit, readNumberDraft } from '#widgets/shared/numberField';
import { actorModel } from '#widgets/ActorLab/model';

describe('number fields (NumberField.svelte)', () => {
  it('reads what a field holds without throwing, whatever a binding made of it', () => {
    // `bind:value` on <input type="number"> gives a number (the old seed field called .trim() on it) and null when empty.
    expect(readNumberDraft(42)).toBe(42);
    expect(readNumberDraft(' 17 ')).toBe(17);
    expect(readNumberDraft('2.5')).toBe(2.5);
    expect(readNumberDraft(null)).toBeNull();
    expect(readNumberDraft(undefined)).toBeNull();
    expect(readNumberDraft('')).toBeNull();
    expect(readNumberDraft('   ')).toBeNull();
    expect(readNumberDraft('1e')).toBeNull();
    expect(readNumberDraft(Number.NaN)).toBeNull();
    expect(readNumberDraft('Infinity')).toBeNull();
  });

  it('commits a typed value, and nothing for an empty field or the value already shown', () => {
    expect(numberCommit('8', 7)).toBe(8);
    expect(numberCommit(8, 7)).toBe(8);
    expect(numberCommit('7', 7)).toBeNull();
    expect(numberCommit('', 7)).toBeNull(); // the field shows 7 again
    expect(numberCommit(null, 7)).toBeNull();
    // Out of range goes through: the model clamps it (with a note), not the field.
    expect(numberCommit('-3', 7)).toBe(-3);
    expect(numberCommit('9999999999999', 7)).toBe(9999999999999);
  });

  it('an out-of-range seed from a field is clamped by the model with a note', () => {
    const base = actorModel.preset(actorModel.presets[0].id);
    const typed = numberCommit('-5', base.seed)!;
    const { settings, notes } = actorModel.clamp({ ...base, seed: typed });
    expect(settings.seed).toBeGreaterThanOrEqual(0);
    expect(notes.length).toBe(1);
  });
});
