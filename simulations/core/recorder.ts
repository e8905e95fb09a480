/**
 * Capped trace recorder.
 *
 * `emit` numbers each event (`seq` = its index in the trace) and keeps it until the cap is
 * reached. After that, events are counted but dropped and `truncated` becomes true. The
 * simulation keeps running to the end, so metrics counted alongside the trace stay exact; only
 * the replayable trace stops early.
 */
import { DEFAULT_TRACE_CAP, type TraceEventBase } from './trace';

/** An event as a model writes it: everything but `seq`, which the recorder assigns. */
export type Unsequenced<E extends TraceEventBase> = E extends unknown ? Omit<E, 'seq'> : never;

export class TraceRecorder<E extends TraceEventBase> {
  /** Recorded events, `events[i].seq === i`. */
  readonly events: E[] = [];
  /** True once an event was dropped because the cap was reached. */
  truncated = false;
  /** Events emitted in total, recorded or not. */
  emitted = 0;
  /** Maximum number of events kept. */
  readonly cap: number;

  constructor(cap: number = DEFAULT_TRACE_CAP) {
    if (!(cap >= 0) || !Number.isInteger(cap)) throw new Error(`The trace cap must be a whole number >= 0, got ${cap}.`);
    this.cap = cap;
  }

  /** Records an event (assigning `seq`) or, past the cap, drops it and marks the trace truncated. */
  emit(event: Unsequenced<E> | E): void {
    this.emitted++;
    if (this.events.length >= this.cap) {
      this.truncated = true;
      return;
    }
    const e = event as unknown as E;
    e.seq = this.events.length;
    this.events.push(e);
  }

  /** Number of recorded events. */
  get length(): number {
    return this.events.length;
  }
}
