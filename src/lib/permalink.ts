/**
 * Permalink codec: a lab's state (config, seed, step, learner code) <-> URL search params.
 *
 * A lesson page can hold several labs, so every lab instance owns a namespace: its params are
 * prefixed by the instance id and a dot (`io.cores=1&io.policy=timeslice&io.seed=7&io.step=12`).
 * Writing one lab never touches another lab's params, and reading one lab ignores the rest.
 *
 * Decoding is strict about types and lenient about ranges:
 * - the schema says what each field *is* (an integer, one of these words...): an object of field
 *   parsers built with the `param` helpers below, which read URL strings. (Deliberately not zod:
 *   it would add ~50 KB gzipped to every lab's JavaScript for five string checks.)
 *   A value that does not parse makes the whole lab fall back to its defaults, with a one-line
 *   notice naming the bad field; half a scenario would mislead more than the default one.
 * - ranges belong to the engine (`clampConfig`): pass it as `clamp`, and out-of-range numbers are
 *   pulled into range with a note instead of being rejected.
 *
 * Learner code travels in a compressed text field: `packText` (deflate-raw + base64url when
 * CompressionStream exists, else plain base64url), `unpackText` reads both. The first character
 * says which: `z` deflated, `b` plain.
 *
 * Pure functions, no DOM: the lab does the `history.replaceState` (see src/widgets/shared/urlState).
 */

export type ParamValue = string | number | boolean;
export type ParamRecord = Record<string, ParamValue | undefined | null>;

const SEP = '.';

/** A namespace is an instance id: letters, digits, `-` and `_` (no dots, so prefixes never nest). */
export function isValidNamespace(ns: string): boolean {
  return /^[A-Za-z0-9_-]+$/.test(ns);
}

function assertNamespace(ns: string): void {
  if (!isValidNamespace(ns)) {
    throw new Error(`Lab id "${ns}" cannot be used as a URL namespace (use letters, digits, - or _).`);
  }
}

/** Serialise one value the way `param.*` parses it back. */
export function formatParam(v: ParamValue): string {
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`Cannot put ${v} in a link.`);
    // Shortest round-tripping form; avoids 0.30000000000000004-style noise for typed inputs.
    return String(Number.parseFloat(v.toPrecision(12)));
  }
  return v;
}

/**
 * The params of one namespace, without the prefix. `io.cores=2&ev.cores=3` read with `io`
 * gives `{ cores: '2' }`. When a key repeats, the last one wins (like a form post).
 */
export function readNamespace(params: URLSearchParams, ns: string): Record<string, string> {
  assertNamespace(ns);
  const prefix = ns + SEP;
  const out: Record<string, string> = {};
  for (const [k, v] of params) {
    if (k.startsWith(prefix) && k.length > prefix.length) out[k.slice(prefix.length)] = v;
  }
  return out;
}

/** True when the params hold anything for this namespace. */
export function hasNamespace(params: URLSearchParams, ns: string): boolean {
  return Object.keys(readNamespace(params, ns)).length > 0;
}

/**
 * Returns a copy of `params` where this namespace holds exactly `values` (undefined/null values
 * are left out). Params of other namespaces and un-namespaced params are kept, in order.
 */
export function writeNamespace(params: URLSearchParams, ns: string, values: ParamRecord): URLSearchParams {
  assertNamespace(ns);
  const prefix = ns + SEP;
  const out = new URLSearchParams();
  for (const [k, v] of params) if (!k.startsWith(prefix)) out.append(k, v);
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined || v === null) continue;
    out.set(prefix + k, formatParam(v));
  }
  return out;
}

/** Removes this namespace's params (the "reset" of a lab). */
export function clearNamespace(params: URLSearchParams, ns: string): URLSearchParams {
  return writeNamespace(params, ns, {});
}

/** A full URL (string) for `href` with this namespace set to `values`, keeping everything else. */
export function permalink(href: string, ns: string, values: ParamRecord, hash?: string): string {
  const url = new URL(href);
  url.search = writeNamespace(url.searchParams, ns, values).toString();
  if (hash !== undefined) url.hash = hash ? '#' + hash : '';
  return url.toString();
}

/* ------------------------------------------------------------------------------------------ */
/* Field schemas for URL strings                                                              */
/* ------------------------------------------------------------------------------------------ */

const numeric = (s: string) => s.trim() !== '' && Number.isFinite(Number(s));

/** Reads one URL string: the value, or `undefined` when the string is not of this type. */
export type FieldParser<T> = (raw: string) => T | undefined;

/** A lab's URL schema: one parser per field. */
export type ParamSchema = Record<string, FieldParser<unknown>>;

/** The value type a schema decodes to. */
export type SchemaValue<S extends ParamSchema> = { [K in keyof S]: S[K] extends FieldParser<infer T> ? T : never };

/**
 * Parsers for URL strings. Types only: put ranges in the engine's clamp, so a link that asks for
 * 100 cores becomes 64 cores with a note rather than the default lab.
 */
export const param = {
  /** A finite number (`0.25`, `1e3`). */
  number: (): FieldParser<number> => (s) => (numeric(s) ? Number(s) : undefined),
  /** An integer (`12`, `-3`). */
  int: (): FieldParser<number> => (s) => (numeric(s) && Number.isInteger(Number(s)) ? Number(s) : undefined),
  /** `1`/`0` (also `true`/`false`). */
  bool: (): FieldParser<boolean> => (s) => (s === '1' || s === 'true' ? true : s === '0' || s === 'false' ? false : undefined),
  /** One of a fixed set of words. */
  oneOf:
    <const T extends readonly string[]>(values: T): FieldParser<T[number]> =>
    (s) =>
      (values as readonly string[]).includes(s) ? (s as T[number]) : undefined,
  /** Any text up to `max` characters (default 20k). */
  text: (max = 20_000): FieldParser<string> => (s) => (s.length <= max ? s : undefined),
};

/* ------------------------------------------------------------------------------------------ */
/* Decoding                                                                                   */
/* ------------------------------------------------------------------------------------------ */

export interface DecodeOptions<T> {
  /**
   * Pulls out-of-range values into range; returns the value and one readable note per change
   * (the engine's `clampConfig`, adapted). Runs on the merged value (defaults + link).
   */
  clamp?: (value: T) => { value: T; notes: string[] };
  /** Longest raw value quoted in a notice, so a pasted essay does not become the notice. */
  quoteMax?: number;
}

export interface DecodeResult<T> {
  /** What the lab should show. */
  value: T;
  /** True when the link held any param for this namespace (even a bad one). */
  fromLink: boolean;
  /** Which fields the link set (after parsing); empty when the link fell back to defaults. */
  keys: string[];
  /** One-line notice when the link could not be read and the defaults are shown. */
  notice: string | null;
  /** One line per value pulled into range. */
  clampNotes: string[];
}

function quote(s: string, max: number): string {
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

/**
 * Reads one namespace from `params`. Every schema field present in the link is parsed with its
 * own schema; fields the link leaves out keep their defaults; keys the schema does not know are
 * ignored. If any present field fails to parse, the result is the defaults plus a notice such as
 * "This link's lab settings could not be read (cores=abc); showing the default lab."
 */
export function decodeState<T extends object>(
  params: URLSearchParams,
  ns: string,
  schema: ParamSchema,
  defaults: T,
  options: DecodeOptions<T> = {},
): DecodeResult<T> {
  const raw = readNamespace(params, ns);
  const quoteMax = options.quoteMax ?? 24;
  const parsed: Record<string, unknown> = {};
  const bad: string[] = [];
  const keys: string[] = [];
  for (const [key, parse] of Object.entries(schema)) {
    if (!(key in raw)) continue;
    const value = parse(raw[key]);
    if (value !== undefined) {
      parsed[key] = value;
      keys.push(key);
    } else {
      bad.push(`${key}=${quote(raw[key], quoteMax)}`);
    }
  }
  const fromLink = Object.keys(raw).length > 0;
  if (bad.length > 0) {
    const base = options.clamp ? options.clamp({ ...defaults }).value : { ...defaults };
    return {
      value: base,
      fromLink,
      keys: [],
      notice: `This link's lab settings could not be read (${bad.join(', ')}); showing the default lab.`,
      clampNotes: [],
    };
  }
  const merged = { ...defaults, ...parsed } as T;
  if (!options.clamp) return { value: merged, fromLink, keys, notice: null, clampNotes: [] };
  const clamped = options.clamp(merged);
  return { value: clamped.value, fromLink, keys, notice: null, clampNotes: clamped.notes };
}

/** Values of `state` for the keys the schema knows (what a lab writes back to the URL). */
export function pickSchemaKeys<T extends object>(schema: ParamSchema, state: T): ParamRecord {
  const out: ParamRecord = {};
  for (const key of Object.keys(schema)) {
    const v = (state as Record<string, unknown>)[key];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[key] = v;
  }
  return out;
}

/** Small helper for clamp functions: keeps a number in [min, max] and records a note. */
export function clampNumber(
  name: string,
  value: number,
  min: number,
  max: number,
  notes: string[],
  integer = false,
): number {
  let v = integer ? Math.round(value) : value;
  if (v < min) v = min;
  if (v > max) v = max;
  if (v !== value) notes.push(`${name} ${formatParam(value)} is out of range (${min}–${max}); using ${formatParam(v)}.`);
  return v;
}

/* ------------------------------------------------------------------------------------------ */
/* Compressed text (learner code)                                                             */
/* ------------------------------------------------------------------------------------------ */

export function bytesToBase64url(bytes: Uint8Array): string {
  let bin = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    bin += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function base64urlToBytes(s: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new Error('not base64url');
  if (s.length % 4 === 1) throw new Error('not base64url');
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function pipeThrough(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const body = new Blob([bytes as BlobPart]).stream().pipeThrough(stream as unknown as TransformStream<Uint8Array, Uint8Array>);
  return new Uint8Array(await new Response(body).arrayBuffer());
}

/** True when this runtime can deflate (browsers, Node >= 18). */
export function canCompress(): boolean {
  return typeof CompressionStream === 'function' && typeof DecompressionStream === 'function';
}

/**
 * Text -> `t` + byte length (base 36) + `.` + base64url(UTF-8). Synchronous, no compression. The
 * length lets a reader tell a field cut short (a truncated link) from a shorter text; plain
 * base64 alone decodes a cut field to a prefix of the text. Older links used `b` + base64url
 * (no length), which is still read.
 */
export function packTextSync(text: string): string {
  const bytes = new TextEncoder().encode(text);
  return 't' + bytes.length.toString(36) + '.' + bytesToBase64url(bytes);
}

/** Reads a `t` (or older `b`) field synchronously; returns null for a `z` (deflated) field, a cut field or anything malformed. */
export function unpackTextSync(field: string): string | null {
  try {
    if (field.startsWith('b')) return new TextDecoder('utf-8', { fatal: true }).decode(base64urlToBytes(field.slice(1)));
    const m = /^t([0-9a-z]{1,8})\.(.*)$/s.exec(field);
    if (!m) return null;
    const bytes = base64urlToBytes(m[2]);
    if (bytes.length !== parseInt(m[1], 36)) return null;
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** Text -> the shorter of `z` + base64url(deflate-raw(UTF-8)) and the plain `t` form (packTextSync). */
export async function packText(text: string): Promise<string> {
  const plain = packTextSync(text);
  if (!canCompress()) return plain;
  const deflated = await pipeThrough(new TextEncoder().encode(text), new CompressionStream('deflate-raw'));
  const z = 'z' + bytesToBase64url(deflated);
  return z.length < plain.length ? z : plain;
}

/**
 * Field -> text, or null when the field is malformed (a notice, not a crash). Caps the inflated
 * size (`maxBytes`, default 1 MB) so a crafted link cannot balloon.
 */
export async function unpackText(field: string, maxBytes = 1 << 20): Promise<string | null> {
  if (field.startsWith('b') || field.startsWith('t')) return unpackTextSync(field);
  if (!field.startsWith('z') || !canCompress()) return null;
  try {
    const bytes = base64urlToBytes(field.slice(1));
    const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('deflate-raw') as unknown as TransformStream<Uint8Array, Uint8Array>);
    const reader = stream.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        return null;
      }
      chunks.push(value);
    }
    const all = new Uint8Array(total);
    let off = 0;
    for (const c of chunks) {
      all.set(c, off);
      off += c.byteLength;
    }
    return new TextDecoder('utf-8', { fatal: true }).decode(all);
  } catch {
    return null;
  }
}
