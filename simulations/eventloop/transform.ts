/**
 * Source-to-source transform of learner code onto the engine's machinery.
 *
 * The program is parsed with acorn (ecmaVersion 'latest', classic script) and re-printed from its
 * own source text: every node is copied verbatim except the ones this file rewrites, so the
 * output is the learner's code plus calls into the runtime (all named `__$...`, a prefix learner
 * code may not use):
 *
 * - every statement in a statement list is preceded by `__$L.p=N;` (N indexes `locs`): the
 *   "current source location" register the runtime stamps on trace events;
 * - every ordinary function body becomes `const __$s=__$E(F);try{...}finally{__$X(__$s);}`:
 *   call-stack push and pop (F indexes `fns`), and the step budget;
 * - `async function` / `async` arrows / `async` methods become plain functions that hand a
 *   generator (`function*`) to `__$A`, which runs it as a coroutine; `await e` becomes
 *   `(yield __$aw(e,S))` (S indexes `sites`). Parameters move into the generator (so a throwing
 *   default rejects the promise, as in the spec); simple parameter lists are kept on the outer
 *   function too, others become placeholders `__$p0...` up to the first default or rest, so
 *   `length` stays right; a generator's own name is passed to the driver, so its objects
 *   inherit from its `prototype`; `__$fk(f, kind[, name])` gives such a function (a hoisted
 *   declaration at the top of its statement list, an expression where it stands, with the name
 *   NamedEvaluation would give it) its kind's [[Prototype]] (AsyncFunction.prototype...);
 * - sync generators are handed to `__$G` (which wraps the generator object to push and pop a
 *   frame on each resume), async generators to `__$AG` (the spec's AsyncGenerator state
 *   machine); inside async generators `yield e` becomes `(yield __$yv(e,S))`, `yield* e` becomes
 *   `(yield* __$yd(e,S))` and `return e` becomes `return (yield __$aw(e,S))` (the spec awaits it);
 * - `for await (x of e) body` becomes a plain loop over the spec's GetIterator(e, async) with the
 *   iterator result awaited by `yield`, and AsyncIteratorClose on an abrupt exit;
 * - every loop body starts with `__$B();` (loop budget), every `catch` body with `__$C(e);` (so a
 *   budget stop cannot be swallowed), every `throw e` is `throw __$th(e)` (trace);
 * - `this` becomes `__$T(this)` (a sloppy function called bare must not see the host's global);
 * - free names that are neither declared by the program, injected by the sandbox nor standard
 *   ECMAScript globals become `__$N.name` (`(0, __$N.name)` as a callee, so `this` stays
 *   undefined), which reads the sandbox's global object (so `globalThis.x = 1; x` works) or
 *   throws `ReferenceError: name is not defined` (or "is not supported in this lab", see
 *   features.ts; `typeof name` gives "undefined"), so `process`, `fetch`, `document`... are
 *   unreachable. V8 prints these rewrites in its messages (`__$T(...).f is not a function`,
 *   `__$N.x is not a constructor`): the runtime rewrites caught errors' messages back to the
 *   learner's code (cleanMessage in engine/agent.ts), and `toString()` of a function shows its
 *   source (`sourceOf`, engine/host.ts); in strict
 *   code `name = v` becomes `__$sg("name", v)`. Assignments to undeclared names (sloppy implicit
 *   globals) are declared with `var` at the top of the program instead of creating a property of
 *   the host's global object.
 * - the global scope of a classic script: the sandbox's globals (setTimeout, console, Promise,
 *   delay...) are `var`s of the program, initialised from `__$H` at its top, unless a top-level
 *   let/const/class or function declaration takes the name (a let/const/class shadows the
 *   global, a function replaces it, a var keeps its value), and `__$DG` makes the sandbox's global
 *   object's properties accessors of the program's var-scoped top-level names (host globals, var
 *   and function declarations, implicit globals), so `globalThis.x` and `x` are one variable.
 *   Top-level let/const/class/function of `undefined`, `NaN`, `Infinity` are SyntaxErrors, as in
 *   browsers. The learner's code cannot name the runtime's helpers: the `__$` prefix is refused.
 *
 * Known approximations (documented in SUPPORTED_FEATURES): wrapped async/generator functions are
 * constructible and have a `prototype`; `new.target` inside async arrows is not preserved;
 * deleting a global property does not remove the variable; a top-level `var undefined = 1`
 * (or `NaN`, `Infinity`) changes the program's variable where a browser ignores it.
 */
import { Parser, tokenizer } from 'acorn';

/** A node of acorn's ESTree output, loosely typed (the printer is generic over node shapes). */
export interface AstNode {
  type: string;
  start: number;
  end: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [key: string]: any;
}

/** 1-based line and 1-based column (as editors show them). */
export interface SourceLoc {
  line: number;
  column: number;
}

export type FnKind = 'function' | 'arrow' | 'method' | 'constructor' | 'getter' | 'setter' | 'async' | 'generator' | 'async-generator';

export interface FnInfo {
  /** Name as a stack view shows it: the declared or inferred name, or "(anonymous)". */
  name: string;
  /** Index into `locs` of the function's start. */
  loc: number;
  kind: FnKind;
}

/** An `await`, `yield`, `yield*` or `for await` in the source. */
export interface SiteInfo {
  loc: number;
  /** Source text of the expression, shortened to at most 60 characters. */
  text: string;
  kind: 'await' | 'yield' | 'yield*' | 'for-await' | 'return';
}

export interface Transformed {
  code: string;
  locs: SourceLoc[];
  fns: FnInfo[];
  sites: SiteInfo[];
  /** Index into `locs` of the program start (the "(main script)" frame). */
  programLoc: number;
  /** Undeclared names the program assigns to (declared with `var` at the top). */
  implicitGlobals: string[];
  /**
   * The learner's source text of every function and class, keyed by the text the host's
   * `Function.prototype.toString` returns for its transformed version (see engine/host.ts).
   */
  sourceOf: Map<string, string>;
}

/** A syntax error (or a construct the lab refuses) with its position. */
export class ProgramError extends Error {
  readonly line?: number;
  readonly column?: number;
  constructor(message: string, line?: number, column?: number) {
    super(message);
    this.name = 'ProgramError';
    this.line = line;
    this.column = column;
  }
}

/** Names the sandbox injects as parameters of the program function (learner-visible). */
export const INJECTED_GLOBALS = [
  'console',
  'setTimeout',
  'setInterval',
  'clearTimeout',
  'clearInterval',
  'queueMicrotask',
  'Promise',
  'delay',
  'Date',
  'Math',
  'performance',
  'globalThis',
  'window',
  'self',
  'Function',
  'eval',
  'structuredClone',
  'Proxy',
] as const;

/** Host globals learner code may read as they are: standard ECMAScript plus a few pure web APIs. */
export const ALLOWED_HOST_GLOBALS = [
  'Object',
  'Array',
  'Number',
  'Boolean',
  'String',
  'Symbol',
  'BigInt',
  'RegExp',
  'Error',
  'AggregateError',
  'EvalError',
  'RangeError',
  'ReferenceError',
  'SyntaxError',
  'TypeError',
  'URIError',
  'JSON',
  'Reflect',
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'WeakRef',
  'ArrayBuffer',
  'DataView',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'Iterator',
  'parseInt',
  'parseFloat',
  'isNaN',
  'isFinite',
  'encodeURI',
  'encodeURIComponent',
  'decodeURI',
  'decodeURIComponent',
  'escape',
  'unescape',
  'Infinity',
  'NaN',
  'undefined',
  'Intl',
  'TextEncoder',
  'TextDecoder',
  'URL',
  'URLSearchParams',
] as const;

const RESERVED_PREFIX = '__$';
const PARSE_OPTIONS = { ecmaVersion: 'latest', sourceType: 'script', locations: true, allowHashBang: true } as const;

/**
 * Global properties a script cannot declare with let/const/class/function (non-configurable
 * properties of the global object: HasRestrictedGlobalProperty / CanDeclareGlobalFunction).
 */
const RESTRICTED_GLOBALS = new Set(['undefined', 'NaN', 'Infinity']);

/**
 * The start of the declaration whose name is at `namePos`, when it is a function (`function`,
 * `function*`, `async function`) or class declaration; otherwise `namePos`.
 */
function declarationStart(source: string, namePos: number): number {
  const toks: { label: string; start: number; end: number }[] = [];
  try {
    for (const t of tokenizer(source, PARSE_OPTIONS)) {
      if (t.start >= namePos) break;
      toks.push({ label: t.type.label, start: t.start, end: t.end });
    }
  } catch {
    return namePos;
  }
  let i = toks.length - 1;
  if (i >= 0 && toks[i].label === 'class') return toks[i].start;
  if (i >= 0 && toks[i].label === '*') i--;
  if (i < 0 || toks[i].label !== 'function') return namePos;
  const fn = toks[i];
  const prev = toks[i - 1];
  if (prev && prev.label === 'name' && source.slice(prev.start, prev.end) === 'async' && !/[\n\r\u2028\u2029]/.test(source.slice(prev.end, fn.start))) return prev.start;
  return fn.start;
}
const INJECTED = new Set<string>(INJECTED_GLOBALS);
const ALLOWED = new Set<string>(ALLOWED_HOST_GLOBALS);
const META_KEYS = new Set(['type', 'start', 'end', 'loc', 'range', 'raw', 'regex', 'bigint']);

/** Node types whose children of the given key keep the "binding pattern" context. */
function patternChild(type: string, key: string): boolean {
  switch (type) {
    case 'ObjectPattern':
    case 'ArrayPattern':
      return key === 'properties' || key === 'elements';
    case 'RestElement':
      return key === 'argument';
    case 'AssignmentPattern':
      return key === 'left';
    case 'Property':
      return key === 'value';
    default:
      return false;
  }
}

function isFunction(n: AstNode): boolean {
  return n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression';
}

/** Children of a node in source order (overlapping children, as in shorthand properties, once). */
function children(node: AstNode): { key: string; child: AstNode }[] {
  const out: { key: string; child: AstNode }[] = [];
  for (const key in node) {
    if (META_KEYS.has(key)) continue;
    const v = node[key];
    if (Array.isArray(v)) {
      for (const c of v) if (c && typeof c.type === 'string') out.push({ key, child: c });
    } else if (v && typeof v === 'object' && typeof v.type === 'string') {
      out.push({ key, child: v });
    }
  }
  // By start; for equal starts the larger node first (shorthand `{a = 1}`: value before key).
  out.sort((a, b) => a.child.start - b.child.start || b.child.end - a.child.end);
  const dedup: { key: string; child: AstNode }[] = [];
  let end = -1;
  for (const c of out) {
    if (c.child.start < end) continue;
    dedup.push(c);
    end = c.child.end;
  }
  return dedup;
}

/** Binding names introduced by a pattern. */
function patternNames(p: AstNode | null, out: Set<string>): void {
  if (!p) return;
  switch (p.type) {
    case 'Identifier':
      out.add(p.name);
      break;
    case 'ObjectPattern':
      for (const prop of p.properties) patternNames(prop.type === 'RestElement' ? prop : prop.value, out);
      break;
    case 'ArrayPattern':
      for (const el of p.elements) patternNames(el, out);
      break;
    case 'RestElement':
      patternNames(p.argument, out);
      break;
    case 'AssignmentPattern':
      patternNames(p.left, out);
      break;
  }
}

/**
 * Names written by an assignment target: the same walk as a binding pattern (identifiers only;
 * a member expression writes a property, not a name).
 */
const targetNames = patternNames;

/** Does `node` (not looking into nested non-arrow functions) contain a node matching `test`? */
function containsLexical(node: AstNode, test: (n: AstNode) => boolean): boolean {
  if (test(node)) return true;
  for (const { child } of children(node)) {
    if ((child.type === 'FunctionDeclaration' || child.type === 'FunctionExpression') && !test(child)) continue;
    if (child.type === 'ClassBody' || child.type === 'ClassDeclaration' || child.type === 'ClassExpression') {
      // `super` and `arguments` inside a class body belong to its own methods.
      continue;
    }
    if (containsLexical(child, test)) return true;
  }
  return false;
}

/** Per-function printing context. */
interface Ctx {
  /** Kind of the innermost function (including arrows): decides how await/yield/return print. */
  fn: 'script' | 'plain' | 'async' | 'generator' | 'async-generator';
  /** Replacement for `arguments` inside the generator of an async arrow, or null. */
  argsName: string | null;
  /** True inside a generator that was moved out of a method: `super` goes through helpers. */
  superHelpers: boolean;
  /** True inside a non-arrow function (where `arguments` exists); false at the top level. */
  inFn: boolean;
}

function shorten(text: string, max = 60): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? one.slice(0, max - 1) + '…' : one;
}

/** Parses and transforms `source`. Throws `ProgramError` for syntax errors and refused constructs. */
export function transformProgram(source: string): Transformed {
  // Line starts, to turn offsets into line/column.
  const lineStarts = [0];
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 10) lineStarts.push(i + 1);
    else if (c === 13) {
      if (source.charCodeAt(i + 1) === 10) i++;
      lineStarts.push(i + 1);
    } else if (c === 0x2028 || c === 0x2029) lineStarts.push(i + 1);
  }
  function posOf(offset: number): SourceLoc {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo] + 1 };
  }

  let ast: AstNode;
  try {
    ast = Parser.parse(source, PARSE_OPTIONS) as unknown as AstNode;
  } catch (e) {
    const err = e as { message?: string; pos?: number; loc?: { line: number; column: number } };
    const msg = String(err.message ?? e).replace(/\s*\(\d+:\d+\)$/, '');
    if (/^'import' and 'export' may appear only with 'sourceType: module'$/.test(msg)) {
      // V8's words for a module declaration in a classic script.
      const word = source.slice(err.pos ?? 0, (err.pos ?? 0) + 6);
      const text = word === 'import' ? 'Cannot use import statement outside a module' : `Unexpected token '${word}'`;
      throw new ProgramError(`SyntaxError: ${text}`, err.loc?.line, err.loc ? err.loc.column + 1 : undefined);
    }
    if (typeof err.pos === 'number' && /^Identifier '.*' has already been declared$/.test(msg)) {
      // V8 points a redeclaring function or class at the declaration, not at its name.
      const p = posOf(declarationStart(source, err.pos));
      throw new ProgramError(`SyntaxError: ${msg}`, p.line, p.column);
    }
    throw new ProgramError(`SyntaxError: ${msg}`, err.loc?.line, err.loc ? err.loc.column + 1 : undefined);
  }

  function fail(message: string, node: AstNode): never {
    const p = posOf(node.start);
    throw new ProgramError(message, p.line, p.column);
  }

  // ---- Pass 1: declared names, assigned names, refused constructs. ----
  const declared = new Set<string>();
  const assigned = new Set<string>();
  (function scan(node: AstNode): void {
    switch (node.type) {
      case 'Identifier':
        if (node.name.startsWith(RESERVED_PREFIX)) fail(`Names starting with ${RESERVED_PREFIX} are reserved by the lab: ${node.name}`, node);
        break;
      case 'ImportExpression':
        fail('import() is not available in the event-loop lab.', node);
      case 'VariableDeclarator':
        patternNames(node.id, declared);
        break;
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        if (node.id) declared.add(node.id.name);
        for (const p of node.params) patternNames(p, declared);
        break;
      case 'ClassDeclaration':
      case 'ClassExpression':
        if (node.id) declared.add(node.id.name);
        break;
      case 'CatchClause':
        patternNames(node.param, declared);
        break;
      case 'AssignmentExpression':
        targetNames(node.left, assigned);
        break;
      case 'UpdateExpression':
        targetNames(node.argument, assigned);
        break;
      case 'ForInStatement':
      case 'ForOfStatement':
        if (node.left.type !== 'VariableDeclaration') targetNames(node.left, assigned);
        break;
    }
    for (const { child } of children(node)) scan(child);
  })(ast);

  // In strict code an assignment to an undeclared name throws, so only a sloppy program gets
  // `var` declarations for them; an allowed host global assigned to is always redeclared, so the
  // assignment cannot reach the host's global object.
  const strict = (ast.body as AstNode[]).some((s, i, all) => all.slice(0, i + 1).every((d) => d.type === 'ExpressionStatement' && typeof d.directive === 'string') && s.directive === 'use strict');
  const implicitGlobals: string[] = [];
  for (const name of assigned) {
    if (declared.has(name) || INJECTED.has(name)) continue;
    if (strict && !ALLOWED.has(name)) continue;
    implicitGlobals.push(name);
  }
  const known = new Set<string>([...declared, ...implicitGlobals]);
  const isFree = (name: string): boolean => !known.has(name) && !INJECTED.has(name) && !ALLOWED.has(name) && name !== 'arguments';

  // ---- The script's global scope. ----
  // In a classic script, var and function declarations at the top level are properties of the
  // global object, like the host's globals (setTimeout, console, delay...): a var of the same
  // name keeps the property's value, a function overwrites it. let/const/class declarations live
  // in the global lexical scope and may shadow any of them, but not each other (acorn reports
  // those collisions). The program runs as a function body, so: the host's globals become `var`s
  // of the program (initialised from `__$H`) unless a top-level let/const/class or function
  // declares the name, and `__$DG` turns the global object's properties for all the program's
  // var-scoped names into accessors of those variables.
  const topLexical = new Set<string>();
  const topFunctions = new Set<string>();
  const topVars = new Set<string>();
  const blockFunctions = new Set<string>();
  // acorn misses a labelled function colliding with a let/const/class (V8 does not).
  const labelledFunctions = new Set<string>();
  const redeclared = (name: string, node: AstNode): never => fail(`SyntaxError: Identifier '${name}' has already been declared`, node);
  const checkRestricted = (name: string, node: AstNode): void => {
    if (RESTRICTED_GLOBALS.has(name)) redeclared(name, node);
  };
  const checkLexical = (name: string, node: AstNode): void => {
    if (RESTRICTED_GLOBALS.has(name) || labelledFunctions.has(name)) redeclared(name, node);
  };
  (function varScan(node: AstNode): void {
    switch (node.type) {
      case 'VariableDeclaration':
        if (node.kind === 'var') for (const d of node.declarations) patternNames(d.id, topVars);
        break;
      case 'FunctionDeclaration':
        // In a block: var-scoped too in sloppy code (Annex B.3.3), when nothing blocks it.
        blockFunctions.add(node.id.name);
        return;
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
      case 'ClassBody':
      case 'StaticBlock':
        return;
      case 'Program':
        for (const s of node.body as AstNode[]) {
          let d = s;
          while (d.type === 'LabeledStatement') d = d.body;
          if (d.type === 'FunctionDeclaration') {
            checkRestricted(d.id.name, d);
            if (d !== s) {
              if (topLexical.has(d.id.name)) redeclared(d.id.name, d);
              labelledFunctions.add(d.id.name);
            }
            topFunctions.add(d.id.name);
          } else if (d.type === 'ClassDeclaration') {
            checkLexical(d.id.name, d);
            topLexical.add(d.id.name);
          } else if (d.type === 'VariableDeclaration' && d.kind !== 'var') {
            for (const decl of d.declarations) {
              const names = new Set<string>();
              patternNames(decl.id, names);
              for (const n of names) {
                checkLexical(n, decl.id.type === 'Identifier' ? decl.id : decl);
                topLexical.add(n);
              }
            }
          } else {
            varScan(s);
          }
        }
        return;
    }
    for (const { child } of children(node)) varScan(child);
  })(ast);

  // ---- Tables. ----
  const locs: SourceLoc[] = [];
  const fns: FnInfo[] = [];
  const sites: SiteInfo[] = [];
  const locId = (node: AstNode): number => {
    locs.push(posOf(node.start));
    return locs.length - 1;
  };
  const siteId = (node: AstNode, kind: SiteInfo['kind'], textNode: AstNode = node): number => {
    sites.push({ loc: locId(node), text: shorten(source.slice(textNode.start, textNode.end)), kind });
    return sites.length - 1;
  };
  let tmpCounter = 0;
  const tmp = (base: string): string => `__$${base}${++tmpCounter}`;

  const raw = (n: AstNode): string => source.slice(n.start, n.end);
  const sourceOf = new Map<string, string>();
  /** Records the learner's text of a function or class under its printed text; returns the latter. */
  const remember = (printed: string, original: string): string => {
    sourceOf.set(printed, original);
    return printed;
  };

  /** A statement list's directive prologue ('use strict'...), printed with semicolons, and the statements after it. */
  function directivePrologue(list: AstNode[]): { directiveText: string; rest: AstNode[] } {
    let directiveText = '';
    let rest = list;
    while (rest.length && rest[0].type === 'ExpressionStatement' && typeof rest[0].directive === 'string') {
      directiveText += raw(rest[0]) + (raw(rest[0]).endsWith(';') ? '' : ';');
      rest = rest.slice(1);
    }
    return { directiveText, rest };
  }

  // ---- Printer. ----
  function print(node: AstNode, parent: AstNode | null, key: string, binding: boolean, ctx: Ctx): string {
    switch (node.type) {
      case 'Identifier':
        return printIdentifier(node, parent, key, binding, ctx);
      case 'ThisExpression':
        return '__$T(this)';
      case 'BlockStatement':
        return `{${statements(node.body, node, ctx, node.start + 1)}}`;
      case 'StaticBlock':
        return `static {${statements(node.body, node, ctx, null)}}`;
      case 'SwitchCase': {
        const head = node.test ? `case ${print(node.test, node, 'test', false, ctx)}:` : 'default:';
        return head + statements(node.consequent, node, ctx, null);
      }
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        return printFunction(node, parent, key, ctx, null);
      case 'MethodDefinition':
        return printMethod(node, ctx, true);
      case 'Property':
        if (parent && parent.type === 'ObjectExpression') {
          if (node.method || node.kind === 'get' || node.kind === 'set') return printMethod(node, ctx, false);
          if (node.shorthand) {
            const v = print(node.value, node, 'value', false, ctx);
            return v === node.key.name ? v : `${node.key.name}: ${v}`;
          }
        }
        return generic(node, binding, ctx);
      case 'AwaitExpression': {
        if (ctx.fn !== 'async' && ctx.fn !== 'async-generator') fail('await is only valid in async functions.', node);
        const s = siteId(node, 'await', node.argument);
        return `(yield __$aw(${print(node.argument, node, 'argument', false, ctx)},${s}))`;
      }
      case 'YieldExpression': {
        if (ctx.fn !== 'async-generator') return generic(node, binding, ctx);
        const arg = node.argument ? print(node.argument, node, 'argument', false, ctx) : 'void 0';
        if (node.delegate) return `(yield* __$yd(${arg},${siteId(node, 'yield*', node.argument)}))`;
        return `(yield __$yv(${arg},${siteId(node, 'yield', node.argument ?? node)}))`;
      }
      case 'ReturnStatement':
        if (ctx.fn === 'async-generator' && node.argument) {
          const s = siteId(node, 'return', node.argument);
          return `return (yield __$aw(${print(node.argument, node, 'argument', false, ctx)},${s}));`;
        }
        return generic(node, binding, ctx);
      case 'LabeledStatement': {
        // Labels directly on a `for await` move onto the loop the transform produces.
        const labels: string[] = [];
        let body: AstNode = node;
        while (body.type === 'LabeledStatement') {
          labels.push(body.label.name);
          body = body.body;
        }
        if (body.type === 'ForOfStatement' && body.await) return printForAwait(body, ctx, labels);
        return `${labels.map((l) => `${l}: `).join('')}${print(body, node, 'body', false, ctx)}`;
      }
      case 'ForOfStatement':
        if (node.await) return printForAwait(node, ctx, []);
        return `for (${print(node.left, node, 'left', false, ctx)} of ${print(node.right, node, 'right', false, ctx)}) ${loopBody(node.body, node, ctx)}`;
      case 'ForInStatement':
        return `for (${print(node.left, node, 'left', false, ctx)} in ${print(node.right, node, 'right', false, ctx)}) ${loopBody(node.body, node, ctx)}`;
      case 'ForStatement': {
        const init = node.init ? print(node.init, node, 'init', false, ctx) : '';
        const test = node.test ? print(node.test, node, 'test', false, ctx) : '';
        const update = node.update ? print(node.update, node, 'update', false, ctx) : '';
        return `for (${init}; ${test}; ${update}) ${loopBody(node.body, node, ctx)}`;
      }
      case 'WhileStatement':
        return `while (${print(node.test, node, 'test', false, ctx)}) ${loopBody(node.body, node, ctx)}`;
      case 'DoWhileStatement':
        return `do ${loopBody(node.body, node, ctx)} while (${print(node.test, node, 'test', false, ctx)});`;
      case 'IfStatement': {
        const cons = single(node.consequent, node, 'consequent', ctx);
        const alt = node.alternate ? ` else ${single(node.alternate, node, 'alternate', ctx)}` : '';
        return `if (${print(node.test, node, 'test', false, ctx)}) ${cons}${alt}`;
      }
      case 'CatchClause': {
        const body = node.body;
        if (!node.param) {
          const v = tmp('c');
          return `catch (${v}) {__$C(${v});${statements(body.body, body, ctx, body.start + 1)}}`;
        }
        if (node.param.type === 'Identifier') {
          return `catch (${node.param.name}) {__$C(${node.param.name});${statements(body.body, body, ctx, body.start + 1)}}`;
        }
        const v = tmp('c');
        return `catch (${v}) {__$C(${v});let ${print(node.param, node, 'param', true, ctx)} = ${v};${statements(body.body, body, ctx, body.start + 1)}}`;
      }
      case 'ThrowStatement':
        return `throw __$th(${print(node.argument, node, 'argument', false, ctx)});`;
      case 'VariableDeclarator': {
        const id = print(node.id, node, 'id', true, ctx);
        return node.init ? `${id} = ${print(node.init, node, 'init', false, ctx)}` : id;
      }
      case 'ClassDeclaration':
      case 'ClassExpression': {
        const id = node.id ? ` ${node.id.name}` : '';
        const sup = node.superClass ? ` extends ${print(node.superClass, node, 'superClass', false, ctx)}` : '';
        const body = node.body.body.map((m: AstNode) => print(m, node.body, 'body', false, ctx)).join('\n');
        return remember(`class${id}${sup} {${body}}`, raw(node));
      }
      case 'PropertyDefinition': {
        const head = `${node.static ? 'static ' : ''}${node.computed ? `[${print(node.key, node, 'key', false, ctx)}]` : raw(node.key)}`;
        // Field initialisers run as methods of the class: `arguments` is not allowed in them and
        // `super` refers to the class, so they print with a plain context.
        const fieldCtx: Ctx = { fn: 'plain', argsName: null, superHelpers: false, inFn: true };
        return node.value ? `${head} = ${print(node.value, node, 'value', false, fieldCtx)};` : `${head};`;
      }
      case 'UnaryExpression':
        // A free name may still be a property the program put on globalThis.
        if (node.operator === 'typeof' && node.argument.type === 'Identifier' && isFree(node.argument.name)) return `typeof __$ng(${JSON.stringify(node.argument.name)},1)`;
        return generic(node, binding, ctx);
      case 'MemberExpression':
        if (node.object.type === 'Super' && ctx.superHelpers) return `__$sup(${superKey(node, ctx)})`;
        return generic(node, binding, ctx);
      case 'CallExpression':
        if (ctx.superHelpers && node.callee.type === 'MemberExpression' && node.callee.object.type === 'Super') {
          const args = node.arguments.map((a: AstNode) => print(a, node, 'arguments', false, ctx));
          // `super.m(...)`: a helper that throws V8's TypeError when m is not callable and honours `?.`.
          const shown = node.callee.computed ? `[${raw(node.callee.property)}]` : `.${node.callee.property.name}`;
          return `__$supc(${superKey(node.callee, ctx)}, ${JSON.stringify(shown)}, ${node.optional ? 1 : 0}${args.map((a: string) => `, ${a}`).join('')})`;
        }
        return generic(node, binding, ctx);
      case 'AssignmentExpression':
        if (node.operator === '=' && node.left.type === 'Identifier' && isFree(node.left.name)) {
          // Strict code assigning a free name: a property of globalThis, or a ReferenceError.
          return `__$sg(${JSON.stringify(node.left.name)}, ${print(node.right, node, 'right', false, ctx)})`;
        }
        if (ctx.superHelpers && node.left.type === 'MemberExpression' && node.left.object.type === 'Super') {
          if (node.operator !== '=') fail('Only plain `super.x = value` assignments are supported inside async or generator methods.', node);
          return `__$sups(${superKey(node.left, ctx)}, ${print(node.right, node, 'right', false, ctx)})`;
        }
        return generic(node, binding, ctx);
      case 'Program':
        throw new Error('unreachable');
      default:
        return generic(node, binding, ctx);
    }
  }

  function superKey(member: AstNode, ctx: Ctx): string {
    return member.computed ? print(member.property, member, 'property', false, ctx) : JSON.stringify(member.property.name);
  }

  function printIdentifier(node: AstNode, parent: AstNode | null, key: string, binding: boolean, ctx: Ctx): string {
    const name: string = node.name;
    if (binding || !parent) return name;
    switch (parent.type) {
      case 'MemberExpression':
        if (key === 'property' && !parent.computed) return name;
        break;
      case 'Property':
      case 'MethodDefinition':
      case 'PropertyDefinition':
        if (key === 'key' && !parent.computed) return name;
        break;
      case 'LabeledStatement':
      case 'BreakStatement':
      case 'ContinueStatement':
      case 'MetaProperty':
        return name;
    }
    if (name === 'arguments') {
      if (ctx.argsName) return ctx.argsName;
      if (!ctx.inFn) return '__$N.arguments';
      return name;
    }
    if (isFree(name)) {
      // A property read of the sandbox's free-name object (engine/globals.ts), so V8's messages
      // name it as `__$N.name`, which the runtime prints as `name`; a callee keeps an undefined
      // `this` through `(0, ...)`.
      const read = `__$N.${name}`;
      const callee = (parent.type === 'CallExpression' && key === 'callee') || (parent.type === 'TaggedTemplateExpression' && key === 'tag');
      return callee ? `(0, ${read})` : read;
    }
    // `eval` cannot be a parameter name in strict code, so it is not injected: references go
    // to the runtime's stub under another name (unless the program declares its own).
    if (name === 'eval' && !known.has('eval')) return '__$ev';
    return name;
  }

  function generic(node: AstNode, binding: boolean, ctx: Ctx): string {
    let out = '';
    let pos = node.start;
    for (const { key, child } of children(node)) {
      out += source.slice(pos, child.start);
      out += print(child, node, key, binding && patternChild(node.type, key), ctx);
      pos = child.end;
    }
    return out + source.slice(pos, node.end);
  }

  /** A statement list with location markers; `gapFrom` keeps comments/whitespace between statements. */
  function statements(list: AstNode[], parent: AstNode, ctx: Ctx, gapFrom: number | null): string {
    // Hoisted async and generator declarations get their kind's [[Prototype]] before anything runs.
    let out = list
      .filter((s) => s.type === 'FunctionDeclaration' && (s.async || s.generator))
      .map((s) => `__$fk(${s.id.name},${coroutineKind(s)});`)
      .join('');
    let pos = gapFrom ?? (list.length ? list[0].start : 0);
    for (const s of list) {
      if (gapFrom !== null) out += source.slice(pos, s.start);
      else out += ' ';
      out += statement(s, parent, ctx);
      pos = s.end;
    }
    return out;
  }

  function marker(s: AstNode): string {
    return `;__$L.p=${locId(s)};`;
  }

  function statement(s: AstNode, parent: AstNode, ctx: Ctx): string {
    const text = print(s, parent, 'body', false, ctx);
    if (s.type === 'FunctionDeclaration' || s.type === 'EmptyStatement') return text;
    return marker(s) + text;
  }

  /** A single-statement position (if/else branch): wrapped in a block with its marker. */
  function single(s: AstNode, parent: AstNode, key: string, ctx: Ctx): string {
    if (s.type === 'BlockStatement') return print(s, parent, key, false, ctx);
    if (s.type === 'FunctionDeclaration') return print(s, parent, key, false, ctx);
    return `{${marker(s)}${print(s, parent, key, false, ctx)}\n}`;
  }

  function loopBody(s: AstNode, parent: AstNode, ctx: Ctx): string {
    if (s.type === 'BlockStatement') return `{__$B();${statements(s.body, s, ctx, s.start + 1)}}`;
    if (s.type === 'EmptyStatement') return '{__$B();}';
    return `{__$B();${marker(s)}${print(s, parent, 'body', false, ctx)}\n}`;
  }

  function printForAwait(node: AstNode, ctx: Ctx, labels: string[]): string {
    if (ctx.fn !== 'async' && ctx.fn !== 'async-generator') fail('for await is only valid in async functions.', node);
    const site = siteId(node, 'for-await', node.right);
    const it = tmp('fi');
    const ok = tmp('fk');
    const threw = tmp('ft');
    const res = tmp('fr');
    const val = tmp('fv');
    const err = tmp('fe');
    const right = print(node.right, node, 'right', false, ctx);
    let bind: string;
    if (node.left.type === 'VariableDeclaration') {
      const d = node.left.declarations[0];
      bind = `${node.left.kind} ${print(d.id, d, 'id', true, ctx)} = ${val};`;
    } else {
      bind = `(${print(node.left, node, 'left', false, ctx)} = ${val});`;
    }
    const body = single(node.body, node, 'body', ctx);
    const labelText = labels.map((l) => `${l}: `).join('');
    return (
      `{const ${it}=__$FI(${right},${site});let ${ok}=false,${threw}=false;` +
      `try{${labelText}for(;;){__$B();${ok}=false;` +
      `const ${res}=__$FR(yield __$FN(${it},${site}));if(${res}.done)break;const ${val}=${res}.value;${ok}=true;` +
      `${bind}${body}}}` +
      `catch(${err}){${threw}=true;throw ${err}}` +
      `finally{if(${ok})yield* __$FC(${it},${threw},${site})}}`
    );
  }

  /** 1 async function, 2 generator, 3 async generator (the [[Prototype]] `__$fk` gives it). */
  function coroutineKind(n: AstNode): number {
    return n.async && n.generator ? 3 : n.async ? 1 : 2;
  }

  /**
   * The name ECMAScript gives an anonymous function expression from where it stands
   * (NamedEvaluation), when the transform can know it statically; null if none or computed.
   */
  function namedEvaluation(node: AstNode, parent: AstNode | null, key: string): string | null | undefined {
    if (!parent) return undefined;
    const keyName = (k: AstNode): string | null => (k.type === 'Identifier' ? k.name : k.type === 'PrivateIdentifier' ? `#${k.name}` : k.type === 'Literal' ? String(k.value) : null);
    switch (parent.type) {
      case 'VariableDeclarator':
        return key === 'init' && parent.id.type === 'Identifier' ? parent.id.name : undefined;
      case 'AssignmentExpression':
        return key === 'right' && parent.left.type === 'Identifier' && ['=', '&&=', '||=', '??='].includes(parent.operator) ? parent.left.name : undefined;
      case 'AssignmentPattern':
        return key === 'right' && parent.left.type === 'Identifier' ? parent.left.name : undefined;
      case 'Property':
      case 'PropertyDefinition':
        if (key !== 'value') return undefined;
        return parent.computed ? null : keyName(parent.key);
    }
    return undefined;
  }

  /** Name a stack view should show for a function node. */
  function inferName(node: AstNode, parent: AstNode | null, key: string): string {
    if (node.id) return node.id.name;
    if (!parent) return '(anonymous)';
    const keyName = (k: AstNode, computed: boolean): string | null => {
      if (computed) return null;
      if (k.type === 'Identifier') return k.name;
      if (k.type === 'PrivateIdentifier') return `#${k.name}`;
      if (k.type === 'Literal') return String(k.value);
      return null;
    };
    switch (parent.type) {
      case 'VariableDeclarator':
        if (key === 'init' && parent.id.type === 'Identifier') return parent.id.name;
        break;
      case 'AssignmentExpression':
        if (key === 'right') {
          if (parent.left.type === 'Identifier') return parent.left.name;
          if (parent.left.type === 'MemberExpression') return keyName(parent.left.property, parent.left.computed) ?? '(anonymous)';
        }
        break;
      case 'AssignmentPattern':
        if (key === 'right' && parent.left.type === 'Identifier') return parent.left.name;
        break;
      case 'Property':
      case 'MethodDefinition':
      case 'PropertyDefinition':
        if (key === 'value') return keyName(parent.key, parent.computed) ?? '(anonymous)';
        break;
    }
    return '(anonymous)';
  }

  function fnKindOf(node: AstNode, method: AstNode | null): FnKind {
    if (node.async && node.generator) return 'async-generator';
    if (node.async) return 'async';
    if (node.generator) return 'generator';
    if (method) {
      if (method.kind === 'constructor') return 'constructor';
      if (method.kind === 'get') return 'getter';
      if (method.kind === 'set') return 'setter';
      return 'method';
    }
    return node.type === 'ArrowFunctionExpression' ? 'arrow' : 'function';
  }

  /**
   * Prints a function. For methods (`method` set) only the part after the key is returned:
   * `(params) {body}`. Otherwise the whole function, with `async` and `*` removed when the body
   * is handed to a coroutine driver.
   */
  function printFunction(node: AstNode, parent: AstNode | null, key: string, outer: Ctx, method: AstNode | null): string {
    const kind = fnKindOf(node, method);
    let name = method ? inferName(node, method, 'value') : inferName(node, parent, key);
    if (method && method.kind === 'constructor') {
      name = '(constructor)';
      // The class name is more useful; the class node is two levels up (ClassBody, Class).
      const cls = classOf.get(method);
      if (cls && cls.id) name = cls.id.name;
    }
    fns.push({ name, loc: locId(node), kind });
    const fid = fns.length - 1;
    const isArrow = node.type === 'ArrowFunctionExpression';
    const wrapped = node.async || node.generator;
    const body: AstNode = node.body;
    const { directiveText, rest: stmts } = body.type === 'BlockStatement' ? directivePrologue(body.body) : { directiveText: '', rest: [] as AstNode[] };
    const head = (params: string): string => {
      if (method) return `(${params})`;
      if (isArrow) return `(${params}) =>`;
      return `function${node.generator && !wrapped ? '*' : ''}${node.id ? ' ' + node.id.name : ''}(${params})`;
    };

    if (!wrapped) {
      const inner: Ctx = {
        fn: 'plain',
        argsName: isArrow ? outer.argsName : null,
        superHelpers: isArrow ? outer.superHelpers : false,
        inFn: isArrow ? outer.inFn : true,
      };
      const params = node.params.map((p: AstNode) => print(p, node, 'params', true, inner)).join(', ');
      const content =
        body.type === 'BlockStatement'
          ? statements(stmts, body, inner, stmts.length ? stmts[0].start : body.start + 1)
          : `return (${print(body, node, 'body', false, inner)});`;
      const printed = `${head(params)} {${directiveText}const __$s=__$E(${fid});try{${content}\n}finally{__$X(__$s);}}`;
      return method ? printed : remember(printed, raw(node));
    }

    // Coroutine-driven: async function, generator, async generator.
    const driver = node.async && node.generator ? '__$AG' : node.async ? '__$A' : '__$G';
    const innerKind: Ctx['fn'] = node.async && node.generator ? 'async-generator' : node.async ? 'async' : 'generator';
    let argsName: string | null = isArrow ? outer.argsName : null;
    let prelude = '';
    if (isArrow && !argsName && outer.inFn && containsLexical(body, (n) => n.type === 'Identifier' && n.name === 'arguments')) {
      argsName = tmp('oa');
      prelude += `const ${argsName}=arguments;`;
    }
    let superHelpers = isArrow ? outer.superHelpers : false;
    if (!superHelpers && (method || isArrow) && containsLexical(body, (n) => n.type === 'Super')) {
      superHelpers = true;
      prelude +=
        'const __$sup=(k)=>super[k],__$sups=(k,v)=>(super[k]=v),' +
        "__$supc=(k,d,o,...a)=>{const f=super[k];if(o&&f==null)return;if(typeof f!=='function')throw new TypeError('(intermediate value)'+d+' is not a function');return f.apply(this,a)};";
    }
    const inner: Ctx = { fn: innerKind, argsName, superHelpers, inFn: isArrow ? outer.inFn : true };
    const simple = node.params.every((p: AstNode) => p.type === 'Identifier');
    const params = node.params.map((p: AstNode) => print(p, node, 'params', true, inner)).join(', ');
    const content =
      body.type === 'BlockStatement'
        ? statements(stmts, body, inner, stmts.length ? stmts[0].start : body.start + 1)
        : `return (${print(body, node, 'body', false, inner)});`;
    const gen = `function* (${params}) {${content}\n}`;
    /**
     * A function expression or arrow gets its kind's [[Prototype]] (AsyncFunction.prototype...)
     * through `__$fk`, with the name NamedEvaluation would have given it; not under a computed
     * key, whose name only the runtime knows.
     */
    const withKind = (text: string): string => {
      if (node.id) return `__$fk(${text},${coroutineKind(node)})`;
      const inferred = namedEvaluation(node, parent, key);
      if (inferred === null) return text;
      return `__$fk(${text},${coroutineKind(node)}${inferred === undefined ? '' : `,${JSON.stringify(inferred)}`})`;
    };
    // The outer function's `length`: placeholders for the parameters before the first default
    // or rest parameter (the arguments reach the generator's own parameter list).
    let expected = node.params.findIndex((p: AstNode) => p.type === 'AssignmentPattern' || p.type === 'RestElement');
    if (expected < 0) expected = node.params.length;
    const placeholders = Array.from({ length: expected }, (_, i) => `__$p${i}`);
    if (isArrow) {
      const outerParams = simple ? params : [...placeholders, '...__$a'].join(', ');
      const args = simple ? `[${params}]` : `[${[...placeholders, '...__$a'].join(', ')}]`;
      return withKind(remember(`${head(outerParams)} {${prelude}return ${driver}(${gen}, this, ${args}, ${fid});}`, raw(node)));
    }
    // A generator's objects inherit from the function's `prototype`: the driver gets the
    // function itself when a name refers to it (declarations and named expressions).
    const self = node.generator && node.id ? `, ${node.id.name}` : '';
    const printed = `${head(simple ? params : placeholders.join(', '))} {${directiveText}${prelude}return ${driver}(${gen}, this, arguments, ${fid}${self});}`;
    if (method) return printed;
    remember(printed, raw(node));
    return node.type === 'FunctionDeclaration' ? printed : withKind(printed);
  }

  function printMethod(node: AstNode, ctx: Ctx, isClass: boolean): string {
    const fn: AstNode = node.value;
    let head = '';
    if (isClass && node.static) head += 'static ';
    if (node.kind === 'get' || node.kind === 'set') head += `${node.kind} `;
    const keyText = node.computed ? `[${print(node.key, node, 'key', false, ctx)}]` : raw(node.key);
    const printed = printFunction(fn, node, 'value', ctx, node);
    // V8's text of a method starts after `static`, with get/set/async/* and the key.
    const own = source.slice(node.start, node.end);
    remember(`${node.kind === 'get' || node.kind === 'set' ? `${node.kind} ` : ''}${keyText}${printed}`, isClass && node.static ? own.replace(/^static\s*/, '') : own);
    return head + keyText + printed;
  }

  // Map each constructor MethodDefinition to its class, for naming.
  const classOf = new Map<AstNode, AstNode>();
  (function mapClasses(node: AstNode): void {
    if ((node.type === 'ClassDeclaration' || node.type === 'ClassExpression') && node.body) {
      for (const m of node.body.body) if (m.type === 'MethodDefinition') classOf.set(m, node);
    }
    for (const { child } of children(node)) mapClasses(child);
  })(ast);

  const scriptCtx: Ctx = { fn: 'script', argsName: null, superHelpers: false, inFn: false };
  const programLoc = locId(ast.body.length ? ast.body[0] : ast);
  const { directiveText: prologue, rest: body } = directivePrologue(ast.body as AstNode[]);
  const decls = globalScopePrologue();
  const text = statements(body, ast, scriptCtx, body.length ? body[0].start : 0);
  // A trailing line comment at the very end must not swallow what the runtime appends.
  const code = `${prologue}${decls}${text}\n`;
  return { code, locs, fns, sites, programLoc, implicitGlobals, sourceOf };

  /**
   * `var` declarations of the host's globals and of implicit globals, then `__$DG([[name, get,
   * set, kind]...])` with kind 0 for a var, 1 for a function, 2 for an implicit global (skipped
   * when __$DG is 0).
   */
  function globalScopePrologue(): string {
    const vars: string[] = [];
    const accessors: string[] = [];
    const accessor = (n: string, kind: number): void => {
      accessors.push(`[${JSON.stringify(n)},()=>${n},(__$v)=>{${n}=__$v},${kind}]`);
    };
    // `eval` cannot be declared in strict code: the program's references go to __$ev instead.
    for (const n of INJECTED_GLOBALS) {
      if (n === 'eval' || topLexical.has(n)) continue;
      if (!topFunctions.has(n)) vars.push(`${n}=__$H.${n}`);
      accessor(n, topFunctions.has(n) ? 1 : 0);
    }
    const implicit = new Set(implicitGlobals);
    const varNames = new Set<string>([...topVars, ...topFunctions, ...implicit]);
    // Annex B function-in-block bindings may be blocked by a let of an enclosing block, so only
    // those the prologue declares itself (host globals) are made accessors.
    if (!strict) for (const n of blockFunctions) if (ALLOWED.has(n)) varNames.add(n);
    for (const n of varNames) {
      if (INJECTED.has(n) && n !== 'eval') continue;
      if (ALLOWED.has(n) && !topFunctions.has(n)) vars.push(`${n}=__$gl(${JSON.stringify(n)})`);
      else if (implicit.has(n)) vars.push(n);
      accessor(n, topFunctions.has(n) ? 1 : implicit.has(n) ? 2 : 0);
    }
    // A runtime without a global object to mirror (the async explorer's fast one) passes 0.
    return `${vars.length ? `var ${vars.join(',')};` : ''}${accessors.length ? `__$DG&&__$DG([${accessors.join(',')}]);` : ''}`;
  }
}

export { isFunction as isFunctionNode };
