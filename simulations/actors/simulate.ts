/**
 * The actor engine.
 *
 * Semantics (the contract the views and tests rely on):
 *
 * - Every actor has a FIFO mailbox and handles one message at a time. Taking a message (`start`)
 *   makes the actor busy for its `serviceMs`; at the end of that time its behaviour runs
 *   (`receive(message, ctx)`) and everything it did takes effect at that instant: its state
 *   changes, its sends leave (`done`, then one `send` per message, in call order).
 * - A message between actors travels `latencyMs`; `ctx.sendAfter` travels its delay (a timer);
 *   messages from outside (`sends`) and ask timeouts arrive at once.
 * - Threads: with `threads = null` every actor with mail starts at once. With N threads, actors
 *   with mail wait in one FIFO run queue for a free thread; a thread handles one message and is
 *   released (a blocked sender keeps its thread, as a blocking send does in Akka).
 * - Bounded mailboxes: `drop-newest` drops the arriving message, `drop-oldest` drops the one at
 *   the head and keeps the arrival, both decided on arrival. `block` is decided at send time: a
 *   slot is reserved for each message travelling to the mailbox, and when none is left the
 *   message is held by its sender, which is blocked (takes no new message) until every message
 *   it holds has got a slot, in order. Messages from outside and timers that find no slot wait
 *   at the mailbox's door (held) without blocking anyone. So a `block` mailbox never holds more
 *   than its capacity, and neither does any other bounded mailbox.
 * - Crashes: a behaviour that throws, or an injected fault (`faults.every`, `faults.rate`),
 *   consumes the message (`crash`); sends made before the throw still leave. The supervisor (the
 *   parent, or the guardian for top-level actors) records the restart; if that makes more than
 *   `maxRestarts` within `withinMs`, it escalates: the supervisor itself fails and its own
 *   supervisor decides, and if the guardian escalates the whole system stops. Otherwise
 *   `one-for-one` restarts the crashed actor, `one-for-all` every child of the supervisor. A
 *   restart gives fresh state (`init()`), the original behaviour, keeps the mailbox (as Akka
 *   does), cuts short the message in progress (counted as crashed) and restarts the actor's
 *   children too.
 * - `ctx.stop()` stops an actor after its message: its mailbox becomes dead letters, its
 *   children stop too. Messages to a stopped or unknown actor, and replies to an ask that timed
 *   out, are dead letters.
 * - Ask: `ctx.ask(to, msg, timeoutMs)`; the receiver's `ctx.sender` is `"ask#n"`; the first reply
 *   delivered before the timeout reaches the asker as `{ type: 'reply', ask, value }`, otherwise
 *   the asker receives `{ type: 'timeout', ask }` and a late reply is a dead letter.
 * - Ties: one agenda, stable for equal times; events at the same instant happen in the order they
 *   were scheduled. Randomness only from the seeded generator (`ctx.random`, `faults.rate`).
 *
 * The ledger: every message sent is processed, crashed, in progress, queued, in flight, held,
 * dropped, or dead, and `metrics.ledger` counts them from the engine's own structures.
 */
import { Agenda } from '../core/agenda';
import { TraceRecorder } from '../core/recorder';
import { Rng, seedFrom, type Seed } from '../core/rng';
import { DEFAULT_TRACE_CAP } from '../core/trace';
import { formatCount } from '../core/format';
import { ConfigError, describeValue } from '../core/validate';
import { checkBehaviour, nameProblem, validateConfig, type CheckedBehaviour, type CheckedConfig, type Supervision } from './config';
import { errorText, logText, messageLabel, stateText } from './text';
import type { ActorContext, ActorEvent, ActorMetrics, ActorRun, Behaviour, DeadReason, Ledger, MessageVia, StopReason, SystemConfig } from './types';

export interface SimulateOptions {
  /** Most events kept in the trace (default 100,000). Metrics are exact whatever the cap. */
  traceCap?: number;
  /** Polled every 1,024 messages handled: return true to stop the run (a real-time budget). */
  shouldStop?: () => boolean;
  /**
   * The message for a run stopped by `shouldStop` inside a behaviour (its loop guard: it may be an
   * endless loop). A stop between messages says the run was long instead (`longRunMessage`).
   */
  stopMessage?: string;
  /** Finds the learner's source line of an error thrown by a behaviour (source.ts supplies it). */
  locate?: (error: unknown) => number | null;
  /** Recognises the error a loop guard throws when the real-time budget is spent. */
  isBudgetError?: (error: unknown) => boolean;
  /** Receives the context object behaviours get (source.ts routes console.log through it). */
  onContext?: (ctx: ActorContext) => void;
}

/** Why an async receive crashes (see the module comment of source.ts). */
export const ASYNC_RECEIVE =
  'receive returned a promise (is it async?). An actor handles one message to the end before the next; to wait for something, send a message (ctx.ask or ctx.sendAfter) and handle the answer as another message.';

const IDLE = 0;
const BUSY = 1;
const BLOCKED = 2;
const STOPPED = 3;

const K_DELIVER = 0;
const K_DONE = 1;
const K_TIMEOUT = 2;
const K_INJECT = 3;

const VIA_CODES: MessageVia[] = ['send', 'ask', 'reply', 'timer', 'timeout', 'outside'];
const V_SEND = 0;
const V_ASK = 1;
const V_REPLY = 2;
const V_TIMER = 3;
const V_TIMEOUT = 4;
const V_OUTSIDE = 5;

/** Growable FIFO of integers (ring buffer). */
class IntQueue {
  private buf: Int32Array;
  private head = 0;
  length = 0;
  constructor(cap = 8) {
    this.buf = new Int32Array(cap);
  }
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Int32Array(this.buf.length * 2);
      for (let i = 0; i < this.length; i++) next[i] = this.buf[(this.head + i) % this.buf.length];
      this.buf = next;
      this.head = 0;
    }
    let slot = this.head + this.length;
    if (slot >= this.buf.length) slot -= this.buf.length;
    this.buf[slot] = v;
    this.length++;
  }
  shift(): number {
    const v = this.buf[this.head];
    this.head++;
    if (this.head === this.buf.length) this.head = 0;
    this.length--;
    return v;
  }
  peek(): number {
    return this.buf[this.head];
  }
  toArray(): number[] {
    const out: number[] = new Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.buf[(this.head + i) % this.buf.length];
    return out;
  }
}

class ActorRec {
  status = IDLE;
  /** Message in progress, or -1. */
  cur = -1;
  ticket = -1;
  thread = -1;
  readonly children: number[] = [];
  readonly mailbox = new IntQueue();
  /** Messages this actor sent that wait for room, in order (it is blocked while any are left). */
  readonly outbox = new IntQueue(4);
  /** Messages waiting for room in this (block) mailbox: the head of a sender's outbox, or from outside. */
  readonly waiters = new IntQueue(4);
  /** Slots taken: queued messages plus admitted messages travelling here (block mailboxes). */
  reserved = 0;
  inRunQ = false;
  restartTimes: number[] = [];
  handled = 0;
  processed = 0;
  crashes = 0;
  restarts = 0;
  dropped = 0;
  maxDepth = 0;
  state: unknown = undefined;
  behaviour: Behaviour;
  constructor(
    readonly index: number,
    readonly name: string,
    readonly parent: number,
    readonly spec: CheckedBehaviour,
  ) {
    this.behaviour = spec.receive;
  }
}

/** An event as the engine writes it (the recorder adds `seq`, `emit` adds `t`). */
type NewEvent = { [K in ActorEvent['kind']]: Omit<Extract<ActorEvent, { kind: K }>, 'seq' | 't'> }[ActorEvent['kind']];

/** Why a run that was still handling messages (no behaviour stuck in a loop) stopped on the real-time budget. */
export const longRunMessage = (sent: number) =>
  `The run was stopped after ${formatCount(sent)} messages: it used up its real-time budget before the system went quiet.`;

/** Thrown out of the engine loop when the real-time budget stops a run. */
class Halt {
  constructor(readonly message: string) {}
}

/**
 * Runs an actor system. Throws a ConfigError (an Error naming the field) for a bad config.
 * Same config and seed, same run, bit for bit.
 */
export function simulate(config: SystemConfig, seed: Seed = 1, options: SimulateOptions = {}): ActorRun {
  const cfg = validateConfig(config);
  const seed32 = seedFrom(seed);
  return new Engine(cfg, seed32, options).run();
}

class Engine {
  readonly rec: TraceRecorder<ActorEvent>;
  readonly rng: Rng;
  readonly agenda = new Agenda<number>(1024);
  now = 0;
  readonly actors: ActorRec[] = [];
  readonly byName = new Map<string, number>();
  readonly topLevel: number[] = [];
  guardianTimes: number[] = [];

  // Messages (parallel arrays, index = message id).
  msgFrom: number[] = [];
  msgTo: number[] = [];
  msgVia: number[] = [];
  /** For an ask: its ask number (the receiver's sender is ask#n). For a reply: the ask it answers. */
  msgAsk: number[] = [];
  msgPayload: unknown[] = [];
  /** 1 when the message holds a slot of a block mailbox. */
  msgReserved: number[] = [];
  /** 1 for a timer message still travelling (it is let in on arrival). */
  msgTimer: number[] = [];
  msgUnknownName = new Map<number, string>();

  // Asks.
  askAsker: number[] = [];
  askPending: number[] = [];
  asksAnswered = 0;
  asksTimedOut = 0;
  asksLate = 0;

  // Tickets for scheduled ends of processing (a restart invalidates its actor's ticket).
  ticketActor: number[] = [];

  // Threads.
  readonly threads: number | null;
  readonly threadBusy: Uint8Array;
  freeThreads: number;
  readonly runQ = new IntQueue(64);

  // Injections.
  injected: number[];

  // Ledger counters.
  sent = 0;
  processed = 0;
  crashed = 0;
  dropped = 0;
  dead = 0;
  inFlight = 0;
  outsideHeld = 0;

  escalations = 0;
  systemStopped = false;
  lastWatch: string[];
  error: string | undefined;

  // The behaviour call in progress.
  current = -1;
  inReceive = false;
  curMsg = -1;
  nBuf = 0;
  bufTo: unknown[] = [];
  bufPayload: unknown[] = [];
  bufVia: number[] = [];
  bufDelay: number[] = [];
  bufAsk: number[] = [];
  bufTimeout: number[] = [];
  becomeTo: Behaviour | null = null;
  stopReq: number[] = [];
  /** Actors spawned by the running behaviour whose init() threw (supervised after it returns). */
  spawnFailures: number[] = [];
  readonly ctx: ActorContext;

  constructor(
    readonly cfg: CheckedConfig,
    readonly seed: number,
    readonly options: SimulateOptions,
  ) {
    this.rec = new TraceRecorder<ActorEvent>(options.traceCap ?? DEFAULT_TRACE_CAP);
    this.rng = new Rng(seed);
    this.threads = cfg.threads;
    this.threadBusy = new Uint8Array(cfg.threads ?? 0);
    this.freeThreads = cfg.threads ?? 0;
    this.injected = cfg.sends.map(() => 0);
    this.lastWatch = cfg.watches.map(() => '\u0000');
    this.ctx = this.makeContext();
    options.onContext?.(this.ctx);
  }

  /* ---------------- recording ---------------- */

  get recording(): boolean {
    return this.rec.events.length < this.rec.cap;
  }

  /** Counts an event that is not recorded (the trace is full). */
  skip(): void {
    this.rec.emitted++;
    this.rec.truncated = true;
  }

  emit(e: NewEvent): void {
    (e as ActorEvent).t = this.now;
    this.rec.emit(e as unknown as ActorEvent);
  }

  nameOf(i: number): string | null {
    return i >= 0 ? this.actors[i].name : null;
  }

  toName(m: number): string {
    const to = this.msgTo[m];
    if (to >= 0) return this.actors[to].name;
    return this.msgUnknownName.get(m) ?? '(nobody)';
  }

  /** Is m the answer to an ask (sent to an ask#n reference)? */
  isAnswer(m: number): boolean {
    const via = this.msgVia[m];
    return (via === V_REPLY || via === V_TIMER) && this.msgAsk[m] >= 0;
  }

  label(m: number): string {
    const via = this.msgVia[m];
    const p = this.msgPayload[m] as { ask?: number; value?: unknown };
    if (this.isAnswer(m)) return `reply #${p.ask}: ${messageLabel(p.value)}`;
    if (via === V_TIMEOUT) return `timeout of ask #${p.ask}`;
    return messageLabel(this.msgPayload[m]);
  }

  /* ---------------- the context given to behaviours ---------------- */

  makeContext(): ActorContext {
    // One context object, re-aimed before every call: allocation-free on the hot path.
    const engine = this;
    const check = (what: string) => {
      if (!engine.inReceive) throw new Error(`ctx.${what} can only be used while receive runs.`);
    };
    const ref = (what: string, to: unknown): string => {
      if (typeof to !== 'string' || to === '') {
        throw new Error(`ctx.${what}: the first argument must be an actor's name (a string), but it is ${describeValue(to)}.`);
      }
      return to;
    };
    const buffer = (to: unknown, payload: unknown, via: number, delay: number, timeout: number): number => {
      const k = engine.nBuf++;
      engine.bufTo[k] = to;
      engine.bufPayload[k] = payload;
      engine.bufVia[k] = via;
      engine.bufDelay[k] = delay;
      engine.bufTimeout[k] = timeout;
      engine.bufAsk[k] = -1;
      return k;
    };
    const ctx = {
      self: '',
      sender: null as string | null,
      now: 0,
      state: undefined as unknown,
      send(to: string, message: unknown): number {
        check('send');
        buffer(ref('send', to), message, V_SEND, 0, 0);
        return engine.msgFrom.length + engine.nBuf - 1;
      },
      reply(message: unknown): number {
        check('reply');
        buffer(ctx.sender, message, V_SEND, 0, 0);
        return engine.msgFrom.length + engine.nBuf - 1;
      },
      ask(to: string, message: unknown, timeoutMs: number): number {
        check('ask');
        ref('ask', to);
        if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || timeoutMs > 10_000_000) {
          throw new Error(`ctx.ask: the timeout must be a number of milliseconds greater than 0, but it is ${describeValue(timeoutMs)}.`);
        }
        const ask = engine.askAsker.length;
        engine.askAsker.push(engine.current);
        engine.askPending.push(0); // pending from when the ask leaves (flush)
        const k = buffer(to, message, V_ASK, 0, timeoutMs);
        engine.bufAsk[k] = ask;
        return ask;
      },
      sendAfter(delayMs: number, to: string, message: unknown): number {
        check('sendAfter');
        if (typeof delayMs !== 'number' || !(delayMs >= 0) || delayMs > 10_000_000) {
          throw new Error(`ctx.sendAfter: the delay must be a number of milliseconds (0 or more), but it is ${describeValue(delayMs)}.`);
        }
        buffer(ref('sendAfter', to), message, V_TIMER, delayMs, 0);
        return engine.msgFrom.length + engine.nBuf - 1;
      },
      spawn(name: string, spec: unknown): string {
        check('spawn');
        const problem = nameProblem(name);
        if (problem) throw new Error(`ctx.spawn: the name ${problem}.`);
        let checked: CheckedBehaviour;
        try {
          checked = checkBehaviour('spawn spec', spec);
        } catch (e) {
          throw new Error(`ctx.spawn("${name}"): ${(e as Error).message}`);
        }
        if (engine.actors.length >= 5_000) throw new Error('ctx.spawn: the lab allows at most 5,000 actors.');
        let unique = name;
        for (let k = 2; engine.byName.has(unique); k++) unique = `${name}-${k}`;
        const before = engine.actors.length;
        if (!engine.spawn(unique, engine.current, checked)) engine.spawnFailures.push(before);
        return unique;
      },
      become(behaviour: Behaviour): void {
        check('become');
        if (typeof behaviour !== 'function') throw new Error(`ctx.become needs a function (message, ctx) => ..., but it got ${describeValue(behaviour)}.`);
        engine.becomeTo = behaviour;
      },
      stop(name?: string): void {
        check('stop');
        if (name === undefined || name === ctx.self) {
          engine.stopReq.push(engine.current);
          return;
        }
        const i = engine.byName.get(name);
        let p = i === undefined ? -1 : engine.actors[i].parent;
        while (p >= 0 && p !== engine.current) p = engine.actors[p].parent;
        if (i === undefined || p !== engine.current) throw new Error(`ctx.stop("${name}"): an actor can stop only itself and its own descendants.`);
        engine.stopReq.push(i);
      },
      random(): number {
        return engine.rng.next();
      },
      log(...values: unknown[]): void {
        check('log');
        if (engine.recording) engine.emit({ kind: 'log', actor: ctx.self, text: logText(values) });
        else engine.skip();
      },
    };
    return ctx;
  }

  /* ---------------- actors ---------------- */

  /** Creates an actor with fresh state. Returns false when its init() threw (the crash is recorded). */
  spawn(name: string, parent: number, spec: CheckedBehaviour): boolean {
    const i = this.actors.length;
    const a = new ActorRec(i, name, parent, spec);
    this.actors.push(a);
    this.byName.set(name, i);
    if (parent >= 0) this.actors[parent].children.push(i);
    else this.topLevel.push(i);
    if (this.recording) {
      this.emit({
        kind: 'spawn',
        actor: name,
        parent: this.nameOf(parent),
        capacity: spec.capacity,
        overflow: spec.overflow,
        strategy: spec.supervise.strategy,
        serviceMs: spec.serviceMs,
      });
    } else this.skip();
    const failure = this.initState(a);
    if (failure !== null) this.initCrash(a, failure);
    return failure === null;
  }

  /** Fresh state from init(); returns what init threw, or null. */
  initState(a: ActorRec): { error: unknown } | null {
    if (!a.spec.init) {
      a.state = undefined;
      return null;
    }
    try {
      a.state = a.spec.init();
      return null;
    } catch (error) {
      this.budgetCheck(error);
      a.state = undefined;
      return { error };
    }
  }

  initCrash(a: ActorRec, failure: { error: unknown }): void {
    a.crashes++;
    if (this.recording) {
      this.emit({ kind: 'crash', msg: -1, actor: a.name, error: `init failed: ${errorText(failure.error)}`, line: this.options.locate?.(failure.error) ?? null, injected: false });
    } else this.skip();
  }

  budgetCheck(e: unknown): void {
    if (this.options.isBudgetError?.(e)) throw new Halt(this.options.stopMessage ?? 'The run was stopped: it used up its real-time budget.');
  }

  sup(s: number): Supervision {
    return s >= 0 ? this.actors[s].spec.supervise : this.cfg.guardian;
  }

  /** Actor `c` failed (its crash is recorded): its supervisor decides. */
  failActor(c: number): void {
    const s = this.actors[c].parent;
    const sup = this.sup(s);
    let times = s >= 0 ? this.actors[s].restartTimes : this.guardianTimes;
    const from = this.now - sup.withinMs;
    if (times.length > 0 && times[0] <= from) times = times.filter((t) => t > from);
    times.push(this.now);
    if (s >= 0) this.actors[s].restartTimes = times;
    else this.guardianTimes = times;
    if (times.length > sup.maxRestarts) {
      this.escalations++;
      const supName = s >= 0 ? this.actors[s].name : 'system';
      if (this.recording) this.emit({ kind: 'escalate', actor: supName, restarts: times.length - 1, withinMs: sup.withinMs });
      else this.skip();
      if (s < 0) {
        this.shutdown();
        return;
      }
      const S = this.actors[s];
      if (S.status === STOPPED) return;
      S.crashes++;
      if (this.recording) {
        const error = `gave up: "${this.actors[c].name}" failed more than ${sup.maxRestarts} ${sup.maxRestarts === 1 ? 'time' : 'times'} within ${sup.withinMs} ms`;
        this.emit({ kind: 'crash', msg: -1, actor: S.name, error, line: null, injected: false });
      } else this.skip();
      this.failActor(s);
      return;
    }
    if (sup.strategy === 'one-for-one') {
      this.restart(c, s);
    } else {
      const siblings = s >= 0 ? this.actors[s].children : this.topLevel;
      for (const x of siblings.slice()) this.restart(x, s);
    }
  }

  restart(x: number, s: number): void {
    const a = this.actors[x];
    if (a.status === STOPPED) return;
    let interrupted = -1;
    if (a.status === BUSY) {
      interrupted = a.cur;
      this.crashed++;
      a.cur = -1;
      a.ticket = -1;
      a.status = IDLE;
      this.releaseThread(a);
    }
    a.restarts++;
    a.behaviour = a.spec.receive;
    a.restartTimes = [];
    const failure = this.initState(a);
    if (this.recording) {
      this.emit({ kind: 'restart', actor: a.name, supervisor: s >= 0 ? this.actors[s].name : 'system', interrupted, state: stateText(a.state) });
    } else this.skip();
    for (const child of a.children.slice()) this.restart(child, x);
    if (failure !== null) {
      this.initCrash(a, failure);
      this.failActor(x);
      return;
    }
    this.makeRunnable(a);
  }

  stop(x: number, reason: StopReason): void {
    const a = this.actors[x];
    if (a.status === STOPPED) return;
    let interrupted = -1;
    if (a.status === BUSY) {
      interrupted = a.cur;
      this.crashed++;
      a.cur = -1;
      a.ticket = -1;
    }
    this.releaseThread(a);
    a.status = STOPPED;
    const drained = a.mailbox.toArray();
    while (a.mailbox.length > 0) {
      const m = a.mailbox.shift();
      if (this.msgReserved[m]) a.reserved--;
      this.dead++;
    }
    if (this.recording) this.emit({ kind: 'stop', actor: a.name, reason, interrupted, drained });
    else this.skip();
    // Messages waiting at this door can never get in.
    while (a.waiters.length > 0) {
      const m = a.waiters.shift();
      this.deadLetter(m, 'stopped');
      const h = this.holder(m);
      if (h >= 0) {
        this.actors[h].outbox.shift();
        this.pumpOutbox(h);
      } else this.outsideHeld--;
    }
    for (const child of a.children.slice()) this.stop(child, 'parent');
  }

  shutdown(): void {
    this.systemStopped = true;
    for (const x of this.topLevel.slice()) this.stop(x, 'system');
  }

  /* ---------------- threads and dispatch ---------------- */

  releaseThread(a: ActorRec): void {
    if (a.thread >= 0) {
      this.threadBusy[a.thread] = 0;
      this.freeThreads++;
      a.thread = -1;
    }
  }

  makeRunnable(a: ActorRec): void {
    if (a.status === IDLE && a.mailbox.length > 0 && !a.inRunQ) {
      a.inRunQ = true;
      this.runQ.push(a.index);
    }
  }

  dispatch(): void {
    while (this.runQ.length > 0) {
      if (this.threads !== null && this.freeThreads === 0) return;
      const i = this.runQ.shift();
      const a = this.actors[i];
      a.inRunQ = false;
      if (a.status !== IDLE || a.mailbox.length === 0) continue;
      this.start(a);
    }
  }

  start(a: ActorRec): void {
    const m = a.mailbox.shift();
    if (this.msgReserved[m]) {
      a.reserved--;
      this.msgReserved[m] = 0;
    }
    a.status = BUSY;
    a.cur = m;
    if (this.threads !== null) {
      let k = 0;
      while (this.threadBusy[k]) k++;
      this.threadBusy[k] = 1;
      this.freeThreads--;
      a.thread = k;
    }
    const ticket = this.ticketActor.length;
    this.ticketActor.push(a.index);
    a.ticket = ticket;
    if (this.recording) this.emit({ kind: 'start', msg: m, actor: a.name, thread: a.thread });
    else this.skip();
    this.agenda.push(this.now + a.spec.serviceMs, K_DONE + 4 * ticket);
    this.wake(a);
  }

  /* ---------------- sending ---------------- */

  newMessage(from: number, to: number, via: number, payload: unknown, ask: number): number {
    const m = this.msgFrom.length;
    this.msgFrom.push(from);
    this.msgTo.push(to);
    this.msgVia.push(via);
    this.msgAsk.push(ask);
    this.msgPayload.push(payload);
    this.msgReserved.push(0);
    this.msgTimer.push(via === V_TIMER ? 1 : 0);
    this.sent++;
    return m;
  }

  /** Resolves a reference to an actor index; records unknown names. Sets `ask` for ask#n refs. */
  resolve(ref: unknown): { to: number; answers: number; unknown: string | null } {
    if (typeof ref === 'string') {
      const i = this.byName.get(ref);
      if (i !== undefined) return { to: i, answers: -1, unknown: null };
      const ask = /^ask#(\d+)$/.exec(ref);
      if (ask) {
        const n = Number(ask[1]);
        if (n < this.askAsker.length) return { to: this.askAsker[n], answers: n, unknown: null };
      }
      return { to: -1, answers: -1, unknown: ref };
    }
    return { to: -1, answers: -1, unknown: ref === null || ref === undefined ? '(no sender)' : String(ref) };
  }

  /** Does message m have to wait for room in its target's mailbox? */
  needsRoom(m: number): boolean {
    const to = this.msgTo[m];
    if (to < 0) return false;
    const a = this.actors[to];
    return a.status !== STOPPED && a.spec.overflow === 'block' && a.spec.capacity !== Infinity && (a.reserved >= a.spec.capacity || a.waiters.length > 0);
  }

  reserve(m: number): void {
    const to = this.msgTo[m];
    if (to < 0) return;
    const a = this.actors[to];
    if (a.status !== STOPPED && a.spec.overflow === 'block' && a.spec.capacity !== Infinity) {
      a.reserved++;
      this.msgReserved[m] = 1;
    }
  }

  /** Who holds a held message: its sending actor, or -1 for outside (outside messages, timers, timeouts). */
  holder(m: number): number {
    const via = this.msgVia[m];
    return via === V_TIMER || via === V_OUTSIDE || via === V_TIMEOUT || this.msgFrom[m] < 0 ? -1 : this.msgFrom[m];
  }

  /** A message from outside (injection, timeout): delivered now, or held at the door. */
  sendFromOutside(to: number, unknown: string | null, via: number, payload: unknown): void {
    const m = this.newMessage(-1, to, via, payload, -1);
    if (unknown !== null) this.msgUnknownName.set(m, unknown);
    const held = this.needsRoom(m);
    if (this.recording) {
      this.emit({ kind: 'send', msg: m, from: null, to: this.toName(m), label: this.label(m), arrive: held ? NaN : this.now, via: VIA_CODES[via] });
    } else this.skip();
    if (held) {
      this.actors[to].waiters.push(m);
      this.outsideHeld++;
      return;
    }
    this.reserve(m);
    this.inFlight++;
    this.deliver(m);
  }

  /** Sends buffered by the behaviour that just ran on actor `a`, in call order. */
  flushSends(a: ActorRec): void {
    const n = this.nBuf;
    this.nBuf = 0;
    for (let k = 0; k < n; k++) {
      const via = this.bufVia[k];
      const target = this.resolve(this.bufTo[k]);
      let payload = this.bufPayload[k];
      this.bufPayload[k] = undefined;
      this.bufTo[k] = undefined;
      let v = via;
      let ask = -1;
      if (target.answers >= 0) {
        if (via !== V_TIMER) v = V_REPLY;
        ask = target.answers;
        payload = { type: 'reply', ask, value: payload };
      } else if (via === V_ASK) {
        ask = this.bufAsk[k];
      }
      const m = this.newMessage(a.index, target.to, v, payload, ask);
      if (target.unknown !== null) this.msgUnknownName.set(m, target.unknown);
      if (via === V_ASK) {
        this.askPending[ask] = 1;
        this.agenda.push(this.now + this.bufTimeout[k], K_TIMEOUT + 4 * ask);
      }
      if (v === V_TIMER) {
        const arrive = this.now + this.bufDelay[k];
        if (this.recording) this.emit({ kind: 'send', msg: m, from: a.name, to: this.toName(m), label: this.label(m), arrive, via: 'timer' });
        else this.skip();
        this.inFlight++;
        this.agenda.push(arrive, K_DELIVER + 4 * m);
        continue;
      }
      const held = a.outbox.length > 0 || this.needsRoom(m);
      const arrive = held ? NaN : this.now + this.cfg.latencyMs;
      if (this.recording) this.emit({ kind: 'send', msg: m, from: a.name, to: this.toName(m), label: this.label(m), arrive, via: VIA_CODES[v] });
      else this.skip();
      if (held) {
        if (a.outbox.length === 0) this.actors[this.msgTo[m]].waiters.push(m);
        a.outbox.push(m);
      } else {
        this.reserve(m);
        this.inFlight++;
        this.agenda.push(arrive, K_DELIVER + 4 * m);
      }
    }
  }

  /** Lets in the messages held by actor h, in order, until one has to wait; true when none is left. */
  pumpOutbox(h: number): boolean {
    const a = this.actors[h];
    while (a.outbox.length > 0) {
      const m = a.outbox.peek();
      if (this.needsRoom(m)) {
        const target = this.actors[this.msgTo[m]];
        // Register as the waiter for its target, unless it already is (it was the head before).
        if (!this.isWaiting(target, m)) target.waiters.push(m);
        return false;
      }
      a.outbox.shift();
      this.admit(m, h);
    }
    if (a.status === BLOCKED) {
      a.status = IDLE;
      if (this.recording) this.emit({ kind: 'unblock', actor: a.name });
      else this.skip();
      this.releaseThread(a);
      this.makeRunnable(a);
    }
    return true;
  }

  isWaiting(target: ActorRec, m: number): boolean {
    const list = target.waiters.toArray();
    return list.includes(m);
  }

  /** A held message gets its slot: it starts travelling (from an actor) or goes in now (outside). */
  admit(m: number, h: number): void {
    this.reserve(m);
    this.inFlight++;
    const arrive = h >= 0 ? this.now + this.cfg.latencyMs : this.now;
    if (this.recording) this.emit({ kind: 'admit', msg: m, from: this.nameOf(this.msgFrom[m]), to: this.toName(m), arrive });
    else this.skip();
    if (h >= 0) this.agenda.push(arrive, K_DELIVER + 4 * m);
    else this.deliver(m);
  }

  /** A slot may have freed in a's mailbox: let waiting messages in, in order. */
  wake(a: ActorRec): void {
    while (a.waiters.length > 0 && a.status !== STOPPED && a.reserved < a.spec.capacity) {
      const m = a.waiters.shift();
      const h = this.holder(m);
      if (h < 0) {
        this.outsideHeld--;
        this.admit(m, -1);
      } else {
        this.actors[h].outbox.shift();
        this.admit(m, h);
        this.pumpOutbox(h);
      }
    }
  }

  deadLetter(m: number, reason: DeadReason): void {
    this.dead++;
    if (this.recording) this.emit({ kind: 'dead', msg: m, to: this.toName(m), reason });
    else this.skip();
  }

  /** Message m reaches its target's mailbox (it was in flight). */
  deliver(m: number): void {
    this.inFlight--;
    const to = this.msgTo[m];
    if (this.isAnswer(m)) {
      const ask = this.msgAsk[m];
      if (this.askPending[ask] !== 1) {
        if (this.msgReserved[m]) this.actors[to].reserved--;
        this.asksLate++;
        this.deadLetter(m, 'ask-expired');
        return;
      }
      this.askPending[ask] = 2;
      this.asksAnswered++;
    }
    if (to < 0) {
      this.deadLetter(m, this.msgUnknownName.get(m) === '(no sender)' ? 'no-sender' : 'unknown');
      return;
    }
    const a = this.actors[to];
    if (a.status === STOPPED) {
      if (this.msgReserved[m]) {
        a.reserved--;
        this.msgReserved[m] = 0;
      }
      this.deadLetter(m, 'stopped');
      return;
    }
    if (a.mailbox.length >= a.spec.capacity) {
      // Only drop policies get here: a block mailbox reserved a slot for m.
      if (a.spec.overflow === 'drop-oldest') {
        const old = a.mailbox.shift();
        this.dropped++;
        a.dropped++;
        if (this.recording) this.emit({ kind: 'drop', msg: old, to: a.name, policy: 'drop-oldest' });
        else this.skip();
      } else {
        this.dropped++;
        a.dropped++;
        if (this.recording) this.emit({ kind: 'drop', msg: m, to: a.name, policy: 'drop-newest' });
        else this.skip();
        return;
      }
    }
    a.mailbox.push(m);
    if (a.mailbox.length > a.maxDepth) a.maxDepth = a.mailbox.length;
    if (this.recording) this.emit({ kind: 'deliver', msg: m, to: a.name, depth: a.mailbox.length });
    else this.skip();
    this.makeRunnable(a);
  }

  /** A timer message arrives: it goes in, or waits at a full block mailbox's door. */
  arriveTimer(m: number): void {
    this.msgTimer[m] = 0;
    if (this.needsRoom(m)) {
      this.inFlight--;
      const target = this.actors[this.msgTo[m]];
      target.waiters.push(m);
      this.outsideHeld++;
      if (this.recording) this.emit({ kind: 'hold', msg: m, to: target.name });
      else this.skip();
      return;
    }
    this.reserve(m);
    this.deliver(m);
  }

  /* ---------------- handling a message ---------------- */

  finish(ticket: number): void {
    const i = this.ticketActor[ticket];
    const a = this.actors[i];
    if (a.ticket !== ticket || a.status !== BUSY) return;
    const m = a.cur;
    a.ticket = -1;
    a.handled++;
    const f = a.spec.faults;
    let injected = false;
    if (f.every > 0 && a.handled % f.every === 0) injected = true;
    else if (f.rate > 0 && this.rng.next() < f.rate) injected = true;
    let failed = injected;
    let error: unknown;
    this.nBuf = 0;
    this.becomeTo = null;
    this.stopReq.length = 0;
    this.spawnFailures.length = 0;
    if (!injected) {
      const ctx = this.ctx as { self: string; sender: string | null; now: number; state: unknown };
      ctx.self = a.name;
      const from = this.msgFrom[m];
      const via = this.msgVia[m];
      ctx.sender = via === V_ASK ? `ask#${this.msgAsk[m]}` : from >= 0 && via !== V_TIMEOUT ? this.actors[from].name : null;
      ctx.now = this.now;
      ctx.state = a.state;
      this.current = i;
      this.curMsg = m;
      this.inReceive = true;
      try {
        const ret = a.behaviour(this.msgPayload[m], this.ctx) as unknown;
        if (ret !== null && typeof ret === 'object' && typeof (ret as { then?: unknown }).then === 'function') {
          (ret as Promise<unknown>).then(undefined, () => {}); // its later failure is not ours to report
          throw new Error(ASYNC_RECEIVE);
        }
      } catch (e) {
        failed = true;
        error = e;
      }
      this.inReceive = false;
      a.state = ctx.state;
      if (failed) this.budgetCheck(error);
    }
    a.cur = -1;
    a.status = IDLE;
    if (failed) {
      this.crashed++;
      a.crashes++;
      if (this.recording) {
        this.emit({
          kind: 'crash',
          msg: m,
          actor: a.name,
          error: injected ? 'injected fault' : errorText(error),
          line: injected ? null : (this.options.locate?.(error) ?? null),
          injected,
        });
      } else this.skip();
    } else {
      this.processed++;
      a.processed++;
      const became = this.becomeTo as Behaviour | null;
      if (became) a.behaviour = became;
      if (this.recording) {
        this.emit({ kind: 'done', msg: m, actor: a.name, state: stateText(a.state), became: became ? became.name || 'anonymous' : null });
      } else this.skip();
    }
    this.msgPayload[m] = undefined; // handled: let it be collected
    this.flushSends(a);
    if (a.outbox.length > 0) {
      a.status = BLOCKED;
      if (this.recording) {
        const head = a.outbox.peek();
        this.emit({ kind: 'block', actor: a.name, msg: head, to: this.toName(head) });
      } else this.skip();
    } else {
      this.releaseThread(a);
    }
    const spawned = this.spawnFailures.slice();
    this.spawnFailures.length = 0;
    for (const x of spawned) this.failActor(x);
    if (failed) {
      this.failActor(i);
    } else {
      const stops = this.stopReq.slice();
      for (const x of stops) this.stop(x, 'self');
    }
    this.makeRunnable(a);
    this.checkWatches();
  }

  checkWatches(): void {
    const ws = this.cfg.watches;
    for (let k = 0; k < ws.length; k++) {
      let v: string;
      try {
        v = messageLabel(ws[k].get());
      } catch (e) {
        this.budgetCheck(e);
        v = `(error: ${errorText(e)})`;
      }
      if (v !== this.lastWatch[k]) {
        this.lastWatch[k] = v;
        if (this.recording) this.emit({ kind: 'watch', name: ws[k].name, value: v });
        else this.skip();
      }
    }
  }

  timeout(ask: number): void {
    if (this.askPending[ask] !== 1) return;
    this.askPending[ask] = 3;
    this.asksTimedOut++;
    const asker = this.askAsker[ask];
    if (this.recording) this.emit({ kind: 'timeout', ask, actor: this.actors[asker].name });
    else this.skip();
    this.sendFromOutside(asker, null, V_TIMEOUT, { type: 'timeout', ask });
  }

  inject(k: number): void {
    const s = this.cfg.sends[k];
    const target = this.resolve(s.to);
    this.sendFromOutside(target.to, target.unknown, V_OUTSIDE, s.message);
    this.injected[k]++;
    if (this.injected[k] < s.count) this.agenda.push(s.at + this.injected[k] * s.everyMs, K_INJECT + 4 * k); // no drift
  }

  /* ---------------- the loop ---------------- */

  run(): ActorRun {
    const cfg = this.cfg;
    let halt: string | null = null;
    try {
      for (const spec of cfg.actors) {
        const parent = spec.parent === null ? -1 : (this.byName.get(spec.parent) as number);
        const i = this.actors.length;
        if (!this.spawn(spec.name, parent, spec)) this.failActor(i);
      }
      cfg.sends.forEach((s, k) => this.agenda.push(s.at, K_INJECT + 4 * k));
      this.checkWatches();
      this.dispatch();
      let polls = 0;
      const agenda = this.agenda;
      while (agenda.size > 0) {
        const t = agenda.peekTime();
        if (t > cfg.untilMs) {
          halt = `The run stops at t = ${formatCount(cfg.untilMs)} ms, where its simulated time ends; messages still on their way stay in flight.`;
          break;
        }
        if (this.sent >= cfg.maxMessages) {
          halt = `The run stops after ${formatCount(cfg.maxMessages)} messages, the most it may send.`;
          break;
        }
        const item = agenda.pop() as number;
        this.now = t;
        const kind = item & 3;
        const id = (item - kind) / 4;
        if (kind === K_DELIVER) {
          if (this.msgTimer[id] === 1) this.arriveTimer(id);
          else this.deliver(id);
        } else if (kind === K_DONE) {
          this.finish(id);
          if (++polls === 1024) {
            polls = 0;
            // Between messages no behaviour is running: the system is long, not stuck in a loop, so
            // this stop does not ask about one (the loop guard's stopMessage does).
            if (this.options.shouldStop?.()) throw new Halt(longRunMessage(this.sent));
          }
        } else if (kind === K_TIMEOUT) {
          this.timeout(id);
        } else {
          this.inject(id);
        }
        this.dispatch();
      }
    } catch (e) {
      if (e instanceof Halt) {
        this.error = e.message;
        this.inReceive = false;
      } else if (e instanceof ConfigError) {
        throw e;
      } else {
        throw e;
      }
    }
    if (halt !== null || this.error) {
      const reason = this.error ?? (halt as string);
      if (this.recording) this.emit({ kind: 'halt', reason });
      else this.skip();
    }
    return this.result(halt);
  }

  ledger(): Ledger {
    let processing = 0;
    let queued = 0;
    let held = this.outsideHeld;
    for (const a of this.actors) {
      if (a.status === BUSY) processing++;
      queued += a.mailbox.length;
      held += a.outbox.length;
    }
    return {
      sent: this.sent,
      processed: this.processed,
      crashed: this.crashed,
      processing,
      queued,
      inFlight: this.inFlight,
      held,
      dropped: this.dropped,
      dead: this.dead,
    };
  }

  result(halt: string | null): ActorRun {
    const endT = this.now;
    const watches: Record<string, string> = {};
    this.cfg.watches.forEach((w, k) => (watches[w.name] = this.lastWatch[k]));
    const metrics: ActorMetrics = {
      endT,
      ledger: this.ledger(),
      actors: this.actors.map((a) => ({
        name: a.name,
        parent: this.nameOf(a.parent),
        processed: a.processed,
        crashes: a.crashes,
        restarts: a.restarts,
        dropped: a.dropped,
        maxDepth: a.maxDepth,
        capacity: a.spec.capacity,
        stopped: a.status === STOPPED,
        state: stateText(a.state),
      })),
      throughput: endT > 0 ? ((this.processed + this.crashed) / endT) * 1000 : 0,
      asks: { sent: this.askAsker.length, answered: this.asksAnswered, timedOut: this.asksTimedOut, late: this.asksLate },
      escalations: this.escalations,
      systemStopped: this.systemStopped,
      watches,
      events: this.rec.emitted,
    };
    const run: ActorRun = {
      trace: this.rec.events,
      metrics,
      truncated: this.rec.truncated || this.error !== undefined,
      seed: this.seed,
      settings: { threads: this.cfg.threads, latencyMs: this.cfg.latencyMs, untilMs: this.cfg.untilMs, guardian: { ...this.cfg.guardian } },
    };
    if (this.error) run.error = { message: this.error };
    void halt;
    return run;
  }
}
