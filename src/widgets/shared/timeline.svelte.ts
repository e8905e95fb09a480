/**
 * The timeline of a lab: which step of a trace is on screen, and whether it is playing.
 *
 * Generic over the state type: the engine supplies a fold (`at(i)` = the state after the first
 * i events, `length` = the number of steps), the timeline only moves `step` through 0..length.
 * It never interprets the state. One instance per lab; several labs on a page each have their own.
 *
 *   const tl = new Timeline(fold);          // step 0, paused, 1x
 *   tl.state                                 // fold.at(tl.step), reactive
 *   tl.play(); tl.next(); tl.seek(40); tl.end();
 *   tl.setFold(newFold, 'proportional');     // after the learner changes the config
 */

/** What an engine's fold gives a timeline. `at(0)` is the initial state, `at(length)` the last. */
export interface Fold<S> {
  readonly length: number;
  at(i: number): S;
}

/** Playback speeds offered by the controls (multiples of the base rate). */
export const SPEEDS = [0.5, 1, 2, 4, 8] as const;
export type Speed = (typeof SPEEDS)[number];

/** Steps per second at 1x. */
export const BASE_STEPS_PER_SECOND = 3;

/** How `setFold` places the cursor in a new trace. */
export type KeepStep = 'proportional' | 'reset' | 'clamp';

export interface TimelineOptions {
  /** Steps per second at 1x (default BASE_STEPS_PER_SECOND). */
  stepsPerSecond?: number;
  /** Starting step. */
  step?: number;
  speed?: number;
}

/** Clamp and round a step into 0..length. */
export function clampStep(i: number, length: number): number {
  if (!Number.isFinite(i)) return 0;
  return Math.max(0, Math.min(length, Math.round(i)));
}

export class Timeline<S> {
  #fold = $state.raw<Fold<S>>(null as unknown as Fold<S>);
  #step = $state(0);
  /** True while playback advances the step. */
  playing = $state(false);
  /** Multiple of the base rate (see SPEEDS). */
  speed = $state<number>(1);
  /** Steps per second at 1x (a lab may scale it with the trace length). */
  stepsPerSecond = $state(BASE_STEPS_PER_SECOND);
  /**
   * Which way the last move went: 1 forward by one step, -1 back, 0 a jump (seek, scrub, new
   * fold). Views animate single steps forward and snap everything else.
   */
  direction = $state<-1 | 0 | 1>(0);

  /** Number of steps; valid steps are 0..length. */
  readonly length = $derived(this.#fold.length);
  /** The engine's state at the current step. */
  readonly state: S = $derived(this.#fold.at(this.#step));
  readonly atStart = $derived(this.#step === 0);
  readonly atEnd = $derived(this.#step >= this.#fold.length);
  /** 0..1, for progress bars. */
  readonly progress = $derived(this.#fold.length === 0 ? 1 : this.#step / this.#fold.length);

  #raf = 0;
  #last = 0;
  #acc = 0;

  constructor(fold: Fold<S>, options: TimelineOptions = {}) {
    this.#fold = fold;
    this.stepsPerSecond = options.stepsPerSecond ?? BASE_STEPS_PER_SECOND;
    this.#step = clampStep(options.step ?? 0, fold.length);
    if (options.speed) this.speed = options.speed;
  }

  get fold(): Fold<S> {
    return this.#fold;
  }

  get step(): number {
    return this.#step;
  }
  /** Assigning (or `bind:value`) is a seek. */
  set step(i: number) {
    this.seek(i);
  }

  /** Jump to step i (clamped). Does not change `playing`. */
  seek(i: number): void {
    const next = clampStep(i, this.#fold.length);
    this.direction = next === this.#step + 1 ? 1 : next === this.#step - 1 ? -1 : 0;
    this.#step = next;
    if (this.playing && next >= this.#fold.length) this.#stopLoop();
  }

  /** One step forward (or n). Pauses playback: a manual step means "let me look". */
  next(n = 1): void {
    this.pause();
    this.seek(this.#step + n);
  }

  /** One step back (or n). */
  prev(n = 1): void {
    this.pause();
    this.seek(this.#step - n);
  }

  home(): void {
    this.pause();
    this.seek(0);
  }

  end(): void {
    this.pause();
    this.seek(this.#fold.length);
  }

  /** Back to step 0, paused. */
  reset(): void {
    this.home();
  }

  /** Start playing; from the end, starts again from step 0. */
  play(): void {
    if (this.playing) return;
    if (this.#fold.length === 0) return;
    if (this.#step >= this.#fold.length) this.seek(0);
    this.playing = true;
    this.#acc = 0;
    this.#last = 0;
    if (typeof requestAnimationFrame === 'function') this.#raf = requestAnimationFrame(this.#tick);
  }

  pause(): void {
    this.#stopLoop();
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  /**
   * Swap in a new fold (the learner changed the config). `proportional` keeps the same fraction
   * of the way through (the end stays the end, the start stays the start); `reset` goes to 0;
   * `clamp` keeps the step number.
   */
  setFold(fold: Fold<S>, keep: KeepStep = 'proportional', stepOverride?: number): void {
    const oldLength = this.#fold.length;
    const old = this.#step;
    this.#fold = fold;
    let next: number;
    if (stepOverride !== undefined) next = stepOverride;
    else if (keep === 'reset') next = 0;
    else if (keep === 'clamp') next = old;
    else next = oldLength === 0 ? 0 : (old / oldLength) * fold.length;
    this.direction = 0;
    this.#step = clampStep(next, fold.length);
    if (this.playing && this.#step >= fold.length) this.#stopLoop();
  }

  /** Stop any animation frame (call from the component's teardown). */
  destroy(): void {
    this.#stopLoop();
  }

  #stopLoop(): void {
    this.playing = false;
    if (this.#raf && typeof cancelAnimationFrame === 'function') cancelAnimationFrame(this.#raf);
    this.#raf = 0;
  }

  #tick = (now: number): void => {
    if (!this.playing) return;
    if (this.#last === 0) this.#last = now;
    // A background tab stops frames; do not jump a minute ahead on return.
    const dt = Math.min(250, now - this.#last);
    this.#last = now;
    this.#acc += (dt / 1000) * this.stepsPerSecond * this.speed;
    if (this.#acc >= 1) {
      const n = Math.floor(this.#acc);
      this.#acc -= n;
      const next = clampStep(this.#step + n, this.#fold.length);
      this.direction = n === 1 ? 1 : 0;
      this.#step = next;
      if (next >= this.#fold.length) {
        this.#stopLoop();
        return;
      }
    }
    this.#raf = requestAnimationFrame(this.#tick);
  };
}
