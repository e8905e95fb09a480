/**
 * What a typed number field commits (NumberField.svelte). Pure, so Vitest tests it directly.
 *
 * The raw value is whatever the field holds: a string from the DOM, or a number or null when a
 * framework binding converted it (an `<input type="number">` bound with `bind:value` gives a number,
 * and null when empty). Empty or unreadable text gives `null`: the field shows the current value
 * again and nothing changes. A number is passed on as typed; ranges are the lab model's `clamp`
 * (through `session.update`), which pulls it into range with a note.
 */
export function readNumberDraft(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : null;
  if (typeof raw !== 'string') return null;
  const text = raw.trim();
  if (text === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/**
 * The change a commit makes: `null` when there is nothing to send (empty, unreadable, or the value
 * already on screen), otherwise the number for `onchange`.
 */
export function numberCommit(raw: unknown, current: number): number | null {
  const n = readNumberDraft(raw);
  return n === null || Object.is(n, current) ? null : n;
}

/** Characters of the longest value a field can hold: its max (or min) with the step's decimals. */
export function fieldChars(opts: { min?: unknown; max?: unknown; step?: unknown; value: number }): number {
  const num = (v: unknown) => (v === undefined || v === null || v === '' ? null : Number(v));
  const step = num(opts.step);
  const decimals = step !== null && Number.isFinite(step) && !Number.isInteger(step) ? (String(step).split('.')[1]?.length ?? 0) : 0;
  const width = (v: number | null) => (v === null || !Number.isFinite(v) ? 0 : String(Math.trunc(Math.abs(v))).length + (v < 0 ? 1 : 0) + (decimals ? decimals + 1 : 0));
  return Math.max(2, width(num(opts.max)), width(num(opts.min)), String(opts.value).length);
}
