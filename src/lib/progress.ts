/**
 * Learner progress, kept in localStorage under one versioned key.
 *
 * Shape (version 1):
 *   { version: 1, lessons: { [slug]: { completedAt: ISO string } },
 *     quizzes: { [questionId]: { choice: number, correct: boolean, at: ISO string } },
 *     predictions?: { [predictId]: { text: string, at: ISO string } } }
 * (`predictions`, added later without a version bump, is optional: a Predict box answered, with
 * the learner's own words, so its hidden output stays shown after a reload.)
 *     labLevels?: { [levelKey]: { found?: ISO string, proved?: ISO string } }
 * (`labLevels`, also optional and additive: a lab level's milestones, e.g. the interleavings lab's
 * "found the bug" and "proved the fix", keyed `<lab>/<mode>/<level>`.)
 *
 * Reading never throws. A value that is not JSON, has the wrong shape, or comes from an older
 * version is recovered: every entry that still makes sense is kept, the rest is dropped, and the
 * raw value that could not be read is kept aside under BACKUP_KEY so nothing is lost silently.
 * Only our own key is ever written: unrelated localStorage entries are never touched.
 */

export const PROGRESS_KEY = 'async-lab:progress';
export const BACKUP_KEY = 'async-lab:progress:unreadable';
/** Set when a repair dropped something, until a page has told the learner (once; see takeRepairNotice). */
export const REPAIR_NOTICE_KEY = 'async-lab:progress:repaired';
export const PROGRESS_VERSION = 1;
/** Name of the DOM event fired on `window` after every write, so islands on a page stay in sync. */
export const PROGRESS_EVENT = 'async-lab:progress';

export interface QuizAnswer {
  choice: number;
  correct: boolean;
  at: string;
}

/** A Predict box the learner has answered (`text` may be empty: they chose to see the answer). */
export interface PredictionAnswer {
  text: string;
  at: string;
}

export interface Progress {
  version: typeof PROGRESS_VERSION;
  lessons: Record<string, { completedAt: string }>;
  quizzes: Record<string, QuizAnswer>;
  /** Predict boxes answered, by `<lesson-slug>/<predict id>`. Absent until the first one. */
  predictions?: Record<string, PredictionAnswer>;
  /** Lab levels reached, by `<lab>/<mode>/<level id>`. Absent until the first one. */
  labLevels?: Record<string, LabLevelProgress>;
}

/** When a lab level's milestones were first reached. */
export interface LabLevelProgress {
  found?: string;
  proved?: string;
}

/** The part of the Storage API we use, so tests can pass a Map-backed fake. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem?(key: string): void;
}

export function emptyProgress(): Progress {
  return { version: PROGRESS_VERSION, lessons: {}, quizzes: {} };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isDateString(v: unknown): v is string {
  return typeof v === 'string' && !Number.isNaN(Date.parse(v));
}

/** Result of parsing: the progress, and whether the stored text had to be repaired. */
export interface ParseResult {
  progress: Progress;
  repaired: boolean;
  /**
   * Something stored could not be read and was dropped (not JSON, a wrong shape, a bad entry);
   * false for a clean migration of an older version, which loses nothing.
   */
  lost: boolean;
}

/**
 * Turn stored text into Progress, keeping every valid entry.
 * Version 0 (before versioning) stored `{ completed: string[] }`; it is migrated.
 */
export function parseProgress(raw: string | null): ParseResult {
  if (raw === null) return { progress: emptyProgress(), repaired: false, lost: false };
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return { progress: emptyProgress(), repaired: true, lost: true };
  }
  const out = emptyProgress();
  if (!isRecord(data)) return { progress: out, repaired: true, lost: true };
  let repaired = false;

  // Version 0: { completed: ["slug", ...] }
  if (data.version === undefined && Array.isArray(data.completed)) {
    let lost = false;
    for (const slug of data.completed) {
      if (typeof slug === 'string' && slug) out.lessons[slug] = { completedAt: new Date(0).toISOString() };
      else lost = true;
    }
    return { progress: out, repaired: true, lost };
  }
  if (data.version !== PROGRESS_VERSION) repaired = true;

  if (isRecord(data.lessons)) {
    for (const [slug, v] of Object.entries(data.lessons)) {
      if (isRecord(v) && isDateString(v.completedAt)) out.lessons[slug] = { completedAt: v.completedAt };
      else repaired = true;
    }
  } else if (data.lessons !== undefined) repaired = true;

  if (isRecord(data.quizzes)) {
    for (const [id, v] of Object.entries(data.quizzes)) {
      if (
        isRecord(v) &&
        Number.isInteger(v.choice) &&
        (v.choice as number) >= 0 &&
        typeof v.correct === 'boolean' &&
        isDateString(v.at)
      ) {
        out.quizzes[id] = { choice: v.choice as number, correct: v.correct, at: v.at };
      } else repaired = true;
    }
  } else if (data.quizzes !== undefined) repaired = true;

  if (isRecord(data.predictions)) {
    const predictions: Record<string, PredictionAnswer> = {};
    for (const [id, v] of Object.entries(data.predictions)) {
      if (isRecord(v) && typeof v.text === 'string' && isDateString(v.at)) predictions[id] = { text: v.text, at: v.at };
      else repaired = true;
    }
    out.predictions = predictions;
  } else if (data.predictions !== undefined) repaired = true;

  if (isRecord(data.labLevels)) {
    const levels: Record<string, LabLevelProgress> = {};
    for (const [id, v] of Object.entries(data.labLevels)) {
      if (!isRecord(v)) {
        repaired = true;
        continue;
      }
      const entry: LabLevelProgress = {};
      for (const k of ['found', 'proved'] as const) {
        if (isDateString(v[k])) entry[k] = v[k] as string;
        else if (v[k] !== undefined) repaired = true;
      }
      if (entry.found || entry.proved) levels[id] = entry;
      else repaired = true;
    }
    out.labLevels = levels;
  } else if (data.labLevels !== undefined) repaired = true;

  return { progress: out, repaired, lost: repaired };
}

function defaultStore(): KeyValueStore | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // access denied (privacy mode, sandboxed iframe)
  }
}

/** Read progress; never throws. An unreadable value is backed up before it is replaced. */
export function loadProgress(store: KeyValueStore | null = defaultStore()): Progress {
  if (!store) return emptyProgress();
  let raw: string | null = null;
  try {
    raw = store.getItem(PROGRESS_KEY);
  } catch {
    return emptyProgress();
  }
  const { progress, repaired, lost } = parseProgress(raw);
  if (repaired && raw !== null) {
    try {
      store.setItem(BACKUP_KEY, raw);
      store.setItem(PROGRESS_KEY, JSON.stringify(progress));
      if (lost) {
        const kept = { lessons: Object.keys(progress.lessons).length, quizzes: Object.keys(progress.quizzes).length };
        store.setItem(REPAIR_NOTICE_KEY, JSON.stringify(kept));
      }
    } catch {
      /* quota or access: keep going with what we have */
    }
  }
  return progress;
}

/**
 * The one-time line for a repaired progress record: the text once after a repair that dropped
 * something (the flag is then cleared, so the next page says nothing), else null. Call after
 * `loadProgress` (which repairs).
 */
export function takeRepairNotice(store: KeyValueStore | null = defaultStore()): string | null {
  if (!store) return null;
  let raw: string | null;
  try {
    raw = store.getItem(REPAIR_NOTICE_KEY);
    if (raw === null) return null;
    if (store.removeItem) store.removeItem(REPAIR_NOTICE_KEY);
    else store.setItem(REPAIR_NOTICE_KEY, '');
  } catch {
    return null;
  }
  if (!raw) return null;
  let kept: { lessons?: unknown; quizzes?: unknown } = {};
  try {
    const data: unknown = JSON.parse(raw);
    if (isRecord(data)) kept = data;
  } catch {
    /* the flag alone is enough to say so */
  }
  const n = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null);
  const lessons = n(kept.lessons);
  const quizzes = n(kept.quizzes);
  const plural = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  const keptText =
    lessons === null || quizzes === null
      ? 'what could be read was kept'
      : lessons + quizzes === 0
        ? 'nothing in it could be read, so it starts afresh'
        : `${plural(lessons, 'completed lesson', 'completed lessons')} and ${plural(quizzes, 'quiz answer', 'quiz answers')} were kept`;
  return `Your saved progress in this browser was damaged and has been repaired: ${keptText}. A copy of the damaged record is kept in this browser’s storage.`;
}

function save(progress: Progress, store: KeyValueStore | null): void {
  if (store) {
    try {
      store.setItem(PROGRESS_KEY, JSON.stringify(progress));
    } catch {
      /* storage full or denied: progress stays in memory for this page */
    }
  }
  if (typeof window !== 'undefined' && typeof CustomEvent !== 'undefined') {
    window.dispatchEvent(new CustomEvent(PROGRESS_EVENT, { detail: progress }));
  }
}

/** Apply a change to the stored progress (read, change, write) and return the new value. */
export function updateProgress(
  change: (p: Progress) => void,
  store: KeyValueStore | null = defaultStore(),
): Progress {
  const p = loadProgress(store);
  change(p);
  save(p, store);
  return p;
}

export function setLessonComplete(slug: string, done: boolean, store = defaultStore(), now = new Date()): Progress {
  return updateProgress((p) => {
    if (done) p.lessons[slug] = { completedAt: now.toISOString() };
    else delete p.lessons[slug];
  }, store);
}

export function recordQuizAnswer(
  questionId: string,
  choice: number,
  correct: boolean,
  store = defaultStore(),
  now = new Date(),
): Progress {
  return updateProgress((p) => {
    p.quizzes[questionId] = { choice, correct, at: now.toISOString() };
  }, store);
}

/** Record that the learner answered a Predict box (`text`: their prediction, possibly empty). */
export function recordPrediction(predictId: string, text: string, store = defaultStore(), now = new Date()): Progress {
  return updateProgress((p) => {
    (p.predictions ??= {})[predictId] = { text, at: now.toISOString() };
  }, store);
}

/** Record a lab level's milestone (kept at its first date: reaching it again changes nothing). */
export function recordLabLevel(key: string, milestone: keyof LabLevelProgress, store = defaultStore(), now = new Date()): Progress {
  return updateProgress((p) => {
    const levels = (p.labLevels ??= {});
    const entry = (levels[key] ??= {});
    entry[milestone] ??= now.toISOString();
  }, store);
}

/** Quiz question ids of one lesson share the prefix `<lessonSlug>/`. */
export function lessonQuizScore(p: Progress, lessonSlug: string): { answered: number; correct: number } {
  let answered = 0;
  let correct = 0;
  for (const [id, a] of Object.entries(p.quizzes)) {
    if (!id.startsWith(`${lessonSlug}/`)) continue;
    answered++;
    if (a.correct) correct++;
  }
  return { answered, correct };
}

/**
 * The home page's progress line: empty until there is progress, and only the parts that have some
 * (no "0 of 0 quiz answers correct").
 */
export function progressSummary(p: { done: number; total: number; correct: number; answered: number }): string {
  const parts: string[] = [];
  if (p.done > 0) parts.push(`${p.done} of ${p.total} available ${p.total === 1 ? 'lesson' : 'lessons'} completed`);
  if (p.answered > 0) parts.push(`${p.correct} of ${p.answered} quiz ${p.answered === 1 ? 'answer' : 'answers'} correct`);
  return parts.length > 0 ? `Your progress: ${parts.join(', ')}.` : '';
}

/**
 * The line under a completed lesson. Version-0 progress has no completion date (it is migrated
 * with the epoch as a placeholder): a missing, unreadable or placeholder date is left out rather
 * than shown as "1/1/1970".
 */
export function completedText(completedAt: string | undefined, formatDate: (d: Date) => string = (d) => d.toLocaleDateString()): string {
  const t = completedAt ? Date.parse(completedAt) : Number.NaN;
  const real = Number.isFinite(t) && new Date(t).getUTCFullYear() >= 2000;
  return real ? `You completed this lesson on ${formatDate(new Date(t))}.` : 'You completed this lesson.';
}
