/**
 * The build itself must refuse a lesson with bad frontmatter and name the file. This builds a
 * tiny real Astro project (our content config, one bad lesson) in tests/.fixtures/.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { astroChildEnv } from '../support/child-env';

const repo = resolve(__dirname, '../..');

function buildFixture(name: string, frontmatter: string): { code: number | null; output: string } {
  const root = join(repo, 'tests/.fixtures', name);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'src/pages'), { recursive: true });
  mkdirSync(join(root, 'content/lessons'), { recursive: true });
  writeFileSync(join(root, 'astro.config.mjs'), "import mdx from '@astrojs/mdx';\nexport default { integrations: [mdx()] };\n");
  writeFileSync(join(root, 'src/content.config.ts'), "export { collections } from '../../../../src/content.config';\n");
  writeFileSync(
    join(root, 'src/pages/index.astro'),
    "---\nimport { getCollection } from 'astro:content';\nconst all = await getCollection('lessons');\n---\n<p>{all.length}</p>\n",
  );
  writeFileSync(join(root, 'content/lessons/02-bad-lesson.mdx'), `---\n${frontmatter}\n---\n\nBody.\n`);
  const r = spawnSync(join(repo, 'node_modules/.bin/astro'), ['build', '--root', root], { encoding: 'utf8', cwd: repo, env: astroChildEnv() });
  rmSync(root, { recursive: true, force: true });
  return { code: r.status, output: `${r.stdout}\n${r.stderr}` };
}

const valid = [
  'title: A lesson',
  'summary: What the learner will be able to explain afterwards.',
  'order: 2',
  'objectives: [Explain one thing., Predict another.]',
  'prerequisites: []',
  'minutes: 20',
  'tracks: [self-paced]',
];

describe('astro build with a bad lesson', () => {
  it('fails on an unknown field and names the file and the field', () => {
    const r = buildFixture('unknown-field', [...valid, 'colour: blue'].join('\n'));
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('02-bad-lesson.mdx');
    expect(r.output).toMatch(/colour/);
  }, 120_000);

  it('fails on a missing field and names the file and the field', () => {
    const r = buildFixture('missing-field', valid.filter((l) => !l.startsWith('minutes')).join('\n'));
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('02-bad-lesson.mdx');
    expect(r.output).toMatch(/minutes/);
  }, 120_000);
});
