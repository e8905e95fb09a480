/**
 * Bundled by bench/explore-in-worker.mjs and run as a dedicated Worker in Chromium, as the lab
 * runs its explorations:
 * - `explore`: explores the program `repeat` times after `warm` untimed explorations (the lab's
 *   Worker is warm after its first), and answers with each one's count and wall time;
 * - `estimate`, `split` and `part`: one exploration in parts over several of these Workers
 *   (parts.ts), as the lab's runner does for a program estimated at 200,000 schedules or more
 *   (bench/explore-parts-page.ts drives them).
 */
import { estimateSchedules, exploreProgramPart, exploreProgramSync, splitProgram } from '#sim/interleavings/async';

type Job =
  | { type: 'explore'; source: string; maxSchedules: number; warm: number; repeat: number }
  | { type: 'estimate'; source: string }
  | { type: 'split'; source: string; want: number }
  | { type: 'part'; source: string; prefix: number[]; maxSchedules: number };

self.onmessage = (e: MessageEvent<Job>) => {
  const job = e.data;
  const post = (m: unknown): void => (self as unknown as Worker).postMessage(m);
  if (job.type === 'estimate') {
    post(estimateSchedules(job.source));
    return;
  }
  if (job.type === 'split') {
    post(splitProgram(job.source, job.want));
    return;
  }
  if (job.type === 'part') {
    post(exploreProgramPart(job.source, job.prefix, { maxSchedules: job.maxSchedules }));
    return;
  }
  const { source, maxSchedules, warm, repeat } = job;
  for (let i = 0; i < warm; i++) exploreProgramSync(source, { maxSchedules });
  const times: number[] = [];
  let schedules = 0;
  let runs = { fast: 0, engine: 0 };
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    const r = exploreProgramSync(source, { maxSchedules });
    times.push(performance.now() - t0);
    schedules = r.schedules;
    runs = { fast: r.runs?.fast ?? 0, engine: r.runs?.engine ?? 0 };
  }
  post({ schedules, times, runs });
};
