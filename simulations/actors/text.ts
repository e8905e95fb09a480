/** Short, readable text for messages and states in traces (pure, no DOM). */

const MAX_LABEL = 32;
const MAX_STATE = 80;

function clip(s: string, max: number): string {
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

function render(v: unknown, depth: number): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  switch (typeof v) {
    case 'string':
      return depth === 0 ? v : JSON.stringify(v);
    case 'number':
      return Object.is(v, -0) ? '0' : String(v);
    case 'boolean':
    case 'bigint':
      return String(v);
    case 'function':
      return `ƒ ${(v as { name?: string }).name || 'anonymous'}`;
    case 'symbol':
      return String(v);
  }
  if (depth > 2) return Array.isArray(v) ? '[…]' : '{…}';
  if (Array.isArray(v)) {
    const parts: string[] = [];
    for (let i = 0; i < v.length && i < 6; i++) parts.push(render(v[i], depth + 1));
    if (v.length > 6) parts.push('…');
    return `[${parts.join(', ')}]`;
  }
  const parts: string[] = [];
  let n = 0;
  for (const key of Object.keys(v as object)) {
    if (n++ >= 6) {
      parts.push('…');
      break;
    }
    let shown: string;
    try {
      shown = render((v as Record<string, unknown>)[key], depth + 1);
    } catch {
      shown = '?';
    }
    parts.push(`${/^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key)}: ${shown}`);
  }
  return `{ ${parts.join(', ')} }`.replace('{  }', '{}');
}

/** A message as the lab shows it: strings as they are, anything else as compact JS-like text. */
export function messageLabel(v: unknown): string {
  try {
    return clip(render(v, 0), MAX_LABEL);
  } catch {
    return '(message)';
  }
}

/** An actor's state for the lab, compact. */
export function stateText(v: unknown): string {
  if (v === undefined) return '';
  try {
    return clip(render(v, 1), MAX_STATE);
  } catch {
    return '(state)';
  }
}

/** An error (or anything thrown) as one line. */
export function errorText(e: unknown): string {
  if (e instanceof Error) return clip(`${e.name && e.name !== 'Error' ? e.name + ': ' : ''}${e.message}`, 260);
  try {
    return clip(`threw ${render(e, 1)}`, 160);
  } catch {
    return 'threw a value';
  }
}

/** A line for the log from ctx.log's arguments. */
export function logText(values: unknown[]): string {
  return clip(values.map((v) => (typeof v === 'string' ? v : render(v, 1))).join(' '), 200);
}
