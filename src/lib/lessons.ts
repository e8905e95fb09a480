/**
 * Lessons as the site uses them: sorted by order, with a URL slug derived from the file name
 * (`03-callbacks-promises.mdx` -> `callbacks-promises`). Build-time only (astro:content).
 */
import { getCollection, type CollectionEntry } from 'astro:content';
import { CURRICULUM } from './curriculum';

export type LessonEntry = CollectionEntry<'lessons'>;

export interface Lesson {
  entry: LessonEntry;
  slug: string;
  href: string;
}

/** `01-concurrency-vs-parallelism` -> `concurrency-vs-parallelism`. */
export function slugFromId(id: string): string {
  return id.replace(/^.*\//, '').replace(/^\d+-/, '');
}

export function lessonHref(slug: string): string {
  return `${import.meta.env.BASE_URL.replace(/\/$/, '')}/lessons/${slug}/`;
}

/** All lessons in curriculum order. Throws (failing the build) on a file whose prefix and order disagree. */
export async function getLessons(): Promise<Lesson[]> {
  const entries = await getCollection('lessons');
  const lessons = entries.map((entry) => {
    const file = entry.filePath ?? entry.id;
    const prefix = /(?:^|\/)(\d+)-[^/]+$/.exec(entry.id);
    if (!prefix) throw new Error(`${file}: lesson file names start with their order, e.g. 01-title.mdx`);
    if (Number(prefix[1]) !== entry.data.order) {
      throw new Error(`${file}: file prefix ${prefix[1]} does not match frontmatter order ${entry.data.order}`);
    }
    const slug = slugFromId(entry.id);
    return { entry, slug, href: lessonHref(slug) };
  });
  lessons.sort((a, b) => a.entry.data.order - b.entry.data.order);
  for (let i = 1; i < lessons.length; i++) {
    if (lessons[i].entry.data.order === lessons[i - 1].entry.data.order) {
      throw new Error(`${lessons[i].entry.filePath}: order ${lessons[i].entry.data.order} is used twice`);
    }
  }
  return lessons;
}

export interface PathItem {
  order: number;
  title: string;
  blurb: string;
  lab: string;
  lesson?: Lesson;
}

/** The twelve-lesson path: written lessons linked, the rest marked as coming. */
export async function getCurriculumPath(): Promise<PathItem[]> {
  const lessons = await getLessons();
  return CURRICULUM.map((planned) => {
    const lesson = lessons.find((l) => l.entry.data.order === planned.order);
    return lesson
      ? { ...planned, title: lesson.entry.data.title, blurb: lesson.entry.data.summary, lesson }
      : { ...planned };
  });
}

/** The id of a lesson's card on the home page (`lesson-7`), ready or coming. */
export function lessonCardId(order: number): string {
  return `lesson-${order}`;
}

/**
 * Where a link to lesson `order` of the curriculum goes: the lesson once it is written, until then
 * its "Coming" card on the home page (`/#lesson-7`), so a link written ahead of its lesson is
 * never dead and starts working the day the lesson lands. An order outside the curriculum throws
 * (failing the build).
 */
export async function plannedLessonLink(order: number): Promise<{ href: string; title: string; ready: boolean }> {
  const item = (await getCurriculumPath()).find((p) => p.order === order);
  if (!item) throw new Error(`There is no lesson ${order} in the curriculum (src/lib/curriculum.ts).`);
  if (item.lesson) return { href: item.lesson.href, title: item.title, ready: true };
  return { href: `${import.meta.env.BASE_URL.replace(/\/$/, '')}/#${lessonCardId(order)}`, title: item.title, ready: false };
}
