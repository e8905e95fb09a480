import { describe, expect, it } from 'vitest';
import {
  clampNumber,
  clearNamespace,
  decodeState,
  hasNamespace,
  packText,
  packTextSync,
  param,
  permalink,
  pickSchemaKeys,
  readNamespace,
  unpackText,
  unpackTextSync,
  writeNamespace,
} from '#lib/permalink';

const schema = {
  cores: param.int(),
  policy: param.oneOf(['timeslice', 'parallel', 'cooperative'] as const),
  serialFraction: param.number(),
  seed: param.int(),
  step: param.int(),
  ghost: param.bool(),
};

type State = {
  cores: number;
  policy: 'timeslice' | 'parallel' | 'cooperative';
  serialFraction: number;
  seed: number;
  step: number;
  ghost: boolean;
};

const defaults: State = { cores: 2, policy: 'parallel', serialFraction: 0.1, seed: 1, step: 0, ghost: true };

function clamp(v: State) {
  const notes: string[] = [];
  const value = {
    ...v,
    cores: clampNumber('cores', v.cores, 1, 64, notes, true),
    serialFraction: clampNumber('serialFraction', v.serialFraction, 0, 1, notes),
    step: Math.max(0, v.step),
  };
  return { value, notes };
}

function encode(ns: string, state: State, base = new URLSearchParams()) {
  return writeNamespace(base, ns, pickSchemaKeys(schema, state));
}

describe('permalink round trip', () => {
  it('decodes what it encodes', () => {
    const state: State = { cores: 7, policy: 'timeslice', serialFraction: 0.35, seed: 123456, step: 42, ghost: false };
    const params = encode('io', state);
    const r = decodeState(params, 'io', schema, defaults, { clamp });
    expect(r.value).toEqual(state);
    expect(r.notice).toBeNull();
    expect(r.clampNotes).toEqual([]);
    expect(r.fromLink).toBe(true);
  });

  it('writes the documented, readable format', () => {
    const params = encode('io', { ...defaults, cores: 1, policy: 'timeslice', seed: 7, step: 12 });
    expect(params.toString()).toBe(
      'io.cores=1&io.policy=timeslice&io.serialFraction=0.1&io.seed=7&io.step=12&io.ghost=1',
    );
  });

  it('survives a trip through a real URL string', () => {
    const state: State = { ...defaults, cores: 16, serialFraction: 0.05, seed: 99 };
    const href = permalink('https://async.example/lessons/01/?x=1#top', 'lab-1', pickSchemaKeys(schema, state), 'lab-1');
    expect(href).toContain('#lab-1');
    const url = new URL(href);
    expect(url.searchParams.get('x')).toBe('1');
    expect(decodeState(url.searchParams, 'lab-1', schema, defaults).value).toEqual(state);
  });

  it('does not print floating-point noise', () => {
    const params = encode('a', { ...defaults, serialFraction: 0.1 + 0.2 });
    expect(params.get('a.serialFraction')).toBe('0.3');
  });

  it('gives defaults and no notice when the link has nothing for the lab', () => {
    const r = decodeState(new URLSearchParams('other.cores=9&utm=x'), 'io', schema, defaults, { clamp });
    expect(r.value).toEqual(defaults);
    expect(r.fromLink).toBe(false);
    expect(r.notice).toBeNull();
  });

  it('fills fields the link leaves out from the defaults', () => {
    const r = decodeState(new URLSearchParams('io.cores=4'), 'io', schema, defaults);
    expect(r.value).toEqual({ ...defaults, cores: 4 });
    expect(r.keys).toEqual(['cores']);
  });

  it('ignores keys the schema does not know', () => {
    const r = decodeState(new URLSearchParams('io.cores=4&io.colour=red'), 'io', schema, defaults);
    expect(r.value).toEqual({ ...defaults, cores: 4 });
    expect(r.notice).toBeNull();
  });
});

describe('malformed links', () => {
  it('falls back to the defaults with a one-line notice naming the bad field', () => {
    const r = decodeState(new URLSearchParams('io.cores=abc&io.seed=5'), 'io', schema, defaults, { clamp });
    expect(r.value).toEqual(defaults);
    expect(r.notice).toBe("This link's lab settings could not be read (cores=abc); showing the default lab.");
    expect(r.notice).not.toContain('\n');
    expect(r.keys).toEqual([]);
  });

  it.each([
    ['io.cores=', 'cores='],
    ['io.cores=2.5', 'cores=2.5'],
    ['io.cores=Infinity', 'cores=Infinity'],
    ['io.policy=fastest', 'policy=fastest'],
    ['io.serialFraction=NaN', 'serialFraction=NaN'],
    ['io.ghost=maybe', 'ghost=maybe'],
  ])('rejects %s', (query, named) => {
    const r = decodeState(new URLSearchParams(query), 'io', schema, defaults);
    expect(r.value).toEqual(defaults);
    expect(r.notice).toContain(`(${named})`);
  });

  it('names every bad field and shortens long junk', () => {
    const junk = 'x'.repeat(500);
    const r = decodeState(new URLSearchParams(`io.cores=abc&io.policy=${junk}`), 'io', schema, defaults);
    expect(r.notice).toContain('cores=abc');
    expect(r.notice).toContain('policy=xxx');
    expect(r.notice!.length).toBeLessThan(140);
  });

  it('clamps out-of-range numbers with a note instead of rejecting them', () => {
    const r = decodeState(new URLSearchParams('io.cores=100&io.serialFraction=-0.5'), 'io', schema, defaults, { clamp });
    expect(r.notice).toBeNull();
    expect(r.value.cores).toBe(64);
    expect(r.value.serialFraction).toBe(0);
    expect(r.clampNotes).toEqual([
      'cores 100 is out of range (1–64); using 64.',
      'serialFraction -0.5 is out of range (0–1); using 0.',
    ]);
  });

  it('accepts booleans written as true/false', () => {
    expect(decodeState(new URLSearchParams('io.ghost=false'), 'io', schema, defaults).value.ghost).toBe(false);
  });
});

describe('instances are isolated', () => {
  it('reads only its own namespace', () => {
    const params = new URLSearchParams('io.cores=1&cpu.cores=8&io.seed=3&cpu.seed=4&cores=99');
    expect(readNamespace(params, 'io')).toEqual({ cores: '1', seed: '3' });
    expect(readNamespace(params, 'cpu')).toEqual({ cores: '8', seed: '4' });
  });

  it('does not confuse a namespace with another that shares a prefix', () => {
    const params = new URLSearchParams('io.cores=1&io2.cores=8&i.cores=3');
    expect(decodeState(params, 'io', schema, defaults).value.cores).toBe(1);
    expect(decodeState(params, 'io2', schema, defaults).value.cores).toBe(8);
    expect(decodeState(params, 'i', schema, defaults).value.cores).toBe(3);
  });

  it('writing one lab keeps the other lab and unrelated params intact', () => {
    let params = new URLSearchParams('utm_source=talk');
    params = encode('io', { ...defaults, cores: 1 }, params);
    params = encode('cpu', { ...defaults, cores: 8 }, params);
    params = encode('io', { ...defaults, cores: 3, step: 9 }, params);
    expect(params.get('utm_source')).toBe('talk');
    expect(decodeState(params, 'cpu', schema, defaults).value.cores).toBe(8);
    const io = decodeState(params, 'io', schema, defaults).value;
    expect(io.cores).toBe(3);
    expect(io.step).toBe(9);
    expect(params.getAll('io.cores')).toEqual(['3']);
  });

  it('a malformed field in one lab does not reset the other', () => {
    const params = new URLSearchParams('io.cores=abc&cpu.cores=8');
    expect(decodeState(params, 'io', schema, defaults).notice).not.toBeNull();
    const cpu = decodeState(params, 'cpu', schema, defaults);
    expect(cpu.notice).toBeNull();
    expect(cpu.value.cores).toBe(8);
  });

  it('clearNamespace removes one lab only', () => {
    const params = clearNamespace(new URLSearchParams('io.cores=1&cpu.cores=8'), 'io');
    expect(hasNamespace(params, 'io')).toBe(false);
    expect(hasNamespace(params, 'cpu')).toBe(true);
  });

  it('refuses ids that would nest namespaces', () => {
    expect(() => readNamespace(new URLSearchParams(), 'a.b')).toThrow(/namespace/);
  });
});

describe('compressed text fields', () => {
  const code = `async function main() {\n  await Promise.all([fetch('/a'), fetch('/b')]);\n  console.log("done ✓ — ünïcode");\n}\n`.repeat(8);

  it('round-trips through deflate-raw and is shorter than the text', async () => {
    const field = await packText(code);
    expect(field.startsWith('z')).toBe(true);
    expect(field).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(field.length).toBeLessThan(code.length);
    expect(await unpackText(field)).toBe(code);
  });

  it('survives URLSearchParams unchanged (base64url needs no escaping)', async () => {
    const field = await packText(code);
    const params = writeNamespace(new URLSearchParams(), 'el', { code: field });
    expect(params.toString()).toContain(field);
    const back = readNamespace(new URLSearchParams(params.toString()), 'el').code;
    expect(await unpackText(back)).toBe(code);
  });

  it('has a synchronous plain form that the async reader also reads', async () => {
    const field = packTextSync('x = 1; // ✓');
    expect(field.startsWith('t')).toBe(true);
    expect(unpackTextSync(field)).toBe('x = 1; // ✓');
    expect(await unpackText(field)).toBe('x = 1; // ✓');
  });

  it('still reads the older plain form (`b` + base64url)', async () => {
    expect(unpackTextSync('beCA9IDE')).toBe('x = 1');
    expect(await unpackText('beCA9IDE')).toBe('x = 1');
  });

  it('a field cut short reads as malformed, not as a shorter text', async () => {
    for (const text of ['actor("a", { receive() {} });', code]) {
      const field = await packText(text);
      for (let keep = 1; keep < field.length; keep++) {
        expect(await unpackText(field.slice(0, keep)), `${field[0]} field cut to ${keep} of ${field.length}`).toBeNull();
      }
    }
  });

  it('keeps short text uncompressed when deflate would not help', async () => {
    expect(await packText('hi')).toBe(packTextSync('hi'));
  });

  it('returns null for malformed fields instead of throwing', async () => {
    expect(await unpackText('zNOT*base64')).toBeNull();
    expect(await unpackText('z' + 'A'.repeat(10))).toBeNull();
    expect(await unpackText('qwerty')).toBeNull();
    expect(unpackTextSync('b%%%')).toBeNull();
    expect(unpackTextSync('zabc')).toBeNull();
  });

  it('refuses a field that inflates past the cap', async () => {
    const big = await packText('a'.repeat(100_000));
    expect(await unpackText(big, 1000)).toBeNull();
    expect((await unpackText(big))!.length).toBe(100_000);
  });
});
