/**
 * The curriculum of CONTENT.md: twelve lessons in order. A lesson that exists as an MDX file in
 * content/lessons is "ready"; the others are listed as "coming" on the home page.
 */
export interface PlannedLesson {
  order: number;
  title: string;
  /** One line shown for lessons that are not written yet. */
  blurb: string;
  /** The lab the lesson is built around. */
  lab: string;
}

export const CURRICULUM: readonly PlannedLesson[] = [
  { order: 1, title: 'Concurrency vs parallelism', blurb: 'Interleaving on one core vs running on many; CPU-bound vs I/O-bound work; Amdahl’s law.', lab: 'Scheduler lab' },
  { order: 2, title: 'The event loop', blurb: 'Call stack, tasks, microtasks, timers, rendering; why a busy loop freezes everything.', lab: 'Event-loop lab' },
  { order: 3, title: 'Callbacks, promises, async/await', blurb: 'The same program three ways; error propagation; why await costs a tick.', lab: 'Event-loop lab' },
  { order: 4, title: 'Sync vs async under load', blurb: 'Thread-per-request, event loop and sync with batching, measured on your own handler.', lab: 'Sync/async runner' },
  { order: 5, title: 'Actors', blurb: 'State owned by one actor, mailboxes, supervision, “let it crash”, bounded mailboxes.', lab: 'Actor lab' },
  { order: 6, title: 'Dataflow', blurb: 'Pipelines as graphs, the bottleneck stage, pipeline vs data parallelism, backpressure.', lab: 'Dataflow lab' },
  { order: 7, title: 'Races and deadlocks in async code', blurb: 'Interleavings at await points, lost updates, check-then-act, lock ordering.', lab: 'Play the scheduler' },
  { order: 8, title: 'Structured concurrency and cancellation', blurb: 'Task scopes, AbortController, leaks, Promise.all vs allSettled.', lab: 'Event-loop lab' },
  { order: 9, title: 'When things fail', blurb: 'Retries, exponential backoff and jitter, circuit breakers, dead-letter queues, idempotency.', lab: 'Resilience lab' },
  { order: 10, title: 'Backpressure and adaptive concurrency', blurb: 'Limits, AIMD, rate-limited fan-out, retry storms that outlive their cause.', lab: 'Queueing lab' },
  { order: 11, title: 'Seeing async systems', blurb: 'Tracing across async boundaries, correlation ids, queue metrics.', lab: 'Trace viewer' },
  { order: 12, title: 'Claims lab', blurb: 'The source articles’ claims put to the test: when each is true, and when it is false.', lab: 'All labs' },
];

/**
 * Lessons planned for the team-onboarding track ("async backend basics"). Once a lesson is
 * written, its own frontmatter `tracks` decides instead.
 */
export const PLANNED_ONBOARDING: readonly number[] = [1, 2, 3, 4, 9, 10];

const WORDS = ['No', 'One', 'Two', 'Three', 'Four', 'Five', 'Six', 'Seven', 'Eight', 'Nine', 'Ten', 'Eleven', 'Twelve'];
const word = (n: number) => WORDS[n] ?? String(n);

/**
 * How many lessons the home page promises, counted from the curriculum: "Six lessons so far, of
 * twelve planned" while some are still coming, "Twelve lessons" once all are written.
 */
export function lessonCountText(ready: number, planned: number): string {
  const lessons = `${word(ready)} ${ready === 1 ? 'lesson' : 'lessons'}`;
  return ready < planned ? `${lessons} so far, of ${word(planned).toLowerCase()} planned` : lessons;
}
