/// <reference lib="webworker" />
/**
 * The actor lab's sandbox: a dedicated module Worker that runs learner code describing an actor
 * system (simulations/actors, `runSource`) and posts the run back.
 *
 * - No DOM here. Like the event-loop sandbox, this worker removes its network, storage and
 *   messaging globals before the first job (keeping a private postMessage), so learner code finds
 *   nothing to talk to.
 * - Budgets: a wall-time budget (`wallMs`, default 2,000 ms) polled by the loop guards the engine
 *   puts in every loop of the learner's code and by the engine every 1,024 messages; the main
 *   thread's hard timeout (actorsRunner.ts) terminates the worker if even that never comes.
 * - Messages: `{ type: 'run', id, source, options }` in; `start`, then `done` (with the run) or
 *   `failed` out (see actorsRunner.ts).
 */
import { runSource } from '#sim/actors/source';
import type { ActorsWorkerRequest, ActorsWorkerResponse } from './actorsRunner';
import { harden } from '../../content/exercises/_runtime/harden.js';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = scope.postMessage.bind(scope);
const now = performance.now.bind(performance);

const DEFAULT_WALL_MS = 2_000;

function respond(message: ActorsWorkerResponse): void {
  try {
    post(message);
  } catch (error) {
    post({ type: 'failed', id: message.id, message: `The run could not be sent back (${(error as Error).message}).` });
  }
}

function onMessage(event: MessageEvent<ActorsWorkerRequest>): void {
  const data = event.data;
  if (!data || data.type !== 'run' || typeof data.id !== 'number' || typeof data.source !== 'string') return;
  const { id, source, options } = data;
  respond({ type: 'start', id });
  const wallMs = options?.wallMs ?? DEFAULT_WALL_MS;
  const start = now();
  try {
    const run = runSource(source, {
      seed: options?.seed,
      threads: options?.threads,
      shouldStop: () => now() - start > wallMs,
      stopMessage: `Stopped after ${wallMs / 1000} s of real time: the program did not finish. Is there an infinite loop?`,
    });
    respond({ type: 'done', id, run, ms: now() - start });
  } catch (error) {
    respond({ type: 'failed', id, message: error instanceof Error ? error.message : String(error) });
  }
}

scope.addEventListener('message', onMessage);
harden(scope);
