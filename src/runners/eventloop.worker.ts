/// <reference lib="webworker" />
/**
 * The event-loop lab's sandbox: a dedicated module Worker that runs learner code on the modelled
 * event loop (simulations/eventloop) and posts the run back.
 *
 * - No DOM here, and the engine's sandbox shadows the globals learner code may reach. As a second
 *   wall, this worker removes its own network, storage and messaging globals before the first
 *   job (it keeps a private reference to postMessage), so even code that escapes the engine's
 *   scope (e.g. through `[].constructor.constructor`) finds nothing to talk to.
 * - Budgets: the engine's step, loop and virtual-time budgets, plus a wall-time budget
 *   (`options.wallMs`, default 2,000 ms) through `shouldStop`. The engine polls it every 1,024
 *   steps or loop iterations; the main thread's hard timeout (eventloopRunner.ts) terminates the
 *   worker if even that never comes.
 * - Messages: `{ type: 'run', id, source, options }` in; `start`, then `done` (with the run) or
 *   `failed` out (see ./types).
 */
import { runProgramSync } from '#sim/eventloop/run';
import type { WorkerResponse, WorkerRunRequest } from './types';
import { harden } from '../../content/exercises/_runtime/harden.js';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = scope.postMessage.bind(scope);
const now = performance.now.bind(performance);

export const DEFAULT_WALL_MS = 2_000;

function respond(message: WorkerResponse): void {
  try {
    post(message);
  } catch (error) {
    // A run that cannot be cloned (should not happen: traces are plain data).
    post({ type: 'failed', id: message.id, message: `The run could not be sent back (${(error as Error).message}).` });
  }
}

function onMessage(event: MessageEvent<WorkerRunRequest>): void {
  const data = event.data;
  if (!data || data.type !== 'run' || typeof data.id !== 'number' || typeof data.source !== 'string') return;
  const { id, source, options } = data;
  respond({ type: 'start', id });
  const { wallMs = DEFAULT_WALL_MS, ...engineOptions } = options ?? {};
  const start = now();
  try {
    const run = runProgramSync(source, { ...engineOptions, shouldStop: () => now() - start > wallMs });
    respond({ type: 'done', id, run, ms: now() - start });
  } catch (error) {
    respond({ type: 'failed', id, message: error instanceof Error ? error.message : String(error) });
  }
}

scope.addEventListener('message', onMessage);
harden(scope);
