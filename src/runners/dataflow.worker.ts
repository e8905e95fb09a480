/// <reference lib="webworker" />
/**
 * The dataflow lab's sandbox: a dedicated module Worker that compiles the learner's operator
 * function and runs the dataflow engine with it (simulations/dataflow), then posts the run back.
 * The engine decides all timing; the learner's function only decides what a filter keeps or what
 * a map returns.
 *
 * - Before the first job the worker removes its network, storage and messaging globals (it keeps
 *   a private postMessage), and the code runs in strict mode with the remaining risky names
 *   shadowed (dataflowCode.ts).
 * - Budgets: the engine polls a wall-time budget (`wallMs`, default 2,000 ms) every 4,096 events;
 *   a function that never returns is stopped by the main thread, which terminates this worker
 *   (dataflowRunner.ts).
 * - Messages: `{ type: 'run', id, config, seed, code }` in; `start`, then `done` or `failed` out.
 */
import { simulate } from '#sim/dataflow/simulate';
import { compileOperator } from './dataflowCode';
import type { DataflowWorkerRequest, DataflowWorkerResponse } from './dataflowRunner';
import { harden } from '../../content/exercises/_runtime/harden.js';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = scope.postMessage.bind(scope);
const now = performance.now.bind(performance);


function respond(message: DataflowWorkerResponse): void {
  try {
    post(message);
  } catch (error) {
    post({ type: 'failed', id: message.id, message: `The run could not be sent back (${(error as Error).message}).` });
  }
}

scope.addEventListener('message', (event: MessageEvent<DataflowWorkerRequest>) => {
  const data = event.data;
  if (!data || data.type !== 'run' || typeof data.id !== 'number') return;
  const { id, config, seed, code, wallMs = 2_000 } = data;
  respond({ type: 'start', id });
  const start = now();
  try {
    const hooks: Record<string, (r: { key: number; value: number }) => unknown> = {};
    if (code) {
      const compiled = compileOperator(code.source, code.name);
      if (!compiled.ok) {
        respond({ type: 'code-error', id, message: compiled.message, line: compiled.line, column: compiled.column });
        return;
      }
      hooks[code.op] = compiled.fn;
    }
    const run = simulate(config, seed, { hooks, shouldStop: () => now() - start > wallMs });
    respond({ type: 'done', id, run, ms: now() - start });
  } catch (error) {
    respond({ type: 'failed', id, message: error instanceof Error ? error.message : String(error) });
  }
});
harden(scope);
