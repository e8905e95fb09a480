/**
 * The runtime of one lab on a page: which runner its runs use, and a status the lab shows.
 *
 *   const session = new RuntimeSession({ webcontainer, worker }, (status) => (shown = status));
 *   const { runner, fellBackBecause } = await session.acquire('auto');
 *
 * - A selection is made once per preference and kept: in 'auto', a WebContainer that could not
 *   start is not retried on every Run (that would cost the boot timeout each time); the fallback
 *   to the Worker, and its reason, stay until the learner picks another runtime.
 * - A preference that failed ('webcontainer' alone, offline) is forgotten, so choosing it again
 *   tries again.
 * - The status follows the preference asked for last: 'starting' (with the time it started, so
 *   the lab can count seconds against the boot timeout), 'ready' (which runtime, and why it is
 *   the fallback), or 'unavailable' (why).
 */
import { selectRunner, type RunnerPair, type RuntimePreference, type Selection } from './select';
import { messageOf, type RunnerKind } from './runner';

export type RuntimeStatus =
  | { phase: 'idle' }
  | { phase: 'starting'; preference: RuntimePreference; since: number }
  | { phase: 'ready'; preference: RuntimePreference; kind: RunnerKind; fellBackBecause?: string }
  | { phase: 'unavailable'; preference: RuntimePreference; reason: string };

export class RuntimeSession {
  private readonly selections = new Map<RuntimePreference, Promise<Selection>>();
  private latest: RuntimePreference | null = null;
  private current: RuntimeStatus = { phase: 'idle' };

  constructor(
    private readonly runners: RunnerPair,
    private readonly onStatus: (status: RuntimeStatus) => void = () => {},
    private readonly now: () => number = () => Date.now(),
  ) {}

  get status(): RuntimeStatus {
    return this.current;
  }

  private set(preference: RuntimePreference, status: RuntimeStatus): void {
    if (this.latest !== preference) return;
    this.current = status;
    this.onStatus(status);
  }

  /** The runner for a preference: started once, then kept (a failure is forgotten). */
  acquire(preference: RuntimePreference): Promise<Selection> {
    this.latest = preference;
    const known = this.selections.get(preference);
    if (known) {
      // report the settled state again (the learner may have switched away and back)
      known.then(
        (s) => this.set(preference, { phase: 'ready', preference, kind: s.runner.kind, fellBackBecause: s.fellBackBecause }),
        () => {},
      );
      return known;
    }
    this.set(preference, { phase: 'starting', preference, since: this.now() });
    const selection = selectRunner(this.runners, preference).then(
      (s) => {
        this.set(preference, { phase: 'ready', preference, kind: s.runner.kind, fellBackBecause: s.fellBackBecause });
        return s;
      },
      (error: unknown) => {
        this.selections.delete(preference);
        this.set(preference, { phase: 'unavailable', preference, reason: messageOf(error) });
        throw error;
      },
    );
    this.selections.set(preference, selection);
    return selection;
  }
}
