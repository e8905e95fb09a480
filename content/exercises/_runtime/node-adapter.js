/**
 * Node platform adapter: the only runtime file that touches Node APIs (fs, path, url, process,
 * os, worker_threads) besides node-worker.js. `node run.js ...` calls main(); browser-adapter.js
 * is the same for a browser Worker, around the same runExercise (harness.js).
 */
import { readFileSync, existsSync, statSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { resolve, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { runExercise } from './harness.js';
import { UsageError, parseArgs, resolveParams, usage } from './params.js';
import { loadHandlerModule, loadSetup } from './registry.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The exercise folders (those with an exercise.json), by slug. */
export function listExercises() {
  return readdirSync(root)
    .filter((name) => !name.startsWith('_') && existsSync(join(root, name, 'exercise.json')))
    .sort();
}

export function loadExercise(slug) {
  const known = listExercises();
  if (!slug) throw new UsageError(`--exercise is required: one of ${known.join(', ')}`);
  if (!known.includes(slug)) throw new UsageError(`no exercise "${slug}": choose one of ${known.join(', ')}`);
  return { dir: join(root, slug), exercise: JSON.parse(readFileSync(join(root, slug, 'exercise.json'), 'utf8')) };
}

function spawnWorker() {
  const worker = new Worker(new URL('./node-worker.js', import.meta.url));
  return {
    post: (message) => worker.postMessage(message),
    onMessage: (fn) => worker.on('message', fn),
    onError: (fn) => {
      worker.on('error', fn);
      // a handler that calls process.exit() ends its thread: its requests must not wait forever
      worker.on('exit', (code) => fn(new Error(`the thread exited (code ${code})`)));
    },
    terminate: () => worker.terminate(),
  };
}

function print(line) {
  process.stdout.write(JSON.stringify(line) + '\n');
}

function exit(code) {
  // Let stdout drain (it may be a pipe to a WebContainer or a test), then stop whatever the
  // handler left running (timers, intervals).
  process.stdout.write('', () => process.exit(code));
}

export async function main(argv) {
  // If the event loop runs dry before the summary (a handler awaited something that can never
  // settle, with --timeout-ms 0), Node would exit silently with code 0. Say what happened instead.
  let finished = false;
  process.on('beforeExit', () => {
    if (finished) return;
    finished = true;
    print({ fatal: { message: 'the run stopped with requests still pending: nothing was left that could settle them (a handler awaiting a promise that never settles, with --timeout-ms 0?)', usage: false } });
    exit(1);
  });
  let args;
  try {
    args = parseArgs(argv);
    if (args.help) {
      finished = true;
      process.stdout.write(usage() + '\n');
      return exit(0);
    }
    const { exercise } = loadExercise(args.exercise);
    if (!args.variant) throw new UsageError(`--variant is required: one of ${exercise.variants.join(', ')}`);
    const params = resolveParams(exercise, args);

    const handlerName = args.handler ?? 'solution';
    let handlerSpec;
    if (handlerName === 'solution' || handlerName === 'starter') {
      handlerSpec = { builtin: handlerName };
    } else {
      const handlerPath = resolve(process.cwd(), handlerName);
      if (!existsSync(handlerPath) || !statSync(handlerPath).isFile()) throw new UsageError(`no handler file at ${handlerPath}`);
      handlerSpec = { url: pathToFileURL(handlerPath).href };
    }
    const handlerModule = await loadHandlerModule(exercise.slug, handlerSpec);
    const setup = await loadSetup(exercise.slug);

    await runExercise({
      exercise,
      variant: args.variant,
      params,
      setup,
      handlerModule,
      handlerSpec,
      handlerName,
      platform: {
        spawnWorker,
        runtime: `node ${process.version}`,
        // WebContainers emulate Node: stay defensive about what exists there
        cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length,
        cpuTimeMs:
          typeof process.cpuUsage === 'function'
            ? () => {
                const { user, system } = process.cpuUsage();
                return (user + system) / 1000;
              }
            : undefined,
      },
      emit: print,
      quiet: !!args.quiet,
    });
    finished = true;
    return exit(0);
  } catch (error) {
    finished = true;
    const usageError = error instanceof UsageError;
    const message = error instanceof Error ? error.message : String(error);
    print({ fatal: { message, usage: usageError } });
    process.stderr.write(`${usageError ? 'usage error' : 'error'}: ${message}\n${usageError ? "run 'node run.js --help' for the options\n" : ''}`);
    return exit(usageError ? 2 : 1);
  }
}
