/**
 * The two runtimes of the exercises on a page: the WebContainer (real Node; the exercise folder is
 * loaded as raw text only when it first mounts) and the browser Worker. The WebContainer is torn
 * down when the page goes away.
 */
import type { RunnerPair } from './select';
import { createWebContainerRunner, installWebContainerTeardown, loadFileTree } from './webcontainer';
import { createWorkerRunner } from './exerciseWorker';

/** The Worker runner's own last-resort stop; the lab's per-variant budget normally comes first. */
const WORKER_HARD_STOP_MS = 130_000;

let teardownInstalled = false;

export function createExerciseRunners(): RunnerPair {
  if (!teardownInstalled && typeof window !== 'undefined') {
    installWebContainerTeardown(window);
    teardownInstalled = true;
  }
  const loaders = import.meta.glob<string>('/content/exercises/**/*.{js,json}', { query: '?raw', import: 'default' });
  return {
    webcontainer: createWebContainerRunner({ files: () => loadFileTree(loaders) }),
    worker: createWorkerRunner({ wallMs: WORKER_HARD_STOP_MS }),
  };
}
