import { describe, expect, it } from 'vitest';
import { EXAMPLES, eventLoopFold, getExample, runProgramSync } from '#sim/eventloop';
import { PRESETS, UNTRACED_DRAWN, indexRun, keyOfTask, keyOfTimer, nextLogStep, presetWithCode, prevLogStep } from './lab';

describe('indexRun', () => {
  it('lists console lines with their step and source line; reported errors say where they were thrown', () => {
    const run = runProgramSync(getExample('error-in-task').source);
    const index = indexRun(run);
    expect(index.console.map((c) => c.text)).toEqual(['first timer', 'Uncaught Error: boom', 'second timer still runs']);
    const boom = index.console[1];
    expect(boom).toMatchObject({ level: 'error', uncaught: true, line: 3 });
    expect(index.console[0]).toMatchObject({ uncaught: false, line: 2 });
    expect(index.logSteps).toEqual(index.console.map((c) => c.step));
    const fold = eventLoopFold(run);
    for (const c of index.console) {
      expect(fold.at(c.step).console.at(-1)?.text).toBe(c.text);
      expect(fold.at(c.step - 1).console.length).toBe(fold.at(c.step).console.length - 1);
    }
  });

  it('keeps the lines printed after the trace cap: all of them at the last step, the final one included', () => {
    // 3 events per console.log: the 300-event cap records about 100 lines of the 250.
    const run = runProgramSync(`for (let i = 0; i < 250; i++) console.log('line', i);`, { traceCap: 300 });
    expect(run.truncated).toBe(true);
    const index = indexRun(run);
    expect(index.console.map((c) => c.text)).toEqual(run.console);
    expect(index.console.at(-1)).toMatchObject({ text: 'line 249', step: run.trace.length, untraced: true });
    expect(index.logSteps.at(-1)).toBe(run.trace.length);
    expect(nextLogStep(index, index.console.filter((c) => !c.untraced).at(-1)!.step)).toBe(run.trace.length);
  });

  it('draws the first and last lines of a very long untraced tail, and says how many are not drawn', () => {
    const run = runProgramSync(`let i = 0; while (true) console.log(i++);`, { traceCap: 30, maxLoopIterations: 5000 });
    expect(run.console).toHaveLength(5000);
    const index = indexRun(run);
    const note = index.console.filter((c) => c.note);
    expect(note).toHaveLength(1);
    const traced = run.trace.filter((e) => e.kind === 'console').length;
    expect(note[0].text).toBe(`… ${(5000 - traced - UNTRACED_DRAWN).toLocaleString('en')} more lines printed here are not drawn (the console shows the first ${(traced + UNTRACED_DRAWN / 2).toLocaleString('en')} and the last ${(UNTRACED_DRAWN / 2).toLocaleString('en')} of 5,000)`);
    expect(index.console.at(-1)?.text).toBe('4999');
    expect(index.console.length).toBe(traced + UNTRACED_DRAWN + 1);
  });

  it('locates an unhandled rejection at the line that rejected it', () => {
    const run = runProgramSync(`const a = 1;\n\nPromise.reject(new Error('x'));\n`);
    const index = indexRun(run);
    expect(index.console).toHaveLength(1);
    expect(index.console[0]).toMatchObject({ text: 'Uncaught (in promise) Error: x', uncaught: true, line: 3 });
  });

  it('Node runs: a callback keeps the key of what queued it (its timer, its immediate, its read), so it travels from its phase to the stack', () => {
    const run = runProgramSync(
      `setImmediate(function a() {});\nconst b = setImmediate(function b() {});\nsetImmediate(function c() {});\nclearImmediate(b);\nsetTimeout(function t() {}, 5);\nfs.readFile('data.txt', function r() {});`,
      { runtime: 'node' },
    );
    const index = indexRun(run);
    const started = run.trace.flatMap((e) => (e.kind === 'task-start' && e.source !== 'script' ? [[e.label, keyOfTask(index, e.task)]] : []));
    expect(started).toEqual([
      ['setImmediate callback a (immediate 1)', 'immediate-1'],
      ['setImmediate callback c (immediate 3)', 'immediate-3'],
      ['readFile callback r (I/O 1)', 'io-1'],
      ['setTimeout callback t (timer 1)', 'timer-1-1'],
    ]);
  });

  it('gives a timer and the task it queues the same key, and a repeated timer a new key each time', () => {
    const run = runProgramSync(`let n = 0;\nconst id = setInterval(() => { if (++n === 2) clearInterval(id); }, 10);\n`);
    const fold = eventLoopFold(run);
    const index = indexRun(run);
    const seen = new Set<string>();
    for (let s = 1; s <= run.trace.length; s++) {
      const e = run.trace[s - 1];
      if (e.kind === 'timer-set') {
        const st = fold.at(s);
        const key = keyOfTimer(index, st.timers.find((t) => t.id === e.timer)!);
        expect(seen.has(key)).toBe(false);
        seen.add(key);
        // the task this timer queues later carries the same key
        const enq = run.trace.findIndex((x, k) => k >= s && x.kind === 'task-enqueue' && x.timer === e.timer);
        if (enq >= 0) {
          const task = run.trace[enq] as Extract<(typeof run.trace)[number], { kind: 'task-enqueue' }>;
          expect(keyOfTask(index, task.task)).toBe(key);
          // and the step of timer-fire shows the timer on its way
          expect(index.firedAt.get(enq)?.key).toBe(key);
        }
      }
    }
    expect(seen.size).toBe(2);
  });

  it('finds the next and previous steps that print', () => {
    const run = runProgramSync(getExample('sync-vs-timeout').source);
    const index = indexRun(run);
    const [a, b, c] = index.logSteps;
    expect(nextLogStep(index, 0)).toBe(a);
    expect(nextLogStep(index, a)).toBe(b);
    expect(nextLogStep(index, c)).toBeNull();
    expect(prevLogStep(index, c)).toBe(b);
    expect(prevLogStep(index, a)).toBeNull();
    expect(prevLogStep(index, a + 1)).toBe(a);
  });
});

describe('presets', () => {
  it('are the engine examples, in order, with their point as description', () => {
    expect(PRESETS.map((p) => p.id)).toEqual(EXAMPLES.map((e) => e.id));
    expect(PRESETS[1]).toEqual({ id: EXAMPLES[1].id, title: EXAMPLES[1].title, description: EXAMPLES[1].point });
  });
  it('recognises a preset by its code', () => {
    expect(presetWithCode(EXAMPLES[2].source)?.id).toBe(EXAMPLES[2].id);
    expect(presetWithCode(EXAMPLES[2].source + ' ')).toBeUndefined();
  });
});
