/**
 * Lesson 8 (content/lessons/08-structured-concurrency.mdx): the event-loop presets it embeds
 * print in real Node 24 what the lab prints (the lab's `delay` written out as NATIVE_DELAY, the
 * program run from a setImmediate callback as in eventloop-abort-differential.test.ts), and every
 * orphan count the lesson states (`**N orphans**`, the first after a lab's embed) is the count
 * the engine's task tree gives for that lab's program, in both of the lab's runtimes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getExample } from '#sim/eventloop/examples';
import { runProgramSync } from '#sim/eventloop/run';
import { orphanCount, taskTree } from '#sim/eventloop/tasktree';
import type { Runtime } from '#sim/eventloop/types';
import { NATIVE_DELAY } from './eventloop-abort-programs';
import { nativeLinesMatching } from '../support/eventloop-native';

const LESSON = readFileSync(path.resolve(__dirname, '../../content/lessons/08-structured-concurrency.mdx'), 'utf8');
const PRESETS = ['scope-no-orphans', 'pool-leak-race', 'pool-abort-finally'];
const RUNTIMES: Runtime[] = ['browser', 'node'];
const dir = mkdtempSync(path.join(tmpdir(), 'lesson-08-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Each lab embed of the lesson, with the orphan count stated after it. */
function statedCounts(): { preset: string; stated: number }[] {
  const out: { preset: string; stated: number }[] = [];
  const embed = /<EventLoopLab\b[^>]*\bpreset="([\w-]+)"[^>]*\/>/g;
  for (let m = embed.exec(LESSON); m; m = embed.exec(LESSON)) {
    const after = LESSON.slice(m.index + m[0].length);
    const next = after.search(/<EventLoopLab\b/);
    const count = /\*\*(\d+) orphans?\*\*/.exec(next === -1 ? after : after.slice(0, next));
    if (count) out.push({ preset: m[1], stated: Number(count[1]) });
  }
  return out;
}

describe('lesson 8: the presets it embeds', () => {
  it.each(PRESETS)('%s prints what real Node 24 prints, in both of the lab’s runtimes', (id) => {
    expect(Number(process.versions.node.split('.')[0])).toBe(24);
    const source = getExample(id).source;
    const file = path.join(dir, `${id}.js`);
    writeFileSync(file, `${NATIVE_DELAY}\nsetImmediate(() => {\n${source}\n});\n`);
    const lab = RUNTIMES.map((runtime) => runProgramSync(source, { runtime }));
    for (const run of lab) expect(run.error).toBeUndefined();
    expect(lab[1].console).toEqual(lab[0].console);
    const native = nativeLinesMatching(file, lab[0].console);
    expect(native).toEqual(lab[0].console);
  });

  it('states an orphan count after every lab it embeds, and each is the engine’s', () => {
    const stated = statedCounts();
    expect(stated.map((s) => s.preset)).toEqual(['orphans-race-all', ...PRESETS]);
    for (const { preset, stated: n } of stated) {
      for (const runtime of RUNTIMES) expect(orphanCount(runProgramSync(getExample(preset).source, { runtime })), `${preset} (${runtime})`).toBe(n);
    }
  });

  it('shows the helpers it explains as they run in the labs (withScope, createPool)', () => {
    const plain = [...LESSON.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
    const withScope = plain.find((b) => b.startsWith('async function withScope'));
    const createPool = plain.find((b) => b.startsWith('function createPool'));
    expect(withScope).toBeDefined();
    expect(createPool).toBeDefined();
    expect(getExample('scope-no-orphans').source).toContain(withScope);
    for (const id of ['pool-leak-race', 'pool-abort-finally']) expect(getExample(id).source).toContain(createPool);
  });

  it('prints at the times the lesson says', () => {
    const printedAt = (id: string) => {
      const run = runProgramSync(getExample(id).source);
      return run.trace.flatMap((e) => (e.kind === 'console' ? [[e.text, e.t] as const] : []));
    };
    // the scope: everything at 30 ms, when b fails
    expect(printedAt('scope-no-orphans')).toEqual([['a cancelled', 30], ['c cancelled', 30], ['scope failed: b failed', 30], ['main done', 30]]);
    // the leaky pool: the fast request (at 100 ms) times out at 150 ms with no connection free
    expect(printedAt('pool-leak-race')).toEqual([['slow 1 timed out | free: 0', 50], ['slow 2 timed out | free: 0', 50], ['fast timed out | free: 0', 150]]);
    // abort + finally: the fast request answers after its 10 ms query
    expect(printedAt('pool-abort-finally').at(-1)).toEqual(['fast ok', 110]);
    // under Promise.all, the parts print after main is done
    const all = printedAt('orphans-race-all').map(([text]) => text);
    expect(all.indexOf('a finished anyway')).toBeGreaterThan(all.indexOf('main done'));
  });

  it('in the scope, every part settles before the scope, and main settles last', () => {
    const t = taskTree(runProgramSync(getExample('scope-no-orphans').source));
    const end = (label: string) => t.nodes.filter((n) => n.label === label).map((n) => n.end!);
    const [scope] = end('withScope()');
    const [main] = end('main()');
    expect(end('part()')).toHaveLength(3);
    for (const e of end('part()')) expect(e).toBeLessThan(scope);
    expect(scope).toBeLessThan(main);
  });

  it('the orphans are the ones the lesson names', () => {
    const labels = (id: string) => {
      const t = taskTree(runProgramSync(getExample(id).source));
      return t.orphans.map((o) => t.nodes[o].label);
    };
    // the same three parts, b failing: under Promise.all two run on, under the scope none
    expect(labels('orphans-race-all')).toEqual(['fetchFrom()', 'part()', 'part()']);
    expect(labels('scope-no-orphans')).toEqual([]);
    // the three queries that lost their races, each holding a connection
    expect(labels('pool-leak-race')).toEqual(['query()', 'query()', 'query()']);
    // only the fast request's AbortSignal.timeout timer, armed after its request is done
    expect(labels('pool-abort-finally')).toEqual([expect.stringMatching(/^AbortSignal\.timeout\(50\)/)]);
  });
});
