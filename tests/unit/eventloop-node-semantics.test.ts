/**
 * The Node mode's rules, one by one (engine/node.ts), with what a learner would notice: the
 * console order, the race note, the exit, and the trace events a later view will draw from.
 * (Agreement with real Node on generated programs: eventloop-node-differential.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { runProgramSync } from '#sim/eventloop/run';
import { READ_FILE_LATENCY_MS } from '#sim/eventloop/engine';
import type { EventLoopEvent, EventLoopRun } from '#sim/eventloop/types';

const node = (source: string, files?: Record<string, string>): EventLoopRun => runProgramSync(source, { runtime: 'node', files });
const kinds = (run: EventLoopRun, ...ks: EventLoopEvent['kind'][]): EventLoopEvent[] => run.trace.filter((e) => ks.includes(e.kind));

describe('Node mode: queues and phases', () => {
  it('drains next ticks before promise jobs, and ticks queued by a promise job after the promise jobs', () => {
    const run = node(`
Promise.resolve().then(() => { console.log('p1'); process.nextTick(() => console.log('tick from p1')); Promise.resolve().then(() => console.log('p2')); });
process.nextTick(() => { console.log('t1'); process.nextTick(() => console.log('t2')); });
console.log('sync');`);
    expect(run.console).toEqual(['sync', 't1', 't2', 'p1', 'p2', 'tick from p1']);
    expect(run.exitCode).toBe(0);
    expect(kinds(run, 'tick-enqueue').length).toBe(3);
    expect(kinds(run, 'tick-start').length).toBe(3);
  });

  it('setTimeout(fn, 0) is a 1 ms timer; fractions are kept; no nesting clamp', () => {
    const run = node(`setTimeout(() => {}, 0); setTimeout(() => {}, -5); setTimeout(() => {}, 1.5);
let n = 0; function again() { if (++n < 8) setTimeout(again, 0); } setTimeout(again, 20);`);
    const sets = kinds(run, 'timer-set') as Extract<EventLoopEvent, { kind: 'timer-set' }>[];
    expect(sets.slice(0, 3).map((e) => e.timeout)).toEqual([1, 1, 1.5]);
    expect(sets.slice(4).every((e) => e.timeout === 1)).toBe(true);
    expect(run.stats.endTime).toBe(20 + 7);
  });

  it('inside an I/O callback, setImmediate runs before setTimeout(fn, 0), with no race note', () => {
    const run = node(`fs.readFile('data.txt', 'utf8', (err, data) => {
  console.log('read', err, data);
  setTimeout(() => console.log('timeout'), 0);
  setImmediate(() => console.log('immediate'));
});`);
    expect(run.console).toEqual(['read null hello from data.txt', 'immediate', 'timeout']);
    expect(run.nondeterministic).toBeUndefined();
    const phases = (kinds(run, 'phase', 'task-start') as EventLoopEvent[]).map((e) => (e.kind === 'phase' ? e.phase : `run ${(e as { source: string }).source}`));
    expect(phases).toEqual(['run script', 'poll', 'run io', 'check', 'run immediate', 'poll', 'timers', 'run timer', 'poll']);
    const start = kinds(run, 'io-start')[0] as Extract<EventLoopEvent, { kind: 'io-start' }>;
    expect(start.due).toBe(READ_FILE_LATENCY_MS);
    expect(kinds(run, 'io-complete')[0].t).toBe(READ_FILE_LATENCY_MS);
  });

  it('says so when the order is a race in real Node: top-level setTimeout(fn, 0) against setImmediate', () => {
    const run = node(`setTimeout(() => console.log('timeout'), 0); setImmediate(() => console.log('immediate'));`);
    expect(run.nondeterministic).toHaveLength(1);
    expect(run.nondeterministic![0]).toMatch(/Not deterministic in real Node/);
    expect(kinds(run, 'nondeterministic')).toHaveLength(1);
    // A timer far enough away is not a race.
    expect(node(`setTimeout(() => console.log('timeout'), 50); setImmediate(() => console.log('immediate'));`).nondeterministic).toBeUndefined();
  });

  it('says so when a timer and a read race (a real read takes a varying time)', () => {
    const run = node(`fs.readFile('data.txt', 'utf8', () => console.log('read')); setTimeout(() => console.log('timeout'), 0);`);
    expect(run.console).toEqual(['timeout', 'read']);
    expect(run.nondeterministic).toHaveLength(1);
    expect(run.nondeterministic![0]).toMatch(/fs\.readFile\('data\.txt'\) is in flight/);
    const close = node(`fs.readFile('data.txt', 'utf8', () => console.log('read')); setTimeout(() => console.log('timeout'), ${READ_FILE_LATENCY_MS});`);
    expect(close.console).toEqual(['read', 'timeout']);
    expect(close.nondeterministic).toHaveLength(1);
    expect(node(`fs.readFile('data.txt', 'utf8', () => console.log('read')); setTimeout(() => console.log('timeout'), 50);`).nondeterministic).toBeUndefined();
  });

  it('an immediate queued by an immediate waits for the next turn; clearImmediate cancels one', () => {
    const run = node(`setImmediate(() => { console.log('a'); setImmediate(() => console.log('c')); });
setImmediate(() => console.log('b'));
const x = setImmediate(() => console.log('never')); clearImmediate(x);`);
    expect(run.console).toEqual(['a', 'b', 'c']);
    const checks = (kinds(run, 'phase') as Extract<EventLoopEvent, { kind: 'phase' }>[]).filter((e) => e.phase === 'check').map((e) => e.iteration);
    expect(checks).toEqual([1, 2]);
  });

  it('readFile: a missing file gives ENOENT, no encoding gives bytes, files come from the options', () => {
    const run = node(`const fs = require('fs');
fs.readFile('nope.txt', (err) => console.log(err.code, err.message));
fs.readFile('a.txt', (err, d) => console.log(d instanceof Uint8Array, d.length));`, { 'a.txt': 'abc' });
    expect(run.console).toEqual(["ENOENT ENOENT: no such file or directory, open 'nope.txt'", 'true 3']);
  });
});

describe('Node mode: the process ends at an uncaught error', () => {
  it('an unhandled rejection: its report last, exit code 1, later callbacks never run', () => {
    const run = node(`setTimeout(() => console.log('never'), 0);
Promise.reject(new Error('boom'));
process.nextTick(() => console.log('tick runs first'));`);
    expect(run.console).toEqual(['tick runs first', 'Error: boom']);
    expect(run.exitCode).toBe(1);
    expect(run.trace[run.trace.length - 1]).toMatchObject({ kind: 'exit', code: 1 });
    expect(kinds(run, 'task-start').length).toBe(1);
  });

  it('a rejection handled later in the same drain is not reported', () => {
    const run = node(`const p = Promise.reject(new Error('x')); process.nextTick(() => p.catch((e) => console.log('caught', e.message)));`);
    expect(run.console).toEqual(['caught x']);
    expect(run.exitCode).toBe(0);
  });
});

describe('Node mode: budgets still stop endless programs', () => {
  it('an endless nextTick recursion, immediate chain or interval stops with a budget message', () => {
    const ticks = node(`function f() { process.nextTick(f); } f();`);
    expect(ticks.error?.message).toMatch(/call budget/);
    expect(ticks.truncated).toBe(true);
    const imms = node(`function f() { setImmediate(f); } f();`);
    expect(imms.error?.message).toMatch(/call budget/);
    const interval = node(`setInterval(() => {}, 100);`);
    expect(interval.error?.message).toMatch(/time budget/);
    expect(interval.exitCode).toBeUndefined();
  });
});

describe('browser mode is unchanged', () => {
  it('has no Node globals and no Node fields in its result', () => {
    const run = runProgramSync(`console.log(typeof process, typeof setImmediate, typeof fs, typeof require)`);
    expect(run.console).toEqual(['undefined undefined undefined undefined']);
    expect('runtime' in run || 'exitCode' in run || 'nondeterministic' in run).toBe(false);
  });
});
