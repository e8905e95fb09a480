/**
 * Browser side of the permalink codec (src/lib/permalink.ts): read a lab's namespace from the
 * page URL on mount, write it back with `history.replaceState` (throttled) as the learner changes
 * it, so a reload restores the lab and a copied link reproduces it.
 */
import {
  clearNamespace,
  decodeState,
  permalink,
  writeNamespace,
  type DecodeOptions,
  type DecodeResult,
  type ParamRecord,
  type ParamSchema,
} from '#lib/permalink';

export function readLabState<T extends object>(
  ns: string,
  schema: ParamSchema,
  defaults: T,
  options?: DecodeOptions<T>,
): DecodeResult<T> {
  const params = typeof location === 'undefined' ? new URLSearchParams() : new URLSearchParams(location.search);
  return decodeState(params, ns, schema, defaults, options);
}

/**
 * The longest query string (all labs' params on the page, percent-encoded, so characters are bytes)
 * that the URL may carry, in the address bar and in a copied link.
 *
 * A URL travels in the request line, and servers cap it: this site's own server (scripts/serve.mjs)
 * is Node's `http` with its default `maxHeaderSize` of 16 KiB for the request line and every header
 * together, and answers 431 beyond it (a 39 KB link did); nginx's default
 * `large_client_header_buffers 4 8k` refuses a request line over 8 KB (414), Apache's
 * `LimitRequestLine` is 8,190 bytes. The browser's own headers (User-Agent, Accept, Sec-Fetch-*,
 * client hints, cookies) take 1 to 2 KB of Node's 16 KiB, and a same-origin `Referer` repeats the
 * previous page's whole URL, so a link can be counted twice. 4 KB of query, plus a short path and
 * the `#lab` hash, stays at half of the 8 KB line limits and opens on Node's defaults even with a
 * 4 KB referrer (tests/unit/link-size.test.ts sends such a request), and is short enough to paste
 * into a chat or an email whole. A program that compresses to more than that goes in a file instead.
 */
export const MAX_LINK_QUERY = 4096;

/** The field that marks a namespace whose packed text stayed in this browser (`ev.local=code`). */
export const LOCAL_KEY = 'local';

/** Length of a URL's query string (without the `?`). */
export function queryLength(href: string): number {
  return new URL(href).search.replace(/^\?/, '').length;
}

/** True when a link's query fits in MAX_LINK_QUERY. */
export function linkFits(href: string, max = MAX_LINK_QUERY): boolean {
  return queryLength(href) <= max;
}

export interface FittedSearch {
  /** The query to write: `values` as they are, or without the `dropped` fields plus the LOCAL_KEY mark. */
  search: URLSearchParams;
  /** The fields left out, in the order tried (empty when everything fits). */
  dropped: string[];
  /** False when even without every droppable field the query is too long: do not write it. */
  fits: boolean;
}

/**
 * The query for `params` with namespace `ns` set to `values`, kept under `max`: when the whole
 * does not fit, the `droppable` fields (the learner's code, a measured run) are left out one by
 * one and the namespace gets `local=<fields left out>`, so a reload knows to look for them in this
 * browser's storage and a link opened elsewhere says what is missing instead of showing the preset
 * as if it were the learner's program.
 */
export function fitSearch(
  params: URLSearchParams,
  ns: string,
  values: ParamRecord,
  droppable: readonly string[],
  max = MAX_LINK_QUERY,
): FittedSearch {
  const full = writeNamespace(params, ns, { ...values, [LOCAL_KEY]: undefined });
  if (full.toString().length <= max) return { search: full, dropped: [], fits: true };
  const rest: ParamRecord = { ...values, [LOCAL_KEY]: undefined };
  const dropped: string[] = [];
  let search = full;
  for (const key of droppable) {
    if (rest[key] === undefined || rest[key] === null) continue;
    delete rest[key];
    dropped.push(key);
    search = writeNamespace(params, ns, { ...rest, [LOCAL_KEY]: dropped.join(',') });
    if (search.toString().length <= max) return { search, dropped, fits: true };
  }
  return { search, dropped, fits: false };
}

/** The fields a `local=` mark names (unknown names are the caller's to judge). */
export function readLocalMark(raw: string | null | undefined): string[] {
  if (!raw) return [];
  return raw.split(',').filter((k) => /^[A-Za-z0-9_]+$/.test(k));
}

function replaceSearch(search: URLSearchParams): void {
  const url = new URL(location.href);
  const next = search.toString();
  if (url.search.replace(/^\?/, '') === next) return;
  url.search = next;
  try {
    // Keep history.state: client-side routers store their own data there.
    history.replaceState(history.state, '', url);
  } catch {
    /* Some embedders (sandboxed iframes) forbid it; the lab still works, links just go stale. */
  }
}

/**
 * A throttled writer for one namespace. `write(values)` schedules the URL update (the last
 * values win); `flush()` writes now; `clear()` removes the namespace (for "restore defaults").
 */
export function createUrlWriter(
  ns: string,
  delayMs = 400,
  /**
   * Turns the page's params and the namespace's values into the query to write, or null to leave
   * the URL as it is (the session's: keeps it under MAX_LINK_QUERY, see fitSearch).
   */
  fit: (params: URLSearchParams, values: ParamRecord) => URLSearchParams | null = (params, values) => writeNamespace(params, ns, values),
) {
  let pending: ParamRecord | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!pending || typeof location === 'undefined') return;
    const values = pending;
    pending = null;
    const next = fit(new URLSearchParams(location.search), values);
    if (next) replaceSearch(next);
  };

  return {
    write(values: ParamRecord) {
      pending = values;
      if (!timer) timer = setTimeout(flush, delayMs);
    },
    flush,
    clear() {
      pending = null;
      if (timer) clearTimeout(timer);
      timer = null;
      if (typeof location !== 'undefined') replaceSearch(clearNamespace(new URLSearchParams(location.search), ns));
    },
    dispose() {
      flush();
    },
  };
}

/** The link to this lab in this state on the current page, scrolled to the lab (`#domId`). */
export function currentPermalink(ns: string, values: ParamRecord, domId?: string): string {
  return permalink(location.href, ns, values, domId);
}

/**
 * Copies text; says whether it worked. Tries the async Clipboard API, then the old
 * select-and-copy path (some embedded browsers and http origins refuse the former).
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    /* fall through */
  }
  try {
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    const ok = document.execCommand('copy');
    ta.remove();
    return ok;
  } catch {
    return false;
  }
}
