/**
 * The source articles the curriculum answers (../shared/sources, beside the checkout; a git
 * worktree under ../wt/ finds them one level further up). A test that checks a lesson's quotes
 * against them skips when they are not there: a clone on its own has the lessons, not the articles.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const repo = resolve(__dirname, '../..');

/** The path of `sources/<name>`, or undefined when the sources are not beside this checkout. */
export function sourceArticle(name: string): string | undefined {
  return ['../shared', '../../shared'].map((d) => resolve(repo, d, 'sources', name)).find((f) => existsSync(f));
}
