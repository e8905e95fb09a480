/**
 * Learner-visible copy outside the labs: the home page's progress line and lesson count, a lesson's
 * "completed on" line, and lesson prose that names a lab by its title, never its internal id.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { completedText, parseProgress, progressSummary } from '#lib/progress';
import { CURRICULUM, lessonCountText } from '#lib/curriculum';

const LESSONS = join(process.cwd(), 'content/lessons');
const lessonFiles = readdirSync(LESSONS).filter((f) => f.endsWith('.mdx'));

describe('home page progress line', () => {
  it('says nothing until there is progress, and never "0 of 0"', () => {
    expect(progressSummary({ done: 0, total: 6, correct: 0, answered: 0 })).toBe('');
    expect(progressSummary({ done: 2, total: 6, correct: 0, answered: 0 })).toBe('Your progress: 2 of 6 available lessons completed.');
    expect(progressSummary({ done: 0, total: 6, correct: 1, answered: 1 })).toBe('Your progress: 1 of 1 quiz answer correct.');
    expect(progressSummary({ done: 1, total: 6, correct: 2, answered: 3 })).toBe('Your progress: 1 of 6 available lessons completed, 2 of 3 quiz answers correct.');
  });
});

describe('"You completed this lesson on …"', () => {
  const fmt = (d: Date) => d.toISOString().slice(0, 10);
  it('shows a real date', () => {
    expect(completedText('2026-11-30T10:00:00.000Z', fmt)).toBe('You completed this lesson on 2026-11-30.');
  });
  it('leaves out a missing, unreadable or epoch date (version-0 progress has none)', () => {
    const migrated = parseProgress(JSON.stringify({ completed: ['actors'] })).progress.lessons.actors.completedAt;
    for (const at of [migrated, new Date(0).toISOString(), undefined, '', 'not a date']) {
      expect(completedText(at, fmt), String(at)).toBe('You completed this lesson.');
    }
  });
});

describe('lesson count on the home page', () => {
  it('counts the written lessons against the curriculum', () => {
    const text = lessonCountText(lessonFiles.length, CURRICULUM.length);
    expect(CURRICULUM.length).toBe(12);
    if (lessonFiles.length < CURRICULUM.length) expect(text).toMatch(/ lessons so far, of twelve planned$/);
    expect(text).not.toMatch(/^Twelve/);
    expect(lessonCountText(6, 12)).toBe('Six lessons so far, of twelve planned');
    expect(lessonCountText(12, 12)).toBe('Twelve lessons');
    expect(lessonCountText(1, 12)).toBe('One lesson so far, of twelve planned');
  });
});

describe('lesson prose', () => {
  it('names a lab by its title, not by its instance id ("the amdahl lab")', () => {
    for (const file of lessonFiles) {
      const text = readFileSync(join(LESSONS, file), 'utf8');
      const ids = [...text.matchAll(/<\w+Lab\b[^>]*\bid="([^"]+)"/g)].map((m) => m[1]);
      const prose = text.replace(/<[^>]+>/g, ' ');
      for (const id of ids) expect(prose, `${file}: "${id} lab"`).not.toMatch(new RegExp(`\\b${id} lab\\b`, 'i'));
    }
  });
});
