import { expect, test } from '@playwright/test';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Every internal link of the built site resolves: each `href` and `src` of every page in dist/
 * (absolute `/...`, relative, or `#id`) names a file that exists, and a `#fragment` names an
 * element id on the target page. A link to a lesson that is not written yet must go to its
 * "Coming" card (`/#lesson-7`), which this checks like any other anchor. Reads files only.
 */
const DIST = fileURLToPath(new URL('../../dist', import.meta.url));

function htmlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return name === 'pagefind' || name === '_astro' ? [] : htmlFiles(full);
    return name.endsWith('.html') ? [full] : [];
  });
}

/** The page's URL path for a dist file: dist/lessons/actors/index.html -> /lessons/actors/. */
function pagePath(file: string): string {
  const rel = '/' + relative(DIST, file).split('\\').join('/');
  return rel.endsWith('/index.html') ? rel.slice(0, -'index.html'.length) : rel;
}

/** The dist file a URL path is served from (as scripts/serve.mjs does), or null. */
function fileFor(pathname: string): string | null {
  const p = join(DIST, decodeURIComponent(pathname));
  if (existsSync(p) && statSync(p).isFile()) return p;
  if (existsSync(join(p, 'index.html'))) return join(p, 'index.html');
  return null;
}

const ids = new Map<string, Set<string>>();
function idsOf(file: string): Set<string> {
  let set = ids.get(file);
  if (!set) {
    set = new Set([...readFileSync(file, 'utf8').matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
    ids.set(file, set);
  }
  return set;
}

test('every internal link and anchor in the built site resolves', () => {
  expect(existsSync(join(DIST, 'index.html')), 'run `npm run build` first').toBe(true);
  const dead: string[] = [];
  let checked = 0;
  for (const file of htmlFiles(DIST)) {
    const from = pagePath(file);
    const html = readFileSync(file, 'utf8').replace(/<script\b[\s\S]*?<\/script>/g, '');
    for (const m of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
      const raw = m[1].replace(/&amp;/g, '&');
      if (/^(?:[a-z][a-z0-9+.-]*:|\/\/)/i.test(raw)) continue; // https:, mailto:, data:, //host
      const url = new URL(raw, `http://site${from}`);
      const target = fileFor(url.pathname);
      checked++;
      if (!target) {
        dead.push(`${from}: ${raw} (no file for ${url.pathname})`);
        continue;
      }
      const fragment = decodeURIComponent(url.hash.slice(1)).split(':~:')[0];
      if (fragment && target.endsWith('.html') && !idsOf(target).has(fragment)) {
        dead.push(`${from}: ${raw} (no element with id "${fragment}" on ${url.pathname})`);
      }
    }
  }
  expect(dead, dead.join('\n')).toEqual([]);
  expect(checked).toBeGreaterThan(100);
});

test('the last written lesson points "Next" at the next lesson’s Coming card, which is marked as coming', () => {
  const home = readFileSync(join(DIST, 'index.html'), 'utf8');
  const lessons = readdirSync(join(DIST, 'lessons')).filter((d) => existsSync(join(DIST, 'lessons', d, 'index.html')));
  const nexts = lessons
    .map((d) => readFileSync(join(DIST, 'lessons', d, 'index.html'), 'utf8'))
    .map((html) => /<a class="pager-link next" href="([^"]+)"/.exec(html)?.[1])
    .filter((href): href is string => href !== undefined && href.startsWith('/#'));
  if (!/class="step coming"/.test(home)) test.skip(true, 'every planned lesson is written');
  expect(nexts).toHaveLength(1);
  const id = nexts[0].slice(2);
  expect(home).toMatch(new RegExp(`<li id="${id}" class="step coming"`));
});
