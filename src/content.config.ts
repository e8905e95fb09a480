/**
 * Content collections. Lessons live in `content/lessons/NN-slug.mdx`; their frontmatter schema,
 * with every field documented, is in src/lib/lesson-schema.ts. An unknown or missing field fails
 * the build with a message that names the file.
 */
import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { lessonSchema } from '#lib/lesson-schema';

const lessons = defineCollection({
  loader: glob({ pattern: '**/*.mdx', base: './content/lessons' }),
  schema: lessonSchema,
});

export const collections = { lessons };
