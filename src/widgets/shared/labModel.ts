/**
 * The contract every lab fulfils: a `LabModel` says everything the site needs to know about a lab
 * except how it looks. It is plain TypeScript (no Svelte, no DOM), so Vitest tests it directly;
 * `LabSession` (session.svelte.ts) drives it in the page, and the lab's root component only
 * arranges views of `session.current`.
 *
 *   settings ──clamp──> run(settings, signal) ──> Run ──fold──> state at step i ──narrate──> one line
 *       ▲                                                                             │
 *       └──────── URL (encode / decode, packed learner code, step) <──────────────────┘
 *
 * Settings are a plain object (preset id, learner code, knobs, seed, view...). `runKey` says which
 * of them a run depends on: a view switch is not a reason to run again, a new seed is.
 */
import { decodeState, readNamespace, unpackText, type ParamRecord, type ParamSchema } from '#lib/permalink';
import { LOCAL_KEY, readLocalMark } from './urlState';

/** What an engine's fold gives a timeline: `at(0)` is the initial state, `at(length)` the last. */
export interface Fold<S> {
  readonly length: number;
  at(i: number): S;
}

/** One scenario of a lab, as the registry, the menus and presenter links show it. */
export interface LabPreset {
  id: string;
  title: string;
  description: string;
}

export interface LabModel<S extends object, R, St, P = never> {
  /** Registry id (`/labs/<id>/`, `/present/<id>/`, a lesson's `labs` list). */
  id: string;
  /** What the learner's input is called in messages: "program", "system", "pipeline". */
  noun: string;
  presets: readonly LabPreset[];
  /** The settings a preset starts from. An unknown id throws, so a lesson with a typo fails its build. */
  preset(id: string): S;
  url: {
    /** Types of the link's fields (ranges are `clamp`'s job, so 100 cores become 64 with a note). */
    schema: ParamSchema;
    /** The link fields for `s`, leaving out what equals `base` (the preset it started from). */
    encode(s: S, base: S): ParamRecord;
    /** Settings from the fields a link set (parsed by `schema`), on top of `base`. */
    decode(fields: Record<string, unknown>, base: S): S;
    /** Fields that carry compressed learner text, with the longest text each may unpack to. */
    packed?: Record<string, number>;
    /**
     * For runs that are costly or impossible to repeat (measurements on the learner's machine):
     * the run on screen travels in the link (`res`, compressed), so a link shows its author's
     * numbers, labelled as theirs (`current.origin === 'link'`).
     */
    result?: { encode(run: R): string; decode(text: string): R | null; max: number };
  };
  /**
   * Run when the lab mounts and when a preset is chosen (default true). Measurements that take
   * seconds wait for Run.
   */
  autoRun?: boolean;
  /**
   * Stop keeps what the run measured so far: `run` resolves with a partial run when its signal
   * aborts on Stop, and the session shows it instead of clearing the screen (default false).
   */
  keepStopped?: boolean;
  /**
   * What choosing another preset keeps of the learner's settings (`prev`), on top of the preset's
   * own (`next`); the result is clamped. Default: the preset's settings alone.
   */
  keepOnPresetChange?(prev: S, next: S): S;
  /** Pulls out-of-range values into range, with one readable note per change. */
  clamp(s: S): { settings: S; notes: string[] };
  /** The part of the settings a run depends on, as a string (equal keys: the run is current). */
  runKey(s: S): string;
  /**
   * Runs the engine (usually on an EngineHost). Rejects with an AbortError when `signal` aborts.
   * A long run may report `progress` (the session keeps the latest as `session.progress`).
   */
  run(s: S, signal: AbortSignal, progress?: (p: P) => void): Promise<R>;
  /**
   * For engines fast enough for the main thread (a few ms): the same run, synchronously. The session
   * then runs at construction, so the server-rendered page already shows the run, and on every
   * change, with no Run button or Stop needed.
   */
  runSync?(s: S): R;
  fold(run: R): Fold<St>;
  narrate(run: R, fold: Fold<St>, step: number): string;
  /** The state shown before the first run finishes (and after Stop). */
  emptyState: St;
  /** Steps per second at 1x for a run of `length` steps (long traces play faster). */
  rate?(length: number): number;
  /**
   * Where the cursor goes in the run that follows a settings change (`session.update`): `reset`
   * (default) to step 0, `proportional` to the same point of the new run, so a learner looking at
   * the end of a run sees the end of the next one. Run, presets and Restore always start at 0.
   */
  keepStep?: 'reset' | 'proportional';
}

/** The link's preset key; older links used `p` (actors), `ex` (event loop, sync/async), `example` and `exercise`. */
export const PRESET_KEY = 'preset';
const LEGACY_PRESET_KEYS = ['p', 'ex', 'example', 'exercise'];

export function badLinkNotice(field: string, raw: string): string {
  const shown = raw.length > 24 ? raw.slice(0, 23) + '…' : raw;
  return `This link's lab settings could not be read (${field}=${shown}); showing the default lab.`;
}

export interface LinkReading<S, R = unknown> {
  settings: S;
  /** The preset the settings started from (for "edited" and for restoring). */
  base: S;
  /** The namespace the lab reads and writes (`?lab=` on a presenter page). */
  ns: string;
  /** A step the link asked for, if any. */
  step?: number;
  fromLink: boolean;
  notice: string | null;
  clampNotes: string[];
  /** A run carried by the link (`url.result`), if any. */
  run?: R;
  /**
   * Fields the link left out because they did not fit in a link and stayed in the browser that
   * wrote it (`local=code`, see fitSearch in urlState.ts); the session looks for them in storage.
   */
  local?: string[];
}

/**
 * Reads a lab's state from a page URL's query: on a presenter page first `lab` (namespace) and
 * `preset`, then the namespace's own fields. Any field that cannot be read gives the default lab
 * and a one-line notice; values out of range are clamped with notes. Pure apart from unpacking.
 *
 * A link cut off (a chat client's length limit, a bad copy) is read as a bad link, with the same
 * notice, when the cut shows:
 * - a value that its parser refuses (`seed=` or `seed=4x`, `preset=lost-up`, a step `st`);
 * - a packed field (`code`, `res`) whose compressed text does not unpack;
 * - a key the lab does not write: a key cut short (`system.se=`), or the namespace itself cut
 *   (`?system`, `?syst`) as the last parameter.
 * Not detectable: a number cut to a shorter number (`seed=42` from `seed=4242`) and whole fields
 * lost after the cut (they read as the preset's values, as in a hand-shortened link).
 */
export async function readLink<S extends object, R = unknown>(
  model: LabModel<S, R, any, any>,
  search: string,
  ns: string,
  initial: S,
  presentPage: boolean,
): Promise<LinkReading<S, R>> {
  const params = new URLSearchParams(search);
  let base = initial;
  let notice: string | null = null;
  if (presentPage) {
    const wantNs = params.get('lab');
    if (wantNs && /^[A-Za-z0-9_-]+$/.test(wantNs)) ns = wantNs;
    const wantPreset = params.get(PRESET_KEY);
    if (wantPreset) {
      if (model.presets.some((p) => p.id === wantPreset)) base = model.preset(wantPreset);
      else notice = badLinkNotice(PRESET_KEY, wantPreset);
    }
  }
  for (const key of LEGACY_PRESET_KEYS) {
    const old = params.get(`${ns}.${key}`);
    if (old !== null && !params.has(`${ns}.${PRESET_KEY}`)) params.set(`${ns}.${PRESET_KEY}`, old);
    params.delete(`${ns}.${key}`);
  }
  const schema = {
    ...model.url.schema,
    step: (s: string) => (/^-?\d+$/.test(s.trim()) ? Number(s) : undefined),
    ...(model.url.result ? { res: (s: string) => s } : {}),
    [LOCAL_KEY]: (s: string) => (readLocalMark(s).length > 0 ? s : undefined),
  };
  const result = decodeState(params, ns, schema, {} as Record<string, unknown>);
  const unchanged = { settings: base, base, ns, fromLink: result.fromLink, notice, clampNotes: [] };
  const cut = cutKey(params, ns, schema);
  if (cut !== null) return { ...unchanged, fromLink: true, notice: badLinkNotice(cut.field, cut.raw) };
  if (!result.fromLink) return unchanged;
  if (result.notice) return { ...unchanged, notice: result.notice };
  const fields: Record<string, unknown> = { ...result.value };
  for (const [key, max] of Object.entries(model.url.packed ?? {})) {
    if (typeof fields[key] !== 'string') continue;
    const text = await unpackText(fields[key] as string, 4 * max);
    if (text === null || text.length > max) return { ...unchanged, notice: badLinkNotice(key, fields[key] as string) };
    fields[key] = text;
  }
  const presetId = fields[PRESET_KEY];
  if (typeof presetId === 'string') base = model.preset(presetId);
  const { step, res, [LOCAL_KEY]: local, ...rest } = fields;
  const { settings, notes } = model.clamp(model.url.decode(rest, base));
  let run: R | undefined;
  if (model.url.result && typeof res === 'string') {
    const text = await unpackText(res, model.url.result.max);
    run = (text !== null ? model.url.result.decode(text) : null) ?? undefined;
    if (run === undefined) notice = 'This link’s results could not be read; the settings are restored. Press Run to measure.';
  }
  return {
    settings,
    base,
    ns,
    step: typeof step === 'number' ? step : undefined,
    fromLink: true,
    notice,
    clampNotes: notes,
    run,
    local: readLocalMark(local as string | undefined),
  };
}

/**
 * A key in the lab's namespace that the lab never writes (a key cut short, or a typo), or, as the
 * last parameter, the namespace itself cut short with no value (`?system` or `?sys` for `system.`).
 */
function cutKey(params: URLSearchParams, ns: string, schema: ParamSchema): { field: string; raw: string } | null {
  const raw = readNamespace(params, ns);
  for (const key of Object.keys(raw)) if (!(key in schema)) return { field: key, raw: raw[key] };
  const entries = [...params];
  const last = entries[entries.length - 1];
  if (last && last[1] === '' && last[0].length > 0 && `${ns}.`.startsWith(last[0])) return { field: last[0], raw: '' };
  return null;
}
