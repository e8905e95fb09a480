/**
 * Cancellation (DOM Standard, "Aborting ongoing activities" and "Events"): `EventTarget`,
 * `Event`, `CustomEvent`, `AbortController`, `AbortSignal` (`abort`, `timeout`, `any`,
 * `throwIfAborted`, `onabort`), `DOMException`, and the lab's abortable `delay(ms, value, { signal })`.
 *
 * - Dispatch is synchronous: `dispatchEvent` and `controller.abort()` run the listeners on the
 *   caller's stack, in the order they were added (a listener added twice is kept once; `once`
 *   removes it before it runs; the `signal` option removes it when that signal aborts). A listener
 *   that throws is reported and the others still run: in a browser at once ("Uncaught ..."), in
 *   Node from a next-tick callback (which ends the process, as in Node 24).
 * - "Signal abort" as the DOM Standard words it (and Node 24 does): the reason is set (by default
 *   a DOMException AbortError), signals made by `AbortSignal.any` that follow it are marked
 *   aborted with the same reason, then its abort algorithms run (the `signal` option of
 *   addEventListener), its `abort` event fires, then the dependents' events fire.
 * - `onabort` is an event handler: its listener takes its place in the list when first set. In a
 *   browser, setting it to null removes that listener (setting it again appends it at the end); in
 *   Node the listener keeps its place.
 * - `AbortSignal.timeout(ms)` is a timer on the engine's clock (a timer task in a browser, a
 *   timers-phase callback in Node) that aborts the signal with a DOMException TimeoutError. In
 *   Node that timer is unref'd: it does not keep the process alive (Node 24 does the same).
 * - Messages: Node 24's and Chromium's own texts, by runtime (AbortError: "This operation was
 *   aborted" / "signal is aborted without reason"; TimeoutError: "The operation was aborted due to
 *   timeout" / "signal timed out").
 * - `delay(ms, value, { signal })` adds an `abort` listener (once) to the signal when called and
 *   removes it when the timer fires; on abort it clears its timer (a `timer-clear` event) and
 *   rejects with the signal's reason. An already-aborted signal rejects at once, with no timer.
 *
 * Every abort is traced as a `signal-abort` event (types.ts).
 */
import type { EventLoopEvent } from '../types';
import type { Agent, Cap } from './agent';
import { reportException } from './console';
import { nextTick } from './node';
import { capReject, capResolve, intrinsicCap } from './promises';
import { clearTimer, setTimer } from './tasks';
import { isObject, preview } from './values';

/** Legacy codes of DOMException names (WebIDL). */
const CODES: Record<string, number> = {
  IndexSizeError: 1,
  HierarchyRequestError: 3,
  WrongDocumentError: 4,
  InvalidCharacterError: 5,
  NoModificationAllowedError: 7,
  NotFoundError: 8,
  NotSupportedError: 9,
  InvalidStateError: 11,
  SyntaxError: 12,
  InvalidModificationError: 13,
  NamespaceError: 14,
  InvalidAccessError: 15,
  TypeMismatchError: 17,
  SecurityError: 18,
  NetworkError: 19,
  AbortError: 20,
  URLMismatchError: 21,
  QuotaExceededError: 22,
  TimeoutError: 23,
  InvalidNodeTypeError: 24,
  DataCloneError: 25,
};

const CODE_ENTRIES = Object.entries(CODES);
/** DOMException.ABORT_ERR and the other legacy constants, by name. */
const CONST_NAMES: Record<string, string> = Object.fromEntries(CODE_ENTRIES.map(([n]) => [n, n.replace(/Error$/, '').replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase() + '_ERR']));

/** The texts of the default reasons, by runtime. */
export const ABORT_MESSAGES = {
  node: { abort: 'This operation was aborted', timeout: 'The operation was aborted due to timeout' },
  browser: { abort: 'signal is aborted without reason', timeout: 'signal timed out' },
} as const;

interface Listener {
  type: string;
  callback: unknown;
  capture: boolean;
  once: boolean;
  passive: boolean;
  removed: boolean;
  /** An event handler attribute's listener (onabort): calls the current handler. */
  handler?: boolean;
}

interface EvRec {
  type: string;
  bubbles: boolean;
  cancelable: boolean;
  composed: boolean;
  canceled: boolean;
  stop: boolean;
  stopImmediate: boolean;
  inPassive: boolean;
  dispatching: boolean;
  target: object | null;
  currentTarget: object | null;
  phase: number;
  trusted: boolean;
  timeStamp: number;
  detail: unknown;
}

export interface SignalRec {
  id: number;
  obj: object;
  aborted: boolean;
  reason: unknown;
  dependent: boolean;
  sources: SignalRec[];
  dependents: SignalRec[];
  algorithms: (() => void)[];
  /** onabort's current value and whether its listener is in the list. */
  onabort: unknown;
  handlerListener: Listener | null;
  /** 'controller' | 'abort' | 'timeout' | 'any': how it was made (for the trace). */
  made: string;
}

/** What a realm's cancellation built-ins share (one per agent). */
interface Realm {
  listeners: WeakMap<object, Listener[]>;
  events: WeakMap<object, EvRec>;
  signals: WeakMap<object, SignalRec>;
  controllers: WeakMap<object, SignalRec>;
  nextSignalId: number;
  DOMException: new (message?: string, name?: string) => Error;
  AbortSignal: Function;
  Event: Function;
}

const realms = new WeakMap<Agent, Realm>();
const ILLEGAL = {};

/** The record of one of the sandbox's AbortSignals, for the console and the tests. */
export function signalRecord(ag: Agent, v: unknown): SignalRec | undefined {
  return isObject(v) ? realms.get(ag)?.signals.get(v) : undefined;
}

/**
 * How Node 24's util.inspect shows the cancellation objects (their custom inspect): a name and a
 * plain object of the fields it lists. Undefined for anything else.
 */
export function customView(ag: Agent, v: object): { name: string; view: object } | undefined {
  const realm = realms.get(ag);
  if (!realm) return undefined;
  const sig = realm.signals.get(v);
  if (sig) return { name: ctorName(v, 'AbortSignal'), view: { aborted: sig.aborted } };
  const ctl = realm.controllers.get(v);
  if (ctl) return { name: ctorName(v, 'AbortController'), view: { signal: ctl.obj } };
  const ev = realm.events.get(v);
  if (ev) return { name: ctorName(v, 'Event'), view: { type: ev.type, defaultPrevented: ev.canceled, cancelable: ev.cancelable, timeStamp: ev.timeStamp } };
  if (realm.listeners.has(v)) return { name: ctorName(v, 'EventTarget'), view: {} };
  return undefined;
}

function ctorName(v: object, fallback: string): string {
  try {
    const c = (v as { constructor?: { name?: unknown } }).constructor;
    return typeof c?.name === 'string' && c.name !== '' ? c.name : fallback;
  } catch {
    return fallback;
  }
}

function named<T extends Function>(name: string, fn: T): T {
  Object.defineProperty(fn, 'name', { value: name, configurable: true });
  return fn;
}

/** `typeof x === 'object' && x !== null` dictionary member read (WebIDL dictionaries). */
function member(options: unknown, key: string): unknown {
  if (options === undefined || options === null) return undefined;
  if (!isObject(options)) throw new TypeError(`The "options" argument must be of type object. Received ${preview(options)}`);
  return (options as Record<string, unknown>)[key];
}

/** The sandbox's cancellation globals (properties of its global object). */
export const ABORT_GLOBALS = ['EventTarget', 'Event', 'CustomEvent', 'AbortController', 'AbortSignal', 'DOMException'] as const;

interface RealmApi {
  globals: Record<(typeof ABORT_GLOBALS)[number], Function>;
  addListener: (target: object, l: Listener, signal: SignalRec | null) => void;
  removeListener: (target: object, l: Listener) => void;
}

/**
 * Installs the cancellation built-ins. The classes are made on first use (most programs never
 * touch them, and making them costs about as much as the rest of a small run): the globals are
 * accessors of the sandbox's global object that turn into plain properties when first read or
 * assigned. `delay` is made at once.
 */
export function installAbort(ag: Agent): { delay: Function; defineGlobals: (g: Record<string, unknown>) => void; realm: () => RealmApi } {
  let api: RealmApi | null = null;
  const realm = (): RealmApi => (api ??= createRealm(ag));
  const defineGlobals = (g: Record<string, unknown>): void => {
    for (const name of ABORT_GLOBALS) {
      const settle = (value: unknown): void => {
        Object.defineProperty(g, name, { value, writable: true, configurable: true, enumerable: false });
      };
      Object.defineProperty(g, name, {
        get: () => {
          const v = realm().globals[name];
          settle(v);
          return v;
        },
        set: settle,
        configurable: true,
        enumerable: false,
      });
    }
  };

  const delay = named('delay', (ms?: unknown, value?: unknown, options?: unknown): object =>
    ag.nativeFrame('delay', () => {
      const sigValue = member(options, 'signal');
      let signal: SignalRec | null = null;
      if (sigValue !== undefined) {
        signal = signalRecord(ag, sigValue) ?? null;
        if (!signal) throw new TypeError(`The "options.signal" property must be an instance of AbortSignal. Received ${preview(sigValue)}`);
      }
      const cap: Cap = intrinsicCap(ag, `delay(${preview(ms)})`);
      if (signal?.aborted) {
        capReject(ag, cap, signal.reason);
        return cap.promise;
      }
      const sig = signal;
      let listener: Listener | null = null;
      const fire = (): void => {
        if (sig && listener) realm().removeListener(sig.obj, listener);
        capResolve(ag, cap, value);
      };
      const id = setTimer(ag, 'delay', fire, ms, [], null, undefined);
      if (sig) {
        const onAbort = named('(delay: abort)', (): void => {
          clearTimer(ag, id);
          capReject(ag, cap, sig.reason);
        });
        listener = { type: 'abort', callback: onAbort, capture: false, once: true, passive: false, removed: false };
        realm().addListener(sig.obj, listener, null);
      }
      return cap.promise;
    }),
  );
  Object.defineProperty(delay, 'length', { value: 2 });
  return { delay, defineGlobals, realm };
}

function createRealm(ag: Agent): RealmApi {
  const node = ag.runtime === 'node';
  const texts = ABORT_MESSAGES[node ? 'node' : 'browser'];

  // ---------------------------------------------------------------- DOMException
  const domNames = new WeakMap<object, { name: string; message: string }>();
  class DOMException extends Error {
    constructor(message?: unknown, options?: unknown) {
      super();
      let name = 'Error';
      if (isObject(options)) {
        const n = (options as { name?: unknown }).name;
        if (n !== undefined) name = String(n);
      } else if (options !== undefined) name = String(options);
      domNames.set(this, { name, message: message === undefined ? '' : String(message) });
      // V8 made the stack at super(), before the name existed: write it now, with the learner's
      // frames if any (else one frame, so it prints as Node prints an error it made).
      const d = Object.getOwnPropertyDescriptor(this, 'stack');
      let stack = '';
      try {
        stack = String((this as { stack?: unknown }).stack ?? '');
      } catch {
        stack = '';
      }
      const at = stack.indexOf('\n    at ');
      const frames = at >= 0 ? stack.slice(at) : '\n    at new DOMException (node:internal/per_context/domexception)';
      const head = message === undefined || String(message) === '' ? name : `${name}: ${String(message)}`;
      Object.defineProperty(this, 'stack', { value: head + frames, writable: true, configurable: true, enumerable: d?.enumerable ?? false });
    }
    get name(): string {
      const r = domNames.get(this);
      if (!r) throw new TypeError('Illegal invocation');
      return r.name;
    }
    get message(): string {
      const r = domNames.get(this);
      if (!r) throw new TypeError('Illegal invocation');
      return r.message;
    }
    get code(): number {
      const r = domNames.get(this);
      if (!r) throw new TypeError('Illegal invocation');
      return CODES[r.name] ?? 0;
    }
  }
  for (const [n, c] of CODE_ENTRIES) {
    const constName = CONST_NAMES[n];
    Object.defineProperty(DOMException, constName, { value: c, enumerable: true });
    Object.defineProperty(DOMException.prototype, constName, { value: c, enumerable: true });
  }
  Object.defineProperty(DOMException.prototype, Symbol.toStringTag, { value: 'DOMException', configurable: true });
  for (const k of ['name', 'message', 'code']) {
    const d = Object.getOwnPropertyDescriptor(DOMException.prototype, k)!;
    Object.defineProperty(DOMException.prototype, k, { ...d, enumerable: true });
  }
  const domException = (message: string, name: string): Error => new DOMException(message, name);

  const realm: Realm = {
    listeners: new WeakMap(),
    events: new WeakMap(),
    signals: new WeakMap(),
    controllers: new WeakMap(),
    nextSignalId: 1,
    DOMException,
    AbortSignal: Function,
    Event: Function,
  };
  realms.set(ag, realm);

  // ---------------------------------------------------------------- Event
  const evRec = (e: unknown): EvRec => {
    const r = isObject(e) ? realm.events.get(e) : undefined;
    if (!r) throw new TypeError('Illegal invocation');
    return r;
  };
  class Event {
    static readonly NONE = 0;
    static readonly CAPTURING_PHASE = 1;
    static readonly AT_TARGET = 2;
    static readonly BUBBLING_PHASE = 3;
    constructor(type?: unknown, init?: unknown) {
      if (arguments.length === 0) throw new TypeError(node ? 'The "type" argument must be specified' : "Failed to construct 'Event': 1 argument required, but only 0 present.");
      realm.events.set(this, {
        type: String(type),
        bubbles: !!member(init, 'bubbles'),
        cancelable: !!member(init, 'cancelable'),
        composed: !!member(init, 'composed'),
        canceled: false,
        stop: false,
        stopImmediate: false,
        inPassive: false,
        dispatching: false,
        target: null,
        currentTarget: null,
        phase: 0,
        trusted: false,
        timeStamp: ag.clock,
        detail: null,
      });
    }
    get type(): string {
      return evRec(this).type;
    }
    get bubbles(): boolean {
      return evRec(this).bubbles;
    }
    get cancelable(): boolean {
      return evRec(this).cancelable;
    }
    get composed(): boolean {
      return evRec(this).composed;
    }
    get defaultPrevented(): boolean {
      return evRec(this).canceled;
    }
    get returnValue(): boolean {
      return !evRec(this).canceled;
    }
    get cancelBubble(): boolean {
      return evRec(this).stop;
    }
    get isTrusted(): boolean {
      return evRec(this).trusted;
    }
    get timeStamp(): number {
      return evRec(this).timeStamp;
    }
    get target(): object | null {
      return evRec(this).target;
    }
    get srcElement(): object | null {
      return evRec(this).target;
    }
    get currentTarget(): object | null {
      return evRec(this).currentTarget;
    }
    get eventPhase(): number {
      return evRec(this).phase;
    }
    preventDefault(): void {
      const r = evRec(this);
      if (r.cancelable && !r.inPassive) r.canceled = true;
    }
    stopPropagation(): void {
      evRec(this).stop = true;
    }
    stopImmediatePropagation(): void {
      const r = evRec(this);
      r.stop = true;
      r.stopImmediate = true;
    }
    composedPath(): object[] {
      const r = evRec(this);
      return r.dispatching && r.currentTarget ? [r.currentTarget] : [];
    }
  }
  Object.defineProperty(Event.prototype, Symbol.toStringTag, { value: 'Event', configurable: true });
  realm.Event = Event;

  class CustomEvent extends Event {
    constructor(type?: unknown, init?: unknown) {
      if (arguments.length === 0) throw new TypeError(node ? 'The "type" argument must be specified' : "Failed to construct 'CustomEvent': 1 argument required, but only 0 present.");
      super(type, init);
      const d = member(init, 'detail');
      evRec(this).detail = d === undefined ? null : d;
    }
    get detail(): unknown {
      return evRec(this).detail;
    }
  }
  Object.defineProperty(CustomEvent.prototype, Symbol.toStringTag, { value: 'CustomEvent', configurable: true });

  // ---------------------------------------------------------------- EventTarget
  const listOf = (t: unknown): Listener[] => {
    const l = isObject(t) ? realm.listeners.get(t) : undefined;
    if (!l) throw new TypeError('Illegal invocation');
    return l;
  };
  const flatten = (options: unknown): boolean => (typeof options === 'boolean' ? options : !!member(options, 'capture'));

  function addListener(target: object, l: Listener, signal: SignalRec | null): void {
    const list = listOf(target);
    if (signal && signal.aborted) return;
    if (l.callback === null) return;
    if (list.some((x) => !x.removed && x.type === l.type && x.callback === l.callback && x.capture === l.capture)) return;
    list.push(l);
    if (signal) signal.algorithms.push(() => removeListener(target, l));
  }
  function removeListener(target: object, l: Listener): void {
    const list = listOf(target);
    l.removed = true;
    const i = list.indexOf(l);
    if (i >= 0) list.splice(i, 1);
  }

  /** A listener threw: a browser reports it at once, Node from a next-tick callback (it ends the process). */
  function listenerError(e: unknown): void {
    ag.guard(e);
    if (node) {
      const rethrow = named('(listener error)', (): never => {
        throw e;
      });
      nextTick(ag, rethrow, []);
    } else {
      reportException(ag, e);
    }
  }

  /** DOM "dispatch" for a target without parents: the listeners of the event's type, in order. */
  function dispatch(target: object, event: object): boolean {
    const r = evRec(event);
    r.dispatching = true;
    r.target = target;
    r.currentTarget = target;
    r.phase = 2;
    const snapshot = listOf(target).slice();
    for (const l of snapshot) {
      if (l.removed || l.type !== r.type) continue;
      if (l.once) removeListener(target, l);
      r.inPassive = l.passive;
      try {
        if (l.handler) {
          const sig = realm.signals.get(target);
          const h = sig?.onabort;
          if (typeof h === 'function') h.call(target, event);
        } else if (typeof l.callback === 'function') {
          (l.callback as Function).call(target, event);
        } else if (isObject(l.callback)) {
          const handleEvent = (l.callback as { handleEvent?: unknown }).handleEvent;
          if (typeof handleEvent !== 'function') throw new TypeError(node ? `The "listener.handleEvent" property must be of type function. Received ${preview(handleEvent)}` : "Failed to execute 'dispatchEvent' on 'EventTarget': The provided callback is no longer runnable.");
          handleEvent.call(l.callback, event);
        }
      } catch (e) {
        listenerError(e);
      }
      r.inPassive = false;
      if (r.stopImmediate) break;
    }
    r.dispatching = false;
    r.currentTarget = null;
    r.phase = 0;
    r.stop = false;
    r.stopImmediate = false;
    return !r.canceled;
  }

  class EventTarget {
    constructor() {
      realm.listeners.set(this, []);
    }
    addEventListener(type?: unknown, callback?: unknown, options?: unknown): void {
      listOf(this);
      if (arguments.length < 2) throw new TypeError(node ? 'The "listener" argument must be specified' : `Failed to execute 'addEventListener' on 'EventTarget': 2 arguments required, but only ${arguments.length} present.`);
      if (callback === undefined || callback === null) return;
      if (!isObject(callback)) {
        if (node) {
          const e = new TypeError(`The "listener" argument must be an instance of EventListener. Received ${preview(callback)}`);
          (e as { code?: string }).code = 'ERR_INVALID_ARG_TYPE';
          throw e;
        }
        throw new TypeError("Failed to execute 'addEventListener' on 'EventTarget': The callback provided as parameter 2 is not an object.");
      }
      const capture = flatten(options);
      const once = typeof options === 'object' && options !== null ? !!member(options, 'once') : false;
      const passive = typeof options === 'object' && options !== null ? !!member(options, 'passive') : false;
      const sigValue = typeof options === 'object' && options !== null ? member(options, 'signal') : undefined;
      let signal: SignalRec | null = null;
      if (sigValue !== undefined) {
        signal = signalRecord(ag, sigValue) ?? null;
        if (!signal) throw new TypeError(node ? `The "options.signal" property must be an instance of AbortSignal. Received ${preview(sigValue)}` : "Failed to read the 'signal' property from 'AddEventListenerOptions': Failed to convert value to 'AbortSignal'.");
      }
      addListener(this, { type: String(type), callback, capture, once, passive, removed: false }, signal);
    }
    removeEventListener(type?: unknown, callback?: unknown, options?: unknown): void {
      const list = listOf(this);
      const capture = flatten(options);
      const t = String(type);
      const l = list.find((x) => !x.removed && !x.handler && x.type === t && x.callback === callback && x.capture === capture);
      if (l) removeListener(this, l);
    }
    dispatchEvent(event?: unknown): boolean {
      listOf(this);
      const r = isObject(event) ? realm.events.get(event) : undefined;
      if (!r) {
        if (node) {
          const e = new TypeError(`The "event" argument must be an instance of Event. Received ${preview(event)}`);
          (e as { code?: string }).code = 'ERR_INVALID_ARG_TYPE';
          throw e;
        }
        throw new TypeError("Failed to execute 'dispatchEvent' on 'EventTarget': parameter 1 is not of type 'Event'.");
      }
      if (r.dispatching) throw domException(node ? 'The event is already being dispatched' : "Failed to execute 'dispatchEvent' on 'EventTarget': The event is already being dispatched.", 'InvalidStateError');
      r.trusted = false;
      return ag.nativeFrame('dispatchEvent', () => dispatch(this, event as object));
    }
  }
  Object.defineProperty(EventTarget.prototype, Symbol.toStringTag, { value: 'EventTarget', configurable: true });

  // ---------------------------------------------------------------- AbortSignal
  const sigRec = (s: unknown): SignalRec => {
    const r = isObject(s) ? realm.signals.get(s) : undefined;
    if (!r) throw new TypeError('Illegal invocation');
    return r;
  };
  let newSignal: (made: string) => SignalRec = () => {
    throw new Error('unreachable');
  };

  /** DOM "signal abort". */
  function signalAbort(sig: SignalRec, reason: unknown): void {
    if (sig.aborted) return;
    sig.aborted = true;
    sig.reason = reason === undefined ? domException(texts.abort, 'AbortError') : reason;
    const toAbort: SignalRec[] = [];
    for (const d of sig.dependents) {
      if (d.aborted) continue;
      d.aborted = true;
      d.reason = sig.reason;
      toAbort.push(d);
    }
    runAbortSteps(sig);
    for (const d of toAbort) runAbortSteps(d);
  }
  function runAbortSteps(sig: SignalRec): void {
    if (ag.live()) ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'signal-abort', signal: sig.id, made: sig.made, reason: preview(sig.reason), loc: ag.here() } as EventLoopEvent);
    const algs = sig.algorithms;
    sig.algorithms = [];
    for (const a of algs) a();
    const ev = new Event('abort');
    realm.events.get(ev)!.trusted = true;
    dispatch(sig.obj, ev);
  }

  class AbortSignal extends EventTarget {
    constructor(token?: unknown) {
      if (token !== ILLEGAL) throw new TypeError('Illegal constructor');
      super();
    }
    get aborted(): boolean {
      return sigRec(this).aborted;
    }
    get reason(): unknown {
      return sigRec(this).reason;
    }
    get onabort(): unknown {
      return sigRec(this).onabort;
    }
    set onabort(v: unknown) {
      const s = sigRec(this);
      const value = isObject(v) ? v : null;
      s.onabort = value;
      if (value === null) {
        // A browser deactivates the handler (its listener leaves the list); Node keeps it in place.
        if (!node && s.handlerListener) {
          removeListener(this, s.handlerListener);
          s.handlerListener = null;
        }
        return;
      }
      if (!s.handlerListener) {
        const l: Listener = { type: 'abort', callback: null, capture: false, once: false, passive: false, removed: false, handler: true };
        s.handlerListener = l;
        listOf(this).push(l);
      }
    }
    throwIfAborted(): void {
      const s = sigRec(this);
      if (s.aborted) throw s.reason;
    }
    static abort(reason?: unknown): object {
      return ag.nativeFrame('AbortSignal.abort', () => {
        const s = newSignal('abort');
        s.aborted = true;
        s.reason = reason === undefined ? domException(texts.abort, 'AbortError') : reason;
        // Made aborted: no event fires, but the trace says so (a delay given it is cancelled).
        if (ag.live()) ag.emit({ seq: ag.rec.events.length, t: ag.clock, kind: 'signal-abort', signal: s.id, made: 'abort', reason: preview(s.reason), loc: ag.here() } as EventLoopEvent);
        return s.obj;
      });
    }
    static timeout(ms?: unknown): object {
      return ag.nativeFrame('AbortSignal.timeout', () => {
        const n = Number(ms);
        if (!Number.isFinite(n) || n < 0 || n > 9007199254740991) {
          if (node) {
            const e = new RangeError(`The value of "delay" is out of range. It must be >= 0 && <= 4294967295. Received ${preview(ms)}`);
            (e as { code?: string }).code = 'ERR_OUT_OF_RANGE';
            throw e;
          }
          throw new TypeError("Failed to execute 'timeout' on 'AbortSignal': Value is outside the 'unsigned long long' value range.");
        }
        const s = newSignal('timeout');
        const fire = named('AbortSignal.timeout', (): void => {
          signalAbort(s, domException(texts.timeout, 'TimeoutError'));
        });
        const id = setTimer(ag, 'setTimeout', fire, Math.trunc(n), [], null, undefined);
        // Node: the timer is unref'd (it does not keep the process alive).
        const timer = ag.timers.get(id);
        if (timer && node) timer.unref = true;
        return s.obj;
      });
    }
    static any(signals?: unknown): object {
      return ag.nativeFrame('AbortSignal.any', () => {
        if (!isObject(signals) || typeof (signals as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function') {
          throw new TypeError(node ? `The "signals" argument must be an instance of Array. Received ${preview(signals)}` : "Failed to execute 'any' on 'AbortSignal': The provided value cannot be converted to a sequence.");
        }
        const list: SignalRec[] = [];
        for (const v of signals as Iterable<unknown>) {
          const r = signalRecord(ag, v);
          if (!r) throw new TypeError(node ? `The "signals[${list.length}]" argument must be an instance of AbortSignal. Received ${preview(v)}` : "Failed to execute 'any' on 'AbortSignal': Failed to convert value to 'AbortSignal'.");
          list.push(r);
        }
        const result = newSignal('any');
        for (const s of list) {
          if (s.aborted) {
            result.aborted = true;
            result.reason = s.reason;
            return result.obj;
          }
        }
        result.dependent = true;
        const link = (src: SignalRec): void => {
          if (result.sources.includes(src)) return;
          result.sources.push(src);
          src.dependents.push(result);
        };
        for (const s of list) {
          if (!s.dependent) link(s);
          else for (const src of s.sources) link(src);
        }
        return result.obj;
      });
    }
  }
  Object.defineProperty(AbortSignal.prototype, Symbol.toStringTag, { value: 'AbortSignal', configurable: true });
  for (const k of ['aborted', 'reason', 'onabort']) {
    const d = Object.getOwnPropertyDescriptor(AbortSignal.prototype, k)!;
    Object.defineProperty(AbortSignal.prototype, k, { ...d, enumerable: true });
  }
  realm.AbortSignal = AbortSignal;
  newSignal = (made: string): SignalRec => {
    const obj = new AbortSignal(ILLEGAL);
    const rec: SignalRec = { id: realm.nextSignalId++, obj, aborted: false, reason: undefined, dependent: false, sources: [], dependents: [], algorithms: [], onabort: null, handlerListener: null, made };
    realm.signals.set(obj, rec);
    return rec;
  };

  // ---------------------------------------------------------------- AbortController
  const ctlRec = (c: unknown): SignalRec => {
    const r = isObject(c) ? realm.controllers.get(c) : undefined;
    if (!r) throw new TypeError('Illegal invocation');
    return r;
  };
  class AbortController {
    constructor() {
      realm.controllers.set(this, newSignal('controller'));
    }
    get signal(): object {
      return ctlRec(this).obj;
    }
    abort(reason?: unknown): void {
      const s = ctlRec(this);
      ag.nativeFrame('AbortController.abort', () => signalAbort(s, reason));
    }
  }
  Object.defineProperty(AbortController.prototype, Symbol.toStringTag, { value: 'AbortController', configurable: true });
  Object.defineProperty(Object.getOwnPropertyDescriptor(AbortController.prototype, 'signal')!.get!, 'name', { value: 'get signal' });

  return {
    globals: { EventTarget, Event, CustomEvent, AbortController, AbortSignal, DOMException },
    addListener,
    removeListener,
  };
}
