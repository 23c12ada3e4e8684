import type { Fact } from '../facts/types.js';
import { both, type Localized } from '../lab/text.js';
import { normaliseImageId, normaliseText, parseDay, parsePorts, parseSize, parseYesNo } from './normalise.js';

/** How a student's answer is compared with a value read from the engine. */
export const MATCHERS = ['text', 'yes-no', 'number', 'size', 'date', 'ports', 'image-id', 'digest', 'image-list'] as const;
export type Matcher = (typeof MATCHERS)[number];

/** Relative tolerance on sizes: students read "42.5MB" off `docker images`, which is rounded. */
const SIZE_TOLERANCE = 0.05;

export function matchesFact(matcher: Matcher, answer: string, value: NonNullable<Fact['value']>): boolean {
  switch (matcher) {
    case 'text': {
      const expected = Array.isArray(value) ? value.join(' ') : String(value);
      return normaliseText(answer) === normaliseText(expected) || (expected === '' && isEmptyAnswer(answer));
    }
    case 'yes-no':
      return parseYesNo(answer) === Boolean(value);
    case 'number':
      return Number(answer.trim().replace(',', '.')) === Number(value);
    case 'size': {
      const bytes = Number(value);
      return parseSize(answer).some((candidate) => Math.abs(candidate - bytes) <= bytes * SIZE_TOLERANCE);
    }
    case 'date':
      return parseDay(answer) !== undefined && parseDay(answer) === parseDay(String(value));
    case 'ports': {
      const expected = (Array.isArray(value) ? value : [String(value)]).map((port) => port.toLowerCase()).sort();
      return parsePorts(answer).join(' ') === expected.join(' ');
    }
    case 'image-id': {
      const given = normaliseImageId(answer);
      // The short form `docker images` prints (12 hex digits) or any longer prefix, up to the full ID.
      return /^[0-9a-f]{12,64}$/.test(given) && normaliseImageId(String(value)).startsWith(given);
    }
    case 'image-list': {
      // Any order, any separator; "app" means "app:latest" as docker reads it; "none" for an empty list.
      const expected = (Array.isArray(value) ? value : [String(value)]).map(imageName).sort();
      const given = isEmptyAnswer(answer) ? [] : [...new Set(answer.split(/[\s,;]+/).filter(Boolean).map(imageName))].sort();
      return given.join(' ') === expected.join(' ');
    }
    case 'digest':
      // A content digest names one exact manifest: all 64 hex digits, the sha256: prefix optional.
      return digestHex(answer) !== undefined && digestHex(answer) === digestHex(String(value));
  }
}

/** `sha256:ABC…` or `ABC…` (64 hex digits, quotes and spaces ignored) → the lowercase hex; else undefined. */
function digestHex(text: string): string | undefined {
  return text.trim().replace(/^["']|["']$/g, '').toLowerCase().match(/^(?:sha256:)?([0-9a-f]{64})$/)?.[1];
}

/** An image reference as docker reads it: lowercase, with its implied :latest. */
function imageName(ref: string): string {
  const name = ref.trim().toLowerCase().replace(/^["']|["']$/g, '');
  return /:[^/]*$/.test(name) || name.includes('@') ? name : `${name}:latest`;
}

/** "(empty)", "aucun", "none", "-" all mean "nothing": the answer when an attribute is unset. */
function isEmptyAnswer(answer: string): boolean {
  return ['', '-', 'empty', 'none', 'aucun', 'aucune', 'vide', 'rien', 'nothing', '/'].includes(normaliseText(answer).replace(/[()]/g, ''));
}

/** Tells a malformed answer from a wrong one, so the student gets "write it like 42 MB" instead of "wrong". */
export function answerFormatProblem(matcher: Matcher, answer: string): Localized | undefined {
  switch (matcher) {
    case 'yes-no':
      return parseYesNo(answer) === undefined ? both('répondez oui ou non', 'answer yes or no') : undefined;
    case 'number':
      return Number.isNaN(Number(answer.trim().replace(',', '.'))) ? both('répondez par un nombre', 'answer with a number') : undefined;
    case 'size':
      return parseSize(answer).length ? undefined : both('donnez une taille comme 42456789, 42.5 MB ou 40 MiB', 'answer with a size such as 42456789, 42.5 MB or 40 MiB');
    case 'date':
      return parseDay(answer) ? undefined : both('donnez une date comme 2024-01-15', 'answer with a date such as 2024-01-15');
    case 'image-id':
      return /^(sha256:)?[0-9a-f]{12,64}$/i.test(answer.trim()) ? undefined : both('donnez un IMAGE ID (12 caractères hexadécimaux ou plus)', 'answer with an image ID (12 hex digits or more)');
    case 'digest':
      return digestHex(answer) ? undefined : both('donnez le digest entier : sha256: suivi de 64 caractères hexadécimaux', 'give the whole digest: sha256: followed by 64 hex digits');
    default:
      return undefined;
  }
}
