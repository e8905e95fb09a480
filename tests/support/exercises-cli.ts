/**
 * Runs the exercise CLI (content/exercises/run.js) the way a WebContainer will: `node run.js ...`
 * in the exercises folder, with this process's Node (24 under Vitest), and parses its JSON lines.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const exercisesDir = resolve(__dirname, '../../content/exercises');

export interface RequestLine {
  i: number;
  start: number;
  end: number;
  latency: number;
  ok: boolean;
  error?: string;
  worker?: number;
  batch?: number;
}

export interface ResourceStats {
  calls: number;
  items: number;
  busyMs: number;
  waitMs: number;
  maxConcurrent: number;
  limit: number | null;
}

export interface Summary {
  exercise: string;
  variant: string;
  handler: string;
  runtime: string;
  cores: number;
  mode: 'open' | 'closed';
  params: Record<string, number | string | null>;
  cpu: { rounds: number; roundsPerMs: number | null };
  requests: number;
  completed: number;
  ok: number;
  errors: number;
  durationMs: number;
  throughput: number;
  goodput: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  min: number;
  max: number;
  /** CPU time the process used during the load (all threads), and that as cores kept busy */
  cpuTimeMs: number | null;
  cpuCores: number | null;
  L: number | null;
  lambdaW: number | null;
  little: { window: [number, number]; completed: number; L: number; lambda: number; W: number; lambdaW: number; relError: number } | null;
  errorSamples: string[];
  resources: { db: ResourceStats; downstream: ResourceStats };
  batches?: { groups: number; meanSize: number; maxSize: number; ioRounds: number };
  workers?: number[];
  crashed?: number[];
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  lines: unknown[];
  requests: RequestLine[];
  summary: Summary | undefined;
  fatal: { message: string; usage: boolean } | undefined;
}

/** `node run.js <args>` in content/exercises; resolves when the process exits. */
export function runCli(args: string[], timeoutMs = 60_000): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['run.js', ...args], { cwd: exercisesDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`node run.js ${args.join(' ')} took over ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = stdout
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => {
          try {
            return JSON.parse(l) as unknown;
          } catch {
            throw new Error(`not a JSON line: ${l}`);
          }
        });
      const requests = lines.filter((l): l is RequestLine => typeof (l as RequestLine).i === 'number');
      const summary = (lines.find((l) => (l as { summary?: Summary }).summary) as { summary?: Summary } | undefined)?.summary;
      const fatal = (lines.find((l) => (l as { fatal?: unknown }).fatal) as { fatal?: CliRun['fatal'] } | undefined)?.fatal;
      done({ code, stdout, stderr, lines, requests, summary, fatal });
    });
  });
}

/** Like runCli, but fails with the output when the run did not end with a summary and exit code 0. */
export async function runOk(args: string[]): Promise<CliRun & { summary: Summary }> {
  const run = await runCli(args);
  if (run.code !== 0 || !run.summary) {
    throw new Error(`node run.js ${args.join(' ')} exited ${run.code}\n${run.stderr}\n${run.stdout.slice(-2000)}`);
  }
  return run as CliRun & { summary: Summary };
}

/** Run `fn` over `items` with at most `limit` at a time. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const k = next++;
      out[k] = await fn(items[k]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
