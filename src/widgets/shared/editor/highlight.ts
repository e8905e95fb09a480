/**
 * A small JavaScript highlighter for the static (not yet editable) view of CodeEditor, so code
 * reads as code before Monaco is downloaded. It mirrors the token classes of Monaco's own
 * JavaScript grammar (same keyword list), so the swap to Monaco does not change the colours.
 *
 * It is a scanner, not a parser: keywords, identifiers, numbers, strings (single, double,
 * template literals with nested `${...}`), comments and simple regular-expression literals.
 * Anything unterminated runs to where JavaScript would stop it (a string at the end of its line,
 * a block comment or template literal at the end of the source); nothing ever throws.
 *
 * Output: tokens per line (for Svelte to render as text, which escapes it) or an HTML string whose
 * text is escaped (`renderHtml`).
 */

export type TokenKind = 'keyword' | 'string' | 'comment' | 'number' | 'regexp' | 'plain';

export interface Token {
  kind: TokenKind;
  text: string;
}

/** Monaco's JavaScript keyword list (monaco-editor languages/definitions/javascript). */
export const KEYWORDS: ReadonlySet<string> = new Set([
  'break', 'case', 'catch', 'class', 'continue', 'const', 'constructor', 'debugger', 'default',
  'delete', 'do', 'else', 'export', 'extends', 'false', 'finally', 'for', 'from', 'function', 'get',
  'if', 'import', 'in', 'instanceof', 'let', 'new', 'null', 'return', 'set', 'static', 'super',
  'switch', 'symbol', 'this', 'throw', 'true', 'try', 'typeof', 'undefined', 'var', 'void',
  'while', 'with', 'yield', 'async', 'await', 'of',
]);

const isIdStart = (c: string) => /[A-Za-z_$#]/.test(c) || c > '\x7f';
const isIdPart = (c: string) => /[\w$]/.test(c) || c > '\x7f';
const isDigit = (c: string) => c >= '0' && c <= '9';

/** Tokenize JavaScript source. Concatenating the token texts gives back the source exactly. */
export function tokenize(source: string): Token[] {
  const out: Token[] = [];
  const push = (kind: TokenKind, text: string) => {
    if (!text) return;
    const last = out[out.length - 1];
    if (last && last.kind === kind && kind === 'plain') last.text += text;
    else out.push({ kind, text });
  };
  const n = source.length;
  let i = 0;
  /** Brace depth of each open `${` (innermost last), to know which `}` closes it. */
  const templates: number[] = [];
  let depth = 0;
  /** The last significant (non-space, non-comment) token, to tell a regex from a division. */
  let prev: { kind: TokenKind; text: string } | null = null;

  /** Scan a template literal's text from i; the string token starts at `start` (its ` if any). */
  const templateBody = (start: number) => {
    while (i < n) {
      const c = source[i];
      if (c === '\\') {
        i += 2;
        continue;
      }
      if (c === '`') {
        i++;
        push('string', source.slice(start, i));
        prev = { kind: 'string', text: '`' };
        return;
      }
      if (c === '$' && source[i + 1] === '{') {
        push('string', source.slice(start, i));
        push('plain', '${');
        i += 2;
        templates.push(depth);
        depth++;
        prev = { kind: 'plain', text: '{' };
        return;
      }
      i++;
    }
    i = n; // unterminated: runs to the end of the source
    push('string', source.slice(start));
  };

  while (i < n) {
    const c = source[i];
    const next = source[i + 1];

    // whitespace
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      const start = i;
      while (i < n && /[ \t\n\r]/.test(source[i])) i++;
      push('plain', source.slice(start, i));
      continue;
    }
    // comments
    if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      push('comment', source.slice(i, stop));
      i = stop;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      push('comment', source.slice(i, stop));
      i = stop;
      continue;
    }
    // strings
    if (c === '"' || c === "'") {
      const start = i++;
      while (i < n && source[i] !== c && source[i] !== '\n') {
        if (source[i] === '\\') i++; // an escape, including a line continuation
        i++;
      }
      if (i < n && source[i] === c) i++;
      i = Math.min(i, n);
      push('string', source.slice(start, i));
      prev = { kind: 'string', text: c };
      continue;
    }
    if (c === '`') {
      const start = i++;
      templateBody(start);
      continue;
    }
    // closing brace of a template substitution
    if (c === '}' && templates.length && templates[templates.length - 1] === depth - 1) {
      templates.pop();
      depth--;
      push('plain', '}');
      i++;
      templateBody(i);
      continue;
    }
    // numbers (including .5)
    if (isDigit(c) || (c === '.' && isDigit(next ?? ''))) {
      const m = /^(?:0[xX][\da-fA-F_]+n?|0[bB][01_]+n?|0[oO][0-7_]+n?|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][+-]?\d[\d_]*)?n?|\d[\d_]*\.?)/.exec(
        source.slice(i, i + 64),
      );
      const text = m && m[0] ? m[0] : c;
      push('number', text);
      i += text.length;
      prev = { kind: 'number', text };
      continue;
    }
    // identifiers and keywords (a property name after `.` is never a keyword)
    if (isIdStart(c)) {
      const start = i++;
      while (i < n && isIdPart(source[i])) i++;
      const word = source.slice(start, i);
      const afterDot: boolean = prev?.kind === 'plain' && prev.text === '.' && source[start - 1] === '.' && source[start - 2] !== '.';
      const kind: TokenKind = !afterDot && KEYWORDS.has(word) ? 'keyword' : 'plain';
      push(kind, word);
      prev = { kind: kind === 'keyword' ? 'keyword' : 'plain', text: kind === 'keyword' ? word : 'id' };
      continue;
    }
    // regular-expression literal: a `/` where an operand is expected, closed on the same line
    if (c === '/' && regexAllowed(prev)) {
      const end = scanRegex(source, i);
      if (end > 0) {
        push('regexp', source.slice(i, end));
        i = end;
        prev = { kind: 'regexp', text: '/' };
        continue;
      }
    }
    // punctuation
    if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
    push('plain', c);
    prev = { kind: 'plain', text: c };
    i++;
  }
  return out;
}

function regexAllowed(prev: { kind: TokenKind; text: string } | null): boolean {
  if (!prev) return true;
  if (prev.kind === 'keyword') return !['this', 'super', 'true', 'false', 'null', 'undefined'].includes(prev.text);
  if (prev.kind !== 'plain') return false;
  return !(prev.text === 'id' || prev.text === ')' || prev.text === ']' || prev.text === '}');
}

/** End index (exclusive) of a regex literal starting at `start`, or -1 if it is not closed on its line. */
function scanRegex(source: string, start: number): number {
  let i = start + 1;
  let inClass = false;
  if (source[i] === '/' || source[i] === '*') return -1;
  while (i < source.length) {
    const c = source[i];
    if (c === '\n') return -1;
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) {
      i++;
      while (i < source.length && /[a-z]/.test(source[i])) i++;
      return i;
    }
    i++;
  }
  return -1;
}

/** Tokens split into lines (a token that spans lines, like a block comment, is cut at each `\n`). */
export function tokenizeLines(source: string): Token[][] {
  const lines: Token[][] = [[]];
  for (const token of tokenize(source.replace(/\r\n?/g, '\n'))) {
    const parts = token.text.split('\n');
    parts.forEach((part, k) => {
      if (k > 0) lines.push([]);
      if (part) lines[lines.length - 1].push({ kind: token.kind, text: part });
    });
  }
  return lines;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * Highlighted HTML: one `<span class="tok-KIND">` per non-plain token, text escaped, lines joined
 * with `\n` (put it inside a `<pre><code>`).
 */
export function renderHtml(source: string, classPrefix = 'tok-'): string {
  return tokenizeLines(source)
    .map((line) =>
      line.map((t) => (t.kind === 'plain' ? escapeHtml(t.text) : `<span class="${classPrefix}${t.kind}">${escapeHtml(t.text)}</span>`)).join(''),
    )
    .join('\n');
}

/** A column range on one line, 1-based, end exclusive (Monaco's convention). */
export interface ColumnMark<M> {
  start: number;
  end: number;
  mark: M;
}

export interface Segment<M> extends Token {
  /** 1-based column of the first character. */
  column: number;
  mark: M | null;
}

/**
 * Cut a line's tokens at the edges of the given column ranges so that each piece is either inside
 * one range (the first that covers it) or outside all of them. Used to draw marker squiggles in
 * the static view. Ranges past the end of the line are clipped; an empty line with a range gets one
 * empty marked segment so that the mark can still be drawn.
 */
export function segmentLine<M>(tokens: Token[], marks: ColumnMark<M>[]): Segment<M>[] {
  const segments: Segment<M>[] = [];
  let column = 1;
  const markAt = (col: number): M | null => marks.find((m) => col >= m.start && col < m.end)?.mark ?? null;
  const cuts = new Set<number>();
  for (const m of marks) {
    cuts.add(m.start);
    cuts.add(m.end);
  }
  for (const token of tokens) {
    let from = 0;
    for (let k = 1; k <= token.text.length; k++) {
      if (k === token.text.length || cuts.has(column + k)) {
        const text = token.text.slice(from, k);
        segments.push({ kind: token.kind, text, column: column + from, mark: markAt(column + from) });
        from = k;
      }
    }
    column += token.text.length;
  }
  if (marks.length && !segments.some((s) => s.mark)) {
    // a mark past the end of the line (e.g. "unexpected end of input"): show it on a blank cell
    const m = marks[0];
    segments.push({ kind: 'plain', text: '', column, mark: m.mark });
  }
  return segments;
}

/**
 * The columns a problem marker covers on its line (1-based, end exclusive), the same for the
 * static view and Monaco: the given range; from `column` to the end of the word there (or one
 * character) when only `column` is known; the whole line (at least one cell) when neither is.
 */
export function markerColumns(lineText: string, column?: number, endColumn?: number): { start: number; end: number } {
  const lineEnd = lineText.length + 1;
  if (!column || column < 1) return { start: 1, end: Math.max(2, lineEnd) };
  const start = Math.min(column, lineEnd);
  if (endColumn && endColumn > start) return { start, end: endColumn };
  const word = /^[\w$]+/.exec(lineText.slice(start - 1));
  return { start, end: start + (word ? word[0].length : 1) };
}
