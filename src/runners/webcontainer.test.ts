import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunEvent, RunJob } from './runner';
import {
  NOT_ISOLATED_MESSAGE,
  WebContainerRunner,
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
  kill() {
    this.killed++;
    this.settle(137);
  }
}

class FakeContainer implements ContainerLike {
  mounts: unknown[] = [];
  written: [string, string][] = [];
  spawned: [string, string[]][] = [];
  processes: FakeProcess[] = [];
  tornDown = 0;
  fs = { writeFile: async (path: string, data: string) => void this.written.push([path, data]) };
  async mount(tree: unknown) {
    this.mounts.push(tree);
  }
  async spawn(command: string, args: string[]) {
    this.spawned.push([command, args]);
    const p = new FakeProcess();
    this.processes.push(p);
    return p;
  }
  teardown() {
    this.tornDown++;
  }
}

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
    const runner = new WebContainerRunner({ files, boot: () => new Promise(() => {}), isIsolated: () => true });
    const ready = runner.ready();
    const check = expect(ready).rejects.toThrow('The WebContainer did not start within 15 s (it needs the network to load its runtime).');
    await vi.advanceTimersByTimeAsync(14_999);
    await vi.advanceTimersByTimeAsync(1);
    await check;
  });

  it('takes a configurable timeout', async () => {
    vi.useFakeTimers();
    const runner = new WebContainerRunner({ files, boot: () => new Promise(() => {}), isIsolated: () => true, bootTimeoutMs: 2500 });
    const check = expect(runner.ready()).rejects.toThrow('within 2.5 s');
    await vi.advanceTimersByTimeAsync(2500);
    await check;
  });

  it('boots once per page, however many runners and calls', async () => {
    const container = new FakeContainer();
    const boot = vi.fn(async () => container);
    const a = new WebContainerRunner({ files, boot, isIsolated: () => true });
    const b = new WebContainerRunner({ files, boot, isIsolated: () => true });
    await Promise.all([a.ready(), b.ready(), a.ready()]);
    await b.ready();
    expect(boot).toHaveBeenCalledTimes(1);
    expect(await bootOnce(boot)).toBe(container);
  });

  it('forgets a boot that failed, so a later call can try again', async () => {
    const boot = vi.fn().mockRejectedValueOnce(new Error('network error')).mockResolvedValueOnce(new FakeContainer());
    const runner = new WebContainerRunner({ files, boot, isIsolated: () => true });
    await expect(runner.ready()).rejects.toThrow('The WebContainer could not start: network error');
    await expect(runner.ready()).resolves.toBeUndefined();
    expect(boot).toHaveBeenCalledTimes(2);
  });

  it('tears the container down on pagehide; the next ready() boots a new one', async () => {
    const first = new FakeContainer();
    const boot = vi.fn().mockResolvedValueOnce(first).mockResolvedValueOnce(new FakeContainer());
    const target = new EventTarget();
    const uninstall = installWebContainerTeardown(target as unknown as Window);
    const runner = new WebContainerRunner({ files, boot, isIsolated: () => true });
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
    const runner = new WebContainerRunner({ files, boot: async () => container, isIsolated: () => true });
    const events: RunEvent[] = [];
    const done = (async () => {
      for await (const e of runner.run(job, new AbortController().signal)) events.push(e);
    })();
    await flush();
    const proc = container.processes[0];
    expect(container.spawned[0]).toEqual([
      'node',
      ['run.js', '--exercise', 'io-db', '--variant', 'async', '--handler', './io-db/handler.learner.js', '--clients', '10', '--io-ms', '5'],
    ]);
    expect(container.written).toEqual([['io-db/handler.learner.js', 'export async function handle() {}']]);
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
    const runner = new WebContainerRunner({ files, boot: async () => container, isIsolated: () => true });
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
    const runner = new WebContainerRunner({ files, boot: async () => container, isIsolated: () => true });
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
    const ok = new WebContainerRunner({ files, boot: async () => container, isIsolated: () => true });
    expect(await collect(ok.run(job, aborted.signal))).toEqual([{ type: 'error', message: 'The run was stopped.', aborted: true, runner: 'webcontainer' }]);
    expect(container.spawned).toHaveLength(0);

    const isolatedNot = new WebContainerRunner({ files, boot: async () => container, isIsolated: () => false });
    expect(await collect(isolatedNot.run(job, new AbortController().signal))).toEqual([{ type: 'error', message: NOT_ISOLATED_MESSAGE, runner: 'webcontainer' }]);
  });
});
