import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunEvent, RunJob } from './runner';
import {
  BOOT_TIMEOUT_MS,
  KILL_NOTE,
  NOT_ISOLATED_MESSAGE,
  OFFLINE_MESSAGE,
  SHARED_MEMORY_CHECK,
  UnreachableError,
  WebContainerRunner,
  isBooted,
  parseSharedMemoryCheck,
  stepTimeoutMessage,
  unsupportedBecause,
  type WebContainerRunnerOptions,
  bootOnce,
  buildFileTree,
  installWebContainerTeardown,
  loadFileTree,
  resetWebContainerForTests,
  teardownWebContainer,
  type ContainerLike,
  type ContainerProcess,
} from './webcontainer';

class FakeProcess implements ContainerProcess {
  output: ReadableStream<string>;
  exit: Promise<number>;
  killed = 0;
  private controller!: ReadableStreamDefaultController<string>;
  private settle!: (code: number) => void;
  constructor() {
    this.output = new ReadableStream<string>({ start: (c) => void (this.controller = c) });
    this.exit = new Promise((resolve) => (this.settle = resolve));
  }
  write(chunk: string) {
    this.controller.enqueue(chunk);
  }
  end(code: number) {
    this.controller.close();
    this.settle(code);
  }
  /** A busy process in a WebContainer may ignore kill (a known limitation). */
  ignoresKill = false;
  kill() {
    this.killed++;
    if (!this.ignoresKill) this.settle(137);
  }
  /** Exits without closing its output stream. */
  exitOnly(code: number) {
    this.settle(code);
  }
}

const SHM_OK = '{"shm":{"wait":true,"workers":true,"shared":true,"problems":[]}}\n';

class FakeContainer implements ContainerLike {
  mounts: unknown[] = [];
  written: [string, string][] = [];
  spawned: [string, string[]][] = [];
  processes: FakeProcess[] = [];
  tornDown = 0;
  removed: string[] = [];
  /** What the shared-memory check prints in this container. */
  shm = SHM_OK;
  shmChecks = 0;
  errorListeners: ((e: { message: string }) => void)[] = [];
  fs = {
    writeFile: async (path: string, data: string) => void this.written.push([path, data]),
    rm: async (path: string) => void this.removed.push(path),
  };
  mountImpl: (tree: unknown) => Promise<void> = async () => {};
  async mount(tree: unknown) {
    this.mounts.push(tree);
    return this.mountImpl(tree);
  }
  async spawn(command: string, args: string[]) {
    const p = new FakeProcess();
    if (args[0] === 'shm-check.mjs') {
      this.shmChecks++;
      queueMicrotask(() => (p.write(this.shm), p.end(0)));
      return p;
    }
    this.spawned.push([command, args]);
    this.processes.push(p);
    return p;
  }
  teardown() {
    this.tornDown++;
  }
  on(_event: 'error', listener: (e: { message: string }) => void) {
    this.errorListeners.push(listener);
    return () => {};
  }
}

/** A runner on a fake container, with the host reachable. */
const make = (container: ContainerLike | (() => Promise<ContainerLike>), extra: Partial<WebContainerRunnerOptions> = {}) =>
  new WebContainerRunner({
    files,
    boot: typeof container === 'function' ? container : async () => container,
    reach: async () => {},
    isIsolated: () => true,
    ...extra,
  });

const files = {
  '/content/exercises/run.js': 'run',
  '/content/exercises/package.json': '{}',
  '/content/exercises/_runtime/harness.js': 'harness',
  '/content/exercises/io-db/setup.js': 'setup',
  '/content/exercises/io-db/exercise.json': '{"slug":"io-db"}',
};
const job: RunJob = { exercise: 'io-db', variant: 'async', params: { clients: 10, ioMs: 5, dbLimit: undefined }, handlerSource: 'export async function handle() {}' };

const flush = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

async function collect(iterable: AsyncIterable<RunEvent>) {
  const out: RunEvent[] = [];
  for await (const e of iterable) out.push(e);
  return out;
}

beforeEach(() => resetWebContainerForTests());
afterEach(() => vi.useRealTimers());

describe('buildFileTree', () => {
  it('nests paths under the exercises root and skips the rest', () => {
    const tree = buildFileTree({ ...files, '/src/other.js': 'x', '/content/exercises/../secret': 'no' });
    expect(tree).toEqual({
      'run.js': { file: { contents: 'run' } },
      'package.json': { file: { contents: '{}' } },
      _runtime: { directory: { 'harness.js': { file: { contents: 'harness' } } } },
      'io-db': { directory: { 'setup.js': { file: { contents: 'setup' } }, 'exercise.json': { file: { contents: '{"slug":"io-db"}' } } } },
    });
  });

  it('takes another root, with or without its trailing slash, and lazy loaders', async () => {
    expect(buildFileTree({ 'ex/a/b.js': '1' }, 'ex')).toEqual({ a: { directory: { 'b.js': { file: { contents: '1' } } } } });
    expect(await loadFileTree({ '/content/exercises/run.js': async () => 'run' })).toEqual({ 'run.js': { file: { contents: 'run' } } });
  });
});

describe('ready()', () => {
  it('rejects at once, with the reason, when the page is not cross-origin isolated', async () => {
    const boot = vi.fn(async () => new FakeContainer());
    const runner = new WebContainerRunner({ files, boot, isIsolated: () => false });
    await expect(runner.ready()).rejects.toThrow(NOT_ISOLATED_MESSAGE);
    expect(boot).not.toHaveBeenCalled();
  });

  it('rejects after its own timeout when the boot never settles (offline), saying so', async () => {
    vi.useFakeTimers();
    const runner = make(() => new Promise(() => {}));
    const ready = runner.ready();
    const check = expect(ready).rejects.toThrow(/^The WebContainer did not start within 30 s: StackBlitz answered, but its runtime did not start\. Cookie or storage blockers/);
    expect(BOOT_TIMEOUT_MS).toBe(30_000);
    await vi.advanceTimersByTimeAsync(29_999);
    await vi.advanceTimersByTimeAsync(1);
    await check;
    // the boot is still under way: a later run may use it
    expect(runner.pendingBoot()).not.toBeNull();
  });

  it('takes a configurable timeout', async () => {
    vi.useFakeTimers();
    const runner = make(() => new Promise(() => {}), { bootTimeoutMs: 2500 });
    const check = expect(runner.ready()).rejects.toThrow('within 2.5 s');
    await vi.advanceTimersByTimeAsync(2500);
    await check;
  });

  it('boots once per page, however many runners and calls', async () => {
    const container = new FakeContainer();
    const boot = vi.fn(async () => container);
    const a = new WebContainerRunner({ files, boot, reach: async () => {}, isIsolated: () => true });
    const b = new WebContainerRunner({ files, boot, reach: async () => {}, isIsolated: () => true });
    await Promise.all([a.ready(), b.ready(), a.ready()]);
    await b.ready();
    expect(boot).toHaveBeenCalledTimes(1);
    expect(await bootOnce(boot)).toBe(container);
  });

  it('forgets a boot that failed, so a later call can try again', async () => {
    const boot = vi.fn().mockRejectedValueOnce(new Error('network error')).mockResolvedValueOnce(new FakeContainer());
    const runner = new WebContainerRunner({ files, boot, reach: async () => {}, isIsolated: () => true });
    await expect(runner.ready()).rejects.toThrow('The WebContainer could not start: network error');
    await expect(runner.ready()).resolves.toBeUndefined();
    expect(boot).toHaveBeenCalledTimes(2);
  });

  it('tears the container down on pagehide; the next ready() boots a new one', async () => {
    const first = new FakeContainer();
    const boot = vi.fn().mockResolvedValueOnce(first).mockResolvedValueOnce(new FakeContainer());
    const target = new EventTarget();
    const uninstall = installWebContainerTeardown(target as unknown as Window);
    const runner = new WebContainerRunner({ files, boot, reach: async () => {}, isIsolated: () => true });
    await runner.ready();
    target.dispatchEvent(new Event('pagehide'));
    expect(first.tornDown).toBe(1);
    await runner.ready();
    expect(boot).toHaveBeenCalledTimes(2);
    uninstall();
    teardownWebContainer();
  });
});

describe('run()', () => {
  it('mounts once, writes the handler, spawns node run.js with the args, streams typed events and the exit code', async () => {
    const container = new FakeContainer();
    const runner = make(container);
    const events: RunEvent[] = [];
    const done = (async () => {
      for await (const e of runner.run(job, new AbortController().signal)) events.push(e);
    })();
    await flush();
    const proc = container.processes[0];
    expect(container.spawned[0]).toEqual([
      'node',
      ['run.js', '--exercise', 'io-db', '--variant', 'async', '--handler', './io-db/handler.learner.1.js', '--clients', '10', '--io-ms', '5'],
    ]);
    expect(container.written).toEqual([['io-db/handler.learner.1.js', 'export async function handle() {}']]);
    proc.write('{"i":0,"start":0,"end":5,"lat');
    proc.write('ency":5,"ok":true}\r\nhandler log\r\n{"summary":{"exercise":"io-db","variant":"async","runtime":"node v18"}}');
    proc.end(0);
    await done;
    expect(events.map((e) => e.type)).toEqual(['request', 'line', 'summary', 'exit']);
    expect(events.every((e) => e.runner === 'webcontainer')).toBe(true);
    expect(events.at(-1)).toEqual({ type: 'exit', code: 0, runner: 'webcontainer' });

    // a second run reuses the mount
    const second = runner.run({ exercise: 'io-db', variant: 'sync', quiet: true }, new AbortController().signal);
    const it2 = collect(second);
    await flush();
    expect(container.spawned[1][1]).toEqual(['run.js', '--exercise', 'io-db', '--variant', 'sync', '--quiet']);
    container.processes[1].end(2);
    expect((await it2).at(-1)).toMatchObject({ type: 'exit', code: 2 });
    expect(container.mounts).toHaveLength(1);
  });

  it('kills the process when the signal aborts, and ends with an aborted error', async () => {
    const container = new FakeContainer();
    const runner = make(container);
    const controller = new AbortController();
    const events: RunEvent[] = [];
    const done = (async () => {
      for await (const e of runner.run(job, controller.signal)) events.push(e);
    })();
    await flush();
    container.processes[0].write('{"i":0,"start":0,"end":5,"latency":5,"ok":true}\n');
    await flush();
    controller.abort();
    await done;
    expect(container.processes[0].killed).toBe(1);
    expect(events.map((e) => e.type)).toEqual(['request', 'error']);
    expect(events[1]).toMatchObject({ aborted: true, runner: 'webcontainer' });
  });

  it('kills the process when the consumer stops iterating early', async () => {
    const container = new FakeContainer();
    const runner = make(container);
    const done = (async () => {
      for await (const e of runner.run(job, new AbortController().signal)) if (e.type === 'request') break;
    })();
    await flush();
    container.processes[0].write('{"i":0,"start":0,"end":5,"latency":5,"ok":true}\n');
    await done;
    expect(container.processes[0].killed).toBe(1);
  });

  it('does not spawn when already aborted, and reports a runtime that cannot start as an error event', async () => {
    const container = new FakeContainer();
    const aborted = new AbortController();
    aborted.abort();
    const ok = make(container);
    expect(await collect(ok.run(job, aborted.signal))).toEqual([{ type: 'error', message: 'The run was stopped.', aborted: true, runner: 'webcontainer' }]);
    expect(container.spawned).toHaveLength(0);

    const isolatedNot = new WebContainerRunner({ files, boot: async () => container, isIsolated: () => false });
    expect(await collect(isolatedNot.run(job, new AbortController().signal))).toEqual([{ type: 'error', message: NOT_ISOLATED_MESSAGE, runner: 'webcontainer' }]);
  });
});

describe('when things go wrong', () => {
  it('offline: ready() rejects at once with the offline reason; the boot keeps going for later', async () => {
    vi.useFakeTimers();
    let finish!: (c: ContainerLike) => void;
    const runner = make(() => new Promise((r) => (finish = r)), { reach: () => Promise.reject(new UnreachableError()) });
    await expect(runner.ready()).rejects.toThrow(OFFLINE_MESSAGE);
    expect(runner.pendingBoot()).not.toBeNull();
    finish(new FakeContainer());
    await runner.pendingBoot();
    expect(isBooted()).toBe(true);
    await expect(runner.ready()).resolves.toBeUndefined(); // booted: no probe, no wait
  });

  it('Stop ends a process that ignores kill: after the grace the container is torn down, the run says so, the next run boots a fresh one', async () => {
    const first = new FakeContainer();
    const second = new FakeContainer();
    const boot = vi.fn().mockResolvedValueOnce(first).mockResolvedValueOnce(second);
    const runner = make(boot, { killGraceMs: 20 });
    const controller = new AbortController();
    const events = collect(runner.run(job, controller.signal));
    await flush();
    first.processes[0].ignoresKill = true;
    controller.abort();
    const out = await events;
    expect(first.processes[0].killed).toBe(1);
    expect(first.tornDown).toBe(1);
    expect(out).toEqual([{ type: 'error', message: 'The run was stopped.', aborted: true, runner: 'webcontainer', note: KILL_NOTE }]);
    const next = collect(runner.run(job, new AbortController().signal));
    await flush();
    second.processes[0].end(0);
    expect((await next).at(-1)).toMatchObject({ type: 'exit', code: 0 });
    expect(boot).toHaveBeenCalledTimes(2);
  });

  it('a process that obeys kill leaves the container alone', async () => {
    const container = new FakeContainer();
    const runner = make(container, { killGraceMs: 20 });
    const controller = new AbortController();
    const events = collect(runner.run(job, controller.signal));
    await flush();
    controller.abort();
    expect(await events).toEqual([{ type: 'error', message: 'The run was stopped.', aborted: true, runner: 'webcontainer' }]);
    expect(container.tornDown).toBe(0);
  });

  it('every step honours the signal: a mount that hangs is abandoned on Stop, nothing is spawned', async () => {
    const container = new FakeContainer();
    container.mountImpl = () => new Promise(() => {});
    const runner = make(container);
    const controller = new AbortController();
    const events = collect(runner.run(job, controller.signal));
    await flush();
    controller.abort();
    expect(await events).toEqual([{ type: 'error', message: 'The run was stopped.', aborted: true, runner: 'webcontainer' }]);
    expect(container.spawned).toHaveLength(0);
  });

  it('a dead container never hangs the lab: a step past its timeout tears it down and says so', async () => {
    const container = new FakeContainer();
    container.mountImpl = () => new Promise(() => {});
    const runner = make(container, { stepTimeoutMs: 30 });
    const out = await collect(runner.run(job, new AbortController().signal));
    expect(out).toEqual([{ type: 'error', message: stepTimeoutMessage('mounting the exercises'), runner: 'webcontainer' }]);
    expect(container.tornDown).toBe(1);
    expect(isBooted()).toBe(false);
  });

  it('a run ends on the process exit even when its output stream never closes, keeping what it printed last', async () => {
    const container = new FakeContainer();
    const runner = make(container, { drainMs: 20 });
    const events = collect(runner.run(job, new AbortController().signal));
    await flush();
    const proc = container.processes[0];
    proc.exitOnly(0);
    proc.write('{"summary":{"exercise":"io-db","variant":"async","runtime":"node v20"}}\n'); // arrives just after exit
    const out = await events;
    expect(out.map((e) => e.type)).toEqual(['summary', 'exit']);
  });

  it('two runs on a page: one at a time, each with its own handler file, removed afterwards', async () => {
    const container = new FakeContainer();
    const runner = make(container);
    const a = collect(runner.run({ ...job, handlerSource: 'A' }, new AbortController().signal));
    const b = collect(runner.run({ ...job, handlerSource: 'B' }, new AbortController().signal));
    await flush();
    expect(container.processes).toHaveLength(1); // b waits for a
    container.processes[0].end(0);
    await a;
    await flush();
    expect(container.processes).toHaveLength(2);
    container.processes[1].end(0);
    await b;
    expect(container.written).toEqual([
      ['io-db/handler.learner.1.js', 'A'],
      ['io-db/handler.learner.2.js', 'B'],
    ]);
    expect(container.spawned.map(([, args]) => args[args.indexOf('--handler') + 1])).toEqual(['./io-db/handler.learner.1.js', './io-db/handler.learner.2.js']);
    await flush();
    expect(container.removed).toEqual(['io-db/handler.learner.1.js', 'io-db/handler.learner.2.js']);
  });

  it('a run stopped while it waits its turn never starts', async () => {
    const container = new FakeContainer();
    const runner = make(container);
    const a = collect(runner.run(job, new AbortController().signal));
    const stopB = new AbortController();
    const b = collect(runner.run(job, stopB.signal));
    await flush();
    stopB.abort();
    expect(await b).toEqual([{ type: 'error', message: 'The run was stopped.', aborted: true, runner: 'webcontainer' }]);
    container.processes[0].end(0);
    await a;
    const c = collect(runner.run(job, new AbortController().signal));
    await flush();
    container.processes[1].end(0);
    expect((await c).at(-1)).toMatchObject({ type: 'exit' });
    expect(container.processes).toHaveLength(2);
  });

  it('checks shared memory once per container before a variant that needs it; async needs none', async () => {
    const container = new FakeContainer();
    const runner = make(container);
    const run = (variant: RunJob['variant']) => {
      const p = collect(runner.run({ ...job, variant }, new AbortController().signal));
      return flush().then(() => (container.processes.at(-1)!.end(0), p));
    };
    await run('async');
    expect(container.shmChecks).toBe(0);
    await run('parallel');
    await run('sync');
    expect(container.shmChecks).toBe(1);
    expect(container.written.some(([path, data]) => path === 'shm-check.mjs' && data === SHARED_MEMORY_CHECK)).toBe(true);
  });

  it('when shared memory does not behave, the variants that need it are refused with the reason; async still runs', async () => {
    const container = new FakeContainer();
    container.shm = '{"shm":{"wait":true,"workers":true,"shared":false,"problems":["a worker thread made 10000 atomic increments and 9412 were seen"]}}\n';
    const runner = make(container);
    const out = await collect(runner.run({ ...job, variant: 'parallel' }, new AbortController().signal));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ type: 'error', unsupported: true });
    expect((out[0] as { message: string }).message).toMatch(/^The parallel variant is disabled in this WebContainer: shared memory does not behave here \(a worker thread made 10000 atomic increments and 9412 were seen\)/);
    expect(container.spawned).toHaveLength(0);
    // sync only needs a blocking Atomics.wait, which works here
    const sync = collect(runner.run({ ...job, variant: 'sync' }, new AbortController().signal));
    await flush();
    container.processes[0].end(0);
    expect((await sync).at(-1)).toMatchObject({ type: 'exit' });
  });

  it('reads the check: anything unreadable is a failure, with what it printed', () => {
    expect(parseSharedMemoryCheck('noise\n' + SHM_OK)).toEqual({ wait: true, workers: true, shared: true, problems: [] });
    const bad = parseSharedMemoryCheck('TypeError: SharedArrayBuffer is not defined');
    expect(bad).toMatchObject({ wait: false, workers: false, shared: false });
    expect(unsupportedBecause('sync', bad)).toContain('SharedArrayBuffer is not defined');
    expect(unsupportedBecause('async', bad)).toBeNull();
    expect(unsupportedBecause('sync', { wait: true, workers: false, shared: false, problems: [] })).toBeNull();
  });

  it("the container's own error event: the next run tears it down, says why, and the one after boots afresh", async () => {
    const first = new FakeContainer();
    const second = new FakeContainer();
    const boot = vi.fn().mockResolvedValueOnce(first).mockResolvedValueOnce(second);
    const runner = make(boot);
    await runner.ready();
    first.errorListeners.forEach((l) => l({ message: 'storage was cleared' }));
    const out = await collect(runner.run(job, new AbortController().signal));
    expect(out[0]).toMatchObject({ type: 'error', message: expect.stringMatching(/^The WebContainer reported an error \(storage was cleared\)/) });
    expect(first.tornDown).toBe(1);
    const next = collect(runner.run(job, new AbortController().signal));
    await flush();
    second.processes[0].end(0);
    expect((await next).at(-1)).toMatchObject({ type: 'exit', code: 0 });
  });
});

describe('the shared-memory check script, in real Node', () => {
  it('reports that Node 24 enforces Atomics.wait, runs worker threads and sees every atomic increment', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'shm-'));
    writeFileSync(join(dir, 'shm-check.mjs'), SHARED_MEMORY_CHECK);
    const out = execFileSync(process.execPath, ['shm-check.mjs'], { cwd: dir, encoding: 'utf8' });
    expect(parseSharedMemoryCheck(out)).toEqual({ wait: true, workers: true, shared: true, problems: [] });
  });
});
