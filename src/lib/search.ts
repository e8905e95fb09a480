/**
 * What the search page (src/pages/search.astro) does with Pagefind's results: keep the pages that
 * hold every word of the query, and link each to where the words are. Pure functions, unit-tested.
 *
 * Pagefind ranks by stems and word prefixes (a query word matches indexed words it starts, and
 * the other way round), which finds "as" for "asdfqwer" and "dead letter" for "deadlock". A page
 * is kept when each query word starts a word of the page: "queue" keeps pages with "queues", not
 * pages with only "que".
 */

/** The query's words, lowercased (letters and digits; `I/O wait` gives i, o, wait). */
export function queryTerms(q: string): string[] {
  return [...new Set(q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])];
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A regex for `term` at the start of a word. */
function wordStart(term: string, flags = 'iu'): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}])${escapeRe(term)}`, flags);
}

/** True when every term starts a word somewhere in `text`. */
export function matchesAllTerms(text: string, terms: readonly string[]): boolean {
  return terms.length > 0 && terms.every((t) => wordStart(t).test(text));
}

/** Text of an excerpt (Pagefind's: HTML-escaped page text with <mark> elements). */
export function excerptText(excerpt: string): string {
  return excerpt
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#0?39;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * The words to scroll to: from the first word an excerpt's text starts with a term, up to four
 * words on, stopping at punctuation (a text fragment must match the page's text exactly, and
 * excerpts join a page's elements with spaces where the page has none), or null.
 */
export function fragmentText(text: string, terms: readonly string[]): string | null {
  let first = -1;
  for (const t of terms) {
    const m = wordStart(t).exec(text);
    if (m && (first < 0 || m.index < first)) first = m.index;
  }
  if (first < 0) return null;
  const words = text.slice(first).match(/^[\p{L}\p{N}'’-]+(?: [\p{L}\p{N}'’-]+){0,3}/u);
  return words ? words[0] : null;
}

/** Encodes text for a `:~:text=` directive (`-`, `,` and `&` are its syntax). */
export function encodeTextDirective(s: string): string {
  return encodeURIComponent(s).replace(/-/g, '%2D').replace(/,/g, '%2C');
}

/**
 * Where a result should land: the sub-result (a heading's anchor) whose excerpt holds the most of
 * the query's words (the first such, preferring one with an anchor; the page's own excerpt last), with a text fragment for the words, so the browser scrolls
 * to the match and highlights it; a page without sub-results gets the fragment alone.
 */
export function landingUrl(result: { url: string; excerpt: string; sub_results?: { url: string; excerpt: string }[] }, terms: readonly string[]): string {
  const count = (excerpt: string) => terms.filter((t) => wordStart(t).test(excerptText(excerpt))).length;
  // More of the words first; between equals, a section with a heading anchor, which still lands
  // near the words should the browser not find the text fragment.
  const score = (c: { url: string; excerpt: string }) => count(c.excerpt) * 2 + (c.url.includes('#') ? 1 : 0);
  let best = { url: result.url, excerpt: result.excerpt };
  let bestScore = -1;
  for (const candidate of [...(result.sub_results ?? []), best]) {
    const sc = score(candidate);
    if (sc > bestScore) {
      best = candidate;
      bestScore = sc;
    }
  }
  const bestCount = count(best.excerpt);
  if (bestCount === 0) return result.url;
  const words = fragmentText(excerptText(best.excerpt), terms);
  if (!words) return best.url;
  const [path, hash = ''] = best.url.split('#');
  return `${path}#${hash}:~:text=${encodeTextDirective(words)}`;
}
