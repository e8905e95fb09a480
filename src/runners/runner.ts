/**
 * The runner interface of ARCHITECTURE.md ("Runners") for the sync/async-under-load lab: run one
 * exercise of `content/exercises/` (the `node run.js --exercise <slug> --variant <v> ...` CLI)
 * somewhere the page is safe from it, and stream what it prints as typed events.
 *
 *   for await (const event of runner.run(job, signal)) { ... }   // line | request | summary | error | exit
 *
 * Every event carries `runner`: the runtime that produced it ('worker' | 'webcontainer'), so the
 * UI can say which one a result came from. (The summary's own `runtime` field, e.g. "node v20.x",
 * is the exercise CLI's and is kept as is.)
 */

/** Where a run executes. */
export type RunnerKind = 'worker' | 'webcontainer';

/** The exercise variants (content/exercises/_runtime/params.js VARIANTS). */
export type Variant = 'sync' | 'async' | 'sync-batch' | 'parallel';

/** One run of one exercise. */
export interface RunJob {
  /** Exercise folder name, e.g. 'io-db'. */
  exercise: string;
  variant: Variant;
  /**
   * Run parameters by their names in params.js PARAMETERS (camelCase: `ioMs`, `dbLimit`...).
   * Undefined / null / '' values are left out (the exercise's default applies).
   */
  params?: Record<string, number | string | null | undefined>;
  /**
   * The learner's handler module source (ES module exporting the exercise's handler, `handle`
   * by default). Without it the run uses `handler` ('solution' or 'starter').
   */
  handlerSource?: string;
  /** Built-in handler when `handlerSource` is not given (default 'solution'). */
  handler?: 'solution' | 'starter';
  /** Only the summary line, no per-request lines. */
  quiet?: boolean;
}

/** One per-request line of the CLI: {"i","start","end","latency","ok",...}. */
export interface RequestRecord {
  i: number;
  start: number;
  end: number;
  latency: number;
  ok: boolean;
  error?: string;
  [key: string]: unknown;
}

/** The CLI's final {"summary":{...}} object (see _runtime/harness.js); open-ended. */
export interface RunSummary {
  exercise: string;
  variant: string;
  runtime: string;
  [key: string]: unknown;
}

interface Labelled {
  /** The runtime that produced this event. */
  runner: RunnerKind;
}

export type RunEvent =
  /** A line of output that is not one of the CLI's JSON lines (stderr, console.log of the handler, garbage). */
  | ({ type: 'line'; text: string } & Labelled)
  | ({ type: 'request' } & RequestRecord & Labelled)
  | ({ type: 'summary' } & RunSummary & Labelled)
  /** How far the load is (the CLI prints one per tenth of the requests; the records come after the load). */
  | ({ type: 'progress'; done: number; errors: number; of: number | null } & Labelled)
  /**
   * The run failed or was stopped: a `{"fatal":...}` line of the CLI (`usage` true for a bad
   * option), a runtime that could not start, a wall-time budget exceeded (`timedOut`), or the
   * caller's signal (`aborted`).
   */
  | ({
      type: 'error';
      message: string;
      usage?: boolean;
      timedOut?: boolean;
      aborted?: boolean;
      /** The runtime cannot run this variant faithfully (e.g. shared memory not enforced): not a handler failure. */
      unsupported?: boolean;
      /** What the runtime did about it (e.g. a WebContainer restarted after a process ignored kill). */
      note?: string;
    } & Labelled)
  | ({ type: 'exit'; code: number } & Labelled);

export interface Runner {
  readonly kind: RunnerKind;
  /** Resolves when the runtime can take runs; rejects with a readable reason (timeout, no isolation). */
  ready(): Promise<void>;
  /** Runs one job. Never throws: failures are `error` events. Ends after `exit`, or after an aborted/timed-out `error`. */
  run(job: RunJob, signal: AbortSignal): AsyncIterable<RunEvent>;
}

/** The message of an `aborted` error event. */
export const ABORTED_MESSAGE = 'The run was stopped.';

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

/**
 * The CLI arguments (after `run.js`) of a job. `handlerPath` is where the runner put the learner's
 * source (relative to the exercises folder); it wins over `job.handler`.
 */
export function jobArgs(job: RunJob, handlerPath?: string): string[] {
  const args = ['--exercise', job.exercise, '--variant', job.variant];
  const handler = handlerPath ?? job.handler;
  if (handler) args.push('--handler', handler);
  for (const [name, value] of Object.entries(job.params ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    args.push(`--${kebab(name)}`, String(value));
  }
  if (job.quiet) args.push('--quiet');
  return args;
}

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A push-to-pull queue: callbacks (worker messages, stream reads) push events, an async generator
 * pulls them. `close()` ends the iteration once the queued events are consumed.
 */
export class EventChannel<T> {
  private items: T[] = [];
  private closed = false;
  private wake: (() => void) | null = null;

  push(item: T): void {
    if (this.closed) return;
    this.items.push(item);
    this.wake?.();
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      while (this.items.length) yield this.items.shift() as T;
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
  }
}
