/**
 * Console formatting in the style of Node's `util.inspect` (what `console.log` prints in Node 24),
 * for one line per console call: arguments are joined by one space, strings print as they are at
 * the top level and quoted inside objects; arrays print as `[ 1, 2, 3 ]`, objects as `{ a: 1 }`;
 * -0 as `-0`; more than 6 short array entries are grouped in aligned columns (numbers, typed
 * arrays included, right-aligned), as Node does; nesting deeper than 2 prints `[Object]` /
 * `[Array]`; circular references `<ref *1>` / `[Circular *1]`; ArrayBuffer, DataView, promises
 * (through the engine's hook), errors with `[cause]` / `[errors]`, getters, boxed primitives.
 * A format string (`'%s is %d'`) is honoured for %s %d %i %f %j %o %O %c %%, with Node's rules
 * (`%s` uses a user `toString`, `%o` shows hidden properties and proxies).
 * tests/unit/eventloop-inspect.test.ts compares it with real Node 24 on 250+ programs.
 *
 * Chromium's console shows objects interactively, so there is no single "Chromium text" for them;
 * Node's text is the reference in both of the lab's runtimes.
 *
 * Differences from Node kept on purpose or forced (each visible, none silent):
 * - an Error prints as Node prints it minus the stack frames (frames of transformed code would be
 *   noise); the layout is Node's with frames, so an error with properties spans several lines;
 * - a proxy prints as its target without running any trap (Node's default), through the engine's
 *   record of the proxies it created (`proxyTarget`); no other way exists in plain JavaScript;
 * - Map/Set iterators print `[Map Iterator] { <items unknown> }`: their entries cannot be read
 *   without consuming them; an object without any constructor on its prototype chain prints
 *   `[Object: null prototype]` (Node names it by V8's internal constructor name);
 * - no colours, no `util.inspect.custom`, no `showHidden` outside `%o`.
 */

export interface InspectHooks {
  /** [state, result] of one of the engine's promises, or undefined for anything else. */
  promiseDetails?: (v: object) => ['pending' | 'fulfilled' | 'rejected', unknown] | undefined;
  /**
   * The target of one of the sandbox's proxies (null once revoked), undefined for anything else.
   * A proxy is printed as its target, as Node does, and its traps are never run.
   */
  proxyTarget?: (v: object) => object | null | undefined;
  /** Whether a function is one of the sandbox's built-ins written as a class (its Promise). */
  builtinFunction?: (fn: Function) => boolean;
  /** The handler of one of the sandbox's proxies (for `%o`, which shows it). */
  proxyHandler?: (v: object) => object | null | undefined;
  /**
   * A sandbox built-in that Node prints through its own custom inspect (AbortSignal,
   * AbortController, Event, EventTarget): the name and the plain object it shows.
   */
  custom?: (v: object) => { name: string; view: object } | undefined;
}

interface Ctx {
  seen: object[];
  circular: Map<object, number>;
  indentationLvl: number;
  currentDepth: number;
  depth: number;
  breakLength: number;
  compact: number;
  maxArrayLength: number;
  maxStringLength: number;
  showHidden: boolean;
  showProxy: boolean;
  hooks: InspectHooks;
}

const BREAK_LENGTH = 80;

function newCtx(hooks: InspectHooks): Ctx {
  return {
    seen: [],
    circular: new Map(),
    indentationLvl: 0,
    currentDepth: 0,
    depth: 2,
    breakLength: BREAK_LENGTH,
    compact: 3,
    maxArrayLength: 100,
    maxStringLength: 10000,
    showHidden: false,
    showProxy: false,
    hooks,
  };
}

/** Formats one value as Node's util.inspect would (default options). */
export function inspect(value: unknown, hooks: InspectHooks = {}): string {
  return withoutFrames(formatValue(newCtx(hooks), value, 0, false));
}

/**
 * An Error's stack frames are laid out as Node lays them out (they make the text multi-line) but
 * not shown: each stands for Node's frame lines, and is removed from the final text.
 */
const FRAMES = `\n    at \u0000${'\u0000'.repeat(120)}`;
const framesRegExp = /\n *at \u0000+/g;

function withoutFrames(text: string): string {
  return text.includes('\u0000') ? text.replace(framesRegExp, '') : text;
}

// eslint-disable-next-line no-control-regex
const strEscapeSequencesRegExp = /[\x00-\x1f\x27\x5c\x7f-\x9f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const strEscapeSequencesRegExpSingle = /[\x00-\x1f\x5c\x7f-\x9f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const meta = [
  '\\x00', '\\x01', '\\x02', '\\x03', '\\x04', '\\x05', '\\x06', '\\x07',
  '\\b', '\\t', '\\n', '\\x0B', '\\f', '\\r', '\\x0E', '\\x0F',
  '\\x10', '\\x11', '\\x12', '\\x13', '\\x14', '\\x15', '\\x16', '\\x17',
  '\\x18', '\\x19', '\\x1A', '\\x1B', '\\x1C', '\\x1D', '\\x1E', '\\x1F',
];

function escapeChar(c: string, quote: string): string {
  const code = c.charCodeAt(0);
  if (code < 32) return meta[code];
  if (c === '\\') return '\\\\';
  if (c === quote) return `\\${quote}`;
  if (code >= 0x7f && code <= 0x9f) return `\\x${code.toString(16).toUpperCase()}`;
  // A lone surrogate (a pair arrives here as one two-unit string).
  if (c.length === 1 && code >= 0xd800 && code <= 0xdfff) return `\\u${code.toString(16)}`;
  return c;
}

/** Quotes a string the way util.inspect does: single quotes unless the text contains them. */
export function strEscape(str: string): string {
  let quote = "'";
  if (str.includes("'")) {
    if (!str.includes('"')) quote = '"';
    else if (!str.includes('`') && !str.includes('${')) quote = '`';
  }
  if (!(quote === "'" ? strEscapeSequencesRegExp : strEscapeSequencesRegExpSingle).test(str)) return quote + str + quote;
  let out = '';
  for (const c of str) out += c === "'" && quote !== "'" ? c : escapeChar(c, quote);
  return quote + out + quote;
}

function formatNumber(n: number): string {
  return Object.is(n, -0) ? '-0' : `${n}`;
}

function formatPrimitive(ctx: Ctx, value: unknown): string {
  switch (typeof value) {
    case 'string': {
      let v = value;
      let trailer = '';
      if (v.length > ctx.maxStringLength) {
        const remaining = v.length - ctx.maxStringLength;
        v = v.slice(0, ctx.maxStringLength);
        trailer = `... ${remaining} more character${remaining > 1 ? 's' : ''}`;
      }
      if (v.length > 16 && v.length > ctx.breakLength - ctx.indentationLvl - 4) {
        const lines = v.split(/(?<=\n)/);
        if (lines.length > 1) {
          return lines.map((l) => strEscape(l)).join(` +\n${' '.repeat(ctx.indentationLvl + 2)}`) + trailer;
        }
      }
      return strEscape(v) + trailer;
    }
    case 'number':
      return formatNumber(value);
    case 'bigint':
      return `${value}n`;
    case 'boolean':
      return `${value}`;
    case 'undefined':
      return 'undefined';
    case 'symbol':
      return value.toString();
    default:
      return String(value);
  }
}

const keyStrRegExp = /^[a-zA-Z_][a-zA-Z_0-9]*$/;

function formatKey(key: string | symbol, enumerable: boolean): string {
  if (typeof key === 'symbol') return key.toString();
  if (key === '__proto__') return "['__proto__']";
  if (!enumerable) return `[${key}]`;
  if (keyStrRegExp.test(key)) return key;
  return strEscape(key);
}

function getCtorName(obj: object): string | null {
  let o: object | null = obj;
  for (let i = 0; o && i < 1000; i++) {
    const desc = Object.getOwnPropertyDescriptor(o, 'constructor');
    if (desc && typeof desc.value === 'function' && desc.value.name !== '' && isInstanceof(obj, desc.value)) return desc.value.name as string;
    o = Object.getPrototypeOf(o);
  }
  return null;
}

function isInstanceof(obj: object, ctor: Function): boolean {
  try {
    return obj instanceof ctor;
  } catch {
    return false;
  }
}

function getPrefix(ctor: string | null, tag: string, fallback: string, size = ''): string {
  if (ctor === null) {
    if (tag !== '' && fallback !== tag) return `[${fallback}${size}: null prototype] [${tag}] `;
    return `[${fallback}${size}: null prototype] `;
  }
  if (tag !== '' && ctor !== tag) return `${ctor}${size} [${tag}] `;
  return `${ctor}${size} `;
}

function isError(v: object): boolean {
  return v instanceof Error || Object.prototype.toString.call(v) === '[object Error]';
}

/** Error.prototype.toString, without running anything that could throw twice. */
function errorToString(err: object): string {
  try {
    return Error.prototype.toString.call(err);
  } catch {
    return 'Error';
  }
}

/**
 * The error's stack as Node would read it, with the frames replaced by FRAMES: V8's own stack
 * (its header, then frames), another engine's (frames only: the header is Error.prototype.toString),
 * or a stack the program set itself (kept as it is; without frames Node prints it in brackets).
 */
function errorStack(ctx: Ctx, err: object, recurseTimes: number): string {
  let stack: unknown;
  try {
    stack = (err as { stack?: unknown }).stack;
  } catch {
    stack = undefined;
  }
  if (typeof stack === 'string') {
    const at = stack.indexOf('\n    at ');
    if (at !== -1) return stack.slice(0, at) + FRAMES;
    if (/^[^\n@]*@[^\n]*:\d+:\d+$/m.test(stack) && !/^\w*Error\b/.test(stack)) return errorToString(err) + FRAMES;
    if (stack !== '') return stack;
  } else if (stack) {
    return formatValue(ctx, stack, recurseTimes, false);
  }
  return errorToString(err);
}

/** Node's improveStack: names the constructor (and the tag) when the stack does not. */
function improveStack(stack: string, ctor: string | null, name: string, tag: string): string {
  let len = name.length;
  if (ctor === null || (name.endsWith('Error') && stack.startsWith(name) && (stack.length === len || stack[len] === ':' || stack[len] === '\n'))) {
    let fallback = 'Error';
    if (ctor === null) {
      const start = /^([A-Z][a-z_ A-Z0-9[\]()-]+)(?::|\n\s+at)/.exec(stack) || /^([a-z_A-Z0-9-]*Error)$/.exec(stack);
      fallback = start?.[1] || '';
      len = fallback.length;
      fallback ||= 'Error';
    }
    const prefix = getPrefix(ctor, tag, fallback).slice(0, -1);
    if (name !== prefix) {
      if (prefix.includes(name)) stack = len === 0 ? `${prefix}: ${stack}` : `${prefix}${stack.slice(len)}`;
      else stack = `${prefix} [${name}]${stack.slice(len)}`;
    }
  }
  return stack;
}

/** Node's formatError (no colours, frames stood for by FRAMES); adjusts `keys` as Node does. */
function formatError(ctx: Ctx, err: object, ctor: string | null, tag: string, keys: (string | symbol)[], recurseTimes: number): string {
  const e = err as { name?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  let name = 'Error';
  let message: unknown;
  try {
    name = e.name != null ? String(e.name) : 'Error';
    message = e.message;
  } catch {
    // keep the defaults
  }
  let stack = errorStack(ctx, err, recurseTimes);
  if (!ctx.showHidden && keys.length !== 0) {
    for (const k of ['name', 'message', 'stack']) {
      const index = keys.indexOf(k);
      if (index === -1) continue;
      const v = (err as Record<string, unknown>)[k];
      if (typeof v !== 'string' || stack.includes(v)) keys.splice(index, 1);
    }
  }
  if (Object.prototype.hasOwnProperty.call(err, 'cause') && (keys.length === 0 || !keys.includes('cause'))) keys.push('cause');
  let errors: unknown;
  try {
    errors = e.errors;
  } catch {
    errors = undefined;
  }
  if (Array.isArray(errors) && (keys.length === 0 || !keys.includes('errors'))) keys.push('errors');
  stack = improveStack(stack, ctor, name, tag);
  let pos = (typeof message === 'string' && message !== '' && stack.indexOf(message)) || -1;
  if (pos !== -1) pos += (message as string).length;
  if (stack.indexOf('\n    at', pos) === -1) stack = `[${stack}]`;
  if (ctx.indentationLvl !== 0) stack = stack.replace(/\n/g, `\n${' '.repeat(ctx.indentationLvl)}`);
  return stack;
}

/**
 * The kind of a learner function after the transform (transform.ts): an async function, a
 * generator or an async generator becomes a plain function whose whole body is
 * `{return __$A(function* (...) {...}, this, arguments, N);}` (`__$G`, `__$AG`); its parameters
 * are simple names, so the first `{return __$` is its own body. Learner code cannot contain `__$`.
 */
const wrappedEnd = /\}, this, (?:arguments|\[\]), \d+\);\}$/;
const wrappedKinds: Record<string, string> = { A: 'AsyncFunction', G: 'GeneratorFunction', AG: 'AsyncGeneratorFunction' };

function transformedKind(src: string): string | undefined {
  if (wrappedEnd.test(src)) {
    const m = /\{return __\$(AG|A|G)\(function\* /.exec(src);
    return m ? wrappedKinds[m[1]] : undefined;
  }
  // During a run, toString shows the learner's source (engine/host.ts): async and generator
  // methods keep a plain prototype after the transform, so their kind is read from that source.
  if (/^async\s*\*/.test(src)) return 'AsyncGeneratorFunction';
  if (/^async\s+(?:function\b|[\w$[#"'])/.test(src) || /^async\s*\([^)]*\)\s*=>/.test(src)) return 'AsyncFunction';
  if (/^(?:function\s*)?\*/.test(src)) return 'GeneratorFunction';
  return undefined;
}

function fnBase(value: Function, ctorName: string | null, hooks: InspectHooks): string {
  let src = '';
  try {
    src = Function.prototype.toString.call(value);
  } catch {
    // revoked proxies and the like
  }
  if (src.startsWith('class') && /^class\s*[{\w$]/.test(src) && !hooks.builtinFunction?.(value)) {
    const name = value.name ? `class ${value.name}` : 'class (anonymous)';
    let base = `[${name}`;
    const sup = Object.getPrototypeOf(value);
    if (sup && sup !== Function.prototype && typeof sup === 'function' && sup.name) base += ` extends ${sup.name}`;
    return base + ']';
  }
  let type = 'Function';
  const tag = Object.prototype.toString.call(value).slice(8, -1);
  if (tag === 'GeneratorFunction') type = 'GeneratorFunction';
  else if (tag === 'AsyncFunction') type = 'AsyncFunction';
  else if (tag === 'AsyncGeneratorFunction') type = 'AsyncGeneratorFunction';
  else type = transformedKind(src) ?? type;
  let base = `[${type}`;
  if (ctorName === null) base += ' (null prototype)';
  base += value.name === '' ? ' (anonymous)' : `: ${value.name}`;
  base += ']';
  if (ctorName !== type && ctorName !== null && ctorName !== 'Function') base += ` ${ctorName}`;
  return base;
}

function formatValue(ctx: Ctx, value: unknown, recurseTimes: number, typedArray: boolean): string {
  if (typeof value !== 'object' && typeof value !== 'function') return formatPrimitive(ctx, value);
  if (value === null) return 'null';
  let obj = value as object;
  // Never run a proxy's traps: print its target (Node's default, showProxy false) or, for %o,
  // Node's `Proxy [ target, handler ]`.
  const proxied = ctx.hooks.proxyTarget?.(obj);
  if (proxied !== undefined) {
    if (proxied === null) return '<Revoked Proxy>';
    if (ctx.showProxy) return formatProxy(ctx, obj, recurseTimes);
    obj = proxied;
    for (let t = ctx.hooks.proxyTarget!(obj); t !== undefined; t = ctx.hooks.proxyTarget!(obj)) {
      if (t === null) return '<Revoked Proxy>';
      obj = t;
    }
  }
  const custom = ctx.hooks.custom?.(obj);
  if (custom) {
    if (recurseTimes > ctx.depth) return `[${custom.name}]`;
    return `${custom.name} ${formatValue(ctx, custom.view, recurseTimes, false)}`;
  }
  if (ctx.seen.includes(obj)) {
    let index = 1;
    if (!ctx.circular.has(obj)) {
      ctx.circular.set(obj, ctx.circular.size + 1);
      index = ctx.circular.size;
    } else {
      index = ctx.circular.get(obj)!;
    }
    return `[Circular *${index}]`;
  }
  return formatRaw(ctx, obj, recurseTimes, typedArray);
}

type Extras = 'object' | 'array';

function formatProxy(ctx: Ctx, proxy: object, recurseTimes: number): string {
  if (recurseTimes > ctx.depth) return 'Proxy [Array]';
  const target = ctx.hooks.proxyTarget!(proxy);
  const handler = ctx.hooks.proxyHandler?.(proxy);
  recurseTimes += 1;
  ctx.indentationLvl += 2;
  const res = [formatValue(ctx, target, recurseTimes, false), formatValue(ctx, handler, recurseTimes, false)];
  ctx.indentationLvl -= 2;
  return reduceToSingleString(ctx, res, '', ['Proxy [', ']'], 'array', recurseTimes, undefined);
}

function formatRaw(ctx: Ctx, value: object, recurseTimes: number, typedArray: boolean): string {
  let keys: (string | symbol)[] = [];
  const ctor = getCtorName(value);
  let tag = '';
  try {
    const t = (value as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag];
    // An own enumerable tag is listed with the keys instead (Node prints it once).
    if (typeof t === 'string' && t !== '' && !(ctx.showHidden ? Object.prototype.hasOwnProperty : Object.prototype.propertyIsEnumerable).call(value, Symbol.toStringTag)) tag = t;
  } catch {
    // a throwing getter: ignore the tag
  }
  if (tag !== '' && ctor !== null && tag === ctor) tag = '';
  let base = '';
  let formatter: (ctx: Ctx, value: object, recurseTimes: number) => string[] = () => [];
  let braces: [string, string] = ['{', '}'];
  let extras: Extras = 'object';
  let noIterator = true;
  const ownKeys = (): (string | symbol)[] => {
    if (ctx.showHidden) return Reflect.ownKeys(value);
    const names = Object.keys(value);
    const syms = Object.getOwnPropertySymbols(value).filter((s) => Object.prototype.propertyIsEnumerable.call(value, s));
    return [...names, ...syms];
  };

  const promise = ctx.hooks.promiseDetails?.(value);
  if (Array.isArray(value)) {
    noIterator = false;
    keys = ownKeys().filter((k) => typeof k === 'symbol' || !isIndex(k, value.length));
    const prefix = ctor !== 'Array' || tag !== '' ? getPrefix(ctor, tag, 'Array', `(${value.length})`) : '';
    braces = [`${prefix}[`, ']'];
    if (value.length === 0 && keys.length === 0) return `${braces[0]}]`;
    extras = 'array';
    formatter = (c, v, r) => formatArray(c, v as unknown[], r);
  } else if (value instanceof Set) {
    noIterator = false;
    keys = ownKeys();
    const prefix = getPrefix(ctor, tag, 'Set', `(${value.size})`);
    formatter = (c, v, r) => formatSet(c, v as Set<unknown>, r);
    if (value.size === 0 && keys.length === 0) return `${prefix}{}`;
    braces = [`${prefix}{`, '}'];
  } else if (value instanceof Map) {
    noIterator = false;
    keys = ownKeys();
    const prefix = getPrefix(ctor, tag, 'Map', `(${value.size})`);
    formatter = (c, v, r) => formatMap(c, v as Map<unknown, unknown>, r);
    if (value.size === 0 && keys.length === 0) return `${prefix}{}`;
    braces = [`${prefix}{`, '}'];
  } else if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    noIterator = false;
    keys = ownKeys().filter((k) => typeof k === 'symbol' || !/^\d+$/.test(k));
    const ta = value as unknown as ArrayLike<number | bigint> & { constructor: { name: string } };
    const fallback = Object.prototype.toString.call(value).slice(8, -1);
    const size = ta.length;
    const prefix = getPrefix(ctor, tag, fallback, `(${size})`);
    braces = [`${prefix}[`, ']'];
    if (size === 0 && keys.length === 0) return `${braces[0]}]`;
    extras = 'array';
    formatter = (c, _v, r) => {
      const n = Math.min(c.maxArrayLength, size);
      const out: string[] = [];
      for (let i = 0; i < n; i++) out.push(typeof ta[i] === 'bigint' ? `${ta[i]}n` : formatNumber(ta[i] as number));
      if (size > n) out.push(`... ${size - n} more item${size - n > 1 ? 's' : ''}`);
      if (c.showHidden) {
        c.indentationLvl += 2;
        for (const key of ['BYTES_PER_ELEMENT', 'length', 'byteLength', 'byteOffset', 'buffer']) {
          out.push(`[${key}]: ${formatValue(c, (ta as unknown as Record<string, unknown>)[key], r, true)}`);
        }
        c.indentationLvl -= 2;
      }
      return out;
    };
  }
  if (noIterator) {
    keys = ownKeys();
    braces = ['{', '}'];
    if (promise) {
      const prefix = getPrefix(ctor, tag, 'Promise');
      braces[0] = `${prefix}{`;
      formatter = (c, _v, r) => {
        if (promise[0] === 'pending') return ['<pending>'];
        c.indentationLvl += 2;
        const str = formatValue(c, promise[1], r, false);
        c.indentationLvl -= 2;
        return [promise[0] === 'rejected' ? `<rejected> ${str}` : str];
      };
    } else if (ctor === 'Object' && tag === '' && !isError(value) && !isArguments(value)) {
      if (keys.length === 0) return '{}';
    } else if (typeof value === 'function') {
      base = fnBase(value as Function, ctor, ctx.hooks);
      if (keys.length === 0) return base;
    } else if (isArguments(value)) {
      // Node 24 lists an arguments object's indices as keys: [Arguments] { '0': 1 }.
      if (keys.length === 0) return '[Arguments] {}';
      braces[0] = '[Arguments] {';
    } else if (isAnyArrayBuffer(value)) {
      const shared = Object.prototype.toString.call(value) === '[object SharedArrayBuffer]';
      const buf = value as ArrayBuffer;
      const prefix = getPrefix(ctor, tag, shared ? 'SharedArrayBuffer' : 'ArrayBuffer');
      if (typedArray && keys.length === 0) return `${prefix}{ [byteLength]: ${formatNumber(buf.byteLength)} }`;
      braces[0] = `${prefix}{`;
      formatter = (c) => [formatArrayBufferContents(c, buf), `[byteLength]: ${formatNumber(buf.byteLength)}`];
    } else if (Object.prototype.toString.call(value) === '[object DataView]' && ArrayBuffer.isView(value)) {
      const dv = value as DataView;
      braces[0] = `${getPrefix(ctor, tag, 'DataView')}{`;
      formatter = (c, _v, r) => {
        c.indentationLvl += 2;
        const buffer = formatValue(c, dv.buffer, r, false);
        c.indentationLvl -= 2;
        return [`[byteLength]: ${formatNumber(dv.byteLength)}`, `[byteOffset]: ${formatNumber(dv.byteOffset)}`, `[buffer]: ${buffer}`];
      };
    } else if (value instanceof RegExp) {
      base = RegExp.prototype.toString.call(value);
      const prefix = getPrefix(ctor, tag, 'RegExp');
      if (prefix !== 'RegExp ') base = `${prefix}${base}`;
      if (keys.length === 0) return base;
    } else if (value instanceof Date) {
      base = Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
      const prefix = getPrefix(ctor, tag, 'Date');
      if (prefix !== 'Date ') base = `${prefix}${base}`;
      if (keys.length === 0) return base;
    } else if (isError(value)) {
      base = formatError(ctx, value, ctor, tag, keys, recurseTimes);
      if (keys.length === 0) return base;
    } else if (isCollectionIterator(value)) {
      // Node previews the entries a Map or Set iterator has left (V8's previewEntries); plain
      // JavaScript cannot read them without consuming the iterator, so the lab says so.
      return `[${Object.prototype.toString.call(value).slice(8, -1)}] { <items unknown> }`;
    } else if (value instanceof WeakMap || value instanceof WeakSet) {
      const prefix = getPrefix(ctor, tag, value instanceof WeakMap ? 'WeakMap' : 'WeakSet');
      return `${prefix}{ <items unknown> }`;
    } else if (isBoxed(value)) {
      const prim = (value as { valueOf(): unknown }).valueOf();
      const type = typeof prim === 'string' ? 'String' : typeof prim === 'number' ? 'Number' : typeof prim === 'boolean' ? 'Boolean' : typeof prim === 'bigint' ? 'BigInt' : 'Symbol';
      base = `[${type}: ${formatPrimitive(newCtx(ctx.hooks), prim)}]`;
      if (typeof prim === 'string') keys = keys.filter((k) => typeof k === 'symbol' || !/^\d+$/.test(k));
      if (keys.length === 0) return base;
    } else {
      if (keys.length === 0) {
        return `${getCtorNameOrPrefix(ctor, tag, 'Object')}{}`;
      }
      braces[0] = `${getCtorNameOrPrefix(ctor, tag, 'Object')}{`;
    }
  }

  if (recurseTimes > ctx.depth) {
    let name = (ctor ?? (tag || 'Object')).replace(/ /g, '');
    if (Array.isArray(value)) name = 'Array';
    return `[${name}]`;
  }
  recurseTimes += 1;
  ctx.seen.push(value);
  ctx.currentDepth = recurseTimes;
  let output: string[];
  try {
    output = formatter(ctx, value, recurseTimes);
    for (const key of keys) output.push(formatProperty(ctx, value, recurseTimes, key, extras));
  } finally {
    ctx.seen.pop();
  }
  if (ctx.circular.has(value)) {
    const index = ctx.circular.get(value)!;
    const reference = `<ref *${index}>`;
    if (base === '') braces[0] = `${reference} ${braces[0]}`;
    else base = `${reference} ${base}`;
  }
  return reduceToSingleString(ctx, output, base, braces, extras, recurseTimes, value);
}

function getCtorNameOrPrefix(ctor: string | null, tag: string, fallback: string): string {
  if (ctor === 'Object' && tag === '') return '';
  return getPrefix(ctor, tag, fallback);
}

function isIndex(k: string | symbol, length: number): boolean {
  if (typeof k !== 'string') return false;
  if (!/^(0|[1-9]\d*)$/.test(k)) return false;
  return Number(k) < length;
}

function isAnyArrayBuffer(v: object): boolean {
  const t = Object.prototype.toString.call(v);
  if (t !== '[object ArrayBuffer]' && t !== '[object SharedArrayBuffer]') return false;
  try {
    // The byteLength getter throws for anything that is not a real (shared) buffer.
    const getter = Object.getOwnPropertyDescriptor(t === '[object ArrayBuffer]' ? ArrayBuffer.prototype : Object.getPrototypeOf(v), 'byteLength')?.get;
    if (getter) getter.call(v);
    return true;
  } catch {
    return false;
  }
}

/** `[Uint8Contents]: <00 01 ff>`, at most maxArrayLength bytes, as Node prints a buffer. */
function formatArrayBufferContents(ctx: Ctx, buf: ArrayBuffer): string {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(buf);
  } catch {
    return '(detached)';
  }
  if ((buf as { detached?: boolean }).detached) return '(detached)';
  const n = Math.min(ctx.maxArrayLength, bytes.length);
  let str = '';
  for (let i = 0; i < n; i++) str += `${i ? ' ' : ''}${bytes[i].toString(16).padStart(2, '0')}`;
  const remaining = bytes.length - ctx.maxArrayLength;
  if (remaining > 0) str += ` ... ${remaining} more byte${remaining > 1 ? 's' : ''}`;
  return `[Uint8Contents]: <${str}>`;
}

let collectionIteratorProtos: object[] | undefined;

function isCollectionIterator(v: object): boolean {
  collectionIteratorProtos ??= [Object.getPrototypeOf(new Map().entries()), Object.getPrototypeOf(new Set().values())];
  const proto = Object.getPrototypeOf(v);
  return proto !== null && collectionIteratorProtos.includes(proto);
}

function isArguments(v: object): boolean {
  return Object.prototype.toString.call(v) === '[object Arguments]';
}

function isBoxed(v: object): boolean {
  return v instanceof String || v instanceof Number || v instanceof Boolean || (typeof BigInt === 'function' && v instanceof BigInt) || v instanceof Symbol;
}

function formatArray(ctx: Ctx, value: unknown[], recurseTimes: number): string[] {
  const valLen = value.length;
  const len = Math.min(ctx.maxArrayLength, valLen);
  const output: string[] = [];
  for (let i = 0; i < len; i++) {
    if (!Object.prototype.hasOwnProperty.call(value, i)) return formatSpecialArray(ctx, value, recurseTimes, len, output, i);
    output.push(formatProperty(ctx, value, recurseTimes, i, 'array'));
  }
  const remaining = valLen - len;
  if (remaining > 0) output.push(`... ${remaining} more item${remaining > 1 ? 's' : ''}`);
  return output;
}

function formatSpecialArray(ctx: Ctx, value: unknown[], recurseTimes: number, maxLength: number, output: string[], i: number): string[] {
  const keys = Object.keys(value);
  let index = i;
  for (; i < keys.length && output.length < maxLength; i++) {
    const key = keys[i];
    const tmp = +key;
    if (tmp > 2 ** 32 - 2) break;
    if (`${index}` !== key) {
      if (!/^(0|[1-9]\d*)$/.test(key)) break;
      const emptyItems = tmp - index;
      output.push(`<${emptyItems} empty item${emptyItems > 1 ? 's' : ''}>`);
      index = tmp;
      if (output.length === maxLength) break;
    }
    output.push(formatProperty(ctx, value, recurseTimes, key, 'array'));
    index++;
  }
  const remaining = value.length - index;
  if (output.length !== maxLength) {
    if (remaining > 0) output.push(`<${remaining} empty item${remaining > 1 ? 's' : ''}>`);
  } else if (remaining > 0) {
    output.push(`... ${remaining} more item${remaining > 1 ? 's' : ''}`);
  }
  return output;
}

function formatSet(ctx: Ctx, value: Set<unknown>, recurseTimes: number): string[] {
  const output: string[] = [];
  ctx.indentationLvl += 2;
  let i = 0;
  for (const v of value) {
    if (i >= ctx.maxArrayLength) break;
    output.push(formatValue(ctx, v, recurseTimes, false));
    i++;
  }
  if (value.size > i) output.push(`... ${value.size - i} more item${value.size - i > 1 ? 's' : ''}`);
  ctx.indentationLvl -= 2;
  return output;
}

function formatMap(ctx: Ctx, value: Map<unknown, unknown>, recurseTimes: number): string[] {
  const output: string[] = [];
  ctx.indentationLvl += 2;
  let i = 0;
  for (const [k, v] of value) {
    if (i >= ctx.maxArrayLength) break;
    output.push(`${formatValue(ctx, k, recurseTimes, false)} => ${formatValue(ctx, v, recurseTimes, false)}`);
    i++;
  }
  if (value.size > i) output.push(`... ${value.size - i} more item${value.size - i > 1 ? 's' : ''}`);
  ctx.indentationLvl -= 2;
  return output;
}

function formatProperty(ctx: Ctx, value: object, recurseTimes: number, key: string | number | symbol, type: Extras): string {
  let str: string;
  const desc = Object.getOwnPropertyDescriptor(value, key) ?? { value: (value as Record<string | symbol, unknown>)[key as string], enumerable: true };
  if (desc.value !== undefined || !('get' in desc || 'set' in desc)) {
    ctx.indentationLvl += 2;
    str = formatValue(ctx, desc.value, recurseTimes, false);
    ctx.indentationLvl -= 2;
  } else if (desc.get !== undefined) {
    str = desc.set !== undefined ? '[Getter/Setter]' : '[Getter]';
  } else if (desc.set !== undefined) {
    str = '[Setter]';
  } else {
    str = 'undefined';
  }
  if (type === 'array' && typeof key !== 'symbol' && /^\d+$/.test(String(key))) return str;
  const name = formatKey(typeof key === 'number' ? String(key) : key, desc.enumerable !== false);
  return `${name}: ${str}`;
}

function isBelowBreakLength(ctx: Ctx, output: string[], start: number, base: string): boolean {
  let totalLength = output.length + start;
  if (totalLength + output.length > ctx.breakLength) return false;
  for (const o of output) {
    totalLength += o.length;
    if (totalLength > ctx.breakLength) return false;
  }
  return base === '' || !base.includes('\n');
}

function reduceToSingleString(ctx: Ctx, output: string[], base: string, braces: [string, string], extras: Extras, recurseTimes: number, value: unknown): string {
  const entries = output.length;
  if (extras === 'array' && entries > 6) output = groupArrayElements(ctx, output, value);
  if (ctx.currentDepth - recurseTimes < ctx.compact && entries === output.length) {
    const start = output.length + ctx.indentationLvl + braces[0].length + base.length + 10;
    if (isBelowBreakLength(ctx, output, start, base)) {
      const joined = output.join(', ');
      if (!joined.includes('\n')) return `${base ? `${base} ` : ''}${braces[0]} ${joined} ${braces[1]}`;
    }
  }
  const indentation = `\n${' '.repeat(ctx.indentationLvl)}`;
  return `${base ? `${base} ` : ''}${braces[0]}${indentation}  ${output.join(`,${indentation}  `)}${indentation}${braces[1]}`;
}

function groupArrayElements(ctx: Ctx, output: string[], value: unknown): string[] {
  let totalLength = 0;
  let maxLength = 0;
  let outputLength = output.length;
  const arr = value as unknown[];
  if (Array.isArray(arr) && ctx.maxArrayLength < arr.length && output.length > ctx.maxArrayLength) outputLength--;
  else if (output.length && output[output.length - 1].startsWith('... ') && output[output.length - 1].includes(' more item')) outputLength--;
  const separatorSpace = 2;
  const dataLen = new Array<number>(outputLength);
  for (let i = 0; i < outputLength; i++) {
    const len = output[i].length;
    dataLen[i] = len;
    totalLength += len + separatorSpace;
    if (maxLength < len) maxLength = len;
  }
  const actualMax = maxLength + separatorSpace;
  if (actualMax * 3 + ctx.indentationLvl < ctx.breakLength && (totalLength / actualMax > 5 || maxLength <= 6)) {
    const averageBias = Math.sqrt(actualMax - totalLength / output.length);
    const biasedMax = Math.max(actualMax - 3 - averageBias, 1);
    const columns = Math.min(
      Math.round(Math.sqrt(2.5 * biasedMax * outputLength) / biasedMax),
      Math.floor((ctx.breakLength - ctx.indentationLvl) / actualMax),
      ctx.compact * 4,
      15,
    );
    if (columns <= 1) return output;
    const tmp: string[] = [];
    const maxLineLength: number[] = [];
    for (let i = 0; i < columns; i++) {
      let lineMaxLength = 0;
      for (let j = i; j < output.length; j += columns) if (dataLen[j] > lineMaxLength) lineMaxLength = dataLen[j];
      maxLineLength.push(lineMaxLength + separatorSpace);
    }
    let padStart = true;
    if (value !== undefined && (Array.isArray(arr) || ArrayBuffer.isView(arr))) {
      for (let i = 0; i < output.length; i++) {
        if (typeof arr[i] !== 'number' && typeof arr[i] !== 'bigint') {
          padStart = false;
          break;
        }
      }
    } else {
      padStart = false;
    }
    for (let i = 0; i < outputLength; i += columns) {
      const max = Math.min(i + columns, outputLength);
      let str = '';
      let j = i;
      for (; j < max - 1; j++) {
        const padding = maxLineLength[j - i];
        str += padStart ? `${output[j]}, `.padStart(padding, ' ') : `${output[j]}, `.padEnd(padding, ' ');
      }
      if (padStart) {
        const padding = maxLineLength[j - i] - separatorSpace;
        str += output[j].padStart(padding, ' ');
      } else {
        str += output[j];
      }
      tmp.push(str);
    }
    if (outputLength < output.length) tmp.push(output[outputLength]);
    output = tmp;
  }
  return output;
}

/** `console.log(...args)` text: format string handling, then inspect for non-strings. */
export function formatLogArgs(args: readonly unknown[], hooks: InspectHooks = {}): string {
  if (args.length === 0) return '';
  const first = args[0];
  let a = 0;
  let str = '';
  let join = '';
  if (typeof first === 'string') {
    if (args.length === 1) return first;
    let tempStr: string | undefined;
    let lastPos = 0;
    for (let i = 0; i < first.length - 1; i++) {
      if (first.charCodeAt(i) !== 37) continue; // '%'
      const next = first.charCodeAt(++i);
      if (a + 1 !== args.length) {
        switch (next) {
          case 115: {
            // 's'
            const arg = args[++a];
            if (typeof arg === 'number') tempStr = formatNumber(arg);
            else if (typeof arg === 'bigint') tempStr = `${arg}n`;
            else if (typeof arg !== 'object' || arg === null || !hasBuiltInToString(arg, hooks)) tempStr = String(arg);
            else tempStr = formatValue({ ...newCtx(hooks), depth: 0 }, arg, 0, false);
            break;
          }
          case 106: // 'j'
            try {
              tempStr = JSON.stringify(args[++a]);
            } catch {
              tempStr = '[Circular]';
            }
            break;
          case 100: {
            // 'd'
            const n = args[++a];
            if (typeof n === 'bigint') tempStr = `${n}n`;
            else if (typeof n === 'symbol') tempStr = 'NaN';
            else tempStr = formatNumber(Number(n));
            break;
          }
          case 79: // 'O'
            tempStr = inspect(args[++a], hooks);
            break;
          case 111: // 'o'
            tempStr = formatValue({ ...newCtx(hooks), depth: 4, showHidden: true, showProxy: true }, args[++a], 0, false);
            break;
          case 105: {
            // 'i'
            const n = args[++a];
            if (typeof n === 'bigint') tempStr = `${n}n`;
            else if (typeof n === 'symbol') tempStr = 'NaN';
            else tempStr = formatNumber(Number.parseInt(String(n)));
            break;
          }
          case 102: {
            // 'f'
            const n = args[++a];
            tempStr = typeof n === 'symbol' ? 'NaN' : formatNumber(Number.parseFloat(String(n)));
            break;
          }
          case 99: // 'c'
            a += 1;
            tempStr = '';
            break;
          case 37: // '%'
            str += first.slice(lastPos, i);
            lastPos = i + 1;
            continue;
          default:
            continue;
        }
        if (lastPos !== i - 1) str += first.slice(lastPos, i - 1);
        str += tempStr;
        lastPos = i + 1;
      } else if (next === 37) {
        str += first.slice(lastPos, i);
        lastPos = i + 1;
      }
    }
    if (lastPos !== 0) {
      a++;
      join = ' ';
      if (lastPos < first.length) str += first.slice(lastPos);
    }
  }
  while (a < args.length) {
    const value = args[a];
    str += join;
    str += typeof value !== 'string' ? inspect(value, hooks) : value;
    join = ' ';
    a++;
  }
  return withoutFrames(str);
}

/** Global names of the host's built-in classes (Node: the capitalised names on its global). */
let builtInObjects: Set<string> | undefined;

/**
 * Node's hasBuiltInToString: `%s` prints an object with String() when it has its own
 * `Symbol.toPrimitive` or a `toString` that is not a built-in class's (a proxy counts as built-in
 * and is looked through without running its traps).
 */
function hasBuiltInToString(value: object, hooks: InspectHooks): boolean {
  const target = hooks.proxyTarget?.(value);
  if (target !== undefined) {
    if (target === null) return true;
    value = target;
  }
  builtInObjects ??= new Set(Object.getOwnPropertyNames(globalThis).filter((e) => /^[A-Z][a-zA-Z0-9]+$/.test(e)));
  const v = value as { [Symbol.toPrimitive]?: unknown; toString?: unknown };
  // A built-in class's Symbol.toPrimitive (Date's) does not count as custom (Node 24 prints a
  // Date with %s as inspect does).
  if (typeof v[Symbol.toPrimitive] === 'function' && !ownerIsBuiltIn(value, Symbol.toPrimitive, builtInObjects)) return false;
  if (typeof v.toString !== 'function') return true;
  if (Object.prototype.hasOwnProperty.call(value, 'toString')) return false;
  return ownerIsBuiltIn(value, 'toString', builtInObjects);
}

/** Whether the prototype that owns `key` (above `value` itself) belongs to a built-in class. */
function ownerIsBuiltIn(value: object, key: string | symbol, builtIns: Set<string>): boolean {
  if (Object.prototype.hasOwnProperty.call(value, key)) return false;
  let pointer: object | null = value;
  do {
    pointer = Object.getPrototypeOf(pointer);
  } while (pointer !== null && !Object.prototype.hasOwnProperty.call(pointer, key));
  if (pointer === null) return true;
  const descriptor = Object.getOwnPropertyDescriptor(pointer, 'constructor');
  return descriptor !== undefined && typeof descriptor.value === 'function' && builtIns.has(descriptor.value.name);
}

/** Node's console.table cell: depth 0 (-1 for an object with more than 2 keys), 3 array items, one line. */
function tableCell(v: unknown, hooks: InspectHooks): string {
  let depth = 0;
  try {
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 2) depth = -1;
  } catch {
    // keep depth 0
  }
  return withoutFrames(formatValue({ ...newCtx(hooks), depth, maxArrayLength: 3, breakLength: Infinity }, v, 0, false));
}

/** Display width of a cell (code points; Node also counts East Asian wide characters twice). */
function cellWidth(s: string): number {
  let n = 0;
  for (const c of s) n += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}]/u.test(c) ? 2 : 1;
  return n;
}

/** Node's cli_table: box-drawing characters, left-aligned cells. */
function renderTable(head: string[], columns: string[][]): string {
  const widths = head.map(cellWidth);
  const longest = Math.max(...columns.map((c) => c.length));
  const rows: string[][] = [];
  for (let i = 0; i < head.length; i++) {
    for (let j = 0; j < longest; j++) {
      rows[j] ??= [];
      const value = Object.prototype.hasOwnProperty.call(columns[i], j) ? columns[i][j] : '';
      rows[j][i] = value;
      widths[i] = Math.max(widths[i] || 0, cellWidth(value));
    }
  }
  const row = (r: string[]): string => `│ ${r.map((c, i) => c + ' '.repeat(widths[i] - cellWidth(c))).join(' │ ')} │`;
  const divider = widths.map((w) => '─'.repeat(w + 2));
  let out = `┌${divider.join('┬')}┐\n${row(head)}\n├${divider.join('┼')}┤\n`;
  for (const r of rows) out += `${row(r)}\n`;
  return out + `└${divider.join('┴')}┘`;
}

/**
 * `console.table(data, properties)` as Node 24 prints it: a primitive is logged as it is; a Map
 * or Set lists its entries by iteration index; anything else one row per own enumerable key,
 * one column per key of the rows (or per `properties`), plus "Values" for primitive rows.
 */
export function formatTable(data: unknown, properties: unknown, hooks: InspectHooks = {}): string {
  if (properties !== undefined && !Array.isArray(properties)) {
    throw new TypeError(`The "properties" argument must be an instance of Array. Received ${inspect(properties, hooks)}`);
  }
  if (data === null || typeof data !== 'object') return formatLogArgs([data], hooks);
  const cell = (v: unknown): string => tableCell(v, hooks);
  const index = (n: number): string[] => Array.from({ length: n }, (_, i) => cell(i));
  if (data instanceof Map) {
    const keys: string[] = [];
    const values: string[] = [];
    for (const [k, v] of data) {
      keys.push(cell(k));
      values.push(cell(v));
    }
    return renderTable(['(iteration index)', 'Key', 'Values'], [index(keys.length), keys, values]);
  }
  if (data instanceof Set) {
    const values: string[] = [];
    for (const v of data) values.push(cell(v));
    return renderTable(['(iteration index)', 'Values'], [index(values.length), values]);
  }
  const map: Record<string, string[]> = Object.create(null);
  let hasPrimitives = false;
  const valuesColumn: string[] = [];
  const indexKeys = Object.keys(data);
  for (let i = 0; i < indexKeys.length; i++) {
    const item = (data as Record<string, unknown>)[indexKeys[i]];
    const primitive = item === null || (typeof item !== 'function' && typeof item !== 'object');
    if (properties === undefined && primitive) {
      hasPrimitives = true;
      valuesColumn[i] = cell(item);
    } else {
      const keys = (properties as string[] | undefined) ?? Object.keys(item as object);
      for (const key of keys) {
        map[key] ??= [];
        if ((primitive && properties) || !Object.prototype.hasOwnProperty.call(item, key)) map[key][i] = '';
        else map[key][i] = cell((item as Record<string, unknown>)[key]);
      }
    }
  }
  const head = Object.keys(map);
  const columns = Object.values(map);
  if (hasPrimitives) {
    head.push('Values');
    columns.push(valuesColumn);
  }
  return renderTable(['(index)', ...head], [indexKeys, ...columns]);
}
