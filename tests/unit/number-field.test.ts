import { describe, expect, it } from 'vitest';
import { fieldChars, numberCommit, readNumberDraft } from '#widgets/shared/numberField';
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

  it('is wide enough for its longest value: the max’s digits, with the step’s decimals', () => {
    // the dataflow rate field (max 1,000,000) was 6.2em wide and cut "1000000" off
    expect(fieldChars({ min: 1, max: 1_000_000, step: 50, value: 1000 })).toBe(7);
    expect(fieldChars({ min: '0', max: '2147483647', step: '1', value: 1 })).toBe(10);
    expect(fieldChars({ min: 0, max: 1, step: 0.05, value: 0.1 })).toBe(4); // "0.05"
    expect(fieldChars({ min: -50, max: 9, value: 0 })).toBe(3);
    // no max: the value on screen, and never less than two digits
    expect(fieldChars({ value: 123456 })).toBe(6);
    expect(fieldChars({ min: 1, max: 8, value: 4 })).toBe(2);
  });
});
