/**
 * Bundled by bench/explore-in-worker.mjs and run as a dedicated Worker in Chromium: explores the
 * programs it is sent with the async explorer (its fast runtime), as the lab's Worker does, and
 * answers with each exploration's count and wall time. `warm` explorations are run first and not
 * timed (the lab's Worker is warm after its first exploration too).
 */
import { exploreProgramSync } from '#sim/interleavings/async';

interface Job {
  source: string;
  maxSchedules: number;
  warm: number;
  repeat: number;
}

self.onmessage = (e: MessageEvent<Job>) => {
  const { source, maxSchedules, warm, repeat } = e.data;
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
  (self as unknown as Worker).postMessage({ schedules, times, runs });
};
