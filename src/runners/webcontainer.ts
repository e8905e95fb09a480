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

export const BOOT_TIMEOUT_MS = 15_000;

export const NOT_ISOLATED_MESSAGE =
  'The WebContainer needs a cross-origin isolated page (Cross-Origin-Opener-Policy and Cross-Origin-Embedder-Policy headers), and this page is not.';

export const bootTimeoutMessage = (ms: number) =>
  `The WebContainer did not start within ${Math.round(ms / 100) / 10} s (it needs the network to load its runtime).`;

/** What we use of a WebContainerProcess. */
export interface ContainerProcess {
  output: ReadableStream<string>;
  exit: Promise<number>;
  kill(): void;
}

/** What we use of a WebContainer (the real one satisfies it). */
export interface ContainerLike {
  mount(tree: FileSystemTree): Promise<void>;
  fs: { writeFile(path: string, data: string): Promise<void> };
  spawn(command: string, args: string[]): Promise<ContainerProcess>;
  teardown(): void;
}

export type BootFn = () => Promise<ContainerLike>;

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

/** The page's container, booting it on the first call. */
export function bootOnce(boot: BootFn = defaultBoot): Promise<ContainerLike> {
  if (!booting) {
    const attempt: Promise<ContainerLike> = boot().then(
      (container) => {
        booted = container;
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

/** Tears the page's container down (if it booted); the next bootOnce boots again. */
export function teardownWebContainer(): void {
  const container = booted;
  booted = null;
  booting = null;
  mounted = new WeakMap();
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
  mounted = new WeakMap();
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

/* ------------------------------ the runner ------------------------------ */

export interface WebContainerRunnerOptions {
  /** The exercises folder as paths -> contents (see buildFileTree), or a ready tree. */
  files: Record<string, string> | FileSystemTree | (() => Promise<FileSystemTree>);
  /** Root of the paths in `files` (default '/content/exercises/'). */
  root?: string;
  /** Boot timeout in ms (default BOOT_TIMEOUT_MS). */
  bootTimeoutMs?: number;
  boot?: BootFn;
  /** Default: globalThis.crossOriginIsolated === true. */
  isIsolated?: () => boolean;
}

const isTree = (value: Record<string, unknown>) =>
  Object.values(value).every((v) => typeof v === 'object' && v !== null && ('file' in v || 'directory' in v));

export class WebContainerRunner implements Runner {
  readonly kind = 'webcontainer' as const;
  private readonly bootTimeoutMs: number;
  private readonly boot: BootFn;
  private readonly isIsolated: () => boolean;
  private treePromise: Promise<FileSystemTree> | null = null;

  constructor(private readonly options: WebContainerRunnerOptions) {
    this.bootTimeoutMs = options.bootTimeoutMs ?? BOOT_TIMEOUT_MS;
    this.boot = options.boot ?? defaultBoot;
    this.isIsolated = options.isIsolated ?? (() => (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true);
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

  /** The booted container, within the timeout. */
  private container(): Promise<ContainerLike> {
    if (!this.isIsolated()) return Promise.reject(new Error(NOT_ISOLATED_MESSAGE));
    return new Promise<ContainerLike>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(bootTimeoutMessage(this.bootTimeoutMs))), this.bootTimeoutMs);
      bootOnce(this.boot).then(
        (c) => (clearTimeout(timer), resolve(c)),
        (error) => (clearTimeout(timer), reject(new Error(`The WebContainer could not start: ${messageOf(error)}`))),
      );
    });
  }

  async ready(): Promise<void> {
    await this.container();
  }

  async *run(job: RunJob, signal: AbortSignal): AsyncGenerator<RunEvent> {
    const runner = this.kind;
    let proc: ContainerProcess | null = null;
    let exited = false;
    try {
      if (signal.aborted) {
        yield { type: 'error', message: ABORTED_MESSAGE, aborted: true, runner };
        return;
      }
      let handlerPath: string | undefined;
      try {
        const container = await this.container();
        await mountOnce(container, await this.tree());
        if (job.handlerSource !== undefined) {
          handlerPath = `./${job.exercise}/handler.learner.js`;
          await container.fs.writeFile(handlerPath.slice(2), job.handlerSource);
        }
        if (signal.aborted) {
          yield { type: 'error', message: ABORTED_MESSAGE, aborted: true, runner };
          return;
        }
        proc = await container.spawn('node', ['run.js', ...jobArgs(job, handlerPath)]);
      } catch (error) {
        yield { type: 'error', message: messageOf(error), runner };
        return;
      }

      const reader = proc.output.getReader();
      const parser = createOutputParser(runner);
      const aborted = new Promise<'aborted'>((resolve) => {
        if (signal.aborted) resolve('aborted');
        signal.addEventListener('abort', () => resolve('aborted'), { once: true });
      });
      for (;;) {
        const next = await Promise.race([reader.read(), aborted]);
        if (next === 'aborted') {
          proc.kill();
          exited = true;
          reader.cancel().catch(() => {});
          yield { type: 'error', message: ABORTED_MESSAGE, aborted: true, runner };
          return;
        }
        if (next.done) break;
        yield* parser.push(next.value);
      }
      yield* parser.end();
      const code = await proc.exit;
      exited = true;
      yield { type: 'exit', code, runner };
    } finally {
      // the consumer stopped iterating early (break/return): do not leave the process running
      if (proc && !exited) proc.kill();
    }
  }
}

export const createWebContainerRunner = (options: WebContainerRunnerOptions) => new WebContainerRunner(options);
