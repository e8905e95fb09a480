/**
 * The interleavings lab's limits and modes, in a module of their own so the lab's model can read
 * them without pulling the engines (interleavingsEngine.ts: the explorer, the threads and async
 * systems, the event-loop engine) into the page; those load in the Worker.
 */
export const MAX_SOURCE = 8_000;
/** Longest schedule a link may hold (choices). */
export const MAX_CHOICES = 400;
/** Schedules an Explore runs at most. */
export const MAX_SCHEDULES = 1_000_000;

export type Mode = 'threads' | 'async';
