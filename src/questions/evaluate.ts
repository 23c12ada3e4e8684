import { oneLineText, Tp7Error } from '../errors.js';
import { factKind } from '../facts/index.js';
import type { Fact } from '../facts/types.js';
import { both, type Localized } from '../lab/text.js';
import { outcome, type Outcome, type ProbeClients } from '../probes/types.js';
import { answerFormatProblem, matchesFact } from './match.js';
import { normaliseText } from './normalise.js';
import type { Question } from './schema.js';

/** Turns what the student typed into the stored form: choice ids for choice questions, text otherwise. */
export function parseAnswer(question: Question, raw: string): { answer: string } | { problem: Localized } {
  if (question.kind !== 'single-choice' && question.kind !== 'multiple-choice') {
    return raw.trim() ? { answer: raw.trim() } : { problem: both('la réponse est vide', 'the answer is empty') };
  }
  const ids = question.choices.map((choice) => choice.id);
  // A choice may also be named by its text, as the student reads it in either language ("light" for choice a).
  const byText = new Map(question.choices.flatMap((choice) => [choice.text.fr, choice.text.en].map((text) => [normaliseChoice(text), choice.id] as const)));
  const whole = byText.get(normaliseChoice(raw));
  if (whole) return { answer: whole };
  const picked = raw
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((token) => (/^[0-9]+$/.test(token) && !ids.includes(token) ? ids[Number(token) - 1] ?? token : byText.get(normaliseChoice(token)) ?? token.toLowerCase()));
  const unknown = picked.filter((token) => !ids.includes(token));
  if (unknown.length || !picked.length) return { problem: both(`choisissez parmi : ${ids.join(', ')}`, `choose among: ${ids.join(', ')}`) };
  if (question.kind === 'single-choice' && picked.length > 1) return { problem: both('choisissez-en exactement une', 'choose exactly one') };
  return { answer: [...new Set(picked)].sort().join(',') };
}

/** A choice's text compared without case, surrounding quotes or final punctuation. */
function normaliseChoice(text: string): string {
  return text.trim().replace(/^["'«\s]+|["'»\s.!]+$/g, '').replace(/\s+/g, ' ').toLowerCase();
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().join(',') === [...b].sort().join(',');
}

type EngineQuestion = Extract<Question, { kind: 'engine' }>;

/**
 * An engine-derived answer against the value read from the engine: true when the matcher accepts it, the reasoning
 * of the other defensible answer it gives (alsoAccept), or false.
 */
export function judgeAgainstFact(question: EngineQuestion, answer: string, fact: Pick<Fact, 'synonyms' | 'alsoRight'> & { value: NonNullable<Fact['value']> }): boolean | Localized {
  if ([fact.value, ...(fact.synonyms ?? [])].some((name) => matchesFact(question.match, answer, name))) return true;
  const others = [...(fact.alsoRight ?? []).map(({ value, because }) => ({ answer: value, because })), ...question.alsoAccept];
  return others.find((other) => matchesFact(question.match, answer, other.answer))?.because ?? false;
}

/** Judges a stored answer. `expected` may hold the answer: callers hide it from students (see runner). */
export async function evaluateQuestion(question: Question, answer: string | undefined, clients: ProbeClients, exerciseId: string): Promise<Outcome> {
  if (answer === undefined) {
    return outcome('fail', 'an answer', 'unanswered', both(
      `Pas encore de réponse : tp7 quiz ${exerciseId} ou tp7 answer ${exerciseId} ${question.id} <réponse>.`,
      `Not answered yet: tp7 quiz ${exerciseId} or tp7 answer ${exerciseId} ${question.id} <answer>.`,
    ));
  }
  const wrong = (expected: string, format?: Localized) =>
    outcome('fail', expected, answer, both(
      `Réponse incorrecte${format ? ` (${format.fr})` : ''}.`,
      `Wrong answer${format ? ` (${format.en})` : ''}.`,
    ));
  const right = (expected: string) => outcome('pass', expected, answer, both('Bonne réponse.', 'Right answer.'));
  switch (question.kind) {
    case 'single-choice':
      return answer === question.answer ? right(question.answer) : wrong(question.answer);
    case 'multiple-choice': {
      const expected = question.answers.join(',');
      return sameSet(answer.split(','), question.answers) ? right(expected) : wrong(expected);
    }
    case 'text': {
      const given = normaliseText(answer);
      const ok = question.accept.some((text) => normaliseText(text) === given) || question.patterns.some((pattern) => new RegExp(pattern, 'i').test(given));
      return ok ? right(question.accept[0]!) : wrong(question.accept[0]!);
    }
    case 'engine': {
      let fact;
      try {
        fact = await factKind(question.derive.kind).read(question.derive, clients);
      } catch (error) {
        // An unreachable engine stops the whole command (exit 3); anything else is this question's error only.
        if (error instanceof Tp7Error) throw error;
        const line = oneLineText(error);
        return outcome('error', 'a value read from your engine', answer, both(`Vérification impossible : ${line.fr}`, `Could not check: ${line.en}`));
      }
      if (fact.value === null) {
        return outcome('fail', 'a value read from your engine', answer, both(
          `Impossible de vérifier cette réponse pour l'instant : ${fact.missing?.fr}. Faites d'abord les tâches de l'exercice.`,
          `This answer cannot be checked yet: ${fact.missing?.en}. Do the exercise's tasks first.`,
        ));
      }
      const expected = Array.isArray(fact.value) ? fact.value.join(' ') : String(fact.value);
      const verdict = judgeAgainstFact(question, answer, { ...fact, value: fact.value });
      if (verdict === true) return right(expected);
      if (verdict) return outcome('pass', expected, answer, both(`Bonne réponse : ${verdict.fr}`, `Right answer: ${verdict.en}`));
      return wrong(expected, answerFormatProblem(question.match, answer));
    }
  }
}
