/** Config validation (readable errors naming the field) and the lab's clamped settings. */
import { describe, expect, it } from 'vitest';
import { clampSettings, simulate, validateConfig, ConfigError } from '#sim/actors';

const ok = { name: 'a', receive() {} };

describe('validateConfig', () => {
  const cases: [string, unknown, RegExp][] = [
    ['no actors', { actors: [] }, /actors must list at least one actor/],
    ['duplicate names', { actors: [ok, { ...ok }] }, /actors\[1\]\.name is "a", but actors\[0\] already has that name/],
    ['an ask# name', { actors: [{ ...ok, name: 'ask#1' }] }, /may not start with "ask#"/],
    ['receive missing', { actors: [{ name: 'a' }] }, /receive must be a function receive\(message, ctx\), but it is missing/],
    ['capacity 0', { actors: [{ ...ok, mailbox: { capacity: 0 } }] }, /mailbox\.capacity must be a whole number from 1 to 100000, but it is 0\./],
    ['unknown parent', { actors: [{ ...ok, parent: 'boss' }] }, /has parent "boss", but no actor has that name/],
    ['a supervision circle', { actors: [{ ...ok, parent: 'b' }, { name: 'b', receive() {}, parent: 'a' }] }, /the supervisors form a circle/],
    ['bad strategy', { actors: [{ ...ok, supervise: { strategy: 'all-for-one' } }] }, /supervise\.strategy must be one of "one-for-one", "one-for-all"/],
    ['threads 0', { actors: [ok], threads: 0 }, /threads must be a whole number from 1 to 64, but it is 0\./],
    ['negative latency', { actors: [ok], latencyMs: -1 }, /latencyMs must be a number from 0 to 10000, but it is -1\./],
    ['bad injection target', { actors: [ok], sends: [{ message: 1 }] }, /sends\[0\]\.to must be an actor's name, but it is missing/],
    ['fault rate above 1', { actors: [{ ...ok, faults: { rate: 2 } }] }, /faults\.rate must be a number from 0 to 1, but it is 2\./],
    ['a typo', { actors: [ok], latncyMs: 3 }, /"latncyMs" is not a setting this lab knows\. Did you mean "latencyMs"\?/],
  ];
  it.each(cases)('%s', (_name, config, message) => {
    expect(() => validateConfig(config)).toThrow(message);
    expect(() => simulate(config as never)).toThrow(ConfigError);
  });

  it('orders parents before children and fills defaults', () => {
    const c = validateConfig({ actors: [{ ...ok, name: 'kid', parent: 'mum' }, { ...ok, name: 'mum' }] });
    expect(c.actors.map((a) => a.name)).toEqual(['mum', 'kid']);
    expect(c.actors[0]).toMatchObject({ capacity: Infinity, overflow: 'drop-newest', serviceMs: 1, supervise: { strategy: 'one-for-one', maxRestarts: 3, withinMs: 1000 } });
    expect(c).toMatchObject({ threads: null, latencyMs: 1, untilMs: 10_000 });
  });
});

describe('clampSettings', () => {
  it('keeps good values, fills defaults', () => {
    expect(clampSettings({ threads: 2, seed: 9 })).toEqual({ settings: { threads: 2, seed: 9 }, notes: [] });
    expect(clampSettings({})).toEqual({ settings: { threads: 0, seed: 1 }, notes: [] });
  });
  it('pulls numbers into range with a note a learner can read', () => {
    const r = clampSettings({ threads: 200, seed: -5 });
    expect(r.settings).toEqual({ threads: 64, seed: 0 });
    expect(r.notes).toEqual([
      'threads was 200; the lab allows whole numbers from 0 (as the code says) to 64, so it uses 64.',
      'seed was -5; the lab allows whole numbers from 0 to 2147483647, so it uses 0.',
    ]);
    expect(clampSettings({ threads: 2.6 }).settings.threads).toBe(3);
    expect(clampSettings({ threads: Number.NaN }).notes[0]).toMatch(/not a usable number/);
  });
});
