/**
 * The lab contract on the sync/async lab's model: links in and out (settings, packed handler,
 * the results that travel with a link, legacy `ex`/`exercise`, bad fields and bad results),
 * clamping, staleness keys, the handler check before a run, what a preset switch keeps, the
 * runtime status line, and a run on a scripted runtime (progress rows, Stop keeps what ran).
 */
import { describe, expect, it, vi } from 'vitest';
import { packText, writeNamespace } from '#lib/permalink';
import { readLink } from '#widgets/shared/labModel';
import type { RunEvent, RunJob, Runner } from '#runners/runner';
import { getExercise, resultOf, type VariantResult } from '#widgets/SyncAsyncLab/lab';
import { checkSettings, handlerKind, presetSettings, progressLine, rowsOf, runtimeLine, syncAsyncModel, type SyncAsyncProgress } from '#widgets/SyncAsyncLab/model';

/* A scripted runtime instead of the page's (the WebContainer or a browser Worker). */
const runtime = vi.hoisted(() => ({ acquire: null as null | ((pref: string, signal: AbortSignal) => Promise<unknown>) }));
vi.mock('#widgets/SyncAsyncLab/runtime.svelte', () => ({ acquireRunner: (pref: string, signal: AbortSignal) => runtime.acquire!(pref, signal) }));

const model = syncAsyncModel;
const initial = presetSettings('io-db');
const search = (values: Record<string, string | number>, ns = 'lab') => '?' + writeNamespace(new URLSearchParams(), ns, values).toString();

const result = (variant: VariantResult['variant'], throughput: number, extra: Partial<VariantResult> = {}): VariantResult => ({
  ...resultOf({
    variant,
    runner: 'worker',
    status: 'ok',
    summary: { exercise: 'io-db', variant, runtime: 'browser worker', throughput, completed: 40, errors: 0, p50: 20, p95: 30, p99: 40, mean: 22 },
    latencies: Array.from({ length: 40 }, (_, i) => 10 + i),
    requestErrors: 0,
    lines: [],
    wallMs: 100,
  }),
  ...extra,
});

describe('sync/async lab model: links', () => {
  it('a page without the namespace shows the initial settings, no notice and no run', async () => {
    const r = await readLink(model, '?other.step=3', 'lab', initial, false);
    expect(r).toMatchObject({ settings: initial, fromLink: false, notice: null, clampNotes: [] });
    expect(r.run).toBeUndefined();
  });

  it('round-trips preset, variants, parameters, budget, runtime, an edited handler and the results', async () => {
    const base = presetSettings('mixed-downstream');
    const edited = { ...base, variants: ['async' as const, 'parallel' as const], params: { ...base.params, clients: 20, limit: 3 }, budgetS: 12, runtime: 'worker' as const, code: 'export async function handle(req, ctx) { return 1; }' };
    const fields = model.url.encode(edited, base) as Record<string, string | number>;
    expect(fields).toMatchObject({ preset: 'mixed-downstream', v: 'async,parallel', clients: 20, limit: 3, budget: 12, rt: 'worker' });
    expect(fields.h).toBeUndefined();
    fields.code = await packText(edited.code);
    const run = [result('async', 1234.5678), result('parallel', 88.04)];
    fields.res = await packText(model.url.result!.encode(run));
    const r = await readLink(model, search(fields), 'lab', initial, false);
    expect(r.notice).toBeNull();
    expect(r.settings).toEqual(edited);
    expect(r.base).toEqual(base);
    expect(r.step).toBeUndefined();
    // the link's numbers, to three significant digits
    expect(r.run?.map((x) => [x.variant, x.throughput])).toEqual([['async', 1230], ['parallel', 88]]);
    expect(model.narrate(r.run!, model.fold(r.run!), 0)).toMatch(/^Parallel pool served 0\.07× the requests per second of async \(88 vs 1,230\)\./);
  });

  it('the solution handler travels as h=solution; the starter as nothing', async () => {
    const solution = presetSettings('cpu-hash', { handler: 'solution' });
    expect(handlerKind(solution)).toBe('solution');
    expect(model.url.encode(solution, solution)).toMatchObject({ h: 'solution', code: undefined });
    expect(model.url.encode(initial, initial)).toMatchObject({ h: undefined, code: undefined, rt: undefined });
    const r = await readLink(model, search({ preset: 'cpu-hash', h: 'solution' }), 'lab', initial, false);
    expect(r.settings.code).toBe(getExercise('cpu-hash').solution);
  });

  it('reads old links that named the exercise `ex` or `exercise`', async () => {
    for (const key of ['ex', 'exercise']) {
      const r = await readLink(model, search({ [key]: 'cpu-hash', requests: 30 }), 'lab', initial, false);
      expect(r.notice).toBeNull();
      expect(r.settings.preset).toBe('cpu-hash');
      expect(r.settings.code).toBe(getExercise('cpu-hash').starter);
      expect(r.settings.params.requests).toBe(30);
      expect(r.base.preset).toBe('cpu-hash');
    }
  });

  it('results that cannot be read keep the settings and say so; no run is shown', async () => {
    const tampered = JSON.parse(model.url.result!.encode([result('sync', 20)]));
    tampered[0].quantiles[3] = 1e9; // no longer ascending
    for (const res of [await packText(JSON.stringify(tampered)), 'not-deflate-data']) {
      const r = await readLink(model, search({ preset: 'io-db', requests: 40, res }), 'lab', initial, false);
      expect(r.run).toBeUndefined();
      expect(r.notice).toBe('This link’s results could not be read; the settings are restored. Press Run to measure.');
      expect(r.settings.params.requests).toBe(40);
    }
  });

  it('clamps out-of-range values with one note each instead of refusing the link', async () => {
    const r = await readLink(model, search({ clients: 9999, requests: 12.6, budget: 500 }), 'lab', initial, false);
    expect(r.notice).toBeNull();
    expect(r.settings.params.clients).toBe(500);
    expect(r.settings.params.requests).toBe(13);
    expect(r.settings.budgetS).toBe(120);
    expect(r.clampNotes).toEqual([
      'Concurrent clients: 9999 is above the most this exercise allows; using 500.',
      'Requests: rounded to 13.',
      'Time budget: 500 s is outside 2–120 s; using 120 s.',
    ]);
  });

  it('a field that cannot be read gives the default lab and a one-line notice', async () => {
    const r = await readLink(model, search({ v: 'sync,turbo' }), 'lab', initial, false);
    expect(r.settings).toEqual(initial);
    expect(r.notice).toBe("This link's lab settings could not be read (v=sync,turbo); showing the default lab.");
    const code = await readLink(model, search({ code: 'not-deflate-data' }), 'lab', initial, false);
    expect(code.settings).toEqual(initial);
    expect(code.notice).toMatch(/code=not-deflate-data/);
  });

  it('a presenter link picks the namespace and the exercise', async () => {
    const r = await readLink(model, '?lab=pool&preset=cpu-hash&pool.requests=50', 'present', initial, true);
    expect(r.ns).toBe('pool');
    expect(r.settings.preset).toBe('cpu-hash');
    expect(r.settings.params.requests).toBe(50);
    const bad = await readLink(model, '?preset=nope', 'present', initial, true);
    expect(bad.notice).toMatch(/preset=nope/);
    expect(bad.settings).toEqual(initial);
  });
});

describe('sync/async lab model: settings', () => {
  it('a lesson’s variants come in the lab’s order and its parameters are clamped; an unknown exercise throws', () => {
    const s = presetSettings('cpu-hash', { variants: ['parallel', 'sync'], params: { pool: 2, clients: 1e6 } });
    expect(s.variants).toEqual(['sync', 'parallel']);
    expect(s.params.pool).toBe(2);
    expect(s.params.clients).toBe(500);
    expect(() => model.preset('no-such')).toThrow(/no exercise "no-such"/);
  });

  it('the runtime and the budget do not make the results stale; the handler, variants and parameters do', () => {
    const key = model.runKey(initial);
    expect(model.runKey({ ...initial, runtime: 'worker', budgetS: 5 })).toBe(key);
    for (const patch of [{ code: initial.code + ' ' }, { variants: ['sync' as const] }, { params: { ...initial.params, clients: 3 } }, { preset: 'cpu-hash' }]) {
      expect(model.runKey({ ...initial, ...patch })).not.toBe(key);
    }
  });

  it('another exercise keeps the variants, the budget, the runtime and the solution handler', () => {
    const prev = { ...presetSettings('io-db', { handler: 'solution' }), variants: ['async' as const, 'sync-batch' as const], budgetS: 9, runtime: 'worker' as const };
    const next = model.clamp(model.keepOnPresetChange!(prev, model.preset('cpu-hash'))).settings;
    expect(next).toMatchObject({ preset: 'cpu-hash', variants: ['async', 'sync-batch'], budgetS: 9, runtime: 'worker', code: getExercise('cpu-hash').solution });
    expect(next.params).toEqual(model.preset('cpu-hash').params);
  });

  it('the handler check puts a syntax error at its line and column, and nothing else runs', async () => {
    const p = await checkSettings({ ...initial, code: 'export async function handle(req, ctx) {\n  const x = ;\n}' });
    expect(p).toEqual({
      message: 'SyntaxError: Unexpected token (line 2, column 13). Nothing ran: fix the handler and run again.',
      at: { line: 2, column: 13, message: 'SyntaxError: Unexpected token' },
    });
    expect((await checkSettings({ ...initial, variants: [] }))?.message).toBe('Tick at least one variant to run.');
    expect((await checkSettings({ ...initial, code: 'x'.repeat(20_001) }))?.message).toMatch(/20,001 characters long; the lab takes up to 20,000/);
    expect(await checkSettings(initial)).toBeNull();
  });

  it('the status line follows the runtime this lab picked, and counts down the seconds a WebContainer has left to start', () => {
    expect(runtimeLine({ phase: 'idle' }, 'auto', 0).text).toMatch(/^The first Run starts the WebContainer .*within 30 s, the browser Worker runs instead\.$/);
    const starting = { phase: 'starting' as const, preference: 'auto' as const, since: 1_000 };
    expect(runtimeLine(starting, 'auto', 5_600)).toEqual({ phase: 'starting', text: 'Starting the WebContainer (real Node in your browser)… 26 s left before the browser Worker takes over (or pick it now).' });
    expect(runtimeLine(starting, 'auto', 31_000).text).toContain('… 0 s left');
    expect(runtimeLine({ ...starting, preference: 'webcontainer' }, 'webcontainer', 1_000).text).toContain('30 s left before it gives up');
    // another lab on the page asked for another runtime: this one says what its Run will do
    expect(runtimeLine(starting, 'worker', 5_600)).toEqual({ phase: 'idle', text: 'Runs in the browser Worker.' });
    expect(runtimeLine({ phase: 'ready', preference: 'auto', kind: 'worker', fellBackBecause: 'The WebContainer did not start within 30 s.' }, 'auto', 0).text).toBe(
      'Runs in the browser Worker. The WebContainer did not start within 30 s.',
    );
    // a boot that completed after the fallback: the lab says it switched
    expect(runtimeLine({ phase: 'ready', preference: 'auto', kind: 'webcontainer', switched: true }, 'auto', 0).text).toMatch(/^Runs in the WebContainer \(Node\): it finished starting after the browser Worker/);
    // iOS/iPadOS: auto says at once that it runs on the Worker, and why
    expect(runtimeLine({ phase: 'idle' }, 'auto', 0, true).text).toMatch(/^Runs in the browser Worker\. On iPhone and iPad the WebContainer starts only when you pick it/);
    expect(runtimeLine({ phase: 'idle' }, 'webcontainer', 0, true).text).toMatch(/^The first Run starts the WebContainer/);
  });
});

describe('sync/async lab model: a run', () => {
  const summary = (variant: string) => ({ type: 'summary', exercise: 'io-db', variant, runtime: 'test', runner: 'worker', throughput: 100, completed: 2, errors: 0 }) as RunEvent;
  const scripted = (script: (job: RunJob, signal: AbortSignal) => AsyncGenerator<RunEvent>): Runner => ({ kind: 'worker', ready: async () => {}, run: script });

  it('reports a row per variant (all waiting first), then measures them one after the other', async () => {
    runtime.acquire = async () =>
      scripted(async function* (job) {
        yield { type: 'request', i: 0, start: 0, end: 5, latency: 5, ok: true, runner: 'worker' };
        yield { type: 'request', i: 1, start: 0, end: 7, latency: 7, ok: false, runner: 'worker', error: 'boom' };
        yield summary(job.variant);
      });
    const seen: SyncAsyncProgress[] = [];
    const s = { ...initial, variants: ['sync' as const, 'async' as const], params: { ...initial.params, requests: 2 } };
    const run = await model.run(s, new AbortController().signal, (p) => seen.push(p));
    expect(seen[0].rows.map((r) => r.state)).toEqual(['waiting', 'waiting']);
    expect(seen.at(-1)!.rows.map((r) => r.state)).toEqual(['done', 'done']);
    expect(seen.at(-1)!.results.map((r) => r.variant)).toEqual(['sync', 'async']);
    expect(run.map((r) => [r.variant, r.status, r.throughput])).toEqual([['sync', 'ok', 100], ['async', 'ok', 100]]);
    expect(model.fold(run).length).toBe(0);
    expect(model.fold(run).at(0)).toBe(run);
  });

  it('Stop keeps the variants that finished; the rest say they were stopped', async () => {
    const ac = new AbortController();
    runtime.acquire = async () =>
      scripted(async function* (job, signal) {
        if (job.variant === 'sync') {
          yield summary('sync');
          return;
        }
        ac.abort();
        await Promise.resolve();
        if (signal.aborted) yield { type: 'error', message: 'The run was stopped.', aborted: true, runner: 'worker' };
      });
    const run = await model.run({ ...initial, variants: ['sync', 'async', 'parallel'] }, ac.signal, () => {});
    expect(run.map((r) => [r.variant, r.status])).toEqual([['sync', 'ok'], ['async', 'stopped'], ['parallel', 'stopped']]);
    expect(rowsOf(run, 100).map((r) => r.state)).toEqual(['done', 'stopped', 'stopped']);
    expect(model.narrate(run, model.fold(run), 0)).toBe('Sync served 100 requests per second. Not measured: async, parallel pool.');
  });

  it('Stop while the runtime starts: nothing measured, every variant stopped', async () => {
    const ac = new AbortController();
    runtime.acquire = (_pref, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new DOMException('stopped', 'AbortError'))));
    const pending = model.run({ ...initial, variants: ['sync', 'async'] }, ac.signal, () => {});
    await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    expect((await pending).map((r) => r.status)).toEqual(['stopped', 'stopped']);
  });

  it('a handler that does not parse never reaches the runtime', async () => {
    runtime.acquire = vi.fn();
    await expect(model.run({ ...initial, code: 'export const = 1' }, new AbortController().signal, () => {})).rejects.toThrow(/^SyntaxError: .*Nothing ran/);
    expect(runtime.acquire).not.toHaveBeenCalled();
  });

  it('the narration while running names the variant and its requests', () => {
    expect(progressLine({ rows: [{ variant: 'sync-batch', state: 'running', done: 12, errors: 0, total: 40 }], results: [] })).toBe('Running sync + batching: 12 of 40 requests…');
    expect(progressLine(null)).toBe('Running…');
  });
});
