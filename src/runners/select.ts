/**
 * Which runtime runs the exercises: the WebContainer (real Node) when it boots, the Worker
 * otherwise, and say why.
 *
 *   const { runner, fellBackBecause } = await selectRunner({ webcontainer, worker }, preference);
 *   // fellBackBecause: "The WebContainer did not start within 15 s (...)" -> show it next to the results
 *
 * Preference (the UI picker):
 *   'auto'          try the WebContainer (within its own boot timeout); on any failure use the Worker
 *   'worker'        the Worker, never boot the WebContainer
 *   'webcontainer'  the WebContainer or nothing: a RunnerUnavailableError with the reason
 *
 * checkAvailability() asks both (each within its own timeout) for the picker's labels.
 */
import { messageOf, type Runner, type RunnerKind } from './runner';

export type RuntimePreference = 'auto' | RunnerKind;

export const PREFERENCES: readonly RuntimePreference[] = ['auto', 'worker', 'webcontainer'];

export interface RunnerPair {
  webcontainer: Runner;
  worker: Runner;
}

export interface Selection {
  runner: Runner;
  /** Set when 'auto' wanted the WebContainer and got the Worker: the WebContainer's reason. */
  fellBackBecause?: string;
}

export type Availability = Record<RunnerKind, { available: true } | { available: false; reason: string }>;

/** No runtime that the preference allows could start. */
export class RunnerUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunnerUnavailableError';
  }
}

const TITLES: Record<RunnerKind, string> = { webcontainer: 'The WebContainer (Node in the browser)', worker: 'The Worker runtime' };

/** A preference from anything (a stored setting, a URL parameter); unknown values mean 'auto'. */
export function parsePreference(value: unknown): RuntimePreference {
  return PREFERENCES.includes(value as RuntimePreference) ? (value as RuntimePreference) : 'auto';
}

export const APPLE_MOBILE_MESSAGE =
  'On iPhone and iPad the WebContainer starts only when you pick it (it needs much memory there, and a failed start can reload the page).';

/**
 * iOS or iPadOS (iPadOS reports itself as a Mac, but a Mac has no touch screen): there 'auto'
 * does not boot the WebContainer on the first Run; the learner picks it explicitly.
 */
export function isAppleMobile(nav: { userAgent?: string; platform?: string; maxTouchPoints?: number } | undefined): boolean {
  if (!nav) return false;
  const ua = nav.userAgent ?? '';
  if (/\b(iPhone|iPad|iPod)\b/.test(ua)) return true;
  return /\bMacintosh\b/.test(ua) && (nav.maxTouchPoints ?? 0) > 1;
}

export interface SelectOptions {
  /** 'auto' uses the Worker without booting the WebContainer (iOS and iPadOS), with this reason. */
  autoSkipsWebContainer?: string;
}

export async function selectRunner(runners: RunnerPair, preference: RuntimePreference = 'auto', options: SelectOptions = {}): Promise<Selection> {
  const tryReady = async (kind: RunnerKind): Promise<string | null> => {
    try {
      await runners[kind].ready();
      return null;
    } catch (error) {
      return messageOf(error);
    }
  };

  if (preference === 'worker' || preference === 'webcontainer') {
    const reason = await tryReady(preference);
    if (reason !== null) throw new RunnerUnavailableError(`${TITLES[preference]} is not available: ${reason}`);
    return { runner: runners[preference] };
  }

  const wcReason = options.autoSkipsWebContainer ?? (await tryReady('webcontainer'));
  if (wcReason === null) return { runner: runners.webcontainer };
  const workerReason = await tryReady('worker');
  if (workerReason !== null) {
    throw new RunnerUnavailableError(`No runtime could start. WebContainer: ${wcReason} Worker: ${workerReason}`);
  }
  return { runner: runners.worker, fellBackBecause: wcReason };
}

/** Whether each runtime can start (each within its own timeout; the WebContainer boots if it can). */
export async function checkAvailability(runners: RunnerPair): Promise<Availability> {
  const [webcontainer, worker] = await Promise.allSettled([runners.webcontainer.ready(), runners.worker.ready()]);
  const state = (r: PromiseSettledResult<void>) =>
    r.status === 'fulfilled' ? ({ available: true } as const) : ({ available: false, reason: messageOf(r.reason) } as const);
  return { webcontainer: state(webcontainer), worker: state(worker) };
}
