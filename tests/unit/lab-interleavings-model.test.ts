/**
 * The interleavings lab ("play the scheduler"): its model's links in and out (level, mode, edited
 * code, the schedule, step), clamping, narration of a replayed schedule, and the runner's jobs
 * (trace and explore) as the Worker runs them: compile errors with line and column, a schedule
 * cut where it cannot run, "find the bug" and "prove it" verdicts from the engine, progress and
 * the time budget of an exploration.
 */
import { describe, expect, it } from 'vitest';
import { packText, writeNamespace } from '#lib/permalink';
import { readLink } from '#widgets/shared/labModel';
import { ilFold, ilModel, ilNarrate, presetSettings, encodeChoices, decodeChoices, type IlState, type ThreadsIlState, type AsyncIlState } from '#widgets/InterleavingsLab/model';
import { runInterleavingsJob, type AsyncTraceRun, type ExploreRun, type TraceRun } from '#runners/interleavingsEngine';
import type { HostedTrace } from '#runners/interleavingsRunner';
import { asyncLevelById, checkProved, explore, exploreProgramSync, levelById, levelProgram, threadsSystem, threadLevels } from '#sim/interleavings';

const threadsAt = (s: IlState): ThreadsIlState => (s.mode === 'threads' ? s : expect.fail('not a threads state'));
const asyncAt = (s: IlState): AsyncIlState => (s.mode === 'async' ? s : expect.fail('not an async state'));

const initial = presetSettings('counter');
const search = (values: Record<string, string | number>, ns = 'play') => '?' + writeNamespace(new URLSearchParams(), ns, values).toString();
const budget = { wallMs: 10_000, shouldStop: () => false };
const host = { host: 'worker' as const, elapsedMs: 1, runMs: 1 };
const trace = (level: string, choices: number[], source = levelById(level).buggy): HostedTrace => ({
  ...(runInterleavingsJob({ kind: 'trace', mode: 'threads', level, source, choices }, budget) as TraceRun),
  ...host,
});

describe('interleavings lab model: links', () => {
  it('a fresh lab writes only its level', () => {
    expect(ilModel.url.encode(initial, initial)).toEqual({ preset: 'counter', mode: undefined, code: undefined, ch: undefined });
  });

  it('round-trips level, edited code, the schedule and the step', async () => {
    const base = presetSettings('lock-order');
    const edited = { ...base, code: base.code.replace('10', '11'), choices: [0, 1, 1, 0] };
    const fields = ilModel.url.encode(edited, base);
    expect(fields.ch).toBe('1221');
    expect(ilModel.url.encode({ ...base, choices: [] }, { ...base, choices: [0] }).ch).toBe('-'); // thread numbers as the learner sees them
    fields.code = await packText(edited.code);
    const r = await readLink(ilModel, search({ ...(fields as Record<string, string>), step: 3 }), 'play', initial, false);
    expect(r.settings).toEqual(edited);
    expect(r.base).toEqual(base);
    expect(r.step).toBe(3);
    expect(r.notice).toBeNull();
  });

  it('choices encode as digits 1-9 and back', () => {
    expect(decodeChoices(encodeChoices([0, 8, 3]))).toEqual([0, 8, 3]);
  });

  it('a schedule that is not thread numbers is a bad link with a notice', async () => {
    const r = await readLink(ilModel, search({ preset: 'counter', ch: '1x2' }), 'play', initial, false);
    expect(r.settings).toEqual(initial);
    expect(r.notice).toMatch(/ch=1x2/);
  });

  it('an unknown level is a bad link', async () => {
    const r = await readLink(ilModel, search({ preset: 'no-such-level' }), 'play', initial, false);
    expect(r.notice).toMatch(/preset=no-such-level/);
  });

  it('clamps a schedule longer than the lab keeps, with a note', async () => {
    const r = await readLink(ilModel, search({ preset: 'counter', ch: '1'.repeat(450) }), 'play', initial, false);
    expect(r.settings.choices).toHaveLength(400);
    expect(r.clampNotes.join(' ')).toMatch(/450 steps.*first 400/);
    const { settings, notes } = ilModel.clamp({ ...initial, choices: [0, 12, -1, 1] });
    expect(settings.choices).toEqual([0, 1]);
    expect(notes).toHaveLength(1);
  });

  it('a presenter link picks the level', async () => {
    const r = await readLink(ilModel, '?preset=lock-order', 'play', initial, true);
    expect(r.settings.preset).toBe('lock-order');
    expect(r.settings.code).toBe(levelById('lock-order').buggy);
  });

  it('the run depends on level, code and schedule', () => {
    expect(ilModel.runKey({ ...initial, choices: [0] })).not.toBe(ilModel.runKey(initial));
    expect(ilModel.runKey({ ...initial, code: initial.code + '\n' })).not.toBe(ilModel.runKey(initial));
  });
});

describe('interleavings lab: a replayed schedule, its fold and narration', () => {
  it('the lost update: A reads, B reads, A writes, B writes ends failing, and the engine says found', () => {
    const run = trace('counter', [0, 1, 0, 1]);
    expect(run.error).toBeUndefined();
    expect(run.found).toMatchObject({ won: true, end: 'failed' });
    const fold = ilFold(run);
    expect(fold.length).toBe(4);
    expect(threadsAt(fold.at(0)).view!.shared).toEqual({ x: 0 });
    expect(threadsAt(fold.at(4)).view!.shared).toEqual({ x: 1 });
    expect(threadsAt(fold.at(2)).done.map((d) => d.name)).toEqual(['A', 'B']);
    expect(ilNarrate(run, fold, 0)).toBe('The start: 2 threads, x = 0. Pick who runs next: A, B.');
    expect(ilNarrate(run, fold, 1)).toBe('Step 1: A ran read x; now x = 0. Pick who runs next: A, B.');
    expect(ilNarrate(run, fold, 4)).toMatch(/^Step 4: B ran x = 1; now x = 1\. The run failed: two increments should make x 2/);
  });

  it('running A to the end first passes: not found', () => {
    const run = trace('counter', [0, 0, 1, 1]);
    expect(run.found).toMatchObject({ won: false, end: 'done' });
    expect(ilNarrate(run, ilFold(run), 4)).toMatch(/Every thread finished and the check passed/);
  });

  it('the lock-order deadlock is found and narrated with who waits for what', () => {
    const run = trace('lock-order', [0, 1]);
    expect(run.found).toMatchObject({ won: true, end: 'stuck' });
    expect(ilNarrate(run, ilFold(run), 2)).toMatch(/stuck.*A waits for lock\(b\); B waits for lock\(a\)/);
  });

  it('a schedule that cannot run with this code is cut where it stops, with the index', () => {
    const run = trace('counter', [0, 0, 0, 1]); // A has only two steps
    expect(run.choices).toEqual([0, 0]);
    expect(run.cutAt).toBe(2);
  });

  it('a syntax error names its line and column, and narration says nothing ran', () => {
    const run = trace('counter', [], 'shared({ x: 0 });\nthread("A", function* () {\n  yield read(x;\n});');
    expect(run.error).toMatchObject({ line: 3 });
    expect(run.error!.column).toBeGreaterThan(1);
    expect(run.error!.message).toMatch(/^Syntax error on line 3, column \d+/);
    expect(ilNarrate(run, ilFold(run), 0)).toMatch(/^Nothing ran: Syntax error on line 3/);
  });

  it('a top-level error is reported (no line: the engine gives none)', () => {
    const run = trace('counter', [], 'shared({ x: 0 }); nothing();');
    expect(run.error!.message).toMatch(/top level failed: ReferenceError/);
  });
});

describe('interleavings lab: explore jobs', () => {
  const exploreJob = (level: string, source: string, b = budget) => runInterleavingsJob({ kind: 'explore', mode: 'threads', level, source }, b) as ExploreRun;

  it('every level: the buggy code has failing schedules, the fixed code is proved (0 failing of N, exhaustive)', () => {
    for (const level of threadLevels) {
      const buggy = exploreJob(level.id, level.buggy);
      expect(buggy.result!.failing + buggy.result!.deadlocks, level.id).toBeGreaterThan(0);
      expect(buggy.verdict!.won).toBe(false);
      const fixed = exploreJob(level.id, level.fixed);
      // the same count as the engine's own exploration of the same program
      const direct = explore(threadsSystem(levelProgram(level, level.fixed)));
      expect(fixed.result!.explored, level.id).toBe(direct.schedules);
      expect(fixed.verdict, level.id).toEqual({ won: true, reason: `0 failing of ${direct.schedules} schedules: every order passes.` });
    }
  });

  it('the counterexample replays to a failure', () => {
    const r = exploreJob('counter', levelById('counter').buggy);
    const ce = r.result!.counterexample!;
    expect(trace('counter', ce.choices).found!.won).toBe(true);
  });

  it('a fix that removes a thread is not a proof', () => {
    const r = exploreJob('counter', "shared({ x: 2 });\nthread('A', function* () { yield read('x'); });");
    expect(r.verdict).toMatchObject({ won: false, reason: 'The fix must keep thread B.' });
  });

  it('reports progress, and stops at the time budget without claiming a proof', () => {
    const big = `shared({ x: 0 });\nfunction* w() { for (let i = 0; i < 6; i++) yield atomicAdd('x', 1); }\nthread('A', w); thread('B', w); thread('C', w); thread('D', w);\ncheck((s) => assert(s.x === 24));`;
    const seen: unknown[] = [];
    let polls = 0;
    const r = runInterleavingsJob({ kind: 'explore', mode: 'threads', level: 'counter', source: big }, { wallMs: 1, shouldStop: () => ++polls > 40, progress: (p) => seen.push(p) }) as ExploreRun;
    expect(r.timedOut).toBe(true);
    expect(r.result!.exhaustive).toBe(false);
    expect(r.verdict!.won).toBe(false);
    expect(seen.length).toBeGreaterThan(0);
    // the level's invariant (x ends at 2) holds on top of the program's check: every run breaks it
    const last = seen.at(-1) as { schedules: number; failing: number };
    expect(last.schedules).toBeGreaterThan(0);
    expect(last.failing).toBe(last.schedules);
    expect(r.result!.explored).toBeGreaterThanOrEqual(last.schedules);
  });
});

describe('interleavings lab: the lab page opens on a schedule that passes', () => {
  it('its instance schedule runs every step and does not already win the level', async () => {
    const meta = (await import('#widgets/InterleavingsLab/meta')).default;
    const inst = meta.page.instances[0];
    const run = trace(inst.preset!, [...(inst.props as { choices: readonly number[] }).choices]);
    expect(run.cutAt).toBeUndefined();
    expect(run.steps.length).toBeGreaterThan(12); // the shared lab flows step to 12
    expect(run.found).toMatchObject({ won: false, end: 'done' });
  });
});

describe('interleavings lab: a link from a lab that opened on a schedule', () => {
  it('carries the schedule, since the level it names starts with none', async () => {
    const base = { ...presetSettings('lock-order'), choices: [0, 0, 1] };
    const fields = ilModel.url.encode(base, base);
    expect(fields.ch).toBe('112');
    const r = await readLink(ilModel, search({ ...(fields as Record<string, string>), step: 2 }), 'play', base, false);
    expect(r.settings.choices).toEqual([0, 0, 1]);
  });
});

describe('interleavings lab: async mode', () => {
  const level = asyncLevelById('lost-update');
  const asyncTrace = (choices: number[], source = level.buggy) => ({ ...(runInterleavingsJob({ kind: 'trace', mode: 'async', level: 'lost-update', source, choices }, budget) as AsyncTraceRun), ...host }) as HostedTrace;

  it('an async level is a preset of its own (async-…), in mode async, and its link says so', async () => {
    const s = presetSettings('async-lost-update');
    expect(s).toMatchObject({ mode: 'async', preset: 'async-lost-update', code: level.buggy, choices: [] });
    // the threads level of the same name stays a threads level
    expect(presetSettings('lock-order').mode).toBe('threads');
    expect(presetSettings('async-lock-order').code).toBe(asyncLevelById('lock-order').buggy);
    const enc = ilModel.url.encode({ ...s, choices: [0, 1] }, initial);
    expect(enc).toMatchObject({ preset: 'async-lost-update', mode: 'async', ch: '12' });
    const back = await readLink(ilModel, search({ preset: 'async-lost-update', mode: 'async', ch: '12' }), 'play', initial, false);
    expect(back.settings).toMatchObject({ mode: 'async', preset: 'async-lost-update', choices: [0, 1] });
    // a mode that disagrees with the level is the level's
    expect((await readLink(ilModel, search({ preset: 'counter', mode: 'async' }), 'play', initial, false)).settings.mode).toBe('threads');
  });

  it('a trace: cards are the pending completions, the db is the shared state, and the failing order is found', () => {
    const ex = exploreProgramSync(level.buggy);
    const run = asyncTrace([0, 0, 0, 1, 1, 0, 0, 0]);
    expect(run.kind).toBe('async-trace');
    expect(run.found).toMatchObject({ won: true, end: 'failed' });
    const fold = ilFold(run);
    expect(fold.length).toBe(8);
    expect(asyncAt(fold.at(0)).view!.pending.map((c) => c.name)).toEqual(['db.set("balance", 100)']);
    expect(asyncAt(fold.at(1)).view!.db).toEqual({ balance: '100' });
    expect(asyncAt(fold.at(8)).view!.status).toBe('failed');
    // each completion named with its number and the call that awaits it (two delays read alike otherwise)
    expect(ilNarrate(run, fold, 1)).toBe('Step 1: db.set("balance", 100) #1 (for main) completed; db: balance = 100. Pick what completes next: delay(5) #2 for deposit #1, delay(30) #3 for deposit #2.');
    expect(ilNarrate(run, fold, 8)).toMatch(/The run failed: balance is 1(25|50), not 175/);
    // the natural order passes
    expect(asyncTrace([0, 0, 0, 0, 0, 0, 0, 0]).found).toMatchObject({ won: false });
    expect(ex.failing).toBeGreaterThan(0);
  });

  it('a pick that is not there is cut; a syntax error names its line', () => {
    const run = asyncTrace([0, 7]) as AsyncTraceRun;
    expect(run.cutAt).toBe(1);
    expect(run.choices).toEqual([0]);
    const bad = asyncTrace([], 'async function f() {\n  await ;\n}') as AsyncTraceRun;
    expect(bad.error?.line).toBe(2);
  });

  it('explore: the buggy code fails with a counterexample given as cards; the fix is proved, as checkProved says', () => {
    const progress: unknown[] = [];
    const buggy = runInterleavingsJob({ kind: 'explore', mode: 'async', level: 'lost-update', source: level.buggy }, { ...budget, progress: (p) => progress.push(p) }) as ExploreRun;
    const ex = exploreProgramSync(level.buggy);
    expect(buggy.result!.explored).toBe(ex.schedules);
    expect(buggy.result!.failing).toBe(ex.failing);
    expect(buggy.verdict!.won).toBe(false);
    expect(buggy.labels).toHaveLength(buggy.picks!.length);
    const replayed = asyncTrace(buggy.picks!);
    expect(replayed.found).toMatchObject({ won: true });
    const fixed = runInterleavingsJob({ kind: 'explore', mode: 'async', level: 'lost-update', source: level.fixed }, budget) as ExploreRun;
    expect(fixed.verdict).toEqual({ won: true, reason: checkProved(level, level.fixed).reason });
    expect(fixed.result!.failing).toBe(0);
  });

  it('Stop (the budget) ends an async exploration early: not proved', () => {
    let calls = 0;
    const stopped = runInterleavingsJob({ kind: 'explore', mode: 'async', level: 'lost-update', source: level.fixed }, { ...budget, shouldStop: () => ++calls > 2 }) as ExploreRun;
    expect(stopped.timedOut).toBe(true);
    expect(stopped.verdict!.won).toBe(false);
  });
});
