import { describe, expect, it } from 'vitest';
import { ConfigError, clampConfig, getPreset, simulate, validateConfig, type DataflowConfig } from '#sim/dataflow';

const base = (): DataflowConfig => structuredClone(getPreset('bottleneck').config);
const message = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('no error');
};

describe('dataflow config validation', () => {
  it('fills defaults', () => {
    const c = validateConfig({ operators: [{ id: 's', kind: 'source', rate: 10 }, { id: 'o', kind: 'sink' }], edges: [{ from: 's', to: 'o' }] });
    expect(c.buffer).toBe(32);
    expect(c.unbounded).toBe(false);
    expect(c.operators[1]).toMatchObject({ parallelism: 1, serviceMs: 1, service: 'fixed', label: 'o' });
    expect(c.operators[0].serviceMs).toBe(0);
  });

  it('names the field and the value in range errors', () => {
    const c = base();
    c.operators[2].parallelism = 100;
    expect(message(() => simulate(c))).toBe('operators[2].parallelism (operator "enrich") must be a whole number from 1 to 64, but it is 100.');
    const d = base();
    d.buffer = 0;
    expect(message(() => simulate(d))).toBe('buffer must be a whole number from 1 to 100000, but it is 0.');
  });

  it('explains graph mistakes in words', () => {
    const cyc = base();
    cyc.edges.push({ from: 'store', to: 'parse' });
    expect(message(() => validateConfig(cyc))).toMatch(/is a sink, so no edge may leave it/);
    const loop = base();
    loop.operators[3].kind = 'map';
    loop.operators.push({ id: 'out', kind: 'sink' });
    loop.edges.push({ from: 'store', to: 'parse' }, { from: 'store', to: 'out' });
    expect(message(() => validateConfig(loop))).toMatch(/The graph has a cycle \(parse → enrich → store → parse\)/);
    const dangling = base();
    dangling.edges.pop();
    expect(message(() => validateConfig(dangling))).toMatch(/"enrich"\) is a map, but no edge leaves it; every path must end in a sink/);
    const both = base();
    both.operators[0].count = 10;
    expect(message(() => validateConfig(both))).toMatch(/needs exactly one of rate .* or count .* but it has both/);
    const join = base();
    join.operators[2].kind = 'join';
    expect(message(() => validateConfig(join))).toMatch(/is a join, so exactly two edges must lead into it, but 1 does/);
    const typo = base() as unknown as Record<string, unknown>;
    typo.bufer = 3;
    expect(message(() => validateConfig(typo))).toMatch(/"bufer" is not a setting this lab knows. Did you mean "buffer"\?/);
    const rateOnMap = base();
    rateOnMap.operators[2].rate = 5;
    expect(message(() => validateConfig(rateOnMap))).toBe('operators[2].rate (operator "enrich"): only a source has a rate, but this operator is a map.');
    const burst = base();
    burst.operators[0].burst = { from: 100, to: 50, rate: 10 };
    expect(message(() => validateConfig(burst))).toMatch(/^operators\[0\]\.burst\.to \(operator "\w+"\) must be later than burst\.from \(100 ms\), but it is 50 ms\.$/);
    const service = base();
    service.operators[2].service = 'exponentail' as never;
    expect(message(() => validateConfig(service))).toMatch(/^operators\[2\]\.service \(operator "enrich"\) must be one of .* but it is "exponentail"\. Did you mean "exponential"\?$/);
    const unknownEdge = base();
    unknownEdge.edges[0].to = 'nowhere';
    expect(message(() => validateConfig(unknownEdge))).toMatch(/edges\[0\]\.to must be the id of an operator, but it is "nowhere"/);
  });

  it('clampConfig pulls numbers into range and says so', () => {
    const c = base();
    c.operators[2].parallelism = 100;
    c.operators[2].serviceMs = -1;
    c.buffer = 2.4;
    const { config, notes } = clampConfig(c);
    expect(config.operators[2].parallelism).toBe(64);
    expect(config.operators[2].serviceMs).toBe(0);
    expect(config.buffer).toBe(2);
    expect(notes).toEqual([
      'parallelism of "enrich" was 100; the lab allows whole numbers 1–64, so it uses 64.',
      'serviceMs of "enrich" was -1; the lab allows 0–10000 ms, so it uses 0.',
      'buffer was 2.4; the lab allows whole numbers 1–100000, so it uses 2.',
    ]);
    expect(() => validateConfig(config)).not.toThrow();
    expect(clampConfig(base()).notes).toEqual([]);
  });
});
