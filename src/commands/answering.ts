import type { CommandContext } from '../cli/context.js';
import { textFor } from '../lab/engine-text.js';
import { connectClients, studentStore, writeProgress } from './shared.js';
import { EngineUnreachableError, UsageError } from '../errors.js';
import type { Exercise } from '../lab/schema.js';
import { both, pick, type Localized } from '../lab/text.js';
import type { Outcome, ProbeClients } from '../probes/types.js';
import type { StoredAnswer } from '../progress/store.js';
import { evaluateQuestion, parseAnswer } from '../questions/evaluate.js';
import type { Question } from '../questions/schema.js';

export interface Judged {
  outcome: Outcome;
  /** The stored form of the answer. */
  answer: string;
  /** The earlier answer, right, that this wrong one replaced. */
  replacedRight?: string;
  /** Said after the verdict (e.g. that a right answer was replaced). */
  note?: Localized;
}

/** Only engine-derived questions need the engine: the others are judged without connecting. */
export function needsEngine(questions: Question[]): boolean {
  return questions.some((question) => question.kind === 'engine');
}

const OFFLINE = new Proxy({}, {
  get() {
    throw new Error('this question does not use the engine');
  },
}) as ProbeClients['engine'];

export async function clientsFor(context: CommandContext, questions: Question[]): Promise<ProbeClients> {
  if (needsEngine(questions)) return connectClients(context);
  return { engine: OFFLINE, registry: OFFLINE as never, workdir: context.workdir, files: OFFLINE as never, processes: OFFLINE as never };
}

/**
 * Clients for a quiz: the engine is reached only when the first engine-derived question needs it, so the other
 * questions can be answered while the engine is down. Null once the engine proved unreachable.
 */
export function lazyClients(context: CommandContext): (question: Question) => Promise<ProbeClients | null> {
  let engine: Promise<ProbeClients | null> | undefined;
  return async (question) => {
    if (question.kind !== 'engine') return clientsFor(context, [question]);
    engine ??= connectClients(context).catch((error: unknown) => {
      if (!(error instanceof EngineUnreachableError)) throw error;
      context.err(`tp7: ${pick(error.text, context.lang)}`);
      return null;
    });
    return engine;
  };
}

/** Earlier answers kept per question: enough to see every attempt of a session, bounded so the file stays small. */
const MAX_EARLIER_ANSWERS = 50;

/**
 * Validates, judges and stores one answer. The last answer given is the one that counts (a student may correct
 * themselves, and trying every choice until one passes must not pay); the earlier ones stay in `history`, and a
 * wrong answer that replaces a right one says so.
 */
export async function recordAnswer(context: CommandContext, exercise: Exercise, question: Question, raw: string, clients: ProbeClients): Promise<Judged> {
  const parsed = parseAnswer(question, raw);
  if ('problem' in parsed) throw new UsageError(both(`${question.id} : ${parsed.problem.fr}`, `${question.id}: ${parsed.problem.en}`));
  const outcome = await evaluateQuestion(question, parsed.answer, clients, exercise.id);
  let previous: StoredAnswer | undefined;
  writeProgress(context, (progress) => {
    const answers = (progress.answers[exercise.id] ??= {});
    previous = answers[question.id];
    const history = previous ? [...(previous.history ?? []), { answer: previous.answer, at: previous.at, ...(previous.status ? { status: previous.status } : {}) }] : [];
    answers[question.id] = {
      answer: parsed.answer,
      at: new Date().toISOString(),
      status: outcome.status,
      ...(history.length ? { history: history.slice(-MAX_EARLIER_ANSWERS) } : {}),
    };
  });
  const judged: Judged = { outcome, answer: parsed.answer };
  if (outcome.status !== 'pass' && previous && previous.answer !== parsed.answer) {
    // Judged again now: an engine-derived answer depends on the engine as it is, not as it was.
    const before = await evaluateQuestion(question, previous.answer, clients, exercise.id);
    if (before.status === 'pass') {
      judged.replacedRight = previous.answer;
      judged.note = replacedRightNote(exercise.id, question.id, previous.answer);
    }
  }
  return judged;
}

export function findQuestion(exercise: Exercise, id: string | undefined): Question {
  const question = exercise.questions.find((candidate) => candidate.id === id);
  if (!question) {
    const ids = exercise.questions.map((q) => q.id).join(', ');
    throw new UsageError(both(`pas de question « ${id ?? ''} » dans ${exercise.id} ; ses questions : ${ids}`, `no question "${id ?? ''}" in ${exercise.id}; its questions: ${ids}`));
  }
  return question;
}

/** The verdict line and, once answered, the explanation (in its form for the student's engine, when it has one). */
export async function verdictText(context: CommandContext, question: Question, judged: Judged, clients: ProbeClients): Promise<string> {
  const verdict = pick(judged.outcome.message, context.lang);
  let explanation = '';
  if (judged.outcome.status === 'pass') {
    const store = question.explanation.containerd ? await studentStore(question.kind === 'engine' ? clients : undefined) : undefined;
    explanation = `\n${pick(textFor(question.explanation, store), context.lang)}`;
  }
  return `${verdict}${explanation}${judged.note ? `\n${pick(judged.note, context.lang)}` : ''}`;
}

/** Said when a wrong answer replaces a right one: the last answer counts, the earlier one is kept in history. */
function replacedRightNote(exerciseId: string, questionId: string, previous: string): Localized {
  return both(
    `Attention : votre réponse précédente (« ${previous} ») était juste. C'est la dernière réponse qui compte ; la précédente reste dans l'historique (.tp7/progress.json). Pour la rétablir : tp7 answer ${exerciseId} ${questionId} -- ${previous}`,
    `Note: your previous answer ("${previous}") was right. The last answer is the one that counts; the earlier one stays in the history (.tp7/progress.json). To restore it: tp7 answer ${exerciseId} ${questionId} -- ${previous}`,
  );
}
