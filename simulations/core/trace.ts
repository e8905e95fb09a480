/**
 * Traces: the one thing every engine produces and every widget views.
 *
 * An event is small and typed: `seq` is its index in the trace (0, 1, 2...), `t` is virtual
 * time in milliseconds, `kind` discriminates the rest. Models extend `TraceEventBase` with their
 * own discriminated union.
 */
export interface TraceEventBase {
  /** Position in the trace, starting at 0. */
  seq: number;
  /** Virtual time in ms at which the event happens. */
  t: number;
  /** Discriminant; each model defines its own set. */
  kind: string;
}

/** What every `simulate(config, seed)` returns. */
export interface Run<E extends TraceEventBase, M> {
  trace: E[];
  metrics: M;
  /** True when the trace hit its cap and later events were not recorded. */
  truncated: boolean;
  /** Set when the run stopped early for a reason a learner should read. */
  error?: { message: string };
}

/** Default cap on recorded events (ARCHITECTURE.md). */
export const DEFAULT_TRACE_CAP = 100_000;
