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
export function createUrlWriter(ns: string, delayMs = 400) {
  let pending: ParamRecord | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!pending || typeof location === 'undefined') return;
    const values = pending;
    pending = null;
    replaceSearch(writeNamespace(new URLSearchParams(location.search), ns, values));
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
