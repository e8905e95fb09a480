/**
 * A lab's program as a file: what "Download program" writes when the program is too large for a
 * link (MAX_LINK_QUERY in urlState.ts), and what "Open a file…" reads back. Pure functions, so the
 * format and its validation are unit-tested; the session does the Blob and the FileReader.
 *
 * The file is the program itself, runnable JavaScript, after a header of line comments naming the
 * lab, the lab instance and page, and the settings the program ran with (the link's fields, as a
 * query string), ended by a line `// ----`. Reading takes the header when it is there and strips
 * it; a plain .js file without one is taken whole as the program.
 */

/** The largest program file "Open a file…" takes (the labs' own limits on what they run still apply). */
export const MAX_PROGRAM_FILE_BYTES = 200 * 1024;

const FIRST = '// Under the Await: a program for the ';
const SETTINGS = '// settings: ';
const END = '// ----';

export interface ProgramFileInfo {
  /** Registry id of the lab (`event-loop`). */
  labId: string;
  /** The lab instance (its URL namespace). */
  ns: string;
  /** The page it came from (`/labs/event-loop/`). */
  page: string;
  /** The preset the program started from, if any. */
  preset?: string;
  /** The lab's other settings as link fields (`preset=...&seed=4`), without the program. */
  settings: string;
}

/** Name for the downloaded file: `event-loop-loop.js`. */
export function programFileName(info: Pick<ProgramFileInfo, 'labId' | 'ns'>): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, '-');
  return `${safe(info.labId)}${info.ns && info.ns !== info.labId ? `-${safe(info.ns)}` : ''}.js`;
}

/** The file's text: the header comment, then the program unchanged. */
export function programFileText(info: ProgramFileInfo, code: string): string {
  const lines = [
    `${FIRST}${info.labId} lab (instance "${info.ns}" on ${info.page}).`,
    `// preset: ${info.preset ?? '(none: the lesson’s own code)'}`,
    `${SETTINGS}${info.settings}`,
    '// Load it back with "Open a file…" (under Copy link) in that lab. Everything below the next line is the program.',
    END,
  ];
  return `${lines.join('\n')}\n${code}`;
}

export type ProgramFileReading =
  | { ok: true; code: string; labId: string | null; settings: string | null }
  | { ok: false; message: string };

/**
 * Checks and reads a file's bytes: at most MAX_PROGRAM_FILE_BYTES, UTF-8 text without NUL bytes
 * (so an image or a zip is refused with a sentence, not loaded as a program), header stripped.
 */
export function readProgramFile(
  name: string,
  bytes: Uint8Array,
  maxBytes = MAX_PROGRAM_FILE_BYTES,
  /** The file's size, when `bytes` holds only its start (a huge file is not read whole to refuse it). */
  size = bytes.length,
): ProgramFileReading {
  const label = name ? `“${name}”` : 'This file';
  if (size > maxBytes) {
    return { ok: false, message: `${label} is ${kb(size)}; the lab opens program files up to ${kb(maxBytes)}.` };
  }
  if (size === 0) return { ok: false, message: `${label} is empty; there is no program in it.` };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, message: `${label} is not a text file (it is not UTF-8 text); open a .js file with the program.` };
  }
  if (text.includes('\u0000')) {
    return { ok: false, message: `${label} is not a text file (it holds binary data); open a .js file with the program.` };
  }
  text = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  if (!text.startsWith(FIRST)) return { ok: true, code: text, labId: null, settings: null };
  const lines = text.split('\n');
  const end = lines.indexOf(END);
  if (end < 0) return { ok: true, code: text, labId: null, settings: null };
  const labId = /^[A-Za-z0-9_-]+/.exec(lines[0].slice(FIRST.length))?.[0] ?? null;
  const settingsLine = lines.slice(0, end).find((l) => l.startsWith(SETTINGS));
  return { ok: true, code: lines.slice(end + 1).join('\n'), labId, settings: settingsLine ? settingsLine.slice(SETTINGS.length).trim() : null };
}

/** `38.1 KB` (of 1,024 bytes), `812 bytes`. */
export function kb(bytes: number): string {
  return bytes < 1024 ? `${bytes.toLocaleString('en')} bytes` : `${(bytes / 1024).toLocaleString('en', { maximumFractionDigits: 1 })} KB`;
}
