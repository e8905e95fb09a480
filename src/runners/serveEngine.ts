/// <reference lib="webworker" />
/**
 * The Worker side of EngineHost (engineHost.ts): a lab's sandbox Worker is
 *
 *   import { serveEngine } from './serveEngine';
 *   import { runMyJob } from './myEngine';
 *   serveEngine(runMyJob);
 *
 * - First the global scope is hardened (harden.js: network, storage, spawning and messaging
 *   globals removed), after keeping a private reference to postMessage: learner code that escapes
 *   an engine's own scope (e.g. through `[].constructor.constructor`) finds nothing to talk to.
 * - Then each `{ type: 'run', id, job, wallMs }` is answered with `start` (the host's hard timeout
 *   starts), then `done` with the run and the real time the engine took (`ms`), or `failed` with
 *   a message when the engine threw or its run cannot be sent back. Anything else is ignored.
 * - The engine gets the wall budget as `shouldStop`; one that never polls it is stopped by the
 *   host, which terminates this Worker. A long engine may post `progress` messages
 *   (`budget.progress`), which also keep the host's hard timeout from firing.
 */
import type { EngineFn, EngineRequest, EngineResponse } from './engineHost';
import { harden } from './harden.js';

/** The part of a Worker's global scope this uses (tests pass a stand-in). */
export type EngineScope = Pick<DedicatedWorkerGlobalScope, 'postMessage' | 'addEventListener'>;

export function serveEngine<Job, Run>(engine: EngineFn<Job, Run>, scope: EngineScope = self as unknown as DedicatedWorkerGlobalScope): void {
  const post = scope.postMessage.bind(scope) as (message: EngineResponse<Run>) => void;
  const now = performance.now.bind(performance);
  harden(scope);

  const respond = (message: EngineResponse<Run>) => {
    try {
      post(message);
    } catch (error) {
      // A run that cannot be cloned (should not happen: runs are plain data).
      post({ type: 'failed', id: message.id, message: `the run could not be sent back: ${error instanceof Error ? error.message : String(error)}` });
    }
  };

  scope.addEventListener('message', (event: MessageEvent<EngineRequest<Job>>) => {
    const data = event.data;
    if (!data || data.type !== 'run' || typeof data.id !== 'number' || typeof data.wallMs !== 'number') return;
    const { id, job, wallMs } = data;
    respond({ type: 'start', id });
    const start = now();
    let run: Run;
    try {
      run = engine(job, { wallMs, shouldStop: () => now() - start > wallMs, progress: (progress) => respond({ type: 'progress', id, progress }) });
    } catch (error) {
      respond({ type: 'failed', id, message: error instanceof Error ? error.message : String(error) });
      return;
    }
    respond({ type: 'done', id, run, ms: now() - start });
  });
}
