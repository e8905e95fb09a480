/**
 * CONTENT.md: "Any code block that shows its output is executed by the tests and the output
 * checked." In a lesson, a fenced `js` block whose info string contains `runs` and that is
 * followed (after blank lines only) by a fenced `console` block states its output. Each such
 * block is run through the event-loop engine (`runProgram`) and, unless its info string says
 * `engine-only`, natively in Node 24; both must print exactly the console block's lines.
 * A block whose output depends on the wall clock (`js runs timing`: it prints rounded elapsed
 * times) gets up to three native runs, since a loaded machine can delay a real timer past the
 * rounding; the engine's virtual clock has no such excuse and gets one.
 * A block that uses Node's own APIs (`js runs node`: process.nextTick, setImmediate, fs.readFile)
 * runs on the engine's Node mode (which must not flag its order as nondeterministic) and natively
 * in a directory holding the engine's virtual files, so `fs.readFile('data.txt')` reads the same.
 * Predict first (CONTENT.md): the console block may sit inside a `<Predict ...>` box that opens
 * right after the code block, so its output stays hidden until the learner has predicted.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { runProgram } from '#sim/eventloop';
import { NODE_DEFAULT_FILES } from '#sim/eventloop/engine/node';

const lessonsDir = resolve(__dirname, '../../content/lessons');

export interface StatedOutput {
  file: string;
  line: number;
  code: string;
  expected: string[];
  engineOnly: boolean;
  timing: boolean;
  node: boolean;
}

/** What may stand between a `js runs` block and its `console` block: blank lines, or the opening tag of a Predict box. */
const predictOpening = /^\s*(<Predict(\s+[\w-]+=("[^"]*"|'[^']*'|\{[^}]*\}))*\s*>\s*)?$/;

/** Find every code block with stated output in an MDX source. */
export function statedOutputs(file: string, text: string): StatedOutput[] {
  const out: StatedOutput[] = [];
  const fence = /^```([^\n]*)\n([\s\S]*?)^```\s*$/gm;
  const blocks: { info: string; body: string; start: number; end: number }[] = [];
  for (let m = fence.exec(text); m; m = fence.exec(text)) {
    blocks.push({ info: m[1].trim(), body: m[2], start: m.index, end: m.index + m[0].length });
  }
  for (let i = 0; i + 1 < blocks.length; i++) {
    const code = blocks[i];
    const next = blocks[i + 1];
    const words = code.info.split(/\s+/);
    if (!/^(js|javascript)$/.test(words[0]) || !words.includes('runs')) continue;
    const between = text.slice(code.end, next.start);
    if (!predictOpening.test(between) || !/^console\b/.test(next.info)) {
      throw new Error(`${file}: a \`js runs\` block must be followed directly by a \`console\` block (or by a <Predict> opening tag and then one)`);
    }
    out.push({
      file,
      line: text.slice(0, code.start).split('\n').length,
      code: code.body,
      expected: next.body.replace(/\n$/, '').split('\n'),
      engineOnly: words.includes('engine-only'),
      timing: words.includes('timing'),
      node: words.includes('node'),
    });
  }
  return out;
}

let nodeDir: string | undefined;
/** A directory holding the engine's virtual files (for `js runs node` blocks that read them). */
function virtualFilesDir(): string {
  if (!nodeDir) {
    nodeDir = mkdtempSync(join(tmpdir(), 'lesson-code-'));
    for (const [name, text] of Object.entries(NODE_DEFAULT_FILES)) writeFileSync(join(nodeDir, name), text);
  }
  return nodeDir;
}

function runNatively(code: string, node = false): string[] {
  const r = spawnSync(process.execPath, ['--input-type=commonjs', '-e', code], {
    encoding: 'utf8',
    timeout: 10_000,
    ...(node ? { cwd: virtualFilesDir() } : {}),
  });
  if (r.status !== 0) throw new Error(`node exited with ${r.status}: ${r.stderr}`);
  return r.stdout.replace(/\n$/, '').split('\n');
}

const files = readdirSync(lessonsDir).filter((f) => f.endsWith('.mdx'));
const cases = files.flatMap((f) => statedOutputs(f, readFileSync(join(lessonsDir, f), 'utf8')));

describe('code blocks that state their output', () => {
  it('finds the stated outputs in the lessons', () => {
    expect(statedOutputs('x.mdx', '```js runs\nconsole.log(1)\n```\n\n```console\n1\n```\n')).toEqual([
      { file: 'x.mdx', line: 1, code: 'console.log(1)\n', expected: ['1'], engineOnly: false, timing: false, node: false },
    ]);
    const inPredict = '```js runs node\nconsole.log(1)\n```\n\n<Predict id="p" question="Which “=>” line?">\n\n```console\n1\n```\n\nWhy.\n\n</Predict>\n';
    expect(statedOutputs('x.mdx', inPredict)).toMatchObject([{ expected: ['1'], node: true }]);
    expect(() => statedOutputs('x.mdx', '```js runs\nconsole.log(1)\n```\n<Predict question="q">\nprose\n```console\n1\n```\n')).toThrow(/followed directly/);
    expect(() => statedOutputs('x.mdx', '```js runs\nconsole.log(1)\n```\nprose\n```console\n1\n```\n')).toThrow(/followed directly/);
  });

  it.each(cases.map((c) => [`${c.file}:${c.line}`, c] as const))('%s prints what the lesson says (engine)', async (_, c) => {
    const run = await runProgram(c.code, c.node ? { runtime: 'node' } : {});
    expect(run.error?.message).toBeUndefined();
    expect(run.nondeterministic).toBeUndefined();
    expect(run.console).toEqual(c.expected);
  });

  it.each(cases.filter((c) => !c.engineOnly).map((c) => [`${c.file}:${c.line}`, c] as const))(
    '%s prints what the lesson says (Node)',
    (_, c) => {
      let printed = runNatively(c.code, c.node);
      for (let attempt = 1; c.timing && attempt < 3 && JSON.stringify(printed) !== JSON.stringify(c.expected); attempt++) printed = runNatively(c.code, c.node);
      expect(printed).toEqual(c.expected);
    },
  );
});
