/**
 * The actor model: actors that own their state and change it only by handling messages, one at a
 * time, from a FIFO mailbox; supervisors that restart them when they crash.
 *
 * This file is the contract between the engine (simulations/actors) and its views
 * (src/widgets/ActorLab). Everything a view shows is in the trace, in the metrics, or computed
 * by a pure helper of this folder (fold, narrate), never in the widget.
 *
 * Names and references: an actor is addressed by its name (a string). `ctx.sender` of a message
 * sent with `ctx.ask` is a temporary reference `"ask#<n>"`: a reply sent to it reaches the asker
 * while the ask is pending and becomes a dead letter after its timeout.
 */
import type { Run, TraceEventBase } from '../core/trace';

/** What a bounded mailbox does with a message that arrives when it is full. */
export type Overflow = 'drop-newest' | 'drop-oldest' | 'block';

/** How a supervisor reacts to a crashed child. */
export type Strategy = 'one-for-one' | 'one-for-all';

/** The `ctx` a behaviour receives with each message. Valid only while `receive` runs. */
export interface ActorContext {
  /** This actor's name. */
  readonly self: string;
  /** Who sent the message being handled: an actor name, an `"ask#n"` reference, or null (outside). */
  readonly sender: string | null;
  /** Virtual time (ms) at which the message is handled (the end of its processing time). */
  readonly now: number;
  /** This actor's own state: fresh from `init()` at start and after every restart. Assignable. */
  state: any;
  /** Sends `message` to `to`; it arrives after the system's latency. Returns the message id. */
  send(to: string, message: unknown): number;
  /** Sends to the sender of the current message (the answer of an ask, when it was one). */
  reply(message: unknown): number;
  /**
   * Sends `message` to `to` and waits at most `timeoutMs` for a reply. The asker later receives
   * `{ type: 'reply', ask, value }` or, if no reply came in time, `{ type: 'timeout', ask }`.
   * Returns the ask number.
   */
  ask(to: string, message: unknown, timeoutMs: number): number;
  /** Sends `message` to `to` after `delayMs` of virtual time (a timer). */
  sendAfter(delayMs: number, to: string, message: unknown): number;
  /** Starts a child actor supervised by this one; returns its name (made unique with -2, -3...). */
  spawn(name: string, spec: BehaviourSpec): string;
  /** Handles the next messages with `behaviour` (until the next `become` or a restart). */
  become(behaviour: Behaviour): void;
  /** Stops this actor (no argument) or one of its descendants, after this message. */
  stop(name?: string): void;
  /** A seeded random number in [0, 1). */
  random(): number;
  /** A line for the lab's log. */
  log(...values: unknown[]): void;
}

/** A behaviour: handles one message. Throwing crashes the actor (its supervisor decides). */
export type Behaviour = (message: any, ctx: ActorContext) => void;

export interface MailboxSpec {
  /** Most messages the mailbox holds; omit (or Infinity) for unbounded. 1..100,000. */
  capacity?: number;
  /** What a full mailbox does (default `drop-newest`). */
  overflow?: Overflow;
}

export interface SupervisorSpec {
  /** `one-for-one` restarts only the crashed child; `one-for-all` restarts all children. */
  strategy?: Strategy;
  /** Restarts allowed within `withinMs`; one more crash in that window escalates. 0..1,000. */
  maxRestarts?: number;
  /** The window for `maxRestarts`, ms. */
  withinMs?: number;
}

export interface FaultSpec {
  /** Crash on every n-th message this actor handles (n >= 1). */
  every?: number;
  /** Crash on each message with this probability (seeded), 0..1. */
  rate?: number;
}

/** An actor as `ctx.spawn` takes it (no name or parent: those come from the call). */
export interface BehaviourSpec {
  receive: Behaviour;
  /** Returns the initial state; called at start and after every restart. */
  init?: () => unknown;
  /** Processing time of one message, ms (default 1). 0..60,000. */
  serviceMs?: number;
  mailbox?: MailboxSpec;
  /** How this actor supervises its own children. */
  supervise?: SupervisorSpec;
  /** Injected crashes. */
  faults?: FaultSpec;
}

export interface ActorSpec extends BehaviourSpec {
  /** Unique, 1..24 characters; not of the form `ask#n`. */
  name: string;
  /** The supervising actor's name (default: the system guardian). */
  parent?: string;
}

/** Messages from outside the system: `count` copies, the first at `at`, then every `everyMs`. */
export interface Injection {
  to: string;
  message: unknown;
  at?: number;
  count?: number;
  everyMs?: number;
}

/** A value the lab shows as it changes (read after every message handled). */
export interface Watch {
  name: string;
  get: () => unknown;
}

export interface SystemConfig {
  actors: ActorSpec[];
  sends?: Injection[];
  /** Scheduler threads shared by all actors; null (default) = every actor runs on its own. 1..64. */
  threads?: number | null;
  /** Travel time of a message between actors, ms (default 1). 0..10,000. */
  latencyMs?: number;
  /** Supervision of the top-level actors. If it escalates, the whole system stops. */
  guardian?: SupervisorSpec;
  /** The run stops at this virtual time (default 10,000 ms). */
  untilMs?: number;
  /** The run stops after this many messages sent (default 2,000,000). */
  maxMessages?: number;
  watches?: Watch[];
}

/** Trace events. `actor`, `from`, `to` are names; `msg` is a message id (0, 1, 2...). */
export type ActorEvent = TraceEventBase &
  (
    | { kind: 'spawn'; actor: string; parent: string | null; capacity: number; overflow: Overflow; strategy: Strategy; serviceMs: number }
    /**
     * A message is created. `arrive` is when it reaches `to`'s mailbox, or NaN when it is held
     * back because `to`'s `block` mailbox is full (an `admit` event follows when a slot frees).
     */
    | { kind: 'send'; msg: number; from: string | null; to: string; label: string; arrive: number; via: MessageVia }
    /** A held message gets its slot and starts travelling (or a timer message is let in). */
    | { kind: 'admit'; msg: number; from: string | null; to: string; arrive: number }
    /** A timer message reached a full `block` mailbox and waits at the door (`admit` follows). */
    | { kind: 'hold'; msg: number; to: string }
    | { kind: 'deliver'; msg: number; to: string; depth: number }
    | { kind: 'drop'; msg: number; to: string; policy: 'drop-newest' | 'drop-oldest' }
    | { kind: 'dead'; msg: number; to: string; reason: DeadReason }
    | { kind: 'start'; msg: number; actor: string; thread: number }
    | { kind: 'done'; msg: number; actor: string; state: string; became: string | null }
    /** `msg` is -1 when the actor failed outside a message (its `init`, or an escalation). */
    | { kind: 'crash'; msg: number; actor: string; error: string; line: number | null; injected: boolean }
    | { kind: 'restart'; actor: string; supervisor: string; interrupted: number; state: string }
    | { kind: 'escalate'; actor: string; restarts: number; withinMs: number }
    | { kind: 'stop'; actor: string; reason: StopReason; interrupted: number; drained: number[] }
    | { kind: 'timeout'; ask: number; actor: string }
    | { kind: 'block'; actor: string; msg: number; to: string }
    | { kind: 'unblock'; actor: string }
    | { kind: 'log'; actor: string; text: string }
    | { kind: 'watch'; name: string; value: string }
    /** The run ended early (virtual-time or message budget, or real time). */
    | { kind: 'halt'; reason: string }
  );

export type MessageVia = 'send' | 'ask' | 'reply' | 'timer' | 'timeout' | 'outside';
export type DeadReason = 'stopped' | 'unknown' | 'ask-expired' | 'no-sender';
export type StopReason = 'self' | 'parent' | 'system';

/** Where every message sent is, at one moment. `sent` is the sum of all the others. */
export interface Ledger {
  sent: number;
  /** Handled to the end. */
  processed: number;
  /** Consumed by a crash of its handler, or cut short by a restart or stop. */
  crashed: number;
  /** Being handled right now. */
  processing: number;
  /** Waiting in a mailbox. */
  queued: number;
  /** Travelling (latency or a timer). */
  inFlight: number;
  /** Held back: waiting for room in a full `block` mailbox. */
  held: number;
  /** Dropped by a bounded mailbox's policy. */
  dropped: number;
  /** Sent to a stopped or unknown actor, or answering an ask that had timed out. */
  dead: number;
}

export interface ActorMetrics {
  /** Virtual time of the last event (ms). */
  endT: number;
  /** The ledger at the end of the run (from the engine's own structures). */
  ledger: Ledger;
  /** Per actor, in spawn order. */
  actors: {
    name: string;
    parent: string | null;
    processed: number;
    crashes: number;
    restarts: number;
    dropped: number;
    /** Deepest the mailbox ever was. */
    maxDepth: number;
    capacity: number;
    stopped: boolean;
    state: string;
  }[];
  /** Messages handled (to the end or in a crash) per second of virtual time. */
  throughput: number;
  asks: { sent: number; answered: number; timedOut: number; late: number };
  escalations: number;
  /** True when the guardian gave up and stopped every actor. */
  systemStopped: boolean;
  /** Final value of each watch, as text. */
  watches: Record<string, string>;
  /** Events emitted, recorded or not. */
  events: number;
}

export type ActorRun = Run<ActorEvent, ActorMetrics> & {
  /** The seed as a uint32. */
  seed: number;
  /** Settings the run used (after defaults). */
  settings: { threads: number | null; latencyMs: number; untilMs: number; guardian: { strategy: Strategy; maxRestarts: number; withinMs: number } };
};

/** Where a crash in learner code happened, for the editor. */
export interface SourceError {
  message: string;
  line?: number;
  column?: number;
}
