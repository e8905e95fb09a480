/**
 * One plain-English line per step, for the lab's aria-live narration and the presenter view.
 *
 * `narrate(run, fold, i)` describes step i, the state after events 0..i-1: what event i-1 did, at
 * its time. Step 0 describes the starting point; the last step adds the run's outcome.
 */
import { formatCount, formatMs } from '../core/format';
import type { ActorsFold } from './fold';
import type { ActorEvent, ActorRun } from './types';

/** Milliseconds for reading (the site's one rule, #sim/core/format): "12.25", "1,250". */
export { formatMs };

function quote(label: string): string {
  return `“${label}”`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

function msgLabel(fold: ActorsFold, id: number): string {
  const m = fold.messages[id];
  return m ? quote(m.label) : `message #${id}`;
}

function outside(from: string | null): string {
  return from ?? 'outside';
}

/** The sentence for one event (without the time). */
export function describe(e: ActorEvent, fold: ActorsFold): string {
  switch (e.kind) {
    case 'spawn': {
      const box = e.capacity === null || e.capacity === Infinity ? 'an unbounded mailbox' : `a mailbox of ${e.capacity} (${e.overflow} when full)`;
      return e.parent ? `${e.parent} starts ${e.actor}, with ${box}` : `${e.actor} starts, with ${box}`;
    }
    case 'send': {
      const what = quote(e.label);
      const held = Number.isNaN(e.arrive);
      switch (e.via) {
        case 'outside':
          return held
            ? `${what} comes from outside for ${e.to}, whose mailbox is full: it waits at the door`
            : `${what} arrives from outside for ${e.to}`;
        case 'timer':
          return `${e.from} sets a timer: ${what} reaches ${e.to} at t=${formatMs(e.arrive)} ms`;
        case 'timeout':
          return `${e.to} is told its ask timed out`;
        case 'ask':
          return held
            ? `${e.from} asks ${e.to} ${what}, but ${e.to}'s mailbox is full, so ${e.from} holds it and is blocked`
            : `${e.from} asks ${e.to} ${what} and will wait for the reply`;
        case 'reply':
          return `${outside(e.from)} replies ${what} to ${e.to}`;
        default:
          return held
            ? `${e.from} sends ${what} to ${e.to}, but ${e.to}'s mailbox is full: ${e.from} holds the message and is blocked (backpressure)`
            : `${outside(e.from)} sends ${what} to ${e.to}; it arrives at t=${formatMs(e.arrive)} ms`;
      }
    }
    case 'admit':
      return e.from
        ? `a slot frees in ${e.to}'s mailbox: ${e.from}'s ${msgLabel(fold, e.msg)} sets off`
        : `a slot frees in ${e.to}'s mailbox: ${msgLabel(fold, e.msg)} goes in`;
    case 'hold':
      return `${msgLabel(fold, e.msg)} reaches ${e.to}, whose mailbox is full: it waits at the door`;
    case 'deliver':
      return `${msgLabel(fold, e.msg)} reaches ${e.to}'s mailbox (${plural(e.depth, 'message')} waiting)`;
    case 'drop': {
      const info = fold.actors[fold.indexOf(e.to)];
      const cap = info ? info.capacity : NaN;
      return e.policy === 'drop-newest'
        ? `${e.to}'s mailbox is full (${cap}): the arriving ${msgLabel(fold, e.msg)} is dropped (drop-newest)`
        : `${e.to}'s mailbox is full (${cap}): the oldest message, ${msgLabel(fold, e.msg)}, is dropped to make room (drop-oldest)`;
    }
    case 'dead': {
      const why =
        e.reason === 'stopped'
          ? `${e.to} has stopped`
          : e.reason === 'ask-expired'
            ? 'the ask it answers had already timed out'
            : e.reason === 'no-sender'
              ? 'the message it replies to came from outside, so there is no one to reply to'
              : `no actor is called ${quote(e.to)}`;
      return `${msgLabel(fold, e.msg)} is a dead letter: ${why}`;
    }
    case 'start': {
      const info = fold.actors[fold.indexOf(e.actor)];
      const ms = info ? formatMs(info.serviceMs) : '?';
      return `${e.actor} takes ${msgLabel(fold, e.msg)} from its mailbox and works on it for ${ms} ms${e.thread >= 0 ? ` on thread ${e.thread + 1}` : ''}`;
    }
    case 'done':
      return `${e.actor} handled ${msgLabel(fold, e.msg)}${e.state ? `; its state is now ${e.state}` : ''}${e.became ? `; it becomes ${e.became}` : ''}`;
    case 'crash': {
      const where = e.line !== null ? ` (line ${e.line})` : '';
      if (e.msg < 0) return `✕ ${e.actor} fails: ${e.error}${where}`;
      return e.injected
        ? `✕ ${e.actor} crashes handling ${msgLabel(fold, e.msg)} (an injected fault)`
        : `✕ ${e.actor} crashes handling ${msgLabel(fold, e.msg)}: ${e.error}${where}`;
    }
    case 'restart': {
      const cut = e.interrupted >= 0 ? `, cutting short ${msgLabel(fold, e.interrupted)}` : '';
      const fresh = e.state ? ` with fresh state ${e.state}` : ' with fresh state';
      return `${e.supervisor} restarts ${e.actor}${fresh}${cut}`;
    }
    case 'escalate':
      return e.actor === 'system'
        ? `the system's guardian gives up after ${plural(e.restarts, 'restart')} within ${formatMs(e.withinMs)} ms: the whole system stops`
        : `${e.actor} gives up after ${plural(e.restarts, 'restart')} within ${formatMs(e.withinMs)} ms and fails itself: its own supervisor decides`;
    case 'stop': {
      const why = e.reason === 'self' ? 'stops' : e.reason === 'parent' ? 'stops with its supervisor' : 'stops with the system';
      const dead = e.drained.length > 0 ? `; ${plural(e.drained.length, 'message')} in its mailbox ${e.drained.length === 1 ? 'becomes a dead letter' : 'become dead letters'}` : '';
      return `${e.actor} ${why}${dead}`;
    }
    case 'timeout':
      return `${e.actor}'s ask #${e.ask} timed out: no reply came in time`;
    case 'block': {
      return `${e.actor} is blocked: its ${msgLabel(fold, e.msg)} waits for room in ${e.to}'s mailbox, and ${e.actor} takes no new message until it gets in`;
    }
    case 'unblock':
      return `${e.actor} is no longer blocked: everything it sent has got in`;
    case 'log':
      return `${e.actor} logs: ${e.text}`;
    case 'watch':
      return `${e.name} is now ${e.value}`;
    case 'halt':
      return e.reason;
  }
}

/** Narration of step i (see the module comment). `i` is clamped to [0, trace.length]. */
export function narrate(run: Pick<ActorRun, 'trace' | 'truncated' | 'metrics' | 'error'>, fold: ActorsFold, i: number): string {
  const trace = run.trace;
  const step = Math.max(0, Math.min(trace.length, Number.isFinite(i) ? Math.floor(i) : i > 0 ? trace.length : 0));
  if (trace.length === 0) return 'Nothing happened: no actor received a message.';
  if (step === 0) {
    const n = fold.actors.length;
    return `t=0 ms: ${plural(n, 'actor')}, nothing has happened yet. Step forward to start them.`;
  }
  const e = trace[step - 1];
  const sentence = describe(e, fold);
  let line = `t=${formatMs(e.t)} ms: ${sentence}${/[.?!]$/.test(sentence) ? '' : '.'}`;
  if (step === trace.length) {
    // A run stopped early ends on its halt event, which already says why.
    if (run.error && !(e.kind === 'halt' && e.reason === run.error.message)) line += ` ${run.error.message}`;
    else if (run.truncated) line += ` The recording stops here: this run has more events than the lab keeps (${formatCount(trace.length)}).`;
    else {
      const l = run.metrics.ledger;
      const parts = [`${formatCount(l.processed)} handled`];
      if (l.crashed) parts.push(`${formatCount(l.crashed)} lost in crashes`);
      if (l.dropped) parts.push(`${formatCount(l.dropped)} dropped`);
      if (l.dead) parts.push(`${plural(l.dead, 'dead letter')}`);
      const waiting = l.queued + l.inFlight + l.held + l.processing;
      if (waiting) parts.push(`${formatCount(waiting)} still on the way`);
      line += ` The run is over: ${plural(l.sent, 'message')} sent, ${parts.join(', ')}.`;
    }
  }
  return line;
}
