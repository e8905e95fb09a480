/**
 * Bundled by bench/explore-in-worker.mjs into the bench's blank page: one exploration in parts
 * over `workers` Workers (bench/worker-explore.ts), merged with parts.ts's runParts, as the lab's
 * runner does it (interleavingsRunner.ts), without the lab's page around it.
 */
import { runParts, type Part, type PartResult, type Split } from '#sim/interleavings/parts';

async function exploreInParts(code: string, source: string, cap: number, workers: number): Promise<{ schedules: number; exhaustive: boolean; ms: number; parts: number; estimate: number }> {
  const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
  const pool = Array.from({ length: workers }, () => new Worker(url));
  const ask = <T>(w: Worker, job: unknown): Promise<T> =>
    new Promise((resolve, reject) => {
      w.onmessage = (e) => resolve(e.data as T);
      w.onerror = (e) => reject(new Error(e.message));
      w.postMessage(job);
    });
  // Each Worker loads and compiles first, as the lab's part hosts stay warm between explorations.
  await Promise.all(pool.map((w) => ask(w, { type: 'part', source, prefix: [], maxSchedules: 1 })));
  const t0 = performance.now();
  // As the lab's runner: the estimate, then parts small enough that about 64 of them hold the cap.
  const estimate = await ask<number>(pool[0], { type: 'estimate', source });
  const want = Math.min(8_192, Math.max(64, Math.ceil((64 * estimate) / cap)));
  const split = await ask<Split<number>>(pool[0], { type: 'split', source, want });
  const free = [...pool];
  const { result } = await runParts(
    split,
    async (part: Part<number>, partCap: number, cancel: AbortSignal) => {
      const w = free.pop()!;
      let own = w;
      try {
        return await new Promise<PartResult<number>>((resolve, reject) => {
          // Aborted (the cap is reached): the Worker is stopped and replaced, as the lab's host does.
          cancel.addEventListener('abort', () => {
            w.terminate();
            own = new Worker(url);
            reject(new DOMException('aborted', 'AbortError'));
          });
          ask<PartResult<number>>(w, { type: 'part', source, prefix: part.prefix, maxSchedules: partCap }).then(resolve, reject);
        });
      } finally {
        free.push(own);
      }
    },
    { cap, concurrency: workers },
  );
  const ms = performance.now() - t0;
  [...pool, ...free].forEach((w) => w.terminate());
  return { schedules: result.explored, exhaustive: result.exhaustive, ms, parts: split.parts.length, estimate };
}

(globalThis as unknown as { exploreInParts: typeof exploreInParts }).exploreInParts = exploreInParts;
