/**
 * Interleavings engine benchmark (`npm run bench -- interleavings`): exhaustive exploration of
 * small threads-mode programs, in schedules per second. Targets (issue 14): at least 100,000
 * schedules/s for small programs, and 1,000,000 schedules in well under 10 s.
 *
 * - "independent": 3 threads x 5 writes, (15)!/(5!)^3 = 756,756 schedules;
 * - "counter": 2 threads x 10 non-atomic increments (a read and a write each) on one variable,
 *   (40)!/(20!)^2 capped at 1,000,000 schedules, with outcomes that differ from run to run (the
 *   histogram has many entries), so it measures the 1,000,000-schedule target directly.
 * - async mode: the learner's JavaScript, one run per schedule (3 tasks x 3 delays; the
 *   lost-update level), on the fast runtime (simulations/interleavings/fast.ts: no trace, one
 *   realm for every run) and, for contrast, on the event-loop engine (runtime: 'engine'), which
 *   builds a fresh traced realm per run. bench/explore-in-worker.mjs measures the fast runtime
 *   where the lab runs it, in a Chromium Worker, up to 1,000,000 schedules.
 */
import { explore } from '#sim/interleavings/explore';
import { threadsSystem } from '#sim/interleavings/threads';
import { asyncLevels, levelById, levelProgram } from '#sim/interleavings/levels';
import { exploreProgramSync } from '#sim/interleavings/async';

interface Figure {
  name: string;
  value: number;
  unit: string;
  budget?: number;
  note?: string;
}

const PROGRAMS = {
  independent: `shared({});
thread('A', function* () { for (let j = 0; j < 5; j++) yield write('a', j); });
thread('B', function* () { for (let j = 0; j < 5; j++) yield write('b', j); });
thread('C', function* () { for (let j = 0; j < 5; j++) yield write('c', j); });`,
  counter: `shared({ x: 0 });
thread('A', function* () { for (let j = 0; j < 10; j++) yield* increment('x'); });
thread('B', function* () { for (let j = 0; j < 10; j++) yield* increment('x'); });
check((s) => assert(s.x === 20, 'lost ' + (20 - s.x) + ' increments'));`,
};

/** Wall time and this process's CPU time: on a shared, loaded machine the wall time measures the
 * neighbours too, so the figures use CPU time (what the exploration costs a free core) and the
 * notes give the wall time beside it. */
function time(source: string, maxSchedules: number): { ms: number; cpuMs: number; schedules: number; failing: number; outcomes: number } {
  const sys = threadsSystem(source);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = explore(sys, { maxSchedules });
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { ms, cpuMs: (c.user + c.system) / 1000, schedules: r.explored, failing: r.failing, outcomes: r.histogram.length };
}

export async function run(): Promise<Figure[]> {
  time(PROGRAMS.independent, 50_000); // warm-up
  const figures: Figure[] = [];
  const ind = time(PROGRAMS.independent, 1_000_000);
  figures.push({
    name: 'independent 3x5: schedules per CPU second',
    value: Math.round(ind.schedules / (ind.cpuMs / 1000)),
    unit: 'schedules/s',
    note: `${ind.schedules} schedules (exhaustive) in ${ind.cpuMs.toFixed(0)} ms CPU, ${ind.ms.toFixed(0)} ms wall; target >= 100,000/s`,
  });
  const c = time(PROGRAMS.counter, 1_000_000);
  figures.push({
    name: 'threads mode, counter 2x10: schedules per CPU second',
    value: Math.round(c.schedules / (c.cpuMs / 1000)),
    unit: 'schedules/s',
    note: `${Math.round(c.schedules / (c.ms / 1000))} per wall second; target >= 100,000/s`,
  });
  figures.push({
    name: 'threads mode, 1,000,000 schedules: wall time',
    value: c.ms / 1000,
    unit: 's',
    note: `counter 2x10, ${c.schedules} schedules; ${(c.cpuMs / 1000).toFixed(2)} s CPU; target well under 10 s`,
  });
  figures.push({
    name: 'counter 2x10 increments: 1,000,000 schedules, CPU time',
    value: c.cpuMs / 1000,
    unit: 's',
    budget: 10,
    note: `${c.schedules} schedules, ${c.failing} failing, ${c.outcomes} distinct outcomes; ${(c.ms / 1000).toFixed(2)} s wall; ${Math.round(c.schedules / (c.cpuMs / 1000))} schedules per CPU second`,
  });
  // Replay mode (no clone: every schedule re-runs from the start), as a system that cannot copy
  // its state (the async mode) explores.
  {
    const sys = threadsSystem(PROGRAMS.independent);
    const c0 = process.cpuUsage();
    const r = explore({ ...sys, clone: undefined });
    const cu = process.cpuUsage(c0);
    const cpuMs = (cu.user + cu.system) / 1000;
    figures.push({
      name: 'independent 3x5 by replay: schedules per CPU second',
      value: Math.round(r.explored / (cpuMs / 1000)),
      unit: 'schedules/s',
      note: `${r.explored} schedules, ${r.steps} steps executed (${(r.steps / r.explored).toFixed(1)} per schedule) in ${cpuMs.toFixed(0)} ms CPU`,
    });
  }
  // Sleep-set reduction on the barrier level's fix: explored runs against the plain count.
  const barrier = levelProgram(levelById('barrier'), levelById('barrier').fixed);
  const t0 = performance.now();
  const plain = explore(threadsSystem(barrier));
  const t1 = performance.now();
  const reduced = explore(threadsSystem(barrier), { reduction: 'sleep-sets' });
  const t2 = performance.now();
  figures.push({
    name: 'barrier fix, sleep sets: explored runs',
    value: reduced.explored,
    unit: 'runs',
    note: `plain ${plain.schedules} schedules in ${(t1 - t0).toFixed(0)} ms; reduced ${reduced.explored} runs (+${reduced.pruned} pruned) in ${(t2 - t1).toFixed(0)} ms; both 0 failing`,
  });
  // Async mode: learner JavaScript, one run per schedule (a depth-first leaf re-runs the program
  // from the start: neither runtime can copy its state), on the fast runtime, then the engine.
  {
    const src = `async function task(id) {\n  for (let i = 0; i < 3; i++) await delay(10 * id, i);\n}\ntask(1);\ntask(2);\ntask(3);\n`;
    for (let i = 0; i < 10; i++) exploreProgramSync(src); // warm-up
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    let r = exploreProgramSync(src);
    for (let i = 0; i < 9; i++) r = exploreProgramSync(src);
    const wall = (performance.now() - w0) / 10;
    const cu = process.cpuUsage(c0);
    const cpuMs = (cu.user + cu.system) / 1000 / 10;
    exploreProgramSync(src, { runtime: 'engine', maxSchedules: 200 }); // warm-up
    const e0 = process.cpuUsage();
    const er = exploreProgramSync(src, { runtime: 'engine' });
    const eu = process.cpuUsage(e0);
    const engineMs = (eu.user + eu.system) / 1000;
    const lvl = asyncLevels.find((l) => l.id === 'async-mutex')!;
    const l0 = process.cpuUsage();
    const lr = exploreProgramSync(lvl.buggy);
    const lu = process.cpuUsage(l0);
    const lcpu = (lu.user + lu.system) / 1000;
    figures.push({
      name: 'async mode, 3 tasks x 3 awaits of delay: schedules per CPU second',
      value: Math.round(r.schedules / (cpuMs / 1000)),
      unit: 'schedules/s',
      note: `${r.schedules} schedules (9!/(3!)^3, exhaustive; ${r.runs?.fast} on the fast runtime) in ${cpuMs.toFixed(1)} ms CPU, ${wall.toFixed(1)} ms wall (mean of 10); on the engine ${engineMs.toFixed(0)} ms CPU (${Math.round(er.schedules / (engineMs / 1000))}/s, ${(engineMs / cpuMs).toFixed(0)}x); async-mutex level, first exploration (transform and check included): ${lr.schedules} schedules in ${lcpu.toFixed(0)} ms CPU`,
    });
  }
  // The async lost-update level (2 deposits x (delay, db.get, db.set), after main's db.set):
  // 20 schedules an exploration, so its rate is mostly an exploration's fixed cost (the
  // counterexample's full run on the engine, for the lab to show). The first exploration
  // includes the transform of the program and the check of its natural order on both runtimes
  // (then cached); the others reuse them.
  {
    const lvl = asyncLevels.find((l) => l.id === 'lost-update')!;
    const cold = lvl.buggy + '\n// cold';
    const k0 = process.cpuUsage();
    const first = exploreProgramSync(cold);
    const ku = process.cpuUsage(k0);
    const coldMs = (ku.user + ku.system) / 1000;
    let schedules = 0;
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    for (let i = 0; i < 200; i++) schedules += exploreProgramSync(lvl.buggy).schedules;
    const wall = performance.now() - w0;
    const cu = process.cpuUsage(c0);
    const cpuMs = (cu.user + cu.system) / 1000;
    const rate = schedules / (cpuMs / 1000);
    figures.push({
      name: 'async mode, lost-update level: schedules per CPU second',
      value: Math.round(rate),
      unit: 'schedules/s',
      note: `200 explorations x ${schedules / 200} schedules (${first.failing} failing) in ${cpuMs.toFixed(0)} ms CPU, ${wall.toFixed(0)} ms wall; ${(cpuMs / 200).toFixed(2)} ms CPU an exploration; the first, with its transform and check, ${coldMs.toFixed(1)} ms CPU`,
    });
  }
  return figures;
}
