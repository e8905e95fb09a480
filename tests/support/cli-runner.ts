/**
 * A Runner (src/runners/runner.ts) over real Node: spawns `node run.js <jobArgs>` in
 * content/exercises, exactly the command the WebContainer runner spawns, and streams its output
 * through the same parser (results.ts). Lets tests drive the lab's comparison code with real runs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createOutputParser } from '#runners/results';
import { ABORTED_MESSAGE, EventChannel, jobArgs, type RunEvent, type RunJob, type Runner } from '#runners/runner';
import { exercisesDir } from './exercises-cli';

export class NodeCliRunner implements Runner {
  readonly kind = 'webcontainer' as const;

  async ready(): Promise<void> {}

  async *run(job: RunJob, signal: AbortSignal): AsyncGenerator<RunEvent> {
    const runner = this.kind;
    let handlerPath: string | undefined;
    if (job.handlerSource !== undefined) {
      const dir = mkdtempSync(join(tmpdir(), 'handler-'));
      const file = join(dir, 'handler.mjs');
      writeFileSync(file, job.handlerSource);
      handlerPath = relative(exercisesDir, file);
    }
    const channel = new EventChannel<RunEvent>();
    const parser = createOutputParser(runner);
    const child = spawn(process.execPath, ['run.js', ...jobArgs(job, handlerPath)], { cwd: exercisesDir, stdio: ['ignore', 'pipe', 'pipe'] });
    const onAbort = () => {
      child.kill('SIGKILL');
      channel.push({ type: 'error', message: ABORTED_MESSAGE, aborted: true, runner });
      channel.close();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (d: string) => parser.push(d).forEach((e) => channel.push(e)));
    child.stderr.setEncoding('utf8').on('data', (d: string) => parser.push(d).forEach((e) => channel.push(e)));
    child.on('close', (code) => {
      signal.removeEventListener('abort', onAbort);
      parser.end().forEach((e) => channel.push(e));
      channel.push({ type: 'exit', code: code ?? 1, runner });
      channel.close();
    });
    try {
      yield* channel;
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }
}
