/**
 * The WebContainer runner: real Node (StackBlitz's @webcontainer/api) in the page.
 *
 *   const runner = createWebContainerRunner({ files });   // files: path -> contents (see buildFileTree)
 *   await runner.ready();                                  // rejects with a readable reason
 *   for await (const event of runner.run(job, signal)) ...
 *
 * - One boot per page: the API allows one instance, so the boot promise is a module-level
 *   singleton shared by every runner (and every lab) on the page. A boot that fails is forgotten,
 *   so a later ready() may try again; one that is merely slow keeps going in the background.
 * - Our own boot timeout (default BOOT_TIMEOUT_MS): offline the boot never settles, and ready()
 *   must say so instead of hanging. Without cross-origin isolation it rejects at once.
 * - The exercise folder is mounted once per container; each run writes the learner's handler to
 *   `<slug>/handler.learner.js` and spawns `node run.js --exercise <slug> ... --handler <that>`.
 *   Output (stdout and stderr share the terminal) goes through results.ts. Aborting kills the process.
 * - `pagehide` tears the container down (installWebContainerTeardown).
 *
 * The boot function and the isolation check are injectable, so all of this is unit-tested with a
 * fake container; the real API is only loaded (dynamic import) by the default boot.
 */
import type { FileSystemTree } from '@webcontainer/api';
import { createOutputParser } from './results';
import { ABORTED_MESSAGE, jobArgs, messageOf, type RunEvent, type RunJob, type Runner } from './runner';

/** Our own boot timeout: the lab counts it down while the WebContainer starts. */
export const BOOT_TIMEOUT_MS = 30_000;
/** How long a killed process may take to exit before the whole container is torn down. */
export const KILL_GRACE_MS = 1_500;
/** Longest a mount, a file write or a spawn may take before the container is deemed dead. */
export const STEP_TIMEOUT_MS = 20_000;
/** After the process exits, how long its last output may take to arrive. */
export const DRAIN_MS = 300;
/** Where the WebContainer's runtime comes from (the API's iframe). */
export const RUNTIME_ORIGIN = 'https://stackblitz.com';

export const NOT_ISOLATED_MESSAGE =
  'The WebContainer needs a cross-origin isolated page (Cross-Origin-Opener-Policy and Cross-Origin-Embedder-Policy headers), and this page is not.';

export const bootTimeoutMessage = (ms: number) =>
  `The WebContainer did not start within ${Math.round(ms / 100) / 10} s: StackBlitz answered, but its runtime did not start. Cookie or storage blockers, a private window or an extension can stop it.`;

export const OFFLINE_MESSAGE =
  'The WebContainer cannot start offline: its runtime loads from StackBlitz (stackblitz.com), which this browser cannot reach.';

export const KILL_NOTE =
  'The process did not stop when asked, so the WebContainer was shut down; the next run starts a fresh one.';

export const stepTimeoutMessage = (what: string) =>
  `The WebContainer stopped responding (${what} took over ${STEP_TIMEOUT_MS / 1000} s), so it was shut down; the next run starts a fresh one.`;

/** The WebContainer's runtime could not be reached at all (offline, DNS error, blocked host). */
export class UnreachableError extends Error {
  constructor(message = OFFLINE_MESSAGE) {
    super(message);
    this.name = 'UnreachableError';
  }
}

/** What we use of a WebContainerProcess. */
export interface ContainerProcess {
  output: ReadableStream<string>;
  exit: Promise<number>;
  kill(): void;
}

/** What we use of a WebContainer (the real one satisfies it). */
export interface ContainerLike {
  mount(tree: FileSystemTree): Promise<void>;
  fs: { writeFile(path: string, data: string): Promise<void>; rm?(path: string, options?: { force?: boolean }): Promise<void> };
  spawn(command: string, args: string[]): Promise<ContainerProcess>;
  teardown(): void;
  /** The API's internal errors after boot (e.g. storage taken away): the container is unusable. */
  on?(event: 'error', listener: (error: { message: string }) => void): () => void;
}

export type BootFn = () => Promise<ContainerLike>;

/** Resolves when the runtime's host can be reached; rejects (UnreachableError) when it cannot. */
export type ReachFn = () => Promise<void>;

/**
 * Offline or the host unresolvable, the API's iframe never reports and the boot never settles; a
 * plain request to the same host fails within milliseconds instead. The iframe's own URL must be
 * embeddable in an isolated page (it is served with Cross-Origin-Resource-Policy for that), so a
 * no-cors request to it passes our COEP. If this guess is ever wrong, nothing is lost: the boot
 * keeps going in the background and a later run switches to it (see RuntimeSession).
 */
export const defaultReach: ReachFn = async () => {
  if (typeof navigator !== 'undefined' && navigator.onLine === false) throw new UnreachableError();
  try {
    await fetch(`${RUNTIME_ORIGIN}/headless`, { mode: 'no-cors', cache: 'no-store', credentials: 'omit' });
  } catch {
    throw new UnreachableError();
  }
};

/** The real boot: loads @webcontainer/api on first use only. */
export const defaultBoot: BootFn = async () => {
  const { WebContainer } = await import('@webcontainer/api');
  return WebContainer.boot({ coep: 'require-corp' });
};

/* ------------------------------ file tree ------------------------------ */

/**
 * A FileSystemTree from a map of paths to contents, e.g. Vite's
 * `import.meta.glob('/content/exercises/**\/*.{js,json}', { query: '?raw', import: 'default', eager: true })`.
 * Paths are taken relative to `root` (default '/content/exercises/'); paths outside it are skipped.
 */
export function buildFileTree(files: Record<string, string>, root = '/content/exercises/'): FileSystemTree {
  const prefix = root.endsWith('/') ? root : root + '/';
  const tree: FileSystemTree = {};
  for (const [path, contents] of Object.entries(files)) {
    if (!path.startsWith(prefix)) continue;
    const parts = path.slice(prefix.length).split('/').filter((p) => p !== '' && p !== '.');
    if (parts.length === 0 || parts.includes('..')) continue;
    let dir = tree;
    for (const name of parts.slice(0, -1)) {
      const node = dir[name];
      if (node && 'directory' in node) dir = node.directory;
      else {
        const next: FileSystemTree = {};
        dir[name] = { directory: next };
        dir = next;
      }
    }
    dir[parts.at(-1) as string] = { file: { contents } };
  }
  return tree;
}

/** Like buildFileTree, for the lazy form of import.meta.glob (values are loaders). */
export async function loadFileTree(loaders: Record<string, () => Promise<string>>, root?: string): Promise<FileSystemTree> {
  const entries = await Promise.all(Object.entries(loaders).map(async ([path, load]) => [path, await load()] as const));
  return buildFileTree(Object.fromEntries(entries), root);
}

/* ------------------------------ the one boot ------------------------------ */

let booting: Promise<ContainerLike> | null = null;
let booted: ContainerLike | null = null;
/** Set by the API's `error` event: the container is broken, the next run boots a new one. */
let brokenBecause: string | null = null;

/** The page's container, booting it on the first call. */
export function bootOnce(boot: BootFn = defaultBoot): Promise<ContainerLike> {
  if (!booting) {
    const attempt: Promise<ContainerLike> = boot().then(
      (container) => {
        if (booting !== attempt) {
          // torn down while it booted (pagehide, a dead process): do not keep a stale container
          try {
            container.teardown();
          } catch {
            // already unusable
          }
          throw new Error('The WebContainer was shut down while it started.');
        }
        booted = container;
        brokenBecause = null;
        container.on?.('error', (error) => {
          if (booted !== container) return;
          brokenBecause = error?.message || 'an internal error';
        });
        return container;
      },
      (error) => {
        if (booting === attempt) booting = null; // let a later ready() try again
        throw error;
      },
    );
    booting = attempt;
  }
  return booting;
}

/** Whether the page's container has booted (and is not known to be broken). */
export function isBooted(): boolean {
  return booted !== null && brokenBecause === null;
}

/** Tears the page's container down (if it booted); the next bootOnce boots again. */
export function teardownWebContainer(): void {
  const container = booted;
  booted = null;
  booting = null;
  brokenBecause = null;
  mounted = new WeakMap();
  checked = new WeakMap();
  try {
    container?.teardown();
  } catch {
    // already unusable
  }
}

/** Tears the container down when the page goes away. Returns the uninstaller. */
export function installWebContainerTeardown(target: Pick<Window, 'addEventListener' | 'removeEventListener'> = window): () => void {
  const onHide = () => teardownWebContainer();
  target.addEventListener('pagehide', onHide);
  return () => target.removeEventListener('pagehide', onHide);
}

/** Tests only: forget the singleton without tearing anything down. */
export function resetWebContainerForTests(): void {
  booting = null;
  booted = null;
  brokenBecause = null;
  mounted = new WeakMap();
  checked = new WeakMap();
  runLock = Promise.resolve();
  runCounter = 0;
}

/** Which trees each container has mounted (a tree is mounted once per container). */
let mounted = new WeakMap<ContainerLike, WeakMap<FileSystemTree, Promise<void>>>();

function mountOnce(container: ContainerLike, tree: FileSystemTree): Promise<void> {
  let trees = mounted.get(container);
  if (!trees) mounted.set(container, (trees = new WeakMap()));
  let p = trees.get(tree);
  if (!p) {
    p = container.mount(tree);
    trees.set(tree, p);
    p.catch(() => trees.delete(tree));
  }
  return p;
}

/* ------------------------------ one run at a time ------------------------------ */

/** Runs on the page's container go one at a time (two labs, two tabs of variants). */
let runLock: Promise<void> = Promise.resolve();
/** Each run writes the learner's handler to a file of its own. */
let runCounter = 0;

/** Waits for the page's previous run; resolves with the release function, or null if aborted first. */
function acquireRunLock(signal: AbortSignal): Promise<(() => void) | null> {
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const previous = runLock;
  runLock = previous.then(() => mine);
  return new Promise((resolve) => {
    const onAbort = () => {
      // give our turn away at once: the next run waits for the previous one, not for us
      previous.then(release);
      resolve(null);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    previous.then(() => {
      if (signal.aborted) return;
      signal.removeEventListener('abort', onAbort);
      resolve(release);
    });
  });
}

/* ------------------------------ shared memory, checked in the container ------------------------------ */

/** What the parallel and blocking variants need of the runtime, as measured inside the container. */
export interface SharedMemoryCheck {
  /** Atomics.wait blocks for its timeout (the blocking I/O of sync, sync-batch and parallel). */
  wait: boolean;
  /** worker_threads start and share a SharedArrayBuffer (the parallel pool and its semaphores). */
  workers: boolean;
  /** Atomic increments from another thread are all seen (a semaphore in shared memory holds). */
  shared: boolean;
  problems: string[];
}

/** The script run once per container (node shm-check.mjs); prints {"shm":{...}}. */
export const SHARED_MEMORY_CHECK = `import { Worker } from 'node:worker_threads';
const r = { wait: false, workers: false, shared: false, problems: [] };
try {
  const a = new Int32Array(new SharedArrayBuffer(8));
  const t0 = performance.now();
  const res = Atomics.wait(a, 0, 0, 40);
  const dt = performance.now() - t0;
  r.wait = res === 'timed-out' && dt >= 30;
  if (!r.wait) r.problems.push('Atomics.wait returned ' + res + ' after ' + dt.toFixed(1) + ' ms instead of blocking for 40 ms');
  const w = new Worker("const { workerData } = require('node:worker_threads'); const a = new Int32Array(workerData); for (let i = 0; i < 10000; i++) Atomics.add(a, 1, 1); Atomics.store(a, 0, 1); Atomics.notify(a, 0);", { eval: true, workerData: a.buffer });
  const woke = Atomics.wait(a, 0, 0, 5000);
  r.workers = woke !== 'timed-out';
  if (!r.workers) r.problems.push('a worker thread did not signal through shared memory within 5 s');
  r.shared = Atomics.load(a, 1) === 10000;
  if (r.workers && !r.shared) r.problems.push('a worker thread made 10000 atomic increments and ' + Atomics.load(a, 1) + ' were seen');
  await w.terminate();
} catch (e) {
  r.problems.push(String(e && e.message || e));
}
console.log(JSON.stringify({ shm: r }));
`;

/** What each variant needs (async needs none of it). */
const NEEDS: Record<string, (keyof Omit<SharedMemoryCheck, 'problems'>)[]> = {
  async: [],
  sync: ['wait'],
  'sync-batch': ['wait'],
  parallel: ['wait', 'workers', 'shared'],
};

/** Why `variant` cannot run faithfully under `check`, or null. */
export function unsupportedBecause(variant: string, check: SharedMemoryCheck): string | null {
  const missing = (NEEDS[variant] ?? ['wait', 'workers', 'shared']).filter((k) => !check[k]);
  if (missing.length === 0) return null;
  const why = check.problems.length ? check.problems.join('; ') : `missing: ${missing.join(', ')}`;
  return `The ${variant} variant is disabled in this WebContainer: shared memory does not behave here (${why}), so its numbers would come from limits that were not enforced. Run it on the browser Worker.`;
}

/** The check's result from its output (anything unreadable counts as a failed check). */
export function parseSharedMemoryCheck(output: string): SharedMemoryCheck {
  for (const line of output.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{"shm"')) continue;
    try {
      const v = JSON.parse(t).shm;
      return { wait: v.wait === true, workers: v.workers === true, shared: v.shared === true, problems: Array.isArray(v.problems) ? v.problems.map(String) : [] };
    } catch {
      break;
    }
  }
  return { wait: false, workers: false, shared: false, problems: [`the check printed nothing readable${output.trim() ? `: ${output.trim().slice(0, 120)}` : ''}`] };
}

let checked = new WeakMap<ContainerLike, Promise<SharedMemoryCheck>>();

/* ------------------------------ the runner ------------------------------ */

export interface WebContainerRunnerOptions {
  /** The exercises folder as paths -> contents (see buildFileTree), or a ready tree. */
  files: Record<string, string> | FileSystemTree | (() => Promise<FileSystemTree>);
  /** Root of the paths in `files` (default '/content/exercises/'). */
  root?: string;
  /** Boot timeout in ms (default BOOT_TIMEOUT_MS). */
  bootTimeoutMs?: number;
  boot?: BootFn;
  /** Can the runtime's host be reached? Default: a no-cors request to it (defaultReach). */
  reach?: ReachFn;
  /** Default: globalThis.crossOriginIsolated === true. */
  isIsolated?: () => boolean;
  /** Grace after kill (default KILL_GRACE_MS), per-step timeout (STEP_TIMEOUT_MS), drain (DRAIN_MS). */
  killGraceMs?: number;
  stepTimeoutMs?: number;
  drainMs?: number;
}

const isTree = (value: Record<string, unknown>) =>
  Object.values(value).every((v) => typeof v === 'object' && v !== null && ('file' in v || 'directory' in v));

class Aborted extends Error {}
class StepTimeout extends Error {}

const sleep = (ms: number) => new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms));

export class WebContainerRunner implements Runner {
  readonly kind = 'webcontainer' as const;
  private readonly bootTimeoutMs: number;
  private readonly boot: BootFn;
  private readonly reach: ReachFn;
  private readonly isIsolated: () => boolean;
  private readonly killGraceMs: number;
  private readonly stepTimeoutMs: number;
  private readonly drainMs: number;
  private treePromise: Promise<FileSystemTree> | null = null;

  constructor(private readonly options: WebContainerRunnerOptions) {
    this.bootTimeoutMs = options.bootTimeoutMs ?? BOOT_TIMEOUT_MS;
    this.boot = options.boot ?? defaultBoot;
    this.reach = options.reach ?? defaultReach;
    this.isIsolated = options.isIsolated ?? (() => (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true);
    this.killGraceMs = options.killGraceMs ?? KILL_GRACE_MS;
    this.stepTimeoutMs = options.stepTimeoutMs ?? STEP_TIMEOUT_MS;
    this.drainMs = options.drainMs ?? DRAIN_MS;
  }

  private tree(): Promise<FileSystemTree> {
    if (!this.treePromise) {
      const { files, root } = this.options;
      this.treePromise =
        typeof files === 'function'
          ? files()
          : Promise.resolve(isTree(files as Record<string, unknown>) ? (files as FileSystemTree) : buildFileTree(files as Record<string, string>, root));
    }
    return this.treePromise;
  }

  /**
   * The booted container, within the timeout. Rejects at once without isolation, and as soon as
   * the runtime's host proves unreachable (UnreachableError); the boot itself keeps going.
   */
  private container(): Promise<ContainerLike> {
    if (!this.isIsolated()) return Promise.reject(new Error(NOT_ISOLATED_MESSAGE));
    if (booted && brokenBecause !== null) {
      const why = brokenBecause;
      teardownWebContainer();
      return Promise.reject(new Error(`The WebContainer reported an error (${why}) and was shut down; the next run starts a fresh one.`));
    }
    if (booted) return Promise.resolve(booted);
    return new Promise<ContainerLike>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(bootTimeoutMessage(this.bootTimeoutMs))), this.bootTimeoutMs);
      bootOnce(this.boot).then(
        (c) => (clearTimeout(timer), resolve(c)),
        (error) => (clearTimeout(timer), reject(new Error(`The WebContainer could not start: ${messageOf(error)}`))),
      );
      this.reach().then(
        () => {},
        (error) => (clearTimeout(timer), reject(error instanceof UnreachableError ? error : new UnreachableError())),
      );
    });
  }

  async ready(): Promise<void> {
    await this.container();
  }

  /** The boot under way (after ready() gave up on it), or null: a late boot can still be used. */
  pendingBoot(): Promise<void> | null {
    return booting && !booted ? booting.then(() => undefined) : null;
  }

  /** `p`, unless the signal aborts first (Aborted) or it takes longer than a step may (StepTimeout). */
  private async step<T>(p: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
    let onAbort = () => {};
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      return await Promise.race([
        p,
        new Promise<never>((_, reject) => {
          onAbort = () => reject(new Aborted());
          if (signal.aborted) onAbort();
          signal.addEventListener('abort', onAbort, { once: true });
          timer = setTimeout(() => reject(new StepTimeout(what)), this.stepTimeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Kills the process; if it has not exited within the grace, tears the container down. True if it exited. */
  private async stop(proc: ContainerProcess): Promise<boolean> {
    try {
      proc.kill();
    } catch {
      // already gone
    }
    const exited = await Promise.race([proc.exit.then(() => true, () => true), sleep(this.killGraceMs).then(() => false)]);
    if (!exited) teardownWebContainer();
    return exited;
  }

  /** The shared-memory check, once per container. */
  private sharedMemory(container: ContainerLike, signal: AbortSignal): Promise<SharedMemoryCheck> {
    let p = checked.get(container);
    if (!p) {
      p = (async () => {
        await container.fs.writeFile('shm-check.mjs', SHARED_MEMORY_CHECK);
        const proc = await container.spawn('node', ['shm-check.mjs']);
        let out = '';
        const reader = proc.output.getReader();
        const reading = (async () => {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return;
            out += value;
          }
        })();
        await proc.exit;
        await Promise.race([reading, sleep(this.drainMs)]);
        reader.cancel().catch(() => {});
        return parseSharedMemoryCheck(out);
      })();
      checked.set(container, p);
      p.catch(() => checked.delete(container));
    }
    return this.step(p, signal, 'the shared-memory check');
  }

  async *run(job: RunJob, signal: AbortSignal): AsyncGenerator<RunEvent> {
    const runner = this.kind;
    const abortedEvent = (note?: string): RunEvent => ({ type: 'error', message: ABORTED_MESSAGE, aborted: true, runner, ...(note ? { note } : {}) });
    if (signal.aborted) {
      yield abortedEvent();
      return;
    }
    const release = await acquireRunLock(signal);
    if (!release) {
      yield abortedEvent();
      return;
    }
    let proc: ContainerProcess | null = null;
    let exited = false;
    let container: ContainerLike | null = null;
    let handlerPath: string | undefined;
    try {
      try {
        container = await this.step(this.container(), signal, 'starting');
        await this.step(mountOnce(container, await this.tree()), signal, 'mounting the exercises');
        if ((NEEDS[job.variant] ?? ['wait']).length > 0) {
          const why = unsupportedBecause(job.variant, await this.sharedMemory(container, signal));
          if (why) {
            yield { type: 'error', message: why, unsupported: true, runner };
            return;
          }
        }
        if (job.handlerSource !== undefined) {
          handlerPath = `./${job.exercise}/handler.learner.${++runCounter}.js`;
          await this.step(container.fs.writeFile(handlerPath.slice(2), job.handlerSource), signal, 'writing the handler');
        }
        proc = await this.step(container.spawn('node', ['run.js', ...jobArgs(job, handlerPath)]), signal, 'starting node');
      } catch (error) {
        if (error instanceof Aborted) yield abortedEvent();
        else if (error instanceof StepTimeout) {
          teardownWebContainer();
          yield { type: 'error', message: stepTimeoutMessage(error.message), runner };
        } else yield { type: 'error', message: messageOf(error), runner };
        return;
      }

      const reader = proc.output.getReader();
      const parser = createOutputParser(runner);
      const aborted = new Promise<{ kind: 'aborted' }>((resolve) => {
        if (signal.aborted) resolve({ kind: 'aborted' });
        signal.addEventListener('abort', () => resolve({ kind: 'aborted' }), { once: true });
      });
      const exit = proc.exit.then(
        (code) => ({ kind: 'exit' as const, code }),
        () => ({ kind: 'exit' as const, code: 1 }),
      );
      let read = reader.read().then((r) => ({ kind: 'read' as const, r }));
      let code: number | null = null;
      for (;;) {
        const next = await Promise.race([read, exit, aborted]);
        if (next.kind === 'aborted') {
          exited = true;
          reader.cancel().catch(() => {});
          const stopped = await this.stop(proc);
          yield abortedEvent(stopped ? undefined : KILL_NOTE);
          return;
        }
        if (next.kind === 'read') {
          if (next.r.done) break;
          yield* parser.push(next.r.value);
          read = reader.read().then((r) => ({ kind: 'read' as const, r }));
          continue;
        }
        // the process exited: what it printed last may still be on its way
        code = next.code;
        exited = true;
        for (;;) {
          const last = await Promise.race([read, sleep(this.drainMs)]);
          if (last === 'timeout' || last.r.done) break;
          yield* parser.push(last.r.value);
          read = reader.read().then((r) => ({ kind: 'read' as const, r }));
        }
        reader.cancel().catch(() => {});
        break;
      }
      yield* parser.end();
      if (code === null) {
        const settled = await Promise.race([exit, aborted]);
        if (settled.kind === 'aborted') {
          exited = true;
          const stopped = await this.stop(proc);
          yield abortedEvent(stopped ? undefined : KILL_NOTE);
          return;
        }
        code = settled.code;
      }
      exited = true;
      yield { type: 'exit', code, runner };
    } finally {
      // the consumer stopped iterating early (break/return): do not leave the process running
      if (proc && !exited) void this.stop(proc);
      if (container && handlerPath && booted === container) container.fs.rm?.(handlerPath.slice(2), { force: true }).catch(() => {});
      release();
    }
  }
}

export const createWebContainerRunner = (options: WebContainerRunnerOptions) => new WebContainerRunner(options);
