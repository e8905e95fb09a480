/**
 * The lab contract on the event-loop lab's model: links in and out (the old `ex=` key, packed
 * code, bad fields, presenter `lab`/`preset`, the Browser | Node `runtime`), what a lab instance
 * starts from, staleness keys, the run through the runner (in Node mode too), narration of
 * stopped runs and of Node's phases, and the play rate.
 */
import { describe, expect, it } from 'vitest';
import { packText, writeNamespace } from '#lib/permalink';
import { readLink } from '#widgets/shared/labModel';
import { EXAMPLES, getExample, narrate, runProgramSync } from '#sim/eventloop';
import { MAX_CODE } from '#widgets/EventLoopLab/lab';
import { eventLoopModel as model, initialSettings, presetSettings } from '#widgets/EventLoopLab/model';

const initial = presetSettings('microtasks-before-timers');
const search = (values: Record<string, string | number>, ns = 'loop') => '?' + writeNamespace(new URLSearchParams(), ns, values).toString();
const PROGRAM = "setTimeout(() => console.log('t'), 0);\nconsole.log('s');";

describe('event-loop lab model: what an instance starts from', () => {
  it('a preset, the lesson’s own code, both, or neither (the first preset)', () => {
    expect(initialSettings('await-ticks', undefined)).toEqual({ preset: 'await-ticks', code: getExample('await-ticks').source, runtime: 'browser' });
    expect(initialSettings(undefined, PROGRAM)).toEqual({ preset: undefined, code: PROGRAM, runtime: 'browser' });
    expect(initialSettings('await-ticks', PROGRAM)).toEqual({ preset: 'await-ticks', code: PROGRAM, runtime: 'browser' });
    expect(initialSettings(undefined, undefined)).toEqual({ preset: EXAMPLES[0].id, code: EXAMPLES[0].source, runtime: 'browser' });
  });

  it('a Node preset starts in Node mode; a lesson may ask for Node with its own code', () => {
    expect(initialSettings('node-tick-vs-promise', undefined)).toEqual({ preset: 'node-tick-vs-promise', code: getExample('node-tick-vs-promise').source, runtime: 'node' });
    expect(initialSettings(undefined, PROGRAM, 'node')).toEqual({ preset: undefined, code: PROGRAM, runtime: 'node' });
    expect(initialSettings('sync-vs-timeout', undefined, 'node').runtime).toBe('node');
    // the Node presets the lessons embed exist and are Node's
    for (const id of ['node-tick-vs-promise', 'node-immediate-vs-timeout-io', 'node-tick-starvation', 'node-timer-1ms']) {
      expect(presetSettings(id).runtime, id).toBe('node');
    }
    expect(EXAMPLES.filter((e) => !e.id.startsWith('node-')).every((e) => presetSettings(e.id).runtime === 'browser')).toBe(true);
  });

  it('an unknown preset id throws, so a lesson with a typo fails its build', () => {
    expect(() => initialSettings('no-such', undefined)).toThrow(/no-such/);
    expect(() => model.preset('no-such')).toThrow(/no-such/);
  });

  it('lists every engine example as a preset', () => {
    expect(model.presets.map((p) => p.id)).toEqual(EXAMPLES.map((e) => e.id));
  });
});

describe('event-loop lab model: links', () => {
  it('a page without the namespace shows the initial settings and no notice', async () => {
    const r = await readLink(model, '?other.step=3', 'loop', initial, false);
    expect(r).toMatchObject({ settings: initial, fromLink: false, notice: null, clampNotes: [] });
  });

  it('the task-tree toggle travels in the link, is read back, survives a preset change and never reruns', async () => {
    expect(model.url.encode(initial, initial).tree).toBeUndefined();
    expect(model.url.encode({ ...initial, tree: true }, initial).tree).toBe(true);
    expect((await readLink(model, '?loop.tree=1', 'loop', initial, false)).settings.tree).toBe(true);
    expect((await readLink(model, '?loop.step=2', 'loop', initial, false)).settings.tree).toBeFalsy();
    expect((await readLink(model, '?loop.tree=maybe', 'loop', initial, false)).notice).toMatch(/tree=/);
    expect(model.keepOnPresetChange!({ ...initial, tree: true }, presetSettings('await-ticks')).tree).toBe(true);
    expect(model.runKey({ ...initial, tree: true })).toBe(model.runKey(initial));
  });

  it('an example about the tree opens the panel; closing it is written as tree=0 and read back closed', async () => {
    const scope = presetSettings('scope-no-orphans');
    expect(scope.tree).toBe(true);
    expect(presetSettings('await-ticks').tree).toBeUndefined();
    // a lesson may open it for any example (or its own code)
    expect(initialSettings('orphans-race-all', undefined, undefined, true).tree).toBe(true);
    expect(initialSettings(undefined, PROGRAM, undefined, true).tree).toBe(true);
    expect(model.url.encode(scope, scope).tree).toBe(true); // open is always written: a lesson's instance may have opened it
    const closed = model.url.encode({ ...scope, tree: false }, scope);
    expect(closed.tree).toBe(false);
    const link = search({ preset: 'scope-no-orphans', tree: 0 });
    expect((await readLink(model, link, 'loop', scope, false)).settings.tree).toBe(false);
    expect((await readLink(model, search({ preset: 'scope-no-orphans' }), 'loop', scope, false)).settings.tree).toBe(true);
    // switching to an example about the tree opens it; leaving one keeps it open
    expect(model.keepOnPresetChange!(initial, scope).tree).toBe(true);
    expect(model.keepOnPresetChange!(scope, presetSettings('await-ticks')).tree).toBe(true);
    expect(model.keepOnPresetChange!(initial, presetSettings('await-ticks')).tree).toBeUndefined();
  });

  it('a fresh lab writes only its preset; edited code is written, the preset kept', () => {
    expect(model.url.encode(initial, initial)).toEqual({ preset: 'microtasks-before-timers', code: undefined, runtime: undefined });
    expect(model.url.encode({ ...initial, code: PROGRAM }, initial)).toEqual({ preset: 'microtasks-before-timers', code: PROGRAM, runtime: undefined });
    // a lab that started from a lesson's code has no preset to name
    const own = initialSettings(undefined, PROGRAM);
    expect(model.url.encode(own, own)).toEqual({ preset: undefined, code: undefined, runtime: undefined });
  });

  it('writes runtime=node whenever Node runs the code, runtime=browser only against a Node preset', () => {
    expect(model.url.encode({ ...initial, runtime: 'node' }, initial).runtime).toBe('node');
    const node = presetSettings('node-timer-1ms');
    expect(model.url.encode(node, node).runtime).toBe('node');
    expect(model.url.encode({ ...node, runtime: 'browser' }, node).runtime).toBe('browser');
  });

  it('round-trips the runtime: a Node link reloads in Node mode, a link without it reads as before', async () => {
    const nodeEdited = { ...initial, runtime: 'node' as const };
    const fields = model.url.encode(nodeEdited, initial);
    const r = await readLink(model, search({ preset: fields.preset as string, runtime: fields.runtime as string, step: 3 }), 'loop', initial, false);
    expect(r.settings).toEqual(nodeEdited);
    expect(r.notice).toBeNull();
    expect(model.runKey(r.settings)).not.toBe(model.runKey(r.base)); // "edited": the runtime differs from the preset's
    // an old link (no runtime): the browser, exactly as before the switch
    const old = await readLink(model, search({ preset: 'sync-vs-timeout' }), 'loop', initial, false);
    expect(old.settings).toEqual({ ...presetSettings('sync-vs-timeout'), runtime: 'browser' });
    // a Node preset's link needs no runtime field; a browser choice on it is kept
    const np = await readLink(model, search({ preset: 'node-tick-starvation' }), 'loop', initial, false);
    expect(np.settings.runtime).toBe('node');
    const back = await readLink(model, search({ preset: 'node-tick-starvation', runtime: 'browser' }), 'loop', initial, false);
    expect(back.settings.runtime).toBe('browser');
    // an unknown runtime is a bad link
    const bad = await readLink(model, search({ runtime: 'deno' }), 'loop', initial, false);
    expect(bad.settings).toEqual(initial);
    expect(bad.notice).toBe("This link's lab settings could not be read (runtime=deno); showing the default lab.");
  });

  it('round-trips preset, edited code and step', async () => {
    const edited = { preset: 'await-ticks', code: PROGRAM, runtime: 'browser' as const };
    const fields = model.url.encode(edited, presetSettings('await-ticks'));
    const r = await readLink(model, search({ preset: fields.preset as string, code: await packText(PROGRAM), step: 9 }), 'loop', initial, false);
    expect(r.settings).toEqual(edited);
    expect(r.base).toEqual(presetSettings('await-ticks'));
    expect(r.step).toBe(9);
    expect(r.notice).toBeNull();
    expect(model.runKey(r.settings)).not.toBe(model.runKey(r.base)); // "edited"
  });

  it('a preset link shows that preset, not edited', async () => {
    const r = await readLink(model, search({ preset: 'sync-vs-timeout', step: 4 }), 'loop', initial, false);
    expect(r.settings).toEqual(presetSettings('sync-vs-timeout'));
    expect(model.runKey(r.settings)).toBe(model.runKey(r.base));
    expect(r.step).toBe(4);
  });

  it('reads links from before the platform, which named the preset `ex`', async () => {
    const r = await readLink(model, search({ ex: 'error-in-task', step: 2 }), 'loop', initial, false);
    expect(r.settings).toEqual(presetSettings('error-in-task'));
    expect(r.base).toEqual(presetSettings('error-in-task'));
    expect(r.notice).toBeNull();
    const bad = await readLink(model, search({ ex: 'no-such-example' }), 'loop', initial, false);
    expect(bad.settings).toEqual(initial);
    expect(bad.notice).toBe("This link's lab settings could not be read (preset=no-such-example); showing the default lab.");
  });

  it('code that does not unpack, or unpacks longer than a link may carry, is a bad link', async () => {
    const bad = await readLink(model, search({ code: 'zz!!' }), 'loop', initial, false);
    expect(bad.settings).toEqual(initial);
    expect(bad.notice).toMatch(/\(code=zz!!\)/);
    const long = await readLink(model, search({ code: await packText('x'.repeat(MAX_CODE + 1)) }), 'loop', initial, false);
    expect(long.settings).toEqual(initial);
    expect(long.notice).toMatch(/\(code=/);
    const justFits = await readLink(model, search({ code: await packText('x'.repeat(MAX_CODE)) }), 'loop', initial, false);
    expect(justFits.settings.code).toHaveLength(MAX_CODE);
  });

  it('a lab that started from a lesson’s code keeps it as the base of a code link', async () => {
    const own = initialSettings(undefined, PROGRAM);
    const r = await readLink(model, search({ code: await packText('console.log(1);') }), 'loop', own, false);
    expect(r.settings).toEqual({ preset: undefined, code: 'console.log(1);', runtime: 'browser' });
    expect(r.base).toEqual(own);
  });

  it('a presenter link picks the namespace and the preset', async () => {
    const r = await readLink(model, '?lab=loop&preset=sync-vs-timeout&loop.step=5', 'present', initial, true);
    expect(r.ns).toBe('loop');
    expect(r.settings).toEqual(presetSettings('sync-vs-timeout'));
    expect(r.step).toBe(5);
    const bad = await readLink(model, '?preset=nope', 'present', initial, true);
    expect(bad.notice).toMatch(/preset=nope/);
    expect(bad.settings).toEqual(initial);
  });
});

describe('event-loop lab model: runs', () => {
  it('only the code makes a new run: choosing the preset a code came from does not', () => {
    const key = model.runKey(initial);
    expect(model.runKey({ ...initial, preset: undefined })).toBe(key);
    expect(model.runKey({ ...initial, code: initial.code + ' ' })).not.toBe(key);
  });

  it('the runtime is part of the run key: switching Browser | Node makes a new run', () => {
    expect(model.runKey({ ...initial, runtime: 'node' })).not.toBe(model.runKey(initial));
    expect(model.runKey({ ...initial, runtime: 'node', preset: undefined })).toBe(model.runKey({ ...initial, runtime: 'node' }));
  });

  it('carries the runtime to the runner: the same code prints in Node’s order in Node mode', async () => {
    const code = "setTimeout(() => console.log('0 ms'), 0);\nsetTimeout(() => console.log('1 ms'), 1);\nPromise.resolve().then(() => console.log('promise'));\nprocess?.nextTick?.(() => console.log('tick'));";
    const node = await model.run({ preset: undefined, code, runtime: 'node' }, new AbortController().signal);
    expect(node.runtime).toBe('node');
    expect(node.exitCode).toBe(0);
    expect(node.console).toEqual(['tick', 'promise', '0 ms', '1 ms']);
    const browser = await model.run({ preset: undefined, code: "queueMicrotask(() => console.log('m'));\nconsole.log(typeof process);", runtime: 'browser' }, new AbortController().signal);
    expect(browser.runtime).toBeUndefined();
    expect(browser.console).toEqual(['undefined', 'm']);
  });

  it('narrates a Node run in Node’s terms: the phases, the next-tick queue, the exit', async () => {
    const run = await model.run(presetSettings('node-immediate-vs-timeout-io'), new AbortController().signal);
    const fold = model.fold(run);
    const at = (pred: (e: (typeof run.trace)[number]) => boolean) => model.narrate(run, fold, run.trace.findIndex(pred) + 1);
    expect(model.narrate(run, fold, 0)).toBe('t=0 ms: Nothing has run yet; Node is about to run the main script.');
    expect(at((e) => e.kind === 'phase' && e.phase === 'poll' && e.t === 2)).toMatch(/^t=2 ms: Loop turn \d+, poll phase: the callbacks of completed I\/O run here/);
    expect(at((e) => e.kind === 'phase' && e.phase === 'check')).toMatch(/^t=2 ms: Loop turn \d+, check phase: the setImmediate callbacks queued before this phase started run, in order\.$/);
    expect(at((e) => e.kind === 'phase' && e.phase === 'timers')).toMatch(/^t=3 ms: Loop turn \d+, timers phase: the callbacks of the timers whose time has come run, earliest first\.$/);
    expect(at((e) => e.kind === 'task-start' && e.source === 'io')).toBe('t=2 ms: The poll phase runs the readFile callback (anonymous) (I/O 1).');
    expect(at((e) => e.kind === 'timer-set')).toMatch(/runs in a timers phase once 1 ms have passed, at t=3 ms \(Node turns a delay of 0 ms into 1 ms/);
    expect(model.narrate(run, fold, fold.length)).toBe('t=3 ms: Nothing keeps the loop alive any more: the process exits (code 0).');

    const ticks = await model.run(presetSettings('node-tick-vs-promise'), new AbortController().signal);
    const tf = model.fold(ticks);
    const tickStep = ticks.trace.findIndex((e) => e.kind === 'tick-start') + 1;
    expect(model.narrate(ticks, tf, tickStep)).toBe('t=0 ms: The next-tick callback (anonymous) runs (tick 1): Node empties the next-tick queue before it runs any promise job.');
    const jobStep = ticks.trace.findIndex((e) => e.kind === 'microtask-start') + 1;
    expect(model.narrate(ticks, tf, jobStep)).toMatch(/^t=0 ms: The next-tick queue is empty, so the next promise job runs: then handler/);

    const dead = await model.run({ preset: undefined, code: "Promise.reject(new Error('boom'));", runtime: 'node' }, new AbortController().signal);
    const df = model.fold(dead);
    expect(model.narrate(dead, df, dead.trace.findIndex((e) => e.kind === 'unhandled-rejection') + 1)).toMatch(/no handler once the next-tick and microtask queues were empty, so Node prints the error and ends the process: Error: boom\.$/);
    expect(model.narrate(dead, df, df.length)).toBe('t=0 ms: The process exits with code 1: nothing else runs.');
  });

  it('runs the code through the runner (here on the main thread: Node has no Worker)', async () => {
    const run = await model.run({ preset: undefined, code: PROGRAM, runtime: 'browser' }, new AbortController().signal);
    expect(run.console).toEqual(['s', 't']);
    const fold = model.fold(run);
    expect(fold.length).toBe(run.trace.length);
    expect(fold.at(fold.length).console.map((l) => l.text)).toEqual(['s', 't']);
  });

  it('a run that was cancelled rejects with an AbortError', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(model.run(initial, ac.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('narrates each step as the engine does, and a run stopped before any event by its message', () => {
    const run = { ...runProgramSync(getExample('sync-vs-timeout').source), host: 'worker' as const, elapsedMs: 1, runMs: 1 };
    const fold = model.fold(run);
    for (const step of [0, 3, fold.length]) expect(model.narrate(run, fold, step)).toBe(narrate(run, step));
    expect(model.narrate(run, fold, fold.length)).toContain('The program is done');

    const message = 'Stopped after 5 s of real time: the program never gave control back.';
    const stopped = { ...run, trace: [], console: [], error: { message }, killed: true };
    expect(model.narrate(stopped, model.fold(stopped), 0)).toBe(message);
  });

  it('a syntax error is narrated by the engine (it says nothing runs)', () => {
    const run = { ...runProgramSync("console.log('a');\nlet x = ;"), host: 'worker' as const, elapsedMs: 1, runMs: 1 };
    expect(run.error?.line).toBe(2);
    expect(model.narrate(run, model.fold(run), 0)).toMatch(/Nothing runs/);
  });

  it('plays short runs at 3 steps a second and long ones in about 40 s, at most 500 a second', () => {
    expect(model.rate!(20)).toBe(3);
    expect(model.rate!(4000)).toBe(100);
    expect(model.rate!(100_000)).toBe(500);
  });
});
