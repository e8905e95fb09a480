/**
 * `runSource(source, options)`: learner code that describes an actor system, run on the engine.
 *
 * The code is plain JavaScript with four functions in scope:
 *
 *   system({ threads, latencyMs, untilMs, guardian })      // optional settings
 *   const c = actor('counter', { init, receive, serviceMs, mailbox, parent, supervise, faults });
 *   send('counter', 'inc', { at: 0, count: 1000, everyMs: 1 });   // messages from outside
 *   watch('count', () => someVariable);                     // a value the lab shows as it changes
 *
 * `actor` returns the name, so `send(c, ...)` reads well. Behaviours get `(message, ctx)` (see
 * ActorContext in types.ts).
 *
 * - Syntax errors come back in `sourceError` with line and column; nothing runs.
 * - Every loop gets a guard (`__g(line)`, inserted without changing line numbers) that polls the
 *   real-time budget (`shouldStop`), so an infinite loop in a behaviour or in the setup stops the
 *   run with a readable message instead of hanging the Worker.
 * - Errors thrown by behaviours become `crash` events carrying the learner's line; errors in the
 *   setup code and config errors come back in `sourceError` with the line of the call.
 * - `Math.random` is seeded (use `ctx.random()` in behaviours); timers of the host are not
 *   available (`ctx.sendAfter` is the lab's timer, on virtual time). A behaviour that returns a
 *   promise (an `async receive`) crashes with an explanation: handlers run to completion.
 * - Same source, settings and seed: same run.
 */
import { Parser } from 'acorn';
import { ConfigError, describeValue } from '../core/validate';
import { Rng, seedFrom, type Seed } from '../core/rng';
import { simulate, type SimulateOptions } from './simulate';
import type { ActorRun, ActorSpec, Injection, SourceError, SupervisorSpec, SystemConfig, Watch } from './types';

export const SOURCE_URL = 'actors-lab.js';
/** Longest program the lab accepts (characters). */
export const MAX_SOURCE = 20_000;

export interface SourceOptions {
  seed?: Seed;
  /** Overrides the code's `threads`: 0 or undefined keeps the code's setting. */
  threads?: number;
  traceCap?: number;
  /** Polled by loop guards and by the engine: true stops the run. */
  shouldStop?: () => boolean;
  /** The sentence shown when `shouldStop` stopped the run. */
  stopMessage?: string;
}

export interface SourceRun extends ActorRun {
  /** A problem with the code itself (syntax, setup, config), with its place when known. */
  sourceError?: SourceError;
  /** Actor names in the order the code declared them (for the views' layout hints). */
  declared: string[];
}

class BudgetError extends Error {
  constructor() {
    super('The run used up its real-time budget.');
    this.name = 'BudgetError';
  }
}

/* ---------------- instrumentation ---------------- */

interface AcornNode {
  type: string;
  start: number;
  end: number;
  loc?: { start: { line: number; column: number } };
  body?: AcornNode | AcornNode[];
  [key: string]: unknown;
}

const LOOPS = new Set(['ForStatement', 'ForInStatement', 'ForOfStatement', 'WhileStatement', 'DoWhileStatement']);

/** Inserts a guard call at the top of every loop body, on the same line (line numbers do not move). */
export function instrument(source: string): string {
  const ast = Parser.parse(source, { ecmaVersion: 'latest', sourceType: 'script', locations: true, allowReturnOutsideFunction: false }) as unknown as AcornNode;
  const inserts: { at: number; text: string }[] = [];
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const n of node) visit(n);
      return;
    }
    const n = node as AcornNode;
    if (typeof n.type !== 'string') return;
    if (LOOPS.has(n.type)) {
      const body = n.body as AcornNode;
      const line = n.loc?.start.line ?? 0;
      if (body.type === 'BlockStatement') {
        inserts.push({ at: body.start + 1, text: `__g(${line});` });
      } else {
        inserts.push({ at: body.start, text: `{__g(${line});` });
        inserts.push({ at: body.end, text: '}' });
      }
    }
    for (const key of Object.keys(n)) {
      if (key === 'loc' || key === 'start' || key === 'end' || key === 'type') continue;
      visit(n[key]);
    }
  };
  visit(ast);
  inserts.sort((a, b) => b.at - a.at);
  let out = source;
  for (const ins of inserts) out = out.slice(0, ins.at) + ins.text + out.slice(ins.at);
  return out;
}

/* ---------------- error places ---------------- */

let lineOffset: number | null = null;

/** How many lines `new Function` puts before the body on this JavaScript engine. */
function functionLineOffset(): number {
  if (lineOffset !== null) return lineOffset;
  try {
    new Function('a', 'b', `throw new Error('probe')\n//# sourceURL=${SOURCE_URL}`)();
  } catch (e) {
    const m = placeIn(e, 0);
    lineOffset = m ? m.line - 1 : 0;
  }
  return lineOffset ?? 0;
}

function placeIn(e: unknown, offset: number): { line: number; column: number } | null {
  const stack = e && typeof e === 'object' && 'stack' in e ? String((e as { stack: unknown }).stack) : '';
  const re = new RegExp(`${SOURCE_URL.replace('.', '\\.')}:(\\d+):(\\d+)`);
  const m = re.exec(stack);
  if (!m) return null;
  const line = Number(m[1]) - offset;
  return line >= 1 ? { line, column: Number(m[2]) } : null;
}

/** The learner's line and column of an error thrown by their code, when the stack says. */
export function locateError(e: unknown): { line: number; column: number } | null {
  return placeIn(e, functionLineOffset());
}

/** The line of the learner's code that called a DSL function (from a fresh stack). */
function callerLine(): number | null {
  return locateError(new Error('where'))?.line ?? null;
}

/* ---------------- the run ---------------- */

function emptyRun(seed: number, sourceError: SourceError): SourceRun {
  return {
    trace: [],
    metrics: {
      endT: 0,
      ledger: { sent: 0, processed: 0, crashed: 0, processing: 0, queued: 0, inFlight: 0, held: 0, dropped: 0, dead: 0 },
      actors: [],
      throughput: 0,
      asks: { sent: 0, answered: 0, timedOut: 0, late: 0 },
      escalations: 0,
      systemStopped: false,
      watches: {},
      events: 0,
    },
    truncated: false,
    seed,
    settings: { threads: null, latencyMs: 0, untilMs: 0, guardian: { strategy: 'one-for-one', maxRestarts: 3, withinMs: 1000 } },
    sourceError,
    declared: [],
  };
}

const SYSTEM_KEYS = ['threads', 'latencyMs', 'untilMs', 'guardian', 'maxMessages'] as const;

export function runSource(source: string, options: SourceOptions = {}): SourceRun {
  const seed32 = seedFrom(options.seed ?? 1);
  if (typeof source !== 'string') return emptyRun(seed32, { message: 'The program must be text.' });
  if (source.length > MAX_SOURCE) {
    return emptyRun(seed32, { message: `The program is ${source.length} characters long; the lab runs programs of up to ${MAX_SOURCE}.` });
  }
  let code: string;
  try {
    code = instrument(source);
  } catch (e) {
    const err = e as SyntaxError & { loc?: { line: number; column: number } };
    const message = `SyntaxError: ${String(err.message).replace(/\s*\(\d+:\d+\)$/, '')}`;
    return emptyRun(seed32, { message, line: err.loc?.line, column: err.loc ? err.loc.column + 1 : undefined });
  }

  const stopMessage = options.stopMessage ?? 'The run was stopped: it used up its real-time budget. Is there an infinite loop?';
  let budgetSpent = false;
  let guardCalls = 0;
  const shouldStop = options.shouldStop;
  const guard = (_line: number): void => {
    if (budgetSpent) throw new BudgetError();
    if (++guardCalls >= 1024) {
      guardCalls = 0;
      if (shouldStop?.()) {
        budgetSpent = true;
        throw new BudgetError();
      }
    }
  };
  const isBudgetError = (e: unknown) => budgetSpent || e instanceof BudgetError;

  // What the code declares.
  const actors: ActorSpec[] = [];
  const actorLines: (number | null)[] = [];
  const sends: Injection[] = [];
  const sendLines: (number | null)[] = [];
  const watches: Watch[] = [];
  const watchLines: (number | null)[] = [];
  const settings: Partial<SystemConfig> = {};
  let settingsLine: number | null = null;

  const place = (line: number | null) => (line === null ? {} : { line });
  class SetupError extends Error {
    constructor(message: string, readonly line: number | null) {
      super(message);
    }
  }

  const dsl = {
    actor(name: unknown, spec: unknown): string {
      const line = callerLine();
      if (typeof name !== 'string') throw new SetupError(`actor(name, spec): the name must be text, but it is ${describeValue(name)}.`, line);
      if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
        throw new SetupError(`actor("${name}", spec): spec must be an object such as { receive(message, ctx) { … } }, but it is ${describeValue(spec)}.`, line);
      }
      actors.push({ ...(spec as Omit<ActorSpec, 'name'>), name });
      actorLines.push(line);
      return name;
    },
    send(to: unknown, message: unknown, opts?: unknown): void {
      const line = callerLine();
      if (opts !== undefined && (typeof opts !== 'object' || opts === null || Array.isArray(opts))) {
        throw new SetupError(`send(to, message, options): options must be an object such as { at: 0, count: 10, everyMs: 5 }, but it is ${describeValue(opts)}.`, line);
      }
      sends.push({ ...(opts as object), to: to as string, message });
      sendLines.push(line);
    },
    watch(name: unknown, get: unknown): void {
      watches.push({ name: name as string, get: get as () => unknown });
      watchLines.push(callerLine());
    },
    system(s: unknown): void {
      settingsLine = callerLine();
      if (typeof s !== 'object' || s === null || Array.isArray(s)) throw new SetupError(`system(settings): settings must be an object, but it is ${describeValue(s)}.`, settingsLine);
      for (const key of Object.keys(s)) {
        if (!(SYSTEM_KEYS as readonly string[]).includes(key)) {
          throw new SetupError(`system(settings): "${key}" is not a setting; the settings are ${SYSTEM_KEYS.join(', ')}.`, settingsLine);
        }
      }
      Object.assign(settings, s as { guardian?: SupervisorSpec });
    },
  };

  const mathRng = new Rng(seed32 ^ 0x5bd1e995);
  const sandboxMath = Object.create(Math) as Math;
  Object.defineProperty(sandboxMath, 'random', { value: () => mathRng.next() });
  let ctxRef: { log: (...v: unknown[]) => void } | null = null;
  const noTimers = (name: string) => () => {
    throw new Error(`${name} is not available here: the actor lab runs on virtual time. Use ctx.sendAfter(ms, to, message).`);
  };
  const sandboxConsole = {
    log: (...v: unknown[]) => {
      try {
        ctxRef?.log(...v);
      } catch {
        /* outside a behaviour: nowhere to show it */
      }
    },
  };
  const names = ['actor', 'send', 'watch', 'system', 'Math', 'console', 'setTimeout', 'setInterval', 'queueMicrotask', '__g'];
  const values = [
    dsl.actor,
    dsl.send,
    dsl.watch,
    dsl.system,
    sandboxMath,
    sandboxConsole,
    noTimers('setTimeout'),
    noTimers('setInterval'),
    noTimers('queueMicrotask'),
    guard,
  ];

  let program: (...args: unknown[]) => unknown;
  try {
    program = new Function(...names, `${code}\n//# sourceURL=${SOURCE_URL}`) as (...args: unknown[]) => unknown;
  } catch (e) {
    return emptyRun(seed32, { message: `SyntaxError: ${(e as Error).message}` });
  }
  try {
    program(...values);
  } catch (e) {
    if (isBudgetError(e)) return emptyRun(seed32, { message: stopMessage });
    if (e instanceof SetupError) return emptyRun(seed32, { message: e.message, ...place(e.line) });
    const at = locateError(e);
    const text = e instanceof Error ? `${e.name}: ${e.message}` : `The program threw ${describeValue(e)}.`;
    return emptyRun(seed32, { message: text, line: at?.line, column: at?.column });
  }
  if (actors.length === 0) {
    return emptyRun(seed32, { message: 'The program declares no actor. Add one with actor(name, { receive(message, ctx) { … } }).' });
  }

  const config: SystemConfig = { ...settings, actors, sends, watches };
  if (options.threads && options.threads > 0) config.threads = options.threads;
  const simOptions: SimulateOptions = {
    traceCap: options.traceCap,
    shouldStop,
    stopMessage,
    isBudgetError,
    locate: (e) => locateError(e)?.line ?? null,
  };
  try {
    const run = simulate(config, seed32, { ...simOptions, onContext: (ctx) => (ctxRef = ctx) });
    return { ...run, declared: actors.map((a) => a.name) };
  } catch (e) {
    if (e instanceof ConfigError) {
      const m = /^(actors|sends|watches)\[(\d+)\]/.exec(e.field);
      let line: number | null = null;
      if (m) line = (m[1] === 'actors' ? actorLines : m[1] === 'sends' ? sendLines : watchLines)[Number(m[2])] ?? null;
      else if (SYSTEM_KEYS.some((k) => e.field.startsWith(k))) line = settingsLine;
      const message = e.message
        .replace(/actors\[(\d+)\](?: \("[^"]*"\))?/g, (_all, k: string) => `actor ${JSON.stringify(actors[Number(k)]?.name ?? '?')}`)
        .replace(/sends\[(\d+)\]/g, (_all, k: string) => `send() number ${Number(k) + 1}`)
        .replace(/watches\[(\d+)\]/g, (_all, k: string) => `watch() number ${Number(k) + 1}`)
        .replace(/^"(actor "[^"]*"|send\(\) number \d+)((?:\.\w+)*)\.(\w+)" is not a setting this lab knows\./, (_all, who: string, path: string, key: string) =>
          `${who}${path ? ` (in ${path.slice(1)})` : ''} has a setting "${key}" that this lab does not know.`);
      return emptyRun(seed32, { message, ...place(line) });
    }
    if (isBudgetError(e)) return emptyRun(seed32, { message: stopMessage });
    throw e;
  }
}
