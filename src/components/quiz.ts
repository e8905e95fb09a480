/** A quiz question as written in a lesson's MDX. */
export interface QuizQuestion {
  /** Stable id within the lesson ("q1"); progress is stored under `<lesson-slug>/<id>`. */
  id: string;
  /** The question. `code` spans in backticks are rendered as code. */
  prompt: string;
  /** Two to five answer choices. */
  choices: string[];
  /** Index of the correct choice. */
  answer: number;
  /** Why the answer is right, shown after answering. */
  explain: string;
}

/** Split text on backticks into plain and code parts (for prompts and choices). */
export function codeSpans(text: string): { code: boolean; text: string }[] {
  return text.split('`').map((part, i) => ({ code: i % 2 === 1, text: part })).filter((p) => p.text !== '');
}

/** Check a quiz definition at build time so a typo fails loudly, not silently. */
export function validateQuiz(questions: QuizQuestion[]): void {
  const ids = new Set<string>();
  for (const q of questions) {
    if (ids.has(q.id)) throw new Error(`Quiz: question id "${q.id}" is used twice`);
    ids.add(q.id);
    if (q.choices.length < 2 || q.choices.length > 5) throw new Error(`Quiz ${q.id}: needs 2-5 choices`);
    if (!Number.isInteger(q.answer) || q.answer < 0 || q.answer >= q.choices.length) {
      throw new Error(`Quiz ${q.id}: answer ${q.answer} is not one of the choices`);
    }
  }
  if (questions.length < 1) throw new Error('Quiz: no questions');
}
