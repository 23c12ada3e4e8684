import type { CommandContext } from '../cli/context.js';
import { connectClients, writeProgress } from './shared.js';
import { EngineUnreachableError, UsageError } from '../errors.js';
import type { Exercise } from '../lab/schema.js';
import { both, pick } from '../lab/text.js';
import type { Outcome, ProbeClients } from '../probes/types.js';
import { evaluateQuestion, parseAnswer } from '../questions/evaluate.js';
import type { Question } from '../questions/schema.js';

export interface Judged {
  outcome: Outcome;
  /** The stored form of the answer. */
  answer: string;
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

/** Validates, judges and stores one answer (right or wrong: the student's last answer is what counts). */
export async function recordAnswer(context: CommandContext, exercise: Exercise, question: Question, raw: string, clients: ProbeClients): Promise<Judged> {
  const parsed = parseAnswer(question, raw);
  if ('problem' in parsed) throw new UsageError(both(`${question.id} : ${parsed.problem.fr}`, `${question.id}: ${parsed.problem.en}`));
  const outcome = await evaluateQuestion(question, parsed.answer, clients, exercise.id);
  writeProgress(context, (progress) => {
    (progress.answers[exercise.id] ??= {})[question.id] = { answer: parsed.answer, at: new Date().toISOString() };
  });
  return { outcome, answer: parsed.answer };
}

export function findQuestion(exercise: Exercise, id: string | undefined): Question {
  const question = exercise.questions.find((candidate) => candidate.id === id);
  if (!question) {
    const ids = exercise.questions.map((q) => q.id).join(', ');
    throw new UsageError(both(`pas de question « ${id ?? ''} » dans ${exercise.id} ; ses questions : ${ids}`, `no question "${id ?? ''}" in ${exercise.id}; its questions: ${ids}`));
  }
  return question;
}

/** The verdict line and, once answered, the explanation. */
export function verdictText(context: CommandContext, question: Question, judged: Judged): string {
  const verdict = pick(judged.outcome.message, context.lang);
  const explanation = judged.outcome.status === 'pass' ? `\n${pick(question.explanation, context.lang)}` : '';
  return `${verdict}${explanation}`;
}
