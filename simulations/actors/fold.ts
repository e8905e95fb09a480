/**
 * State of an actor run at step i, for the lab's graph, mailboxes, supervision tree, ledger and
 * step back.
 *
 * Step i is the state after trace events 0..i-1. One pass over the trace builds what never
 * changes (the actors ever spawned, every message's sender, target, label and travel times, the
 * links that carry messages, the log lines); the folded state (core/fold, a snapshot every 256
 * events) holds what does: each actor's status, mailbox and counters, and where every message that
 * is still alive is (travelling, held, queued, being handled).
 *
 * The ledger at a step is counted from those structures, not from running totals of the engine:
 * sent = processed + crashed + processing + queued + inFlight + held + dropped + dead is a check.
 */
import { createFold, type Fold } from '../core/fold';
import type { ActorEvent, Ledger, MessageVia, Overflow, Strategy } from './types';

export type ActorStatus = 'idle' | 'busy' | 'blocked' | 'stopped' | 'unborn';

export interface MessageInfo {
  id: number;
  from: string | null;
  to: string;
  label: string;
  via: MessageVia;
  /** Time it was sent. */
  sent: number;
  /** Time it set off (sent, or admitted after being held); NaN while held. */
  departed: number;
  /** Time it reaches the mailbox (NaN while held). */
  arrive: number;
}

export interface ActorInfo {
  name: string;
  parent: string | null;
  /** Spawn order (0-based): also the index into `ActorsState.actors`. */
  index: number;
  capacity: number;
  overflow: Overflow;
  strategy: Strategy;
  serviceMs: number;
  /** Step at which it was spawned (its spawn event's index). */
  spawnStep: number;
}

export interface ActorView extends ActorInfo {
  status: ActorStatus;
  /** The message being handled, or -1. */
  current: number;
  /** When the message being handled was taken from the mailbox (NaN when idle). */
  busySince: number;
  /** Message ids in the mailbox, front first. */
  mailbox: number[];
  /** Messages this actor sent that wait for room in a full `block` mailbox. */
  holding: number;
  /** Messages waiting at this mailbox's door for room (from blocked senders, timers, outside). */
  atDoor: number;
  state: string;
  /** Name of the behaviour set by `become`, or null for the original one. */
  behaviour: string | null;
  thread: number;
  processed: number;
  crashes: number;
  restarts: number;
  dropped: number;
  /** The latest crash so far: step index of the event, error text, learner line. */
  lastCrash: { step: number; error: string; line: number | null } | null;
  lastRestartStep: number;
}

export interface ActorsState {
  step: number;
  t: number;
  actors: ActorView[];
  /** Messages travelling now (including timers). */
  inFlight: number[];
  ledger: Ledger;
  /** The last few dead letters, newest last. */
  deadLetters: number[];
  watches: { name: string; value: string }[];
  /** Log lines so far. */
  logCount: number;
  systemStopped: boolean;
}

export interface LogLine {
  step: number;
  t: number;
  actor: string;
  text: string;
}

export interface ActorsFold {
  readonly length: number;
  readonly actors: ActorInfo[];
  /** Message details by id (sparse when the trace is capped). */
  readonly messages: MessageInfo[];
  /** Pairs of actors that exchange messages, each once (from, to), in first-use order. */
  readonly links: { from: string; to: string; count: number }[];
  readonly logs: LogLine[];
  readonly watchNames: string[];
  at(i: number): ActorsState;
  /** Index of an actor by name (-1 when unknown). */
  indexOf(name: string): number;
}

const LOC_FLIGHT = 1;
const LOC_HELD = 2;
const LOC_QUEUED = 3;
/** Being handled: counted through the actors (`cur`), so the ledger checks the two agree. */
const LOC_BUSY = 4;

const ST_IDLE = 1;
const ST_BUSY = 2;
const ST_BLOCKED = 3;
const ST_STOPPED = 4;
/** By status code: 0 is an actor not spawned yet at this step (every Uint8Array starts at 0). */
const STATUS: ActorStatus[] = ['unborn', 'idle', 'busy', 'blocked', 'stopped'];

const DEAD_KEPT = 6;

interface Compact {
  t: number;
  status: Uint8Array;
  cur: Int32Array;
  since: Float64Array;
  thread: Int32Array;
  mailboxes: number[][];
  state: string[];
  behaviour: (string | null)[];
  processed: Int32Array;
  crashes: Int32Array;
  restarts: Int32Array;
  dropped: Int32Array;
  lastCrash: Int32Array;
  lastRestart: Int32Array;
  loc: Map<number, number>;
  sent: number;
  done: number;
  crashed: number;
  droppedAll: number;
  dead: number;
  deadIds: number[];
  watches: string[];
  logs: number;
  systemStopped: boolean;
}

/** Builds the step-i view of a run. Cost: one pass over the trace. */
export function actorsFold(run: { trace: ActorEvent[] }, every?: number): ActorsFold {
  const trace = run.trace;
  const actors: ActorInfo[] = [];
  const index = new Map<string, number>();
  const messages: MessageInfo[] = [];
  const linkIndex = new Map<string, number>();
  const links: { from: string; to: string; count: number }[] = [];
  const logs: LogLine[] = [];
  const watchNames: string[] = [];
  const watchIndex = new Map<string, number>();
  const crashInfo = new Map<number, { error: string; line: number | null }>();

  for (let j = 0; j < trace.length; j++) {
    const e = trace[j];
    switch (e.kind) {
      case 'spawn':
        index.set(e.actor, actors.length);
        actors.push({
          name: e.actor,
          parent: e.parent,
          index: actors.length,
          capacity: e.capacity ?? Infinity,
          overflow: e.overflow,
          strategy: e.strategy,
          serviceMs: e.serviceMs,
          spawnStep: j,
        });
        break;
      case 'send': {
        messages[e.msg] = { id: e.msg, from: e.from, to: e.to, label: e.label, via: e.via, sent: e.t, departed: Number.isNaN(e.arrive) ? NaN : e.t, arrive: e.arrive };
        if (e.from !== null && e.via !== 'timeout') {
          const key = `${e.from}\u0000${e.to}`;
          const k = linkIndex.get(key);
          if (k === undefined) {
            linkIndex.set(key, links.length);
            links.push({ from: e.from, to: e.to, count: 1 });
          } else links[k].count++;
        }
        break;
      }
      case 'admit': {
        const m = messages[e.msg];
        if (m) {
          m.departed = e.t;
          m.arrive = e.arrive;
        }
        break;
      }
      case 'log':
        logs.push({ step: j, t: e.t, actor: e.actor, text: e.text });
        break;
      case 'watch':
        if (!watchIndex.has(e.name)) {
          watchIndex.set(e.name, watchNames.length);
          watchNames.push(e.name);
        }
        break;
      case 'crash':
        crashInfo.set(j, { error: e.error, line: e.line });
        break;
    }
  }
  const n = actors.length;
  const W = watchNames.length;
  const idx = (name: string) => index.get(name) ?? -1;

  const fold: Fold<Compact> = createFold<ActorEvent, Compact>(
    trace,
    {
      init: () => ({
        t: 0,
        status: new Uint8Array(n),
        cur: new Int32Array(n).fill(-1),
        since: new Float64Array(n).fill(NaN),
        thread: new Int32Array(n).fill(-1),
        mailboxes: actors.map(() => []),
        state: actors.map(() => ''),
        behaviour: actors.map(() => null),
        processed: new Int32Array(n),
        crashes: new Int32Array(n),
        restarts: new Int32Array(n),
        dropped: new Int32Array(n),
        lastCrash: new Int32Array(n).fill(-1),
        lastRestart: new Int32Array(n).fill(-1),
        loc: new Map(),
        sent: 0,
        done: 0,
        crashed: 0,
        droppedAll: 0,
        dead: 0,
        deadIds: [],
        watches: new Array<string>(W).fill(''),
        logs: 0,
        systemStopped: false,
      }),
      clone: (s) => ({
        ...s,
        status: s.status.slice(),
        cur: s.cur.slice(),
        since: s.since.slice(),
        thread: s.thread.slice(),
        mailboxes: s.mailboxes.map((m) => m.slice()),
        state: s.state.slice(),
        behaviour: s.behaviour.slice(),
        processed: s.processed.slice(),
        crashes: s.crashes.slice(),
        restarts: s.restarts.slice(),
        dropped: s.dropped.slice(),
        lastCrash: s.lastCrash.slice(),
        lastRestart: s.lastRestart.slice(),
        loc: new Map(s.loc),
        deadIds: s.deadIds.slice(),
        watches: s.watches.slice(),
      }),
      apply: (s, e, j) => {
        s.t = e.t;
        switch (e.kind) {
          case 'spawn':
            s.status[idx(e.actor)] = ST_IDLE;
            break;
          case 'send':
            s.sent++;
            s.loc.set(e.msg, Number.isNaN(e.arrive) ? LOC_HELD : LOC_FLIGHT);
            break;
          case 'admit':
            s.loc.set(e.msg, LOC_FLIGHT);
            break;
          case 'hold':
            s.loc.set(e.msg, LOC_HELD);
            break;
          case 'deliver': {
            s.loc.set(e.msg, LOC_QUEUED);
            s.mailboxes[idx(e.to)].push(e.msg);
            break;
          }
          case 'drop': {
            const a = idx(e.to);
            if (e.policy === 'drop-oldest') removeFrom(s.mailboxes[a], e.msg);
            s.loc.delete(e.msg);
            s.droppedAll++;
            s.dropped[a]++;
            break;
          }
          case 'dead':
            s.loc.delete(e.msg);
            s.dead++;
            s.deadIds.push(e.msg);
            if (s.deadIds.length > DEAD_KEPT) s.deadIds.shift();
            break;
          case 'start': {
            const a = idx(e.actor);
            removeFrom(s.mailboxes[a], e.msg);
            s.loc.set(e.msg, LOC_BUSY);
            s.status[a] = ST_BUSY;
            s.cur[a] = e.msg;
            s.since[a] = e.t;
            s.thread[a] = e.thread;
            break;
          }
          case 'done': {
            const a = idx(e.actor);
            s.loc.delete(e.msg);
            s.done++;
            s.processed[a]++;
            s.status[a] = ST_IDLE;
            s.cur[a] = -1;
            s.thread[a] = -1;
            s.state[a] = e.state;
            if (e.became !== null) s.behaviour[a] = e.became;
            break;
          }
          case 'crash': {
            const a = idx(e.actor);
            if (e.msg >= 0) {
              s.loc.delete(e.msg);
              s.crashed++;
              s.cur[a] = -1;
              s.thread[a] = -1;
              if (s.status[a] === ST_BUSY) s.status[a] = ST_IDLE;
            }
            s.crashes[a]++;
            s.lastCrash[a] = j;
            break;
          }
          case 'restart': {
            const a = idx(e.actor);
            if (e.interrupted >= 0) {
              s.loc.delete(e.interrupted);
              s.crashed++;
              s.cur[a] = -1;
              s.thread[a] = -1;
              if (s.status[a] === ST_BUSY) s.status[a] = ST_IDLE;
            }
            s.restarts[a]++;
            s.lastRestart[a] = j;
            s.state[a] = e.state;
            s.behaviour[a] = null;
            break;
          }
          case 'stop': {
            const a = idx(e.actor);
            if (e.interrupted >= 0) {
              s.loc.delete(e.interrupted);
              s.crashed++;
            }
            for (const m of e.drained) {
              s.loc.delete(m);
              s.dead++;
              s.deadIds.push(m);
              if (s.deadIds.length > DEAD_KEPT) s.deadIds.shift();
            }
            s.mailboxes[a] = [];
            s.status[a] = ST_STOPPED;
            s.cur[a] = -1;
            s.thread[a] = -1;
            if (e.reason === 'system') s.systemStopped = true;
            break;
          }
          case 'block':
            s.status[idx(e.actor)] = ST_BLOCKED;
            break;
          case 'unblock': {
            const a = idx(e.actor);
            if (s.status[a] === ST_BLOCKED) s.status[a] = ST_IDLE;
            s.thread[a] = -1;
            break;
          }
          case 'log':
            s.logs++;
            break;
          case 'watch': {
            const k = watchIndex.get(e.name);
            if (k !== undefined) s.watches[k] = e.value;
            break;
          }
          case 'escalate':
          case 'timeout':
          case 'halt':
            break;
        }
      },
    },
    { every },
  );

  return {
    length: trace.length,
    actors,
    messages,
    links,
    logs,
    watchNames,
    indexOf: idx,
    at(i: number): ActorsState {
      const step = Math.max(0, Math.min(trace.length, Number.isFinite(i) ? Math.floor(i) : i > 0 ? trace.length : 0));
      const c = fold.at(step);
      const holding = new Int32Array(n);
      const atDoor = new Int32Array(n);
      const inFlight: number[] = [];
      let held = 0;
      let flying = 0;
      for (const [m, where] of c.loc) {
        if (where === LOC_FLIGHT) {
          flying++;
          inFlight.push(m);
        } else if (where === LOC_HELD) {
          held++;
          const info = messages[m];
          if (info) {
            const to = idx(info.to);
            if (to >= 0) atDoor[to]++;
            const from = info.from === null || info.via === 'timer' || info.via === 'outside' ? -1 : idx(info.from);
            if (from >= 0) holding[from]++;
          }
        }
      }
      inFlight.sort((a, b) => a - b);
      let queued = 0;
      let processing = 0;
      const views: ActorView[] = actors.map((info, a) => {
        queued += c.mailboxes[a].length;
        if (c.cur[a] >= 0) processing++;
        const lc = c.lastCrash[a];
        const crash = lc >= 0 ? crashInfo.get(lc) : undefined;
        return {
          ...info,
          status: STATUS[c.status[a]],
          current: c.cur[a],
          busySince: c.cur[a] >= 0 ? c.since[a] : NaN,
          mailbox: c.mailboxes[a],
          holding: holding[a],
          atDoor: atDoor[a],
          state: c.state[a],
          behaviour: c.behaviour[a],
          thread: c.thread[a],
          processed: c.processed[a],
          crashes: c.crashes[a],
          restarts: c.restarts[a],
          dropped: c.dropped[a],
          lastCrash: crash ? { step: lc, error: crash.error, line: crash.line } : null,
          lastRestartStep: c.lastRestart[a],
        };
      });
      return {
        step,
        t: c.t,
        actors: views,
        inFlight,
        ledger: {
          sent: c.sent,
          processed: c.done,
          crashed: c.crashed,
          processing,
          queued,
          inFlight: flying,
          held,
          dropped: c.droppedAll,
          dead: c.dead,
        },
        deadLetters: c.deadIds,
        watches: watchNames.map((name, k) => ({ name, value: c.watches[k] })),
        logCount: c.logs,
        systemStopped: c.systemStopped,
      };
    },
  };
}

function removeFrom(list: number[], m: number): void {
  if (list[0] === m) list.shift();
  else {
    const k = list.indexOf(m);
    if (k >= 0) list.splice(k, 1);
  }
}

/** The ledger's total: every category but `sent`. Equal to `sent` when the books balance. */
export function ledgerTotal(l: Ledger): number {
  return l.processed + l.crashed + l.processing + l.queued + l.inFlight + l.held + l.dropped + l.dead;
}
