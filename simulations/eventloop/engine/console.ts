/**
 * Console and error reporting: the sandbox's `console` (log levels, groups, counters, timers on
 * the virtual clock), HTML's "report the exception" for uncaught errors and "notify about
 * rejected promises" for unhandled rejections. Every line is kept in `consoleLines` and traced.
 */
import { formatLogArgs, formatTable, inspect, type InspectHooks } from '../inspect';
import type { ConsoleLevel, EventLoopEvent } from '../types';
import { cleanError, type Agent, type PRec } from './agent';
import { nodeUncaught } from './node';
import { customView } from './abort';
import { proxyRecord } from './proxies';
import { preview } from './values';

/** What the console's formatter may ask the engine: promise states, proxy targets. */
function hooks(ag: Agent): InspectHooks {
  return {
    promiseDetails: ag.promiseDetails,
    builtinFunction: (f) => f === ag.PromiseCtor,
    proxyTarget: (v) => proxyRecord(v)?.[0],
    proxyHandler: (v) => proxyRecord(v)?.[1],
    custom: (v) => customView(ag, v),
  };
}

export function describeThrown(ag: Agent, e: unknown): string {
  cleanError(e);
  try {
    return formatLogArgs([e], hooks(ag));
  } catch {
    return preview(e);
  }
}

/**
 * HTML "report the exception": an uncaught error in a task or a microtask callback. The report
 * and its console line are located where the error was thrown, when known: the statement
 * running, else the task's last `throw`, else the last located event (an error from a built-in).
 */
export function reportException(ag: Agent, e: unknown): void {
  // Node: an uncaught exception ends the process (engine/node.ts).
  if (ag.runtime === 'node') nodeUncaught(ag, e);
  const text = `Uncaught ${describeThrown(ag, e)}`;
  const idx = ag.consoleLines.length;
  ag.consoleLines.push(text);
  if (ag.live()) {
    const loc = ag.here() ?? ag.throwLoc ?? ag.lastLoc;
    ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'uncaught', error: preview(e), text, loc } as EventLoopEvent);
    ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'console', level: 'error', text, index: idx, loc } as EventLoopEvent);
  }
}

/**
 * The task of HTML's "notify about rejected promises" (queued by the microtask checkpoint, see
 * tasks.ts): each promise of `list` still without a handler is reported, as Chromium's console
 * words it, and becomes "outstanding" (a handler attached later is traced as rejection-handled).
 */
export function notifyRejected(ag: Agent, list: readonly PRec[]): void {
  for (const rec of list) {
    if (rec.handled) continue;
    ag.outstanding.add(rec);
    const text = `Uncaught (in promise) ${describeThrown(ag, rec.result)}`;
    const idx = ag.consoleLines.length;
    ag.consoleLines.push(text);
    if (ag.live()) {
      // Located where the promise was rejected, when known.
      const loc = rec.rejectedAt;
      ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'unhandled-rejection', promise: rec.id, reason: preview(rec.result), text, loc } as EventLoopEvent);
      ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'console', level: 'error', text, index: idx, loc } as EventLoopEvent);
    }
  }
}

function print(ag: Agent, level: ConsoleLevel, text: string): void {
  if (ag.consoleIndent > 0) {
    const pad = ' '.repeat(ag.consoleIndent);
    text = pad + text.split('\n').join(`\n${pad}`);
  }
  const idx = ag.consoleLines.length;
  ag.consoleLines.push(text);
  if (ag.live()) ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'console', level, text, index: idx, loc: ag.here() } as EventLoopEvent);
}

function format(ag: Agent, args: unknown[]): string {
  return formatLogArgs(args, hooks(ag));
}

export function createConsole(ag: Agent): object {
  const c = (name: string, level: ConsoleLevel, fn: (...args: unknown[]) => string | null) =>
    (...args: unknown[]): void => {
      ag.nativeFrame(`console.${name}`, () => {
        const text = fn(...args);
        if (text !== null) print(ag, level, text);
      });
    };
  const fmt = (...args: unknown[]): string => format(ag, args);
  const label = (l: unknown): string => (l === undefined ? 'default' : String(l));
  const elapsed = (ms: number): string => (ms < 1000 ? `${ms.toFixed(3)}ms` : `${(ms / 1000).toFixed(3)}s`);
  return {
    log: c('log', 'log', fmt),
    info: c('info', 'info', fmt),
    warn: c('warn', 'warn', fmt),
    error: c('error', 'error', fmt),
    debug: c('debug', 'debug', fmt),
    trace: c('trace', 'debug', (...args) => `Trace${args.length ? `: ${format(ag, args)}` : ''}`),
    table: c('table', 'log', (data, properties) => formatTable(data, properties, hooks(ag))),
    dir: c('dir', 'log', (v) => inspect(v, hooks(ag))),
    assert: c('assert', 'error', (cond, ...args) => {
      if (cond) return null;
      if (args.length === 0) return 'Assertion failed';
      if (typeof args[0] === 'string') return format(ag, [`Assertion failed: ${args[0]}`, ...args.slice(1)]);
      return format(ag, ['Assertion failed:', ...args]);
    }),
    count: c('count', 'info', (l) => {
      const k = label(l);
      const n = (ag.counts.get(k) ?? 0) + 1;
      ag.counts.set(k, n);
      return `${k}: ${n}`;
    }),
    countReset: c('countReset', 'info', (l) => {
      ag.counts.set(label(l), 0);
      return null;
    }),
    group: c('group', 'log', (...args) => {
      const text = args.length ? format(ag, args) : null;
      if (text !== null) print(ag, 'log', text);
      ag.consoleIndent += 2;
      return null;
    }),
    groupCollapsed: c('groupCollapsed', 'log', (...args) => {
      const text = args.length ? format(ag, args) : null;
      if (text !== null) print(ag, 'log', text);
      ag.consoleIndent += 2;
      return null;
    }),
    groupEnd: c('groupEnd', 'log', () => {
      ag.consoleIndent = Math.max(0, ag.consoleIndent - 2);
      return null;
    }),
    time: c('time', 'info', (l) => {
      ag.timersByLabel.set(label(l), ag.readClock());
      return null;
    }),
    timeLog: c('timeLog', 'info', (l, ...rest) => {
      const k = label(l);
      const start = ag.timersByLabel.get(k);
      if (start === undefined) return `Warning: No such label '${k}' for console.timeLog()`;
      const text = `${k}: ${elapsed(ag.readClock() - start)}`;
      return rest.length ? `${text} ${format(ag, rest)}` : text;
    }),
    timeEnd: c('timeEnd', 'info', (l) => {
      const k = label(l);
      const start = ag.timersByLabel.get(k);
      if (start === undefined) return `Warning: No such label '${k}' for console.timeEnd()`;
      ag.timersByLabel.delete(k);
      return `${k}: ${elapsed(ag.readClock() - start)}`;
    }),
  };
}
