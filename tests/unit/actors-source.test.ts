/**
 * Learner code: syntax errors, setup errors and config errors at their line; a thrown error in a
 * behaviour as a crash at its line and a restart; loop guards that stop infinite loops on a
 * real-time budget; seeded Math.random; no host timers.
 */
import { describe, expect, it } from 'vitest';
import { instrument, runSource, type ActorEvent } from '#sim/actors';

const crashes = (trace: ActorEvent[]) => trace.filter((e) => e.kind === 'crash') as Extract<ActorEvent, { kind: 'crash' }>[];

describe('errors at their line', () => {
  it('a syntax error comes back with its line and column, and nothing runs', () => {
    const r = runSource(`actor('a', {\n  receive(m, ctx) {\n    ctx.send('b' 1);\n  },\n});`);
    expect(r.sourceError).toMatchObject({ line: 3, column: 18 });
    expect(r.sourceError!.message).toMatch(/^SyntaxError/);
    expect(r.trace).toEqual([]);
  });

  it('an error thrown by a behaviour is a crash at its line, then a restart', () => {
    const r = runSource(
      [
        `actor('w', {`,
        `  init: () => ({ n: 0 }),`,
        `  receive(m, ctx) {`,
        `    ctx.state.n += 1;`,
        `    if (m === 'bad') throw new Error('no thanks');`,
        `  },`,
        `});`,
        `send('w', 'ok');`,
        `send('w', 'bad', { at: 5 });`,
      ].join('\n'),
    );
    expect(r.sourceError).toBeUndefined();
    const [crash] = crashes(r.trace);
    expect(crash).toMatchObject({ actor: 'w', line: 5, injected: false, error: 'no thanks' });
    const restart = r.trace.find((e) => e.kind === 'restart');
    expect(restart).toMatchObject({ actor: 'w', supervisor: 'system', state: '{ n: 0 }' });
    expect(r.trace.indexOf(restart!)).toBeGreaterThan(r.trace.indexOf(crash));
  });

  it('a runtime TypeError deep in a helper points at the helper’s line', () => {
    const r = runSource(`function helper(x) {\n  return x.y.z;\n}\nactor('w', { receive(m) { helper(m); } });\nsend('w', {});`);
    expect(crashes(r.trace)[0]).toMatchObject({ line: 2 });
    expect(crashes(r.trace)[0].error).toMatch(/^TypeError/);
  });

  it('an error in the setup code is reported at its line', () => {
    const r = runSource(`actor('a', { receive() {} });\nconst x = undefinedThing + 1;`);
    expect(r.sourceError).toMatchObject({ line: 2 });
    expect(r.sourceError!.message).toMatch(/ReferenceError/);
  });

  it('a config error names the setting and points at the actor() call', () => {
    const r = runSource(`actor('a', { receive() {} });\n\nactor('b', {\n  receive() {},\n  mailbox: { capacity: 5, overflow: 'drop-middle' },\n});`);
    expect(r.sourceError).toMatchObject({ line: 3 });
    expect(r.sourceError!.message).toBe('actor "b".mailbox.overflow must be one of "drop-newest", "drop-oldest", "block", but it is "drop-middle".');
  });

  it('a misspelt setting suggests the right one', () => {
    const r = runSource(`actor('a', { recieve() {} });`);
    expect(r.sourceError!.message).toBe('actor "a" has a setting "recieve" that this lab does not know. Did you mean "receive"?');
  });

  it('a program without actors says how to declare one', () => {
    expect(runSource(`// nothing`).sourceError!.message).toMatch(/declares no actor/);
  });
});

describe('budgets and sandbox', () => {
  it('loop guards keep line numbers and wrap bodies that are not blocks', () => {
    const src = `for (let i = 0; i < 3; i++) x++;\nwhile (a) { b(); }\ndo y(); while (z);`;
    const out = instrument(src);
    expect(out.split('\n')).toHaveLength(3);
    expect(out).toContain('{__g(1);x++;}');
    expect(out).toContain('{__g(2); b(); }');
    expect(out).toContain('do {__g(3);y();}');
  });

  it('an infinite loop in a behaviour stops the run on the real-time budget, with a message', () => {
    const t0 = performance.now();
    const r = runSource(`actor('a', { receive() { while (true) {} } });\nsend('a', 1);`, { shouldStop: () => performance.now() - t0 > 150 });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(r.error?.message).toMatch(/real-time budget/);
  });

  it('an infinite loop caught by try/catch in the learner code is still stopped', () => {
    const t0 = performance.now();
    const r = runSource(`actor('a', { receive() { for (;;) { try { while (true) {} } catch (e) {} } } });\nsend('a', 1);`, {
      shouldStop: () => performance.now() - t0 > 150,
    });
    expect(r.error?.message).toMatch(/real-time budget/);
  });

  it('an infinite loop in the setup code is stopped too', () => {
    const t0 = performance.now();
    const r = runSource(`let i = 0;\nwhile (true) { i++; }`, { shouldStop: () => performance.now() - t0 > 100 });
    expect(r.sourceError?.message).toMatch(/real-time budget/);
  });

  it('Math.random is seeded: the same seed gives the same run', () => {
    const src = `actor('a', { init: () => ({ r: Math.random() }), receive() {} });`;
    const a = runSource(src, { seed: 3 }).metrics.actors[0].state;
    expect(runSource(src, { seed: 3 }).metrics.actors[0].state).toBe(a);
    expect(runSource(src, { seed: 4 }).metrics.actors[0].state).not.toBe(a);
  });

  it('host timers are refused with a pointer to ctx.sendAfter', () => {
    const r = runSource(`actor('a', { receive() { setTimeout(() => {}, 10); } });\nsend('a', 1);`);
    expect(crashes(r.trace)[0].error).toMatch(/ctx\.sendAfter/);
  });

  it('console.log in a behaviour becomes a log line of that actor', () => {
    const r = runSource(`actor('a', { receive(m) { console.log('got', m); } });\nsend('a', { n: 1 });`);
    expect(r.trace.find((e) => e.kind === 'log')).toMatchObject({ actor: 'a', text: 'got { n: 1 }' });
  });

  it('the lab’s threads setting overrides the code’s', () => {
    const src = `system({ threads: 4 });\nfor (let i = 0; i < 4; i++) actor('w' + i, { receive() {} });\nfor (let i = 0; i < 4; i++) send('w' + i, 1, { count: 5 });`;
    expect(runSource(src).metrics.endT).toBe(5);
    expect(runSource(src, { threads: 1 }).metrics.endT).toBe(20);
  });
});
