/**
 * Every figure lesson 10 (content/lessons/10-backpressure-and-adaptive-concurrency.mdx) states,
 * measured from the queueing engine with each preset's own settings and seed (the lab's
 * runSettings), so the lesson cannot drift from the lab. When a preset changes, this test says
 * which sentence to fix.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceArticle } from '../support/sources';
import { mm1, recovery, sweepGrid } from '#sim/queueing';
import { limitOptimum, sweepConfigAt, SWEEP_LOADS, SWEEP_TRIGGERS } from '#sim/queueing/lab';
import { getPreset, presetSettings, toConfig, type QueueingSettings } from '#widgets/QueueingLab/lab';
import { runSettings } from '#widgets/QueueingLab/model';
import meta from '#widgets/QueueingLab/meta';

const SOURCE = sourceArticle('002_97156856d6d2843e.txt');

const SLUG = 'backpressure-and-adaptive-concurrency';
const raw = readFileSync(resolve(__dirname, `../../content/lessons/10-${SLUG}.mdx`), 'utf8');
const lesson = raw.replace(/\s+/g, ' ');
const says = (text: string) => expect(lesson, `the lesson says "${text}"`).toContain(text);
const run = (id: string, patch: Partial<QueueingSettings> = {}) => runSettings({ ...presetSettings(id), ...patch });
const secondHalf = (a: number[]) => a.slice(a.length / 2);
const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
/** The p-quantile of a (the element at floor(n × p) of the sorted values). */
const quantile = (a: number[], p: number) => [...a].sort((x, y) => x - y)[Math.floor(a.length * p)];
const fmt = (v: number, d = 0) => v.toLocaleString('en', { minimumFractionDigits: d, maximumFractionDigits: d });
const rejects = (r: ReturnType<typeof run>, reason: 'full' | 'limit') => r.run.trace.filter((e) => e.kind === 'reject' && e.reason === reason).length;

describe('lesson 10: the page', () => {
  it('embeds only presets of the queueing lab, and the lab lists the lesson', () => {
    const embeds = [...raw.matchAll(/<QueueingLab\b[^>]*\bpreset="([\w-]+)"/g)].map((m) => m[1]);
    expect(embeds).toEqual(['knee-80', 'io-bound', 'shedding', 'lifo', 'aimd', 'gradient2', 'fanout', 'storm-stuck']);
    for (const id of embeds) expect(() => getPreset(id)).not.toThrow();
    expect(meta.page.lessons).toContain(SLUG);
  });

  it.skipIf(!SOURCE)('quotes the source articles verbatim', () => {
    const source = readFileSync(SOURCE!, 'utf8');
    const quotes = [...raw.replace(/\s+/g, ' ').matchAll(/“([^”]+)”/g)].map((m) => m[1]);
    const fromSource = ['starting with 2-3x the number of CPU cores for CPU-bound tasks, or 10-100x for I/O-bound tasks', 'starts with a small number of concurrent calls, then gradually increases based on success rates and response times', 'The pattern increased successful API calls by 300% while reducing rate limit violations by 95%.'];
    for (const q of fromSource) {
      expect(quotes).toContain(q);
      expect(source).toContain(q);
    }
  });
});

describe('lesson 10 figures', () => {
  it('the knee: closed forms 20, 50 and 200 ms; simulated 21.7, 54.3 and 171 ms (p99 481 ms)', () => {
    expect(mm1(0.05, 10).W).toBeCloseTo(20, 9);
    expect(mm1(0.08, 10).W).toBeCloseTo(50, 9);
    expect(mm1(0.095, 10).W).toBeCloseTo(200, 9);
    expect(mm1(0.095, 10).W / mm1(0.05, 10).W).toBeCloseTo(10, 9);
    says('At 50% load that is 20 ms, at 80% 50 ms, at 95% 200 ms');
    says('1.9 times busier at 95% than at 50%, but each request takes 10 times as long');
    const W = (id: string) => run(id).run.metrics.meanResponse;
    const cf = (id: string) => {
      const c = run(id).closed;
      if (!c.model) throw new Error(`${id} has no closed form`);
      return c.formulas.W;
    };
    expect(W('knee-80').toFixed(1)).toBe('54.3');
    expect(W('knee-50').toFixed(1)).toBe('21.7');
    expect(Math.round(W('knee-95'))).toBe(171);
    expect(Math.round(run('knee-95').run.metrics.p99)).toBe(481);
    // close at 50% and 80%; under the formula at 95% (the run is too short to settle)
    for (const id of ['knee-50', 'knee-80']) expect(Math.abs(W(id) / cf(id) - 1)).toBeLessThan(0.1);
    expect(W('knee-95')).toBeLessThan(0.9 * cf('knee-95'));
    for (const rate of [50, 95]) expect({ ...presetSettings('knee-80'), rate }).toEqual({ ...presetSettings(`knee-${rate}`), preset: 'knee-80' });
    says('Set the arrivals to 50 and then to 95 a second');
    says('At 80% the run gives **54.3 ms** (the formula 50 ms); at 50% it gives **21.7 ms**');
    says('At 95% it gives **171 ms** against the formula’s 200 ms, and its p99 is 481 ms');
  });

  it('Little’s law on the 80% run: L = 4.41 and λW = 81.0/s × 54.3 ms', () => {
    const m = run('knee-80').run.metrics;
    expect(m.meanInSystem.toFixed(2)).toBe('4.41');
    expect(m.throughput.toFixed(1)).toBe('81.0');
    expect(Math.abs((m.throughput * m.meanResponse) / 1000 - m.meanInSystem)).toBeLessThan(0.02);
    says('averages 4.41 requests in the system, and its 81.0 requests a second × 54.3 ms give the same');
  });

  it('sizing: I/O-bound needs 4 × 51 = 204 workers; CPU-bound gains nothing from 2–3x the cores', () => {
    const rows = [
      [8, '2x', '163', '4.1%', '1.0'],
      [40, '10x', '781', '19.8%', '1.0'],
      [204, '51x', '3,825', '95.1%', '3.7'],
      [400, '100x', '4,021', '100%', '49.4'],
    ] as const;
    for (const [users, times, x, busy, w] of rows) {
      const m = run('io-bound', { users }).run.metrics;
      expect(fmt(m.throughput)).toBe(x);
      expect(m.utilization >= 0.9995 ? '100%' : `${(m.utilization * 100).toFixed(1)}%`).toBe(busy);
      expect(m.meanResponse.toFixed(1)).toBe(w);
      // Little's law for the whole loop: users = X × (I/O wait + W)
      expect((users / ((m.throughput / 1000) * (50 + m.meanResponse)))).toBeCloseTo(1, 1);
      says(`| ${users} | ${times} | ${x} | ${busy} | ${w} ms |`);
    }
    const s = presetSettings('io-bound');
    expect([s.users, s.servers, s.mean, s.think]).toEqual([8, 4, 1, 50]);
    expect((s.servers * (s.think + s.mean)) / s.mean).toBe(204);
    says('The cores are busy **4.1%** of the time: 8 workers do 163 requests a second');
    says('4 × 51 / 1 = **204** workers in all: 51 times the cores');
    says('400 workers get 4,021 requests a second');
    says('only queue for a core, 49.4 ms each');
    const cpu = [4, 8, 12].map((users) => run('io-bound', { users, think: 0 }).run.metrics);
    for (const m of cpu) expect(fmt(m.throughput)).toBe('4,022');
    expect(cpu.map((m) => m.meanResponse.toFixed(1))).toEqual(['1.0', '2.0', '3.0']);
    says('4, 8 and 12 workers all get 4,022 requests a second, while the time each request spends goes from 1.0 to 2.0 to 3.0 ms');
  });

  it('quiz 2: 2 ms of CPU and 38 ms of I/O on 8 cores: 160 workers fill them, 16–24 do not', () => {
    const util = (users: number) => run('io-bound', { users, servers: 8, mean: 2, think: 38 }).run.metrics.utilization;
    expect(util(160)).toBeGreaterThan(0.9);
    expect(util(24)).toBeLessThan(0.2);
    says("choices: ['16 to 24 (2–3x the cores)', '160', '800', '8'], answer: 1");
    expect(mm1(0.09, 10).W).toBeCloseTo(100, 9);
    says("'It doubles, from 50 ms to 100 ms'");
  });

  it('shedding: unbounded p99 2.17 s and 558 waiting; a queue of 20 rejects 1,119 of 5,020 and keeps p99 at 102 ms', () => {
    const b = run('shedding').run.metrics;
    const u = run('shedding', { bounded: false }).run;
    expect(fmt(b.rejected)).toBe('1,119');
    expect(fmt(b.arrived)).toBe('5,020');
    expect(Math.round(b.p99)).toBe(102);
    expect((u.metrics.p99 / 1000).toFixed(2)).toBe('2.17');
    expect(Math.round(u.metrics.meanQueue)).toBe(558);
    // grows by about 110 a second: the queue at the end of the 10 s run
    expect(Math.round(u.series.queue.at(-1)! / 10 / 10) * 10).toBe(110);
    says('the queue grows by about 110 requests every second');
    expect(Math.round(b.goodput)).toBe(388);
    expect(Math.round(u.metrics.goodput)).toBe(388);
    says('the p99 latency reaches **2.17 s**');
    says('it holds 558 on average');
    says('1,119 of the 5,020 requests are turned away at once and the p99 stays at **102 ms**');
    says('The servers answer 388 a second either way');
  });

  it('LIFO 378 good answers a second (median 12.9 ms); FIFO 51 (median 627 ms)', () => {
    const l = run('lifo').run.metrics;
    const f = run('fifo-overload').run.metrics;
    expect(Math.round(l.goodput)).toBe(378);
    expect(l.p50.toFixed(1)).toBe('12.9');
    expect(Math.round(f.goodput)).toBe(51);
    expect(Math.round(f.p50)).toBe(627);
    expect(f.timedOut / f.arrived).toBeGreaterThan(0.8);
    expect({ ...presetSettings('lifo'), discipline: 'fifo' }).toEqual({ ...presetSettings('fifo-overload'), preset: 'lifo' });
    says('**LIFO** delivers 378 good answers a second with a median latency of 12.9 ms');
    says('51 good answers a second, a median of 627 ms');
  });

  it('AIMD: a sawtooth between 10 and 21 (mean 17.7), 7.7 in the system, optimum 9.8; 776 vs 777 good answers a second', () => {
    const r = run('aimd');
    const lim = secondHalf(r.run.series.limit);
    expect(Math.min(...lim)).toBe(10);
    expect(Math.max(...lim)).toBe(21);
    expect(Math.max(...lim)).toBeLessThanOrEqual(2.2 * r.config.service.servers); // "up to about twice as many"
    expect(mean(lim).toFixed(1)).toBe('17.7');
    expect(mean(secondHalf(r.run.series.inFlight)).toFixed(1)).toBe('7.7');
    expect(mean(secondHalf(limitOptimum(r.run, r.config))).toFixed(1)).toBe('9.8');
    // the sawtooth: the limit goes down and up many times
    let turns = 0;
    for (let i = 2; i < lim.length; i++) if ((lim[i] - lim[i - 1]) * (lim[i - 1] - lim[i - 2]) < 0) turns++;
    expect(turns).toBeGreaterThan(10);
    expect(Math.round(r.run.metrics.goodput)).toBe(776);
    expect(Math.round(run('aimd', { limiter: 'none' }).run.metrics.goodput)).toBe(777);
    says('at 1,000 requests a second: the optimum is 9.8');
    says('it moves between **10 and 21** (a mean of 17.7) while 7.7 requests are in the system');
    says('776 good answers a second, against 777 with no limiter');
  });

  it('Gradient2: a band 11–20 with mean 14.9 (optimum 15.0); at 1,200/s mean 15.1 (optimum 11.8); 3,327 of 14,963 turned away', () => {
    const r = run('gradient2');
    const lim = secondHalf(r.run.series.limit);
    expect([quantile(lim, 0.05), quantile(lim, 0.95)]).toEqual([11, 20]);
    expect(mean(lim).toFixed(1)).toBe('14.9');
    expect(mean(secondHalf(limitOptimum(r.run, r.config))).toFixed(1)).toBe('15.0');
    const slower = run('gradient2', { rate: 1200 });
    expect(mean(secondHalf(slower.run.series.limit)).toFixed(1)).toBe('15.1');
    expect(mean(secondHalf(limitOptimum(slower.run, slower.config))).toFixed(1)).toBe('11.8');
    const m = r.run.metrics;
    expect(fmt(m.rejected)).toBe('3,327');
    expect(fmt(m.arrived)).toBe('14,963');
    expect(m.rejected / m.arrived).toBeGreaterThan(0.2);
    expect(m.timedOut).toBe(0);
    // the 20 servers had room: without the limiter nothing is turned away or late
    const free = run('gradient2', { limiter: 'none' }).run.metrics;
    expect(free.rejected + free.timedOut).toBe(0);
    says('With 20 servers at 1,500 requests a second, the optimum is 15.0');
    says('between 11 and 20, with a mean of **14.9**');
    says('the optimum drops to 11.8 and the limit stays where it was, at a mean of 15.1');
    says('it turns away 3,327 of 14,963 requests');
  });

  it('fan-out: AIMD from 1 passes 10 within 50 ms, then 9–15 (mean 10.8); API refusals 20,449 → 4,761 (77% fewer); goodput 953.5 vs 956.1', () => {
    const s = presetSettings('fanout');
    expect([s.servers, s.mean, s.rate, s.limit, s.capacity, s.bounded]).toEqual([10, 10, 3000, 1, 0, true]);
    expect((s.servers * 1000) / s.mean).toBe(1000);
    const r = run('fanout');
    const series = r.run.series;
    expect(series.limit[0]).toBeGreaterThanOrEqual(10);
    expect(series.bucket).toBe(50);
    const lim = secondHalf(series.limit);
    expect([quantile(lim, 0.05), quantile(lim, 0.95)]).toEqual([9, 15]);
    expect(mean(lim).toFixed(1)).toBe('10.8');
    expect(mean(secondHalf(series.inFlight)).toFixed(1)).toBe('9.5');
    const none = run('fanout', { limiter: 'none' });
    const withAimd = rejects(r, 'full');
    const without = rejects(none, 'full');
    expect(r.run.truncated || none.run.truncated).toBe(false);
    expect(fmt(without)).toBe('20,449');
    expect(fmt(withAimd)).toBe('4,761');
    expect(Math.round((1 - withAimd / without) * 100)).toBe(77);
    expect(fmt(rejects(r, 'limit'))).toBe('15,714');
    expect(r.run.metrics.rejected).toBe(rejects(r, 'limit') + withAimd);
    says('15,714 calls the client’s limiter held back and the API’s 4,761');
    expect(r.run.metrics.goodput.toFixed(1)).toBe('953.5');
    expect(none.run.metrics.goodput.toFixed(1)).toBe('956.1');
    says('The limit passes 10 within the first 50 ms');
    says('9 to 15 for 90% of the second half, a mean of **10.8**, with 9.5 calls in flight');
    says('the API’s refusals fall from 20,449 to 4,761, **77%** fewer');
    says('953.5 a second against 956.1');
  });

  it('retry storm: stuck at 60% (no good answers in the last 2 s), recovered at 20%; the sweep’s thresholds per trigger', () => {
    const stuck = run('storm-stuck');
    const s = presetSettings('storm-stuck');
    expect([s.servers, s.timeout, s.attempts, s.faultAt, s.faultFor, s.faultSize]).toEqual([4, 100, 3, 1000, 1000, 1]);
    expect((s.rate * s.mean) / 1000 / s.servers).toBeCloseTo(0.6, 9);
    const window = s.duration / 4;
    expect(window).toBe(2000);
    expect(recovery(stuck.run, s.rate, window).goodShare).toBe(0);
    const rec = presetSettings('storm-recovered');
    expect((rec.rate * rec.mean) / 1000 / rec.servers).toBeCloseTo(0.2, 9);
    expect(recovery(run('storm-recovered').run, rec.rate, window).outcome).toBe('recovered');
    // the lesson's way there: the stuck preset with 80 arrivals a second is the recovered one
    expect([s.rate, rec.rate]).toEqual([240, 80]);
    expect({ ...s, rate: 80 }).toEqual({ ...rec, preset: 'storm-stuck' });
    says('set the arrivals from 240 to 80 a second');
    says('In the last two seconds of the run the clients get **no good answers at all**');
    // the sweep the lab runs: the preset's config, its capacity fault, its seed
    const base = toConfig(s);
    const grid = sweepGrid(SWEEP_LOADS, SWEEP_TRIGGERS, (load, trigger) => sweepConfigAt(base, load, trigger, s.faultAt, s.faultSize), s.seed);
    const stuckFrom = grid.cells.map((row) => {
      const k = row.findIndex((c) => c.outcome === 'stuck');
      // once stuck, every higher load is stuck too
      if (k >= 0) expect(row.slice(k).every((c) => c.outcome === 'stuck')).toBe(true);
      return k < 0 ? null : Math.round(grid.loads[k] * 100);
    });
    expect(grid.triggers).toEqual([0, 250, 500, 1000, 2000]);
    expect(stuckFrom).toEqual([null, 60, 40, 30, 30]);
    expect(grid.cells[0].every((c) => c.outcome === 'recovered')).toBe(true);
    says('| none | never, up to 90% |');
    says('| 250 ms | 60% |');
    says('| 500 ms | 40% |');
    says('| 1 s | 30% |');
    says('| 2 s | 30% |');
  });
});
