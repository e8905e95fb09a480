/**
 * The exercise CLI's output, from chunks of text to typed events.
 *
 *   for await (const event of parseOutput(chunks, 'webcontainer')) ...
 *
 * The CLI prints one JSON object per line: a request {"i","start","end","latency","ok",...}, the
 * final {"summary":{...}}, {"progress":{"done","errors","of"}} during the load, or
 * {"fatal":{"message","usage"}}. Everything else (stderr, the
 * handler's console.log, terminal noise) becomes a `line` event, never a crash. Chunks may end
 * in the middle of a line (a WebContainer's terminal splits wherever it likes) and a terminal ends
 * lines with \r\n; the last line may have no newline at all.
 */
import type { RunEvent, RunnerKind } from './runner';

/** Terminal escape sequences (colours, cursor moves) a pseudo-terminal may add. */
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** One complete line (without its newline) as an event; null for a blank line. */
export function parseLine(raw: string, runner: RunnerKind): RunEvent | null {
  const text = raw.replace(ANSI, '').replace(/\r+$/, '').replace(/^\r+/, '');
  if (text.trim() === '') return null;
  const trimmed = text.trim();
  if (trimmed.startsWith('{') && trimmed.endsWith('}')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      value = undefined;
    }
    if (isObject(value)) {
      if (isObject(value.summary)) return { ...(value.summary as object), type: 'summary', runner } as RunEvent;
      if (isObject(value.fatal) && typeof value.fatal.message === 'string') {
        return { type: 'error', message: value.fatal.message, usage: value.fatal.usage === true, runner };
      }
      if (isObject(value.progress) && typeof value.progress.done === 'number') {
        const { done, errors, of } = value.progress;
        return { type: 'progress', done, errors: typeof errors === 'number' ? errors : 0, of: typeof of === 'number' ? of : null, runner };
      }
      if (typeof value.i === 'number' && typeof value.ok === 'boolean') return { ...value, type: 'request', runner } as RunEvent;
    }
  }
  return { type: 'line', text, runner };
}

/** Splits chunked text into complete lines, keeping the unfinished tail for the next chunk. */
export class LineSplitter {
  private tail = '';

  /** The lines completed by this chunk. */
  push(chunk: string): string[] {
    const text = this.tail + chunk;
    const parts = text.split('\n');
    this.tail = parts.pop() ?? '';
    return parts;
  }

  /** The unfinished last line, if any (call when the stream ends). */
  flush(): string[] {
    const rest = this.tail;
    this.tail = '';
    return rest === '' ? [] : [rest];
  }
}

/** Events of one chunk, keeping state between chunks; `end()` gives those of the last line. */
export function createOutputParser(runner: RunnerKind) {
  const splitter = new LineSplitter();
  const toEvents = (lines: string[]) => lines.map((line) => parseLine(line, runner)).filter((e): e is RunEvent => e !== null);
  return {
    push: (chunk: string): RunEvent[] => toEvents(splitter.push(chunk)),
    end: (): RunEvent[] => toEvents(splitter.flush()),
  };
}

/** Parses a whole stream of chunks. */
export async function* parseOutput(chunks: AsyncIterable<string> | Iterable<string>, runner: RunnerKind): AsyncGenerator<RunEvent> {
  const parser = createOutputParser(runner);
  for await (const chunk of chunks) yield* parser.push(chunk);
  yield* parser.end();
}
