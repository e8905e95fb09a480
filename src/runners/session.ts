/**
 * The runtime of the labs on a page: which runner their runs use, and a status they show.
 *
 *   const session = new RuntimeSession({ webcontainer, worker }, (status) => (shown = status));
 *   const { runner, fellBackBecause } = await session.acquire('auto');
 *
 * - A selection is made once per preference and kept: in 'auto', a WebContainer that could not
 *   start is not retried on every Run (that would cost the boot timeout each time); the fallback
 *   to the Worker, and its reason, stay for every lab on the page until the learner picks another
 *   runtime.
 * - A boot that was still under way when 'auto' fell back (a slow network) is not wasted: when
 *   it completes, 'auto' switches to the WebContainer for the next run, and the status says so.
 * - A preference that failed ('webcontainer' alone, offline) is forgotten, so choosing it again
 *   tries again.
 * - On iOS and iPadOS 'auto' never boots the WebContainer (options.autoSkipsWebContainer).
 * - reset() forgets every selection (a page restored from the back/forward cache, whose container
 *   was torn down on pagehide, must choose again rather than keep a runner that is gone).
 * - The status follows the preference asked for last: 'starting' (with the time it started, so
 *   the lab can count seconds against the boot timeout), 'ready' (which runtime, why it is the
 *   fallback, or that it switched), or 'unavailable' (why).
 */
import { selectRunner, type RunnerPair, type RuntimePreference, type Selection, type SelectOptions } from './select';
import { messageOf, type RunnerKind } from './runner';

export type RuntimeStatus =
  | { phase: 'idle' }
  | { phase: 'starting'; preference: RuntimePreference; since: number }
  | { phase: 'ready'; preference: RuntimePreference; kind: RunnerKind; fellBackBecause?: string; switched?: boolean }
  | { phase: 'unavailable'; preference: RuntimePreference; reason: string };

/** A WebContainer runner may expose the boot it gave up waiting for. */
interface MaybeLateBoot {
  pendingBoot?(): Promise<void> | null;
}

export class RuntimeSession {
  private readonly selections = new Map<RuntimePreference, Promise<Selection>>();
  private latest: RuntimePreference | null = null;
  private current: RuntimeStatus = { phase: 'idle' };
  private generation = 0;

  constructor(
    private readonly runners: RunnerPair,
    private readonly onStatus: (status: RuntimeStatus) => void = () => {},
    private readonly now: () => number = () => Date.now(),
    private readonly options: SelectOptions = {},
  ) {}

  get status(): RuntimeStatus {
    return this.current;
  }

  private set(preference: RuntimePreference, status: RuntimeStatus): void {
    if (this.latest !== preference) return;
    this.current = status;
    this.onStatus(status);
  }

  /** Forget every selection: the next acquire chooses again. */
  reset(): void {
    this.generation++;
    this.selections.clear();
    this.latest = null;
    this.current = { phase: 'idle' };
    this.onStatus(this.current);
  }

  private readyStatus(preference: RuntimePreference, s: Selection, switched = false): RuntimeStatus {
    return { phase: 'ready', preference, kind: s.runner.kind, fellBackBecause: s.fellBackBecause, ...(switched ? { switched } : {}) };
  }

  /** After 'auto' fell back: if the WebContainer's boot completes after all, use it from the next run on. */
  private watchLateBoot(selection: Selection): void {
    if (selection.runner.kind !== 'worker' || !selection.fellBackBecause) return;
    const late = (this.runners.webcontainer as unknown as MaybeLateBoot).pendingBoot?.();
    if (!late) return;
    const generation = this.generation;
    late.then(
      () => {
        if (generation !== this.generation) return;
        const now: Selection = { runner: this.runners.webcontainer };
        this.selections.set('auto', Promise.resolve(now));
        this.set('auto', this.readyStatus('auto', now, true));
      },
      () => {},
    );
  }

  /** The runner for a preference: started once, then kept (a failure is forgotten). */
  acquire(preference: RuntimePreference): Promise<Selection> {
    this.latest = preference;
    const known = this.selections.get(preference);
    if (known) {
      // report the settled state again (the learner may have switched away and back)
      known.then(
        (s) => this.set(preference, this.readyStatus(preference, s)),
        () => {},
      );
      return known;
    }
    this.set(preference, { phase: 'starting', preference, since: this.now() });
    const selection = selectRunner(this.runners, preference, preference === 'auto' ? this.options : {}).then(
      (s) => {
        this.set(preference, this.readyStatus(preference, s));
        if (preference === 'auto') this.watchLateBoot(s);
        return s;
      },
      (error: unknown) => {
        if (this.selections.get(preference) === selection) this.selections.delete(preference);
        this.set(preference, { phase: 'unavailable', preference, reason: messageOf(error) });
        throw error;
      },
    );
    this.selections.set(preference, selection);
    return selection;
  }
}
