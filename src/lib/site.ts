/** Site-wide constants. */
export const SITE_NAME = 'Under the Await';
export const SITE_TAGLINE = 'What actually happens when you await: concurrency you can run, step and break.';
