import { describe, expect, it } from 'vitest';
import {
  BACKUP_KEY,
  PROGRESS_KEY,
  type KeyValueStore,
  lessonQuizScore,
  loadProgress,
  parseProgress,
  recordLabLevel,
  recordPrediction,
  recordQuizAnswer,
  setLessonComplete,
  takeRepairNotice,
} from '#lib/progress';

class MapStore implements KeyValueStore {
  m = new Map<string, string>();
  getItem(k: string) {
    return this.m.has(k) ? this.m.get(k)! : null;
  }
  setItem(k: string, v: string) {
    this.m.set(k, v);
  }
}

const at = new Date('2026-11-22T10:00:00Z');

describe('progress store', () => {
  it('starts empty and records a completed lesson and quiz answers', () => {
    const s = new MapStore();
    expect(loadProgress(s)).toEqual({ version: 1, lessons: {}, quizzes: {} });
    setLessonComplete('concurrency-vs-parallelism', true, s, at);
    recordQuizAnswer('concurrency-vs-parallelism/q1', 2, true, s, at);
    recordQuizAnswer('concurrency-vs-parallelism/q2', 0, false, s, at);
    const p = loadProgress(s);
    expect(p.lessons['concurrency-vs-parallelism']).toEqual({ completedAt: at.toISOString() });
    expect(lessonQuizScore(p, 'concurrency-vs-parallelism')).toEqual({ answered: 2, correct: 1 });
    setLessonComplete('concurrency-vs-parallelism', false, s, at);
    expect(loadProgress(s).lessons).toEqual({});
  });

  it('recovers from text that is not JSON without throwing, backs it up, and leaves other keys alone', () => {
    const s = new MapStore();
    s.setItem('someone-else', 'keep me');
    s.setItem(PROGRESS_KEY, '{"version":1,"lessons":{');
    expect(() => loadProgress(s)).not.toThrow();
    expect(loadProgress(s)).toEqual({ version: 1, lessons: {}, quizzes: {} });
    expect(s.getItem('someone-else')).toBe('keep me');
    expect(s.getItem(BACKUP_KEY)).toBe('{"version":1,"lessons":{');
    // the repaired value is now valid JSON, so the next write works
    setLessonComplete('x', true, s, at);
    expect(JSON.parse(s.getItem(PROGRESS_KEY)!).lessons.x.completedAt).toBe(at.toISOString());
  });

  it('keeps the valid entries of a partly corrupted value', () => {
    const raw = JSON.stringify({
      version: 1,
      lessons: { good: { completedAt: at.toISOString() }, bad: { completedAt: 'not a date' }, worse: 7 },
      quizzes: { 'good/q1': { choice: 1, correct: true, at: at.toISOString() }, 'good/q2': { choice: -1, correct: 'yes' } },
    });
    const { progress, repaired } = parseProgress(raw);
    expect(repaired).toBe(true);
    expect(Object.keys(progress.lessons)).toEqual(['good']);
    expect(Object.keys(progress.quizzes)).toEqual(['good/q1']);
  });

  it.each([['null'], ['[]'], ['42'], ['"text"'], ['{"version":1,"lessons":[],"quizzes":"x"}']])(
    'treats %s as empty progress',
    (raw) => {
      const { progress, repaired } = parseProgress(raw);
      expect(progress).toEqual({ version: 1, lessons: {}, quizzes: {} });
      expect(repaired).toBe(true);
    },
  );

  it('migrates the unversioned format', () => {
    const { progress } = parseProgress(JSON.stringify({ completed: ['a', 'b', 3] }));
    expect(Object.keys(progress.lessons).sort()).toEqual(['a', 'b']);
  });

  it('survives a store that throws on every call', () => {
    const broken: KeyValueStore = {
      getItem() {
        throw new Error('SecurityError');
      },
      setItem() {
        throw new Error('QuotaExceededError');
      },
    };
    expect(loadProgress(broken)).toEqual({ version: 1, lessons: {}, quizzes: {} });
    expect(() => setLessonComplete('a', true, broken, at)).not.toThrow();
  });

  it('keeps answered Predict boxes across reads, and drops a malformed one without losing the rest', () => {
    const s = new MapStore();
    recordQuizAnswer('the-event-loop/q1', 2, true, s, at);
    recordPrediction('the-event-loop/timeout', 'start, end, timeout callback', s, at);
    const p = loadProgress(s);
    expect(p.predictions).toEqual({ 'the-event-loop/timeout': { text: 'start, end, timeout callback', at: at.toISOString() } });
    expect(p.quizzes['the-event-loop/q1']).toEqual({ choice: 2, correct: true, at: at.toISOString() });
    const broken = JSON.stringify({ ...p, predictions: { ...p.predictions, 'the-event-loop/x': { text: 3 } } });
    const r = parseProgress(broken);
    expect(r.repaired).toBe(true);
    expect(Object.keys(r.progress.predictions ?? {})).toEqual(['the-event-loop/timeout']);
  });

  it('a repair that dropped something is told once; a clean migration is not told', () => {
    const s = new MapStore();
    s.setItem(
      PROGRESS_KEY,
      JSON.stringify({
        version: 1,
        lessons: { good: { completedAt: at.toISOString() }, bad: 7 },
        quizzes: { 'good/q1': { choice: 1, correct: true, at: at.toISOString() } },
      }),
    );
    loadProgress(s);
    expect(takeRepairNotice(s)).toBe(
      'Your saved progress in this browser was damaged and has been repaired: 1 completed lesson and 1 quiz answer were kept. A copy of the damaged record is kept in this browser’s storage.',
    );
    loadProgress(s);
    expect(takeRepairNotice(s)).toBeNull();

    const cut = new MapStore();
    cut.setItem(PROGRESS_KEY, '{"version":1,"lessons":{"x":');
    loadProgress(cut);
    expect(takeRepairNotice(cut)).toMatch(/nothing in it could be read, so it starts afresh/);

    const old = new MapStore();
    old.setItem(PROGRESS_KEY, JSON.stringify({ completed: ['a'] }));
    expect(Object.keys(loadProgress(old).lessons)).toEqual(['a']);
    expect(takeRepairNotice(old)).toBeNull();
    expect(takeRepairNotice(new MapStore())).toBeNull();
  });
});

describe('progress store: lab levels (labLevels, additive)', () => {
  it('records found then proved, keeping the first date of each, next to the rest', () => {
    const s = new MapStore();
    setLessonComplete('a', true, s, at);
    recordLabLevel('interleavings/threads/counter', 'found', s, at);
    const later = new Date('2026-11-23T10:00:00Z');
    recordLabLevel('interleavings/threads/counter', 'found', s, later);
    recordLabLevel('interleavings/threads/counter', 'proved', s, later);
    const p = loadProgress(s);
    expect(p.labLevels).toEqual({ 'interleavings/threads/counter': { found: at.toISOString(), proved: later.toISOString() } });
    expect(p.lessons.a).toEqual({ completedAt: at.toISOString() });
  });

  it('an older record without labLevels reads as before, with nothing repaired', () => {
    const old = JSON.stringify({ version: 1, lessons: { a: { completedAt: at.toISOString() } }, quizzes: {} });
    expect(parseProgress(old)).toEqual({ progress: { version: 1, lessons: { a: { completedAt: at.toISOString() } }, quizzes: {} }, repaired: false, lost: false });
  });

  it('keeps the readable entries of a damaged labLevels and drops the rest', () => {
    const raw = JSON.stringify({
      version: 1,
      lessons: {},
      quizzes: {},
      labLevels: { good: { found: at.toISOString() }, badDate: { found: 'yesterday', proved: at.toISOString() }, notObject: 3, empty: {} },
    });
    const r = parseProgress(raw);
    expect(r.progress.labLevels).toEqual({ good: { found: at.toISOString() }, badDate: { proved: at.toISOString() } });
    expect(r.repaired).toBe(true);
    expect(parseProgress(JSON.stringify({ version: 1, lessons: {}, quizzes: {}, labLevels: [1] })).progress.labLevels).toBeUndefined();
  });
});
