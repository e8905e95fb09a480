/**
 * The queueing lab: what it derives from a run (simulations/queueing/lab.ts: closed-form
 * applicability, the state at a step, swimlanes, Little's-law optimum, sweep cells) and its model
 * (links in and out, clamping, presets that show what their titles say).
 */
import { describe, expect, it } from 'vitest';
import { writeNamespace } from '#lib/permalink';
import { sweepGrid, mm1, mmc, md1, type QueueingConfig } from '#sim/queueing';
import { closedForm, lanesAround, laneWindow, limitOptimum, narrateStep, rateForLoad, seriesAt, stepCount, sweepConfigAt } from '#sim/queueing/lab';
import { readLink } from '#widgets/shared/labModel';
import { LIMITER_PARAMS, PRESETS, presetSettings, rangeOf, toConfig } from '#widgets/QueueingLab/lab';
import { AIMD_DEFAULTS, GRADIENT2_DEFAULTS, VEGAS_DEFAULTS } from '#sim/queueing';
import { queueingModel, runSettings } from '#widgets/QueueingLab/model';
import { runSweepJob } from '#runners/queueingSweepEngine';

const mm1Config = (rate: number): QueueingConfig => ({ clients: { kind: 'open', arrival: 'poisson', rate }, service: { servers: 1, time: { dist: 'exponential', mean: 10 } }, duration: 5000 });

describe('closed form applicability', () => {
  it('M/M/1, M/M/c (with the separate-queues comparison) and M/D/1 where the config is that model', () => {
    const a = closedForm(mm1Config(80));
    expect(a.model).toBe('M/M/1');
    if (a.model) expect(a.formulas.W).toBeCloseTo(mm1(0.08, 10).W, 9);
    expect(a.model && a.formulas.W).toBeCloseTo(50, 6); // 10 / (1 − 0.8)
    const b = closedForm({ ...mm1Config(160), service: { servers: 2, time: { dist: 'exponential', mean: 10 } } });
    expect(b.model).toBe('M/M/c');
    if (b.model) {
      expect(b.formulas.W).toBeCloseTo(mmc(2, 0.16, 10).W, 9);
      expect(b.separate!.W).toBeCloseTo(50, 6);
      expect(b.formulas.W).toBeLessThan(b.separate!.W); // pooling: one queue waits less
    }
    const c = closedForm({ ...mm1Config(50), service: { servers: 1, time: { dist: 'deterministic', mean: 10 } } });
    expect(c.model).toBe('M/D/1');
    if (c.model) expect(c.formulas.W).toBeCloseTo(md1(0.05, 10).W, 9);
  });

  it('says why there is none: timeouts, retries, limiter, bounded queue, faults, closed loop, ρ ≥ 1', () => {
    const why = (c: QueueingConfig) => {
      const f = closedForm(c);
      return f.model === null ? f.reason : f.model;
    };
    const base = mm1Config(50);
    expect(why({ ...base, clients: { ...base.clients, timeout: 100 } as QueueingConfig['clients'] })).toMatch(/time out/);
    expect(why({ ...base, clients: { ...base.clients, retry: { attempts: 3 } } as QueueingConfig['clients'] })).toMatch(/retry/);
    expect(why({ ...base, limiter: { kind: 'aimd' } })).toMatch(/limiter/);
    expect(why({ ...base, service: { ...base.service, queue: { capacity: 5 } } })).toMatch(/bounded/);
    expect(why({ ...base, faults: [{ kind: 'slow', at: 0, duration: 10, factor: 2 }] })).toMatch(/fault/);
    expect(why({ ...base, clients: { kind: 'closed', clients: 3, think: { dist: 'exponential', mean: 10 } } })).toMatch(/closed-loop/);
    expect(why(mm1Config(120))).toMatch(/ρ = 1.20/);
    expect(why({ ...base, service: { servers: 1, time: { dist: 'lognormal', mean: 10 } } })).toMatch(/lognormal/);
  });

  it('the simulation agrees with the closed form it is compared with (M/M/1 at 50%, 30 s)', () => {
    const r = runSettings(presetSettings('knee-50'));
    expect(r.closed.model).toBe('M/M/1');
    if (r.closed.model) expect(Math.abs(r.run.metrics.meanResponse - r.closed.formulas.W) / r.closed.formulas.W).toBeLessThan(0.15);
  });
});

describe('the timeline, narration and swimlanes', () => {
  const r = runSettings(presetSettings('fifo-overload'));
  const run = r.run;

  it('one step per bucket; step 0 is t = 0 and the last step the run’s end', () => {
    expect(stepCount(run)).toBe(run.series.t.length);
    expect(seriesAt(run, 0).t).toBe(0);
    const last = seriesAt(run, stepCount(run));
    expect(last.t).toBeCloseTo(run.metrics.elapsed, 6);
    expect(last.queue).toBe(run.series.queue.at(-1));
    expect(narrateStep(run, 0)).toMatch(/^t = 0/);
    expect(narrateStep(run, 100)).toMatch(/requests\/s arrive.*waiting.*timed out/);
  });

  it('lanes: requests that arrived before t, ending no later than t, timed-out ones marked, in order of arrival', () => {
    const t = run.metrics.elapsed / 2;
    const w = laneWindow(run, r.config);
    const lanes = lanesAround(run, t, w, 18);
    expect(lanes.length).toBe(18);
    for (const l of lanes) {
      expect(l.arrive).toBeLessThanOrEqual(t);
      expect(l.arrive).toBeGreaterThan(t - w);
      expect(l.end).toBeLessThanOrEqual(t);
      if (l.start !== undefined) expect(l.start).toBeGreaterThanOrEqual(l.arrive);
    }
    for (let i = 1; i < lanes.length; i++) expect(lanes[i].arrive).toBeGreaterThanOrEqual(lanes[i - 1].arrive);
    // FIFO overload: by mid-run requests wait longer than the 200 ms timeout
    expect(lanes.some((l) => l.timeout !== undefined)).toBe(true);
    // at t = 0 nothing has arrived
    expect(lanesAround(run, 0, w)).toEqual([]);
  });

  it('under LIFO most sampled requests are answered; under FIFO most end late or still wait', () => {
    const lifo = runSettings(presetSettings('lifo'));
    const t = 8000;
    const ok = (x: typeof r) => lanesAround(x.run, t, 1500, 40).filter((l) => l.outcome === 'served').length;
    expect(ok(lifo)).toBeGreaterThan(ok(r));
    expect(lifo.run.metrics.goodput).toBeGreaterThan(3 * r.run.metrics.goodput);
  });

  it('Little’s-law optimum: offered rate × mean service time, per bucket', () => {
    const a = runSettings(presetSettings('aimd'));
    const opt = limitOptimum(a.run, a.config);
    a.run.series.offered.forEach((o, i) => expect(opt[i]).toBeCloseTo((o * 10) / 1000, 9));
    expect(a.run.series.limit.every(Number.isFinite)).toBe(true);
  });
});

describe('sweep', () => {
  it('a cell sets the rate from the load and the trigger as a capacity fault', () => {
    const base = toConfig(presetSettings('storm-stuck'));
    const cell = sweepConfigAt(base, 0.5, 750, 1000, 1);
    expect(cell.callRate).toBeCloseTo(rateForLoad(0.5, 4, 10), 9);
    expect(cell.callRate).toBe(200);
    expect(cell.config.faults).toEqual([{ kind: 'capacity', at: 1000, duration: 750, servers: 1 }]);
    expect(sweepConfigAt(base, 0.5, 0, 1000, 1).config.faults).toEqual([]);
    expect(() => sweepConfigAt(toConfig({ ...presetSettings('storm-stuck'), clients: 'closed' }), 0.5, 0, 0, 1)).toThrow(/open-loop/);
  });

  it('the Worker job gives sweepGrid’s cells, reports progress, and stops when told', () => {
    const base = toConfig(presetSettings('storm-stuck'));
    const job = { base, loads: [0.2, 0.6], triggers: [0, 1000], at: 1000, left: 1, seed: 1 };
    const seen: unknown[] = [];
    const run = runSweepJob(job, { wallMs: 10_000, shouldStop: () => false, progress: (p) => seen.push(p) });
    const direct = sweepGrid(job.loads, job.triggers, (l, t) => sweepConfigAt(base, l, t, 1000, 1), 1);
    expect(run.cells).toEqual(direct.cells);
    expect(run.complete).toBe(true);
    expect(seen.at(-1)).toEqual({ done: 4, total: 4 });
    // a 60% load with a 1 s trigger stays stuck; 20% recovers; no trigger, both recover
    expect(run.cells[1].map((c) => c.outcome)).toEqual(['recovered', 'stuck']);
    expect(run.cells[0].map((c) => c.outcome)).toEqual(['recovered', 'recovered']);
    let n = 0;
    const stopped = runSweepJob(job, { wallMs: 1, shouldStop: () => ++n > 1, progress: () => {} });
    expect(stopped.complete).toBe(false);
    expect(stopped.error).toMatch(/Stopped/);
  });
});

describe('queueing lab model', () => {
  const initial = presetSettings('knee-80');
  const read = (values: Record<string, string | number | boolean>) => readLink(queueingModel, '?' + writeNamespace(new URLSearchParams(), 'queue', values).toString(), 'queue', initial, false);

  it('a fresh lab writes only its preset; edits round-trip through a link', async () => {
    expect(Object.entries(queueingModel.url.encode(initial, initial)).filter(([, v]) => v !== undefined)).toEqual([['preset', 'knee-80']]);
    const edited = { ...initial, rate: 90, servers: 2, discipline: 'lifo' as const, limiter: 'gradient2' as const, bounded: true, view: 'limiter' as const, seed: 9 };
    const fields = queueingModel.url.encode(edited, initial) as Record<string, string | number | boolean>;
    const r = await read({ ...fields, step: 30 });
    expect(r.settings).toEqual(edited);
    expect(r.step).toBe(30);
    expect(r.notice).toBeNull();
  });

  it('clamps out-of-range values with a note, and a bad field gives the default lab and a notice', async () => {
    const r = await read({ preset: 'knee-80', servers: 500, attempts: 0 });
    expect(r.settings.servers).toBe(64);
    expect(r.settings.attempts).toBe(1);
    expect(r.clampNotes.join(' ')).toMatch(/Servers was 500/);
    const bad = await read({ preset: 'knee-80', limiter: 'magic' });
    expect(bad.notice).toMatch(/could not be read/);
    expect(bad.settings).toEqual(initial);
  });

  it('a run too long for the page is cut to about 100,000 requests, with a note, and its trace keeps every request', () => {
    const { settings, notes } = queueingModel.clamp({ ...initial, rate: 5000, duration: 120_000 });
    expect(settings.duration).toBe(20_000);
    expect(notes.join(' ')).toMatch(/100,000 requests/);
    const r = runSettings({ ...settings, servers: 64 });
    expect(r.run.truncated).toBe(false);
    expect(r.run.metrics.arrived).toBeGreaterThan(90_000);
  });

  it('the view is not part of the run', () => {
    expect(queueingModel.runKey({ ...initial, view: 'sweep' })).toBe(queueingModel.runKey(initial));
    expect(queueingModel.runKey({ ...initial, rate: 81 })).not.toBe(queueingModel.runKey(initial));
  });

  it('presets show what they say', () => {
    expect(PRESETS.length).toBeGreaterThanOrEqual(6);
    const W = (id: string) => runSettings(presetSettings(id)).run.metrics.meanResponse;
    // the knee: response time grows like 1 / (1 − ρ)
    expect(W('knee-80') / W('knee-50')).toBeGreaterThan(1.8);
    expect(W('knee-95') / W('knee-80')).toBeGreaterThan(2);
    const pool = runSettings(presetSettings('pooling'));
    expect(pool.closed.model === 'M/M/c' && pool.closed.formulas.W < pool.closed.separate!.W).toBe(true);
    const shed = runSettings(presetSettings('shedding')).run.metrics;
    expect(shed.rejected).toBeGreaterThan(0);
    expect(shed.p99).toBeLessThan(200); // 20 waiting for 4 servers of 10 ms: bounded latency
    const storm = (id: string) => {
      const r = runSettings(presetSettings(id));
      const s = r.run.series;
      const tail = s.goodput.slice(-50);
      return tail.reduce((a, b) => a + b, 0) / tail.length / (r.config.clients.kind === 'open' ? r.config.clients.rate : 1);
    };
    expect(storm('storm-stuck')).toBeLessThan(0.5);
    expect(storm('storm-recovered')).toBeGreaterThan(0.9);
    for (const id of ['aimd', 'gradient2']) {
      const r = runSettings(presetSettings(id)).run;
      // the limiter keeps goodput well above zero and turns some requests away
      expect(r.metrics.goodput, id).toBeGreaterThan(300);
      expect(r.metrics.rejected, id).toBeGreaterThan(0);
    }
  });

  it('limiter parameters a preset leaves unset are Netflix concurrency-limits’ defaults, and a link omits them', () => {
    const s = presetSettings('knee-80');
    expect(toConfig({ ...s, limiter: 'aimd' }).limiter).toEqual({ kind: 'aimd', ...AIMD_DEFAULTS });
    expect(toConfig({ ...s, limiter: 'gradient2' }).limiter).toEqual({ kind: 'gradient2', ...GRADIENT2_DEFAULTS });
    expect(toConfig({ ...s, limiter: 'vegas' }).limiter).toEqual({ kind: 'vegas', ...VEGAS_DEFAULTS });
    // choosing a limiter adds one field to the link, not its parameters
    const fields = Object.entries(queueingModel.url.encode({ ...s, limiter: 'gradient2' }, s)).filter(([, v]) => v !== undefined);
    expect(fields).toEqual([
      ['preset', 'knee-80'],
      ['limiter', 'gradient2'],
    ]);
    // the limiter presets set a least limit of 1 (and AIMD drops after 5 mean service times)
    expect(toConfig(presetSettings('aimd')).limiter).toEqual({ kind: 'aimd', initial: 10, min: 1, max: 200, backoff: 0.9, timeout: 50 });
    expect(toConfig(presetSettings('gradient2')).limiter).toMatchObject({ kind: 'gradient2', initial: 10, min: 1, max: 200, tolerance: 1.5 });
    // every parameter the inputs show has a range, and every limiter's default is inside it
    for (const [kind, params] of Object.entries(LIMITER_PARAMS)) {
      for (const p of params) {
        const r = rangeOf(p.key)!;
        expect(r, `${kind} ${p.key}`).toBeDefined();
        expect(s[p.key]).toBeGreaterThanOrEqual(r.min);
        expect(s[p.key]).toBeLessThanOrEqual(r.max);
      }
    }
  });

  it('a non-default AIMD backoff and Gradient2 tolerance round-trip through a link and reach the engine', async () => {
    const edited = { ...initial, limiter: 'aimd' as const, aimdBackoff: 0.5, g2Tolerance: 2.5, g2Window: 100 };
    const fields = queueingModel.url.encode(edited, initial) as Record<string, string | number | boolean>;
    expect(Object.keys(fields).filter((k) => fields[k] !== undefined).sort()).toEqual(['aimdBackoff', 'g2Tolerance', 'g2Window', 'limiter', 'preset']);
    const r = await read(fields);
    expect(r.settings).toEqual(edited);
    expect(r.clampNotes).toEqual([]);
    expect(toConfig(r.settings).limiter).toMatchObject({ kind: 'aimd', backoff: 0.5 });
    expect(toConfig({ ...r.settings, limiter: 'gradient2' }).limiter).toMatchObject({ kind: 'gradient2', tolerance: 2.5, longWindow: 100 });
    // a harsher backoff cuts the AIMD preset's limit further: its mean limit drops
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const limit = (backoff: number) => mean(runSettings({ ...presetSettings('aimd'), aimdBackoff: backoff }).run.series.limit);
    expect(limit(0.5)).toBeLessThan(limit(0.9));
  });

  it('limiter parameters out of range are clamped with a note; a min limit above the max is lowered to it', async () => {
    const r = await read({ preset: 'knee-80', limiter: 'gradient2', aimdBackoff: 0, g2Tolerance: 0.5, g2Window: 0, vegasSmoothing: 3 });
    expect(r.settings.aimdBackoff).toBe(0.01);
    expect(r.settings.g2Tolerance).toBe(1);
    expect(r.settings.g2Window).toBe(1);
    expect(r.settings.vegasSmoothing).toBe(1);
    const notes = r.clampNotes.join(' ');
    expect(notes).toMatch(/AIMD backoff ratio was 0;.*uses 0.01/);
    expect(notes).toMatch(/Gradient2 tolerance was 0.5;.*uses 1\./);
    expect(notes).toMatch(/Gradient2 long window \(samples\) was 0; the lab takes whole numbers from 1/);
    expect(notes).toMatch(/Vegas smoothing was 3/);
    // a fraction typed into a whole-number field is rounded, with a note
    const typed = queueingModel.clamp({ ...initial, g2Window: 2.6 });
    expect(typed.settings.g2Window).toBe(3);
    expect(typed.notes.join(' ')).toMatch(/long window \(samples\) was 2.6; the lab takes whole numbers/);
    const { settings, notes: n2 } = queueingModel.clamp({ ...initial, limiter: 'aimd', aimdMin: 50, aimdMax: 30 });
    expect(settings.aimdMin).toBe(30);
    expect(n2.join(' ')).toMatch(/AIMD min limit \(at most the max limit\) was 50.*uses 30/);
    // the clamped settings run: AIMD's limit stays in [min, max]
    const run = runSettings({ ...presetSettings('aimd'), aimdMin: 12, aimdMax: 14 }).run;
    const limits = run.series.limit.filter(Number.isFinite);
    expect(Math.min(...limits.slice(1))).toBeGreaterThanOrEqual(12);
    expect(Math.max(...limits)).toBeLessThanOrEqual(14);
  });

  it('the engine refuses what the lab cannot clamp, and says which field', () => {
    expect(() => runSettings({ ...initial, fault: 'slow', faultSize: 0 })).toThrow(/factor/);
  });
});
