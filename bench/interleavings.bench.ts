/**
 * Interleavings engine benchmark (`npm run bench -- interleavings`): exhaustive exploration of
 * small threads-mode programs, in schedules per second. Targets (issue 14): at least 100,000
 * schedules/s for small programs, and 1,000,000 schedules in well under 10 s.
 *
 * - "independent": 3 threads x 5 writes, (15)!/(5!)^3 = 756,756 schedules;
 * - "counter": 2 threads x 10 non-atomic increments (a read and a write each) on one variable,
 *   (40)!/(20!)^2 capped at 1,000,000 schedules, with outcomes that differ from run to run (the
 *   histogram has many entries), so it measures the 1,000,000-schedule target directly.
 */
import { explore } from '#sim/interleavings/explore';
import { threadsSystem } from '#sim/interleavings/threads';

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

function time(source: string, maxSchedules: number): { ms: number; schedules: number; failing: number; outcomes: number } {
  const sys = threadsSystem(source);
  const t0 = performance.now();
  const r = explore(sys, { maxSchedules });
  return { ms: performance.now() - t0, schedules: r.schedules, failing: r.failing, outcomes: r.histogram.length };
}

export async function run(): Promise<Figure[]> {
  time(PROGRAMS.independent, 50_000); // warm-up
  const figures: Figure[] = [];
  const ind = time(PROGRAMS.independent, 1_000_000);
  figures.push({
    name: 'independent 3x5: schedules/s',
    value: Math.round(ind.schedules / (ind.ms / 1000)),
    unit: 'schedules/s',
    note: `${ind.schedules} schedules (exhaustive) in ${ind.ms.toFixed(0)} ms; target >= 100,000/s`,
  });
  const c = time(PROGRAMS.counter, 1_000_000);
  figures.push({
    name: 'counter 2x10 increments: 1,000,000 schedules',
    value: c.ms / 1000,
    unit: 's',
    budget: 10,
    note: `${c.schedules} schedules, ${c.failing} failing, ${c.outcomes} distinct outcomes; ${Math.round(c.schedules / (c.ms / 1000))} schedules/s`,
  });
  return figures;
}
