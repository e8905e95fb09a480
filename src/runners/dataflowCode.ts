/**
 * Learner operator code for the dataflow lab: turning the text of a `function keep(record)` (or
 * `function transform(record)`) into a callable, with readable errors. Used inside the sandbox
 * Worker (dataflow.worker.ts) and by the main-thread fallback; pure apart from `new Function`.
 *
 * The code is parsed with acorn first, so a syntax error names its line and column; then it is
 * evaluated in strict mode inside a function scope that shadows the globals learner code has no
 * business with (the Worker has removed the dangerous ones as well).
 */
import { parse } from 'acorn';

export const MAX_CODE = 4_000;

export type CompileResult = { ok: true; fn: (record: { key: number; value: number }) => unknown } | { ok: false; message: string; line?: number; column?: number };

const SHADOW = ['self', 'globalThis', 'postMessage', 'fetch', 'XMLHttpRequest', 'WebSocket', 'importScripts', 'indexedDB', 'caches', 'navigator', 'Worker', 'close'];

/** Compiles `source`, which must define a function called `name`. */
export function compileOperator(source: string, name: string): CompileResult {
  if (source.length > MAX_CODE) return { ok: false, message: `The code is ${source.length} characters long; the lab takes at most ${MAX_CODE}.` };
  try {
    parse(source, { ecmaVersion: 'latest', sourceType: 'script' });
  } catch (error) {
    const e = error as SyntaxError & { loc?: { line: number; column: number } };
    const msg = e.message.replace(/\s*\(\d+:\d+\)$/, '');
    return { ok: false, message: `Syntax error on line ${e.loc?.line ?? '?'}: ${msg}.`, line: e.loc?.line, column: e.loc ? e.loc.column + 1 : undefined };
  }
  let fn: unknown;
  try {
    const factory = new Function(...SHADOW, `"use strict";\n${source}\n;return typeof ${name} === "function" ? ${name} : undefined;`);
    fn = factory(...SHADOW.map(() => undefined));
  } catch (error) {
    return { ok: false, message: `The code could not run: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}.` };
  }
  if (typeof fn !== 'function') return { ok: false, message: `The code must define a function called ${name}(record).` };
  return { ok: true, fn: fn as (record: { key: number; value: number }) => unknown };
}
