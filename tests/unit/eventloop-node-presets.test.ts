/**
 * The lab's Node presets (examples with runtime 'node') print what real Node 24 prints: each runs
 * as a script in real `node` processes (three times, in a directory holding the lab's virtual
 * files), and through runProgramSync(source, { runtime: 'node' }). The engine's run must have no
 * `nondeterministic` note (these presets teach orders Node fixes) and the same exit code.
 * The lessons embed these ids, so the list of ids is pinned too.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLES } from '#sim/eventloop/examples';
import { runProgramSync } from '#sim/eventloop/run';
import { NODE_DEFAULT_FILES } from '#sim/eventloop/engine';

const NODE_PRESETS = EXAMPLES.filter((e) => e.runtime === 'node');
const dir = mkdtempSync(path.join(tmpdir(), 'eventloop-node-presets-'));
for (const [name, text] of Object.entries(NODE_DEFAULT_FILES)) writeFileSync(path.join(dir, name), text);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Node presets agree with real Node 24', () => {
  it('has the Node presets the lessons embed', () => {
    expect(Number(process.versions.node.split('.')[0])).toBe(24);
    expect(NODE_PRESETS.map((e) => e.id)).toEqual(['node-tick-vs-promise', 'node-immediate-vs-timeout-io', 'node-tick-starvation', 'node-timer-1ms']);
  });

  NODE_PRESETS.forEach((ex) => {
    it(ex.id, () => {
      const file = path.join(dir, `${ex.id}.js`);
      writeFileSync(file, ex.source);
      const run = runProgramSync(ex.source, { runtime: 'node' });
      expect(run.error).toBeUndefined();
      expect(run.nondeterministic).toBeUndefined();
      expect(run.console.length).toBeGreaterThanOrEqual(3);
      for (let i = 0; i < 3; i++) {
        const r = spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
        expect(r.stderr).toBe('');
        expect(r.status).toBe(run.exitCode);
        expect(r.stdout.split('\n').filter((l) => l !== '')).toEqual(run.console);
      }
    });
  });
});
