/** Value helpers shared by every chapter of the engine (none of them runs learner code). */
import { proxyRecord } from './proxies';

export function isObject(v: unknown): v is object {
  return (typeof v === 'object' && v !== null) || typeof v === 'function';
}

/** WebIDL `long` conversion (ToNumber, truncate, modulo 2^32, signed). */
export function toLong(v: unknown): number {
  let n = Number(v);
  if (!Number.isFinite(n)) return 0;
  n = Math.trunc(n) % 4294967296;
  if (n < 0) n += 4294967296;
  if (n >= 2147483648) n -= 4294967296;
  return n;
}

export function fnName(f: unknown): string {
  if (typeof f !== 'function') return '(anonymous)';
  // A proxy's name is its target's (reading it through the proxy would run the learner's traps).
  const rec = proxyRecord(f);
  if (rec) return rec[0] === null ? '(anonymous)' : fnName(rec[0]);
  try {
    const n = (f as { name?: unknown }).name;
    return typeof n === 'string' && n !== '' ? n : '(anonymous)';
  } catch {
    return '(anonymous)';
  }
}

/** Short preview of a value for trace events (never calls learner code). */
export function preview(v: unknown): string {
  // A proxy is previewed as its target: reading the proxy would run the learner's traps.
  if ((typeof v === 'object' && v !== null) || typeof v === 'function') {
    const rec = proxyRecord(v);
    if (rec) return rec[0] === null ? '<Revoked Proxy>' : preview(rec[0]);
  }
  switch (typeof v) {
    case 'string':
      return v.length > 40 ? JSON.stringify(v.slice(0, 39) + '…') : JSON.stringify(v);
    case 'number':
      return Object.is(v, -0) ? '-0' : String(v);
    case 'bigint':
      return `${v}n`;
    case 'boolean':
    case 'undefined':
      return String(v);
    case 'symbol':
      return v.toString();
    case 'function':
      return `[Function: ${fnName(v)}]`;
    default: {
      if (v === null) return 'null';
      if (Array.isArray(v)) return `Array(${v.length})`;
      if (v instanceof Error) {
        const d = Object.getOwnPropertyDescriptor(v, 'message');
        const msg = d && typeof d.value === 'string' ? d.value : '';
        let name = 'Error';
        for (let o: object | null = v; o; o = Object.getPrototypeOf(o)) {
          const nd = Object.getOwnPropertyDescriptor(o, 'name');
          if (nd) {
            if (typeof nd.value === 'string') name = nd.value;
            break;
          }
        }
        return msg ? `${name}: ${msg}` : name;
      }
      let o: object | null = v as object;
      for (let i = 0; o && i < 50; i++) {
        const d = Object.getOwnPropertyDescriptor(o, 'constructor');
        if (d && typeof d.value === 'function' && d.value.name) return d.value.name === 'Object' ? '{…}' : `${d.value.name} {…}`;
        o = Object.getPrototypeOf(o);
      }
      return '{…}';
    }
  }
}
