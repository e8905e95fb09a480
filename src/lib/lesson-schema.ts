/**
 * The lesson frontmatter schema (pure zod, so unit tests can use it without Astro). Every field
 * is documented; unknown fields are rejected (`.strict()`), and Astro's error names the file.
 */
import { z } from 'astro/zod';
import { LAB_IDS } from '#widgets/registry';

/** The learning paths a lesson can belong to (see src/pages/tracks.astro). */
export const TRACKS = ['self-paced', 'onboarding', 'talks'] as const;

export const lessonSchema = z
  .object({
    /** The lesson's title, shown as its heading, in the curriculum and in search. */
    title: z.string().min(3),
    /** One or two sentences: what the learner will be able to explain after the lesson. */
    summary: z.string().min(20),
    /** Position in the curriculum, 1..12 (CONTENT.md); must match the file's NN- prefix. */
    order: z.number().int().min(1).max(12),
    /** What the learner can do afterwards, each a short imperative sentence. At least two. */
    objectives: z.array(z.string().min(5)).min(2),
    /** What the learner should know first, in plain language ("has used async/await once"). May be empty. */
    prerequisites: z.array(z.string().min(3)),
    /** Estimated reading-and-doing time in minutes, shown on the page and summed per track. */
    minutes: z.number().int().min(3).max(120),
    /** Tracks this lesson belongs to; every lesson is in `self-paced`. */
    tracks: z
      .array(z.enum(TRACKS))
      .refine((t) => t.includes('self-paced'), { message: 'every lesson is in the self-paced track' }),
    /** Labs the lesson embeds, by registry id (src/widgets/registry.ts): listed on talk pages. */
    labs: z.array(z.enum(LAB_IDS)).default([]),
  })
  .strict();

export type LessonFrontmatter = z.infer<typeof lessonSchema>;
