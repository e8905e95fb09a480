/**
 * The page's runtime for the sync/async labs: one RuntimeSession (src/runners/session.ts) shared by
 * every lab on the page, so the WebContainer boots once, and its status as reactive state for the
 * labs' status lines (with a clock that ticks while a runtime starts).
 *
 * The runners load on first use, and nothing starts a runtime but a Run or a pick
 * (`prepare`): the WebContainer comes from a third party (StackBlitz), not on every page view.
 * On iOS and iPadOS 'auto' runs on the Worker without booting it (the learner can pick it). A page
 * restored from the back/forward cache chooses its runtime again (its container was torn down on
 * pagehide).
 */
import { RuntimeSession, type RuntimeStatus } from '#runners/session';
import type { Runner } from '#runners/runner';
import { APPLE_MOBILE_MESSAGE, isAppleMobile, type RuntimePreference } from '#runners/select';

class PageRuntime {
  status = $state.raw<RuntimeStatus>({ phase: 'idle' });
  /** Date.now(), every half second while a runtime starts (for the countdown "… 26 s left"). */
  now = $state(Date.now());
  #session: Promise<RuntimeSession> | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** iOS or iPadOS: 'auto' does not boot the WebContainer. */
  readonly appleMobile = typeof navigator !== 'undefined' && isAppleMobile(navigator);

  #load(): Promise<RuntimeSession> {
    this.#session ??= import('#runners/exerciseRuntimes').then(({ createExerciseRunners }) => {
      const options = this.appleMobile ? { autoSkipsWebContainer: APPLE_MOBILE_MESSAGE } : {};
      const session = new RuntimeSession(createExerciseRunners(), (s) => this.#onStatus(s), () => Date.now(), options);
      if (typeof window !== 'undefined') {
        window.addEventListener('pageshow', (e) => {
          if (e.persisted) session.reset();
        });
      }
      return session;
    });
    return this.#session;
  }

  #onStatus(s: RuntimeStatus): void {
    this.status = s;
    this.now = Date.now();
    clearInterval(this.#timer);
    if (s.phase === 'starting') this.#timer = setInterval(() => (this.now = Date.now()), 500);
  }

  /** Starts the runtime for a preference the learner picked, before any Run. */
  prepare(preference: RuntimePreference): void {
    this.acquire(preference).catch(() => {});
  }

  /**
   * The runner for `preference` (started once, then kept). Rejects with an AbortError when `signal`
   * aborts first: a learner who picks another runtime while this one boots gets a new run at once.
   */
  async acquire(preference: RuntimePreference, signal?: AbortSignal): Promise<Runner> {
    const session = await this.#load();
    const aborted = () => new DOMException('The run was stopped.', 'AbortError');
    if (signal?.aborted) throw aborted();
    const selection = session.acquire(preference);
    if (!signal) return (await selection).runner;
    return new Promise<Runner>((resolve, reject) => {
      const onAbort = () => reject(aborted());
      signal.addEventListener('abort', onAbort, { once: true });
      selection.then(
        (s) => resolve(s.runner),
        (error: unknown) => reject(error),
      ).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }
}

let instance: PageRuntime | undefined;

/** The page's runtime (made on first use, so importing this module costs nothing). */
export function pageRuntime(): PageRuntime {
  return (instance ??= new PageRuntime());
}

export const acquireRunner = (preference: RuntimePreference, signal: AbortSignal) => pageRuntime().acquire(preference, signal);
