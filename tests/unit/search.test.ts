import { describe, expect, it } from 'vitest';
import { encodeTextDirective, excerptText, fragmentText, landingUrl, matchesAllTerms, queryTerms } from '#lib/search';

describe('search: results must hold the query words', () => {
  it('splits a query into lowercase words', () => {
    expect(queryTerms('I/O  Wait')).toEqual(['i', 'o', 'wait']);
    expect(queryTerms('  ')).toEqual([]);
  });

  it('nonsense matches nothing, though Pagefind found its prefix "as"', () => {
    expect(matchesAllTerms('runs as soon as possible; asynchronous', queryTerms('asdfqwer'))).toBe(false);
  });

  it('"deadlock" does not match "dead letter", and does match "deadlock" and "deadlocks"', () => {
    expect(matchesAllTerms('late answers become dead letters', ['deadlock'])).toBe(false);
    expect(matchesAllTerms('The price is deadlock on call cycles', ['deadlock'])).toBe(true);
    expect(matchesAllTerms('Deadlocks happen', ['deadlock'])).toBe(true);
  });

  it('a word must start a word of the page, and every word must be there', () => {
    expect(matchesAllTerms('the microtask queue', ['task'])).toBe(false);
    expect(matchesAllTerms('the task queue', ['task', 'queue'])).toBe(true);
    expect(matchesAllTerms('the task list', ['task', 'queue'])).toBe(false);
    expect(matchesAllTerms('anything', [])).toBe(false);
  });
});

describe('search: landing at the match', () => {
  const result = {
    url: '/lessons/actors/',
    excerpt: 'late answers become <mark>dead</mark> letters.',
    sub_results: [
      { url: '/lessons/actors/#increments-title', excerpt: 'the grain is marked reentrant.' },
      { url: '/lessons/actors/#turns', excerpt: 'The price is <mark>deadlock</mark> on call cycles: if grain A calls B' },
    ],
  };

  it('picks the section whose excerpt has the words, with a text fragment for them', () => {
    expect(landingUrl(result, ['deadlock'])).toBe('/lessons/actors/#turns:~:text=deadlock%20on%20call%20cycles');
  });

  it('between sections with as many of the words, one with a heading anchor wins', () => {
    const r = {
      url: '/l/',
      excerpt: 'x',
      sub_results: [
        { url: '/l/', excerpt: 'as a timer. <mark>Microtask</mark> <mark>queue:</mark> small jobs' },
        { url: '/l/#timeout', excerpt: 'its <mark>microtasks</mark> have run) does the loop move the callback into the task <mark>queue</mark>' },
      ],
    };
    expect(landingUrl(r, ['microtask', 'queue'])).toBe('/l/#timeout:~:text=microtasks%20have%20run');
  });

  it('falls back to the page when no excerpt has the words', () => {
    expect(landingUrl(result, ['supervisor'])).toBe('/lessons/actors/');
  });

  it('a page without headings gets the fragment alone', () => {
    expect(landingUrl({ url: '/x/', excerpt: 'a <mark>fan-out</mark> stage' }, ['fan'])).toBe('/x/#:~:text=fan%2Dout%20stage');
  });

  it('decodes excerpt entities and stops the fragment at punctuation', () => {
    expect(excerptText('a &lt;b&gt; &amp; <mark>c</mark>')).toBe('a <b> & c');
    expect(fragmentText('Task queue: callbacks ready', ['queue'])).toBe('queue');
    expect(encodeTextDirective('a-b, c&d')).toBe('a%2Db%2C%20c%26d');
  });
});
