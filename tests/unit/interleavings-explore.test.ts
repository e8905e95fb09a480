/**
 * The interleaving explorer against what can be counted or enumerated independently:
 * - k independent tasks of m steps have exactly (km)!/(m!)^k schedules (the multinomial);
 * - on generated programs, the explorer's counts and shortest counterexample equal a brute-force
 *   enumeration written here from the System interface alone;
 * - every counterexample replays to the same failure;
 * - PCT finds a depth-2 bug at least as often as its guarantee 1/(n·k^(d-1)).
 */
import { describe, expect, it } from 'vitest';
import { explore, exploreAsync, pctBound, replay, type RunEnd, type System } from '#sim/interleavings/explore';
import { compileThreads, threadsSystem, type ThreadsState } from '#sim/interleavings/threads';
import { Rng } from '#sim/core/rng';

function factorial(n: number): bigint {
  let f = 1n;
  for (let i = 2n; i <= BigInt(n); i++) f *= i;
  return f;
}
const multinomial = (k: number, m: number): number => Number(factorial(k * m) / factorial(m) ** BigInt(k));

/** k threads, each writing its own variable m times: no thread can affect another. */
function independentThreads(k: number, m: number): string {
  let s = 'shared({});\n';
  for (let i = 0; i < k; i++) s += `thread('T${i}', function* () { for (let j = 0; j < ${m}; j++) yield write('v${i}', j); });\n`;
  return s;
}

/** The same shape as a bare System, not threads mode: state = steps done per task. */
function tasksSystem(k: number, m: number, withClone: boolean): System<number[], number> {
  const sys: System<number[], number> = {
    start: () => new Array(k).fill(0),
    enabled: (s) => s.flatMap((d, i) => (d < m ? [i] : [])),
    step: (s, c) => {
      s[c]++;
      return s;
    },
    status: (s) => (s.every((d) => d === m) ? 'done' : 'running'),
  };
  if (withClone) sys.clone = (s) => s.slice();
  return sys;
}

describe('exhaustive counts', () => {
  const cases: Array<[number, number]> = [
    [1, 4],
    [2, 1],
    [2, 3],
    [2, 6],
    [3, 1],
    [3, 2],
    [3, 3],
    [4, 2],
    [5, 1],
  ];
  it.each(cases)('%i independent threads of %i steps: schedules = (km)!/(m!)^k', (k, m) => {
    const r = explore(threadsSystem(independentThreads(k, m)));
    expect(r.schedules).toBe(multinomial(k, m));
    expect(r.exhaustive).toBe(true);
    expect(r.failing + r.deadlocks + r.cut).toBe(0);
    expect(r.longest).toBe(k * m);
  });
  it.each(cases)('a bare System of %i tasks x %i steps, by replay and by clone', (k, m) => {
    expect(explore(tasksSystem(k, m, false)).schedules).toBe(multinomial(k, m));
    expect(explore(tasksSystem(k, m, true)).schedules).toBe(multinomial(k, m));
  });
  it('stops at maxSchedules and says it is not exhaustive', () => {
    const r = explore(threadsSystem(independentThreads(3, 3)), { maxSchedules: 100 });
    expect(r.schedules).toBe(100);
    expect(r.exhaustive).toBe(false);
  });
  it('stops on the signal, and exploreAsync reports progress', async () => {
    const signal = { aborted: false };
    const seen: number[] = [];
    const r = await exploreAsync(threadsSystem(independentThreads(3, 3)), {
      signal,
      sliceSchedules: 100,
      pause: async () => {},
      onProgress: (p) => {
        seen.push(p.schedules);
        if (p.schedules >= 300) signal.aborted = true;
      },
    });
    expect(r.stopped).toBe(true);
    expect(r.exhaustive).toBe(false);
    expect(r.schedules).toBe(300);
    expect(seen.slice(0, 3)).toEqual([100, 200, 300]);
  });
  it('a run that never ends is cut, and the search is then not exhaustive', () => {
    const r = explore(
      threadsSystem(`shared({ x: 0 });
thread('spin', function* () { while ((yield read('x')) === 0) {} });
thread('other', function* () { yield read('x'); });`),
      { maxSteps: 20 },
    );
    expect(r.cut).toBeGreaterThan(0);
    expect(r.exhaustive).toBe(false);
  });
});

// ---- brute force over generated programs ----

interface Brute {
  schedules: number;
  failing: number;
  deadlocks: number;
  shortestBad: number;
  outcomes: Map<string, number>;
}

/** Every complete choice sequence, found by re-running from the start for each prefix. */
function bruteForce<S>(sys: System<S, number>): Brute {
  const out: Brute = { schedules: 0, failing: 0, deadlocks: 0, shortestBad: Infinity, outcomes: new Map() };
  const visit = (prefix: number[]) => {
    let s = sys.start();
    for (const c of prefix) s = sys.step(s, c);
    const st = sys.status(s);
    const en = st === 'running' ? sys.enabled(s) : [];
    if (st !== 'running' || en.length === 0) {
      const end: RunEnd = st === 'running' ? 'stuck' : st;
      out.schedules++;
      if (end === 'failed') out.failing++;
      if (end === 'stuck') out.deadlocks++;
      if (end === 'failed' || end === 'stuck') out.shortestBad = Math.min(out.shortestBad, prefix.length);
      const key = end + ' ' + sys.outcome!(s);
      out.outcomes.set(key, (out.outcomes.get(key) ?? 0) + 1);
      return;
    }
    for (const c of en) visit([...prefix, c]);
  };
  visit([]);
  return out;
}

/** A random small program: increments (racy or locked), nested locks in either order, flag
 * writes and asserts on them, semaphores. Deterministic in the seed. */
function randomProgram(rng: Rng): string {
  const k = rng.int(2, 3);
  let incs = 0;
  let s = `shared({ x: 0, y: 0 });\nsemaphore('s', ${rng.int(0, 1)});\n`;
  for (let t = 0; t < k; t++) {
    let body = '';
    const n = rng.int(1, k === 2 ? 3 : 2);
    for (let i = 0; i < n; i++) {
      switch (rng.int(0, 6)) {
        case 0:
          body += `yield* increment('x');`;
          incs++;
          break;
        case 1:
          body += `yield lock('m1'); yield* increment('x'); yield unlock('m1');`;
          incs++;
          break;
        case 2:
          body += rng.chance(0.5) ? `yield lock('m1'); yield lock('m2'); yield unlock('m2'); yield unlock('m1');` : `yield lock('m2'); yield lock('m1'); yield unlock('m1'); yield unlock('m2');`;
          break;
        case 3:
          body += `yield write('y', ${t + 1});`;
          break;
        case 4:
          body += `assert((yield read('y')) !== ${rng.int(1, k)}, 'y was seen');`;
          break;
        case 5:
          body += rng.chance(0.5) ? `yield release('s');` : `yield acquire('s');`;
          break;
        case 6:
          body += `yield atomicAdd('x', 1);`;
          incs++;
          break;
      }
    }
    s += `thread('T${t}', function* () { ${body} });\n`;
  }
  s += `check((s) => assert(s.x === ${incs}, 'lost an increment'));\n`;
  return s;
}

describe('the explorer against brute force on 300 generated programs', () => {
  const rng = new Rng('interleavings-brute');
  const programs = Array.from({ length: 300 }, () => randomProgram(rng));

  it('same schedules, failing, deadlocks, outcome histogram and shortest counterexample length', () => {
    let withBugs = 0;
    let withDeadlocks = 0;
    for (const src of programs) {
      const sys = threadsSystem(src);
      const b = bruteForce(sys);
      const byClone = explore(sys);
      const byReplay = explore({ ...sys, clone: undefined });
      for (const r of [byClone, byReplay]) {
        expect(r.exhaustive, src).toBe(true);
        expect(r.schedules, src).toBe(b.schedules);
        expect(r.failing, src).toBe(b.failing);
        expect(r.deadlocks, src).toBe(b.deadlocks);
        const hist = new Map(r.histogram.map((h) => [h.end + ' ' + h.outcome, h.count]));
        expect(hist, src).toEqual(b.outcomes);
        if (b.failing + b.deadlocks === 0) expect(r.counterexample, src).toBeUndefined();
        else {
          expect(r.counterexample!.steps, src).toBe(b.shortestBad);
          expect(r.counterexample!.choices.length).toBe(b.shortestBad);
        }
      }
      if (b.failing > 0) withBugs++;
      if (b.deadlocks > 0) withDeadlocks++;
    }
    // The generator must exercise both verdicts, or the comparison says little.
    expect(withBugs).toBeGreaterThan(50);
    expect(withDeadlocks).toBeGreaterThan(20);
  });

  it('every counterexample replays to the same end and the same final state', () => {
    for (const src of programs) {
      const sys = threadsSystem(src);
      const r = explore(sys);
      if (!r.counterexample) continue;
      // Replay in a freshly compiled program (no shared memo), through the public replay.
      const fresh = threadsSystem(compileThreads(src));
      const { state, status } = replay<ThreadsState, number>(fresh, r.counterexample.choices);
      expect(status).toBe(r.counterexample.end);
      expect(fresh.outcome!(state)).toBe(r.counterexample.outcome);
      // And each histogram example replays to its outcome.
      for (const h of r.histogram) {
        const again = replay(fresh, h.example);
        expect(again.status === 'running' ? 'cut' : again.status).toBe(h.end);
        expect(fresh.outcome!(again.state)).toBe(h.outcome);
      }
    }
  });
});

describe('sleep-set reduction against brute force', () => {
  const rng = new Rng('interleavings-reduction');
  const programs = Array.from({ length: 300 }, () => randomProgram(rng));
  const outcomesOf = (hist: Array<{ end: string; outcome: string }>, end: string) =>
    new Set(hist.filter((h) => h.end === end).map((h) => h.outcome));

  it('agrees on every verdict on 300 generated programs, exploring no more runs', () => {
    let smaller = 0;
    let bugs = 0;
    let deadlocks = 0;
    for (const src of programs) {
      const sys = threadsSystem(src);
      const b = bruteForce(sys);
      const plainHist = [...b.outcomes.keys()].map((k) => ({ end: k.slice(0, k.indexOf(' ')), outcome: k.slice(k.indexOf(' ') + 1) }));
      for (const r of [explore(sys, { reduction: 'sleep-sets' }), explore({ ...sys, clone: undefined }, { reduction: 'sleep-sets' })]) {
        expect(r.exhaustive, src).toBe(true);
        expect(r.schedules).toBeNull();
        expect(r.failing > 0, src).toBe(b.failing > 0);
        expect(r.deadlocks > 0, src).toBe(b.deadlocks > 0);
        // Finished and stuck runs end in the same set of final states.
        expect(outcomesOf(r.histogram, 'done'), src).toEqual(outcomesOf(plainHist, 'done'));
        expect(outcomesOf(r.histogram, 'stuck'), src).toEqual(outcomesOf(plainHist, 'stuck'));
        expect(r.explored).toBeLessThanOrEqual(b.schedules);
        if (r.counterexample) expect(replay(sys, r.counterexample.choices).status).toBe(r.counterexample.end);
      }
      const r = explore(sys, { reduction: 'sleep-sets' });
      if (r.explored < b.schedules) smaller++;
      if (b.failing > 0) bugs++;
      if (b.deadlocks > 0) deadlocks++;
    }
    expect(smaller).toBeGreaterThan(100);
    expect(bugs).toBeGreaterThan(50);
    expect(deadlocks).toBeGreaterThan(20);
  });

  it('independent threads collapse to one run', () => {
    for (const [k, m] of [
      [2, 3],
      [3, 3],
      [4, 2],
    ]) {
      const r = explore(threadsSystem(independentThreads(k, m)), { reduction: 'sleep-sets' });
      expect(r.explored).toBe(1);
      expect(r.exhaustive).toBe(true);
    }
  });
});

describe('sampling: random walk and PCT', () => {
  // A depth-2 bug: the lost update needs one thread's read to fall between the other's read and
  // write. Each thread does 5 private steps first, so a uniform random walk rarely lines it up.
  const padded = `shared({ x: 0, a: 0, b: 0 });
thread('A', function* () { for (let i = 0; i < 5; i++) yield write('a', i); yield* increment('x'); });
thread('B', function* () { for (let i = 0; i < 5; i++) yield write('b', i); yield* increment('x'); });
check((s) => assert(s.x === 2, 'lost an increment'));`;

  it('pctBound is 1/(n k^(d-1))', () => {
    expect(pctBound(2, 14, 2)).toBeCloseTo(1 / 28, 12);
    expect(pctBound(3, 10, 3)).toBeCloseTo(1 / 300, 12);
    expect(pctBound(5, 100, 1)).toBeCloseTo(1 / 5, 12);
  });

  it('PCT (d = 2) hits the lost update at least as often as its bound; random finds it too', () => {
    const sys = threadsSystem(padded);
    const exhaustive = explore(sys);
    expect(exhaustive.failing).toBeGreaterThan(0);
    const pct = explore(sys, { strategy: 'pct', depth: 2, seed: 7, maxSchedules: 4000 });
    expect(pct.actors).toBe(2);
    expect(pct.longest).toBe(14);
    expect(pct.pctBound).toBeCloseTo(1 / 28, 12);
    const pctRate = pct.failing / pct.explored;
    expect(pctRate).toBeGreaterThanOrEqual(pct.pctBound!);
    const random = explore(sys, { strategy: 'random', seed: 7, maxSchedules: 4000 });
    expect(random.failing).toBeGreaterThan(0);
    expect(random.counterexample!.end).toBe('failed');
    // Sampling's counterexample replays like any other.
    expect(replay(sys, pct.counterexample!.choices).status).toBe('failed');
  });

  it('is deterministic in the seed', () => {
    const sys = threadsSystem(padded);
    const a = explore(sys, { strategy: 'pct', seed: 3, maxSchedules: 500 });
    const b = explore(sys, { strategy: 'pct', seed: 3, maxSchedules: 500 });
    const c = explore(sys, { strategy: 'pct', seed: 4, maxSchedules: 500 });
    expect(b).toEqual(a);
    expect(c.histogram).not.toEqual(a.histogram);
    expect(explore(sys, { strategy: 'random', seed: 3, maxSchedules: 500 })).toEqual(explore(sys, { strategy: 'random', seed: 3, maxSchedules: 500 }));
  });

  it('stopAtFirst stops at the first failing schedule', () => {
    const r = explore(threadsSystem(padded), { strategy: 'random', seed: 1, maxSchedules: 100_000, stopAtFirst: true });
    expect(r.stopped).toBe(true);
    expect(r.schedules).toBe(r.firstHitAt);
    expect(r.failing).toBe(1);
  });
});
