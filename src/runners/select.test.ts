import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExerciseWorkerRunner } from './exerciseWorker';
import type { Runner, RunnerKind } from './runner';
import { RunnerUnavailableError, checkAvailability, parsePreference, selectRunner } from './select';
import { NOT_ISOLATED_MESSAGE, WebContainerRunner, resetWebContainerForTests, type ContainerLike } from './webcontainer';

function fake(kind: RunnerKind, ready: () => Promise<void>): Runner & { readyCalls: number } {
  const r = {
    kind,
    readyCalls: 0,
    ready: () => {
      r.readyCalls++;
      return ready();
    },
    run: async function* () {},
  };
  return r;
}

const ok = () => Promise.resolve();
const fail = (message: string) => () => Promise.reject(new Error(message));

afterEach(() => {
  vi.useRealTimers();
  resetWebContainerForTests();
});

describe('selectRunner', () => {
  it('auto: uses the WebContainer when it is ready, without touching the Worker', async () => {
    const webcontainer = fake('webcontainer', ok);
    const worker = fake('worker', ok);
    const s = await selectRunner({ webcontainer, worker });
    expect(s).toEqual({ runner: webcontainer });
    expect(worker.readyCalls).toBe(0);
  });

  it('auto: a WebContainer boot timeout falls back to the Worker, with the reason', async () => {
    vi.useFakeTimers();
    const webcontainer = new WebContainerRunner({ files: {}, boot: () => new Promise<ContainerLike>(() => {}), isIsolated: () => true });
    const worker = new ExerciseWorkerRunner({ createWorker: () => ({}) as never });
    const selection = selectRunner({ webcontainer, worker });
    await vi.advanceTimersByTimeAsync(15_000);
    const s = await selection;
    expect(s.runner).toBe(worker);
    expect(s.fellBackBecause).toBe('The WebContainer did not start within 15 s (it needs the network to load its runtime).');
  });

  it('auto: a page without cross-origin isolation falls back to the Worker at once, with the reason', async () => {
    const boot = vi.fn();
    const webcontainer = new WebContainerRunner({ files: {}, boot, isIsolated: () => false });
    const worker = fake('worker', ok);
    const s = await selectRunner({ webcontainer, worker }, 'auto');
    expect(s).toEqual({ runner: worker, fellBackBecause: NOT_ISOLATED_MESSAGE });
    expect(boot).not.toHaveBeenCalled();
  });

  it('auto: says both reasons when neither runtime can start', async () => {
    const p = selectRunner({ webcontainer: fake('webcontainer', fail('offline.')), worker: fake('worker', fail('no workers.')) });
    await expect(p).rejects.toBeInstanceOf(RunnerUnavailableError);
    await expect(p).rejects.toThrow('No runtime could start. WebContainer: offline. Worker: no workers.');
  });

  it('worker: uses the Worker and never boots the WebContainer', async () => {
    const webcontainer = fake('webcontainer', ok);
    const worker = fake('worker', ok);
    expect(await selectRunner({ webcontainer, worker }, 'worker')).toEqual({ runner: worker });
    expect(webcontainer.readyCalls).toBe(0);
  });

  it('webcontainer: uses it when ready; when not, an error that says why, and no silent fallback', async () => {
    const worker = fake('worker', ok);
    const ready = fake('webcontainer', ok);
    expect(await selectRunner({ webcontainer: ready, worker }, 'webcontainer')).toEqual({ runner: ready });
    const p = selectRunner({ webcontainer: fake('webcontainer', fail('The WebContainer did not start within 15 s.')), worker }, 'webcontainer');
    await expect(p).rejects.toThrow('The WebContainer (Node in the browser) is not available: The WebContainer did not start within 15 s.');
    expect(worker.readyCalls).toBe(0);
  });

  it('worker forced but unavailable: an error that says why', async () => {
    const p = selectRunner({ webcontainer: fake('webcontainer', ok), worker: new ExerciseWorkerRunner() }, 'worker');
    await expect(p).rejects.toThrow('The Worker runtime is not available: Web Workers are not available');
  });
});

describe('checkAvailability', () => {
  it('reports each runtime, with the reason when it cannot start', async () => {
    expect(await checkAvailability({ webcontainer: fake('webcontainer', fail('not isolated')), worker: fake('worker', ok) })).toEqual({
      webcontainer: { available: false, reason: 'not isolated' },
      worker: { available: true },
    });
  });
});

describe('parsePreference', () => {
  it('keeps known values and maps anything else to auto', () => {
    expect(parsePreference('worker')).toBe('worker');
    expect(parsePreference('webcontainer')).toBe('webcontainer');
    expect(parsePreference('node')).toBe('auto');
    expect(parsePreference(null)).toBe('auto');
  });
});
