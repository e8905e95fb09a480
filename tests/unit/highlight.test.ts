import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  markerColumns,
  renderHtml,
  segmentLine,
  tokenize,
  tokenizeLines,
  type Token,
  type TokenKind,
} from '#widgets/shared/editor/highlight';

/** Non-plain tokens as [kind, text] pairs: what a reader sees coloured. */
const coloured = (src: string) => tokenize(src).filter((t) => t.kind !== 'plain').map((t) => [t.kind, t.text]);
const kindOf = (src: string, text: string): TokenKind | undefined => tokenize(src).find((t) => t.text === text)?.kind;

const SAMPLES = [
  `async function main() {\n  console.log('A');\n  await null;\n  setTimeout(() => console.log("T"), 0);\n}\n`,
  'const s = `a ${b + `inner ${c}`} d`; // done',
  '/* block\n comment */ let x = 0x1F + 1_000 + .5e-3 + 10n;',
  "const re = /[/'\"]+/g; const half = a / 2 / b;",
  'let broken = "unterminated\nnext();',
  '/* never closed\nstill comment',
  '`template never closed ${x}\nmore',
  '',
  '\n\n',
  '<script>alert("x")</script>',
  'a.await + b.new; obj.if = 1',
  "'line \\\ncontinued' + 1",
];

describe('tokenize', () => {
  it('round-trips: the token texts concatenate to the source', () => {
    for (const src of SAMPLES) expect(tokenize(src).map((t) => t.text).join('')).toBe(src);
  });

  it('finds keywords, strings, comments and numbers', () => {
    expect(coloured("const x = 'a'; // note")).toEqual([
      ['keyword', 'const'],
      ['string', "'a'"],
      ['comment', '// note'],
    ]);
    expect(coloured('await Promise.resolve(42)')).toEqual([
      ['keyword', 'await'],
      ['number', '42'],
    ]);
    expect(kindOf('return 3.14e-2;', '3.14e-2')).toBe('number');
    expect(kindOf('x = 0xff;', '0xff')).toBe('number');
    expect(kindOf('x = 12n;', '12n')).toBe('number');
    expect(kindOf('x = 1_000;', '1_000')).toBe('number');
    expect(kindOf('x = .5;', '.5')).toBe('number');
  });

  it('does not colour digits inside identifiers or keywords used as property names', () => {
    expect(coloured('let a1 = b2;')).toEqual([['keyword', 'let']]);
    expect(coloured('a.await + b.new; obj.if = 1')).toEqual([['number', '1']]);
    // but a spread still allows a keyword after it
    expect(kindOf('f(...this.x)', 'this')).toBe('keyword');
  });

  it('keeps template literals with nested substitutions and templates', () => {
    const toks = tokenize('const s = `a ${b + `inner ${c}`} d`;');
    expect(toks.filter((t) => t.kind === 'string').map((t) => t.text)).toEqual(['`a ', '`inner ', '`', ' d`']);
    // the code inside ${...} is code, not string
    expect(toks.find((t) => t.text.includes('b'))?.kind).toBe('plain');
  });

  it('treats braces inside a substitution as code', () => {
    const toks = tokenize('`x ${ {a: 1}.a } y`');
    expect(toks.filter((t) => t.kind === 'string').map((t) => t.text)).toEqual(['`x ', ' y`']);
    expect(toks.find((t) => t.kind === 'number')?.text).toBe('1');
  });

  it('ends an unterminated string at the end of its line', () => {
    const lines = tokenizeLines('let broken = "unterminated\nnext();');
    expect(lines[0].at(-1)).toEqual({ kind: 'string', text: '"unterminated' });
    expect(lines[1]).toEqual([{ kind: 'plain', text: 'next();' }]);
  });

  it('runs an unterminated block comment or template literal to the end of the source', () => {
    expect(tokenizeLines('/* never closed\nstill comment')).toEqual([
      [{ kind: 'comment', text: '/* never closed' }],
      [{ kind: 'comment', text: 'still comment' }],
    ]);
    const lines = tokenizeLines('x = `open ${y}\nmore');
    expect(lines[1]).toEqual([{ kind: 'string', text: 'more' }]);
  });

  it('handles escaped quotes and line continuations inside strings', () => {
    expect(coloured(`'it\\'s' + "say \\"hi\\""`)).toEqual([
      ['string', "'it\\'s'"],
      ['string', '"say \\"hi\\""'],
    ]);
    expect(coloured("'line \\\ncontinued' + 1")).toEqual([
      ['string', "'line \\\ncontinued'"],
      ['number', '1'],
    ]);
  });

  it('tells a regex literal from a division, so quotes inside a regex do not open a string', () => {
    expect(coloured(`const re = /[/'"]+/g; const half = a / 2 / b;`)).toEqual([
      ['keyword', 'const'],
      ['regexp', `/[/'"]+/g`],
      ['keyword', 'const'],
      ['number', '2'],
    ]);
  });

  it('never throws on odd input', () => {
    for (const src of ['\\', '`', '${', '}', '/', "'", '"\\', '0x', '/*', '`${`${', '#priv', 'é = 1']) {
      expect(() => tokenize(src)).not.toThrow();
      expect(tokenize(src).map((t) => t.text).join('')).toBe(src);
    }
  });
});

describe('tokenizeLines', () => {
  it('gives one array per line, multi-line tokens cut at line ends', () => {
    const lines = tokenizeLines('/* a\nb */ x\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toEqual([{ kind: 'comment', text: '/* a' }]);
    expect(lines[1][0]).toEqual({ kind: 'comment', text: 'b */' });
    expect(lines[2]).toEqual([]);
  });

  it('normalises CRLF', () => {
    expect(tokenizeLines('a\r\nb')).toHaveLength(2);
  });
});

describe('escaping', () => {
  it('escapes the five HTML specials', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('renders <script> as text, never as markup', () => {
    const html = renderHtml('const s = "</script><script>alert(1)</script>"; // <b>');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('</script');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<span class="tok-comment">// &lt;b&gt;</span>');
  });

  it('escapes code outside tokens too, and keeps lines', () => {
    expect(renderHtml('if (a < b && c > d)\n  x()')).toBe(
      '<span class="tok-keyword">if</span> (a &lt; b &amp;&amp; c &gt; d)\n  x()',
    );
  });
});

describe('segmentLine', () => {
  const line: Token[] = tokenizeLines('let value = 42;')[0];

  it('cuts tokens at the edges of a column range and marks the inside', () => {
    // columns 5..10 are "value"
    const segs = segmentLine(line, [{ start: 5, end: 10, mark: 'error' }]);
    expect(segs.map((s) => s.text).join('')).toBe('let value = 42;');
    const marked = segs.filter((s) => s.mark);
    expect(marked.map((s) => s.text).join('')).toBe('value');
    expect(marked.every((s) => s.mark === 'error')).toBe(true);
    expect(marked[0].column).toBe(5);
    // token kinds survive the cut
    expect(segs.find((s) => s.text === 'let')?.kind).toBe('keyword');
    expect(segs.find((s) => s.text === '42')?.kind).toBe('number');
  });

  it('splits a token that a range starts inside', () => {
    const segs = segmentLine(line, [{ start: 14, end: 20, mark: 'w' }]);
    expect(segs.filter((s) => s.mark).map((s) => [s.text, s.mark])).toEqual([
      ['2', 'w'],
      [';', 'w'],
    ]);
    expect(segs.find((s) => s.text === '4')?.kind).toBe('number');
  });

  it('keeps a mark past the end of the line as an empty marked segment', () => {
    const segs = segmentLine(line, [{ start: 40, end: 41, mark: 'eof' }]);
    expect(segs.at(-1)).toMatchObject({ text: '', mark: 'eof', column: 16 });
    const empty = segmentLine([], [{ start: 1, end: 2, mark: 'x' }]);
    expect(empty).toEqual([{ kind: 'plain', text: '', column: 1, mark: 'x' }]);
  });

  it('gives each piece the mark of the range covering it', () => {
    const segs = segmentLine(line, [
      { start: 1, end: 4, mark: 'a' },
      { start: 13, end: 15, mark: 'b' },
    ]);
    expect(segs.filter((s) => s.mark).map((s) => [s.text, s.mark])).toEqual([
      ['let', 'a'],
      ['42', 'b'],
    ]);
  });

  it('without marks returns the tokens unchanged', () => {
    expect(segmentLine(line, []).map(({ kind, text }) => ({ kind, text }))).toEqual(line);
  });
});

describe('markerColumns', () => {
  it('uses the given range', () => {
    expect(markerColumns('let x = 1;', 5, 6)).toEqual({ start: 5, end: 6 });
  });
  it('extends a bare column to the end of the word there, or one character', () => {
    expect(markerColumns('let value = 1;', 5)).toEqual({ start: 5, end: 10 });
    expect(markerColumns('let value = 1;', 11)).toEqual({ start: 11, end: 12 });
  });
  it('covers the whole line without a column, and at least one cell on an empty line', () => {
    expect(markerColumns('foo();')).toEqual({ start: 1, end: 7 });
    expect(markerColumns('')).toEqual({ start: 1, end: 2 });
  });
  it('clamps a column past the end of the line to the end', () => {
    expect(markerColumns('ab', 9)).toEqual({ start: 3, end: 4 });
  });
});
