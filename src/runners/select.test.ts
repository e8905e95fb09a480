import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExerciseWorkerRunner } from './exerciseWorker';
import type { Runner, RunnerKind } from './runner';
import { APPLE_MOBILE_MESSAGE, RunnerUnavailableError, checkAvailability, isAppleMobile, parsePreference, selectRunner } from './select';
import {
  NOT_ISOLATED_MESSAGE,
  OFFLINE_MESSAGE,
  UnreachableError,
  WebContainerRunner,
  bootTimeoutMessage,
  resetWebContainerForTests,
  type ContainerLike,
} from './webcontainer';

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
    const webcontainer = new WebContainerRunner({ files: {}, boot: () => new Promise<ContainerLike>(() => {}), reach: ok, isIsolated: () => true });
    const worker = new ExerciseWorkerRunner({ createWorker: () => ({}) as never });
    const selection = selectRunner({ webcontainer, worker });
    await vi.advanceTimersByTimeAsync(29_999);
    let settled = false;
    void selection.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const s = await selection;
    expect(s.runner).toBe(worker);
    expect(s.fellBackBecause).toBe(bootTimeoutMessage(30_000));
    expect(s.fellBackBecause).toContain('did not start within 30 s');
  });

  it('auto: offline (the runtime host unreachable) falls back at once, not after the boot timeout', async () => {
    vi.useFakeTimers();
    const webcontainer = new WebContainerRunner({
      files: {},
      boot: () => new Promise<ContainerLike>(() => {}),
      reach: () => Promise.reject(new UnreachableError()),
      isIsolated: () => true,
    });
    const worker = fake('worker', ok);
    const s = await selectRunner({ webcontainer, worker });
    expect(s).toEqual({ runner: worker, fellBackBecause: OFFLINE_MESSAGE });
    expect(OFFLINE_MESSAGE).toMatch(/offline/);
  });

  it('auto on iOS/iPadOS: the Worker, without booting the WebContainer, with the reason', async () => {
    const webcontainer = fake('webcontainer', ok);
    const worker = fake('worker', ok);
    const s = await selectRunner({ webcontainer, worker }, 'auto', { autoSkipsWebContainer: APPLE_MOBILE_MESSAGE });
    expect(s).toEqual({ runner: worker, fellBackBecause: APPLE_MOBILE_MESSAGE });
    expect(webcontainer.readyCalls).toBe(0);
    // picking it explicitly still boots it
    expect((await selectRunner({ webcontainer, worker }, 'webcontainer', { autoSkipsWebContainer: APPLE_MOBILE_MESSAGE })).runner).toBe(webcontainer);
  });

  it('recognises iPhone, iPad and iPadOS (a "Macintosh" with a touch screen), not a Mac or Android', () => {
    const iphone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';
    const ipados = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15';
    const android = 'Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36';
    expect(isAppleMobile({ userAgent: iphone, maxTouchPoints: 5 })).toBe(true);
    expect(isAppleMobile({ userAgent: ipados, maxTouchPoints: 5 })).toBe(true);
    expect(isAppleMobile({ userAgent: ipados, maxTouchPoints: 0 })).toBe(false);
    expect(isAppleMobile({ userAgent: android, maxTouchPoints: 5 })).toBe(false);
    expect(isAppleMobile(undefined)).toBe(false);
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
