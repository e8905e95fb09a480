import { describe, expect, it } from 'vitest';
import { lessonSchema } from '#lib/lesson-schema';

const good = {
  title: 'A lesson',
  summary: 'What the learner will be able to explain afterwards.',
  order: 2,
  objectives: ['Explain one thing.', 'Predict another.'],
  prerequisites: [],
  minutes: 20,
  tracks: ['self-paced'],
};

function issues(data: unknown): string[] {
  const r = lessonSchema.safeParse(data);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('lesson frontmatter schema', () => {
  it('accepts a complete lesson and defaults labs to none', () => {
    const r = lessonSchema.parse(good);
    expect(r.labs).toEqual([]);
  });

  it.each(['title', 'summary', 'order', 'objectives', 'prerequisites', 'minutes', 'tracks'])(
    'names the missing field %s',
    (field) => {
      const data: Record<string, unknown> = { ...good };
      delete data[field];
      expect(issues(data).join('\n')).toContain(field);
    },
  );

  it('rejects an unknown field by name', () => {
    expect(issues({ ...good, colour: 'blue' }).join('\n')).toMatch(/colour/);
  });

  it('rejects out-of-range orders and minutes, and a lesson outside the self-paced track', () => {
    expect(issues({ ...good, order: 13 })[0]).toMatch(/^order/);
    expect(issues({ ...good, minutes: 0 })[0]).toMatch(/^minutes/);
    expect(issues({ ...good, tracks: ['talks'] })[0]).toMatch(/self-paced/);
    expect(issues({ ...good, tracks: ['self-paced', 'nope'] })[0]).toMatch(/^tracks/);
  });
});
