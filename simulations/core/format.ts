/**
 * Numbers for reading: one module for every engine's narration and every widget's labels, built
 * on d3-format (pure: no DOM, no locale lookup; English separators, as the site is in English).
 *
 * The rules, one per kind of number. Where the site had disagreeing copies, this is the rule
 * kept and why:
 *
 * - `formatMs(ms)` – a time in milliseconds, without its unit: up to 2 decimals, trailing zeros
 *   dropped, thousands separators ("0.05", "12.25", "1,250"). 0.01 ms is the finest step an
 *   engine takes (the event loop's clock reads cost 0.01 ms), so two distinct virtual times never
 *   read the same. (The scheduler and actor copies kept 1 decimal from 10 ms, which merged
 *   "10.01" and "10.02"; the scheduler's wrote "1000" without a separator.)
 * - `formatDuration(ms)` – a time with its unit, for summaries and axes: "340 ms", "4.5 ms",
 *   "1.25 s" (whole ms from 10 ms, up to 1 decimal below; seconds with up to 2 decimals from 1 s).
 * - `formatCount(n)` – a whole count with separators: "1,250".
 * - `formatRate(perSecond)` – a rate's number: whole with separators from 100 ("1,250"), up to
 *   1 decimal below ("24.5", "3"). The dataflow copy rounded everything to whole numbers, which
 *   read a rate of 0.4/s as "0/s"; the sync/async copy kept a trailing ".0".
 * - `formatRatio(r)` – "N×": up to 2 decimals below 10 ("1.87×", "4.5×", "2×"), whole from 10
 *   ("12×"). (Copies used 1 or 2 decimals below 10; 2 tells Amdahl's curve from a measurement.)
 * - `formatPercent(share, digits = 0)` – a share 0..1 as a percentage: "95%", "12.5%".
 * - `formatNumber(v)` – any other number, e.g. an axis tick: up to 6 significant digits, trailing
 *   zeros dropped, separators ("1,200,000", "0.25").
 * - `formatBytes(n)` – bytes in binary units: "512 B", "1.5 KiB", "12 MiB".
 * - `durationAxisFormat(maxMs)` – ticks of a time axis, all in one unit: seconds when the axis
 *   reaches `secondsFrom` (1 s by default), else ms ("0 s", "0.5 s", "1 s"; never "0 ms" next to
 *   "1 s").
 *
 * Every function returns "—" for NaN, null and undefined (no value), "∞" for infinity. Negative
 * numbers are written with an ASCII hyphen-minus, as the rest of the site's text is.
 */
import { formatLocale } from 'd3-format';

const locale = formatLocale({ decimal: '.', thousands: ',', grouping: [3], currency: ['', ''], minus: '-' });

const ms2 = locale.format(',.2~f');
const fixed0 = locale.format(',.0f');
const fixed1 = locale.format(',.1~f');
const fixed2 = locale.format(',.2~f');
const sig6 = locale.format(',.6~r');

/** The text for a value that is not a finite number, or null when it is one. */
function notFinite(v: number | null | undefined): string | null {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (v === Infinity) return '∞';
  if (v === -Infinity) return '-∞';
  return null;
}

/** "-0" reads oddly: a value that rounds to zero reads "0". */
function noNegativeZero(s: string): string {
  return /^-0(\.0*)?$/.test(s) ? '0' : s;
}

/** Milliseconds without the unit: up to 2 decimals, trailing zeros dropped, separators. */
export function formatMs(ms: number | null | undefined): string {
  return notFinite(ms) ?? noNegativeZero(ms2(ms as number));
}

/** A time with its unit: "340 ms", "4.5 ms", "1.25 s". */
export function formatDuration(ms: number | null | undefined): string {
  const bad = notFinite(ms);
  if (bad !== null) return bad;
  const v = ms as number;
  // whole ms from 10 ms; the switch to seconds is where rounding would write "1,000 ms"
  if (Math.abs(v) < 999.5) return `${noNegativeZero(Math.abs(v) < 9.95 ? fixed1(v) : fixed0(v))} ms`;
  return `${fixed2(v / 1000)} s`;
}

/** A whole count with thousands separators: "1,250". */
export function formatCount(n: number | null | undefined): string {
  return notFinite(n) ?? noNegativeZero(fixed0(n as number));
}

/** A rate's number (the caller adds "/s" or words): whole from 100, up to 1 decimal below. */
export function formatRate(perSecond: number | null | undefined): string {
  const bad = notFinite(perSecond);
  if (bad !== null) return bad;
  const v = perSecond as number;
  return noNegativeZero(Math.abs(v) >= 99.95 ? fixed0(v) : fixed1(v));
}

/** A ratio as "N×": up to 2 decimals below 10, whole from 10. */
export function formatRatio(r: number | null | undefined): string {
  const bad = notFinite(r);
  if (bad !== null) return bad;
  const v = r as number;
  return `${noNegativeZero(Math.abs(v) >= 9.995 ? fixed0(v) : fixed2(v))}×`;
}

/** A share (0..1) as a percentage with `digits` decimals at most: "95%", "12.5%". */
export function formatPercent(share: number | null | undefined, digits = 0): string {
  const bad = notFinite(share);
  if (bad !== null) return bad;
  return noNegativeZero(locale.format(`,.${digits}~f`)((share as number) * 100)) + '%';
}

/** Any other number (an axis tick, a parameter): up to 6 significant digits, separators. */
export function formatNumber(v: number | null | undefined): string {
  return notFinite(v) ?? noNegativeZero(sig6(v as number));
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** Bytes in binary units: "512 B", "1.5 KiB", "12 MiB" (up to 1 decimal). */
export function formatBytes(n: number | null | undefined): string {
  const bad = notFinite(n);
  if (bad !== null) return bad;
  let v = n as number;
  let u = 0;
  while (Math.abs(v) >= 1023.95 && u < BYTE_UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? fixed0(v) : fixed1(v)} ${BYTE_UNITS[u]}`;
}

/** A formatter for the ticks of a time axis whose largest value is `maxMs`: one unit for them all. */
export function durationAxisFormat(maxMs: number, secondsFrom = 1000): (ms: number) => string {
  return maxMs >= secondsFrom ? (ms) => `${formatNumber(ms / 1000)} s` : (ms) => `${formatNumber(ms)} ms`;
}

/** d3-format's own `format`, for the rare label no rule above fits (English locale, "-" minus). */
export const formatWith = (specifier: string): ((v: number) => string) => locale.format(specifier);
