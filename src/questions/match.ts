import { instructionOf } from '../analysis/history.js';
import type { Fact } from '../facts/types.js';
import { both, type Localized } from '../lab/text.js';
import { normalisedReference, writtenTag } from '../reference.js';
import {
  digestHex,
  isBareNumber,
  normaliseImageId,
  normaliseText,
  parseDays,
  parseNumber,
  parsePorts,
  parseSize,
  parseVersion,
  parseYesNo,
  withoutVariableName,
} from './normalise.js';

/** How a student's answer is compared with a value read from the engine. */
export const MATCHERS = ['text', 'yes-no', 'number', 'size', 'date', 'ports', 'image-id', 'digest', 'architecture', 'platforms', 'version', 'instruction', 'reference-part', 'image-list'] as const;
import { architectureMatches, architectureProblem, platformsMatch, platformsProblem } from './platforms.js';
export type Matcher = (typeof MATCHERS)[number];

/** Relative tolerance on sizes: students read "42.5MB" off `docker images`, which is rounded. */
const SIZE_TOLERANCE = 0.05;

type Value = NonNullable<Fact['value']>;
const asText = (value: Value) => (Array.isArray(value) ? value.join(' ') : String(value));

// Each matcher accepts the usual spellings of a right answer (see normalise.ts and test/unit/spellings.test.ts).
const MATCH: Record<Matcher, (answer: string, value: Value) => boolean> = {
  text: (answer, value) => {
    const expected = asText(value);
    if (expected === '') return isEmptyAnswer(answer);
    // A line pasted from `.Config.Env` (NAME=value) says the value.
    return [answer, withoutVariableName(answer)].some((given) => normaliseText(given) === normaliseText(expected));
  },
  'yes-no': (answer, value) => parseYesNo(answer) === Boolean(value),
  number: (answer, value) => parseNumber(answer) === Number(value),
  size: (answer, value) => {
    const bytes = Number(value);
    return parseSize(answer).some((candidate) => Math.abs(candidate - bytes) <= bytes * SIZE_TOLERANCE);
  },
  date: (answer, value) => {
    const expected = parseDays(asText(value));
    return expected.length === 1 && parseDays(answer).includes(expected[0]!);
  },
  ports: (answer, value) => {
    const expected = (Array.isArray(value) ? value : [String(value)]).map((port) => port.toLowerCase()).sort();
    return parsePorts(answer).join(' ') === expected.join(' ');
  },
  'image-id': (answer, value) => {
    const given = normaliseImageId(answer);
    // The short form `docker images` prints (12 hex digits) or any longer prefix, up to the full ID.
    return /^[0-9a-f]{12,64}$/.test(given) && normaliseImageId(asText(value)).startsWith(given);
  },
  digest: (answer, value) => digestHex(answer) !== undefined && digestHex(answer) === digestHex(asText(value)),
  architecture: (answer, value) => architectureMatches(answer, asText(value)),
  platforms: (answer, value) => platformsMatch(answer, Array.isArray(value) ? value : [String(value)]),
  version: (answer, value) => {
    const expected = asText(value);
    const given = parseVersion(answer);
    return given !== undefined ? given === parseVersion(expected) : normaliseText(withoutVariableName(answer)) === normaliseText(expected);
  },
  // Any order, any separator; "app" means "app:latest" as docker reads it; "none" for an empty list.
  'image-list': (answer, value) => {
    const expected = (Array.isArray(value) ? value : [String(value)]).map(imageName).sort();
    const given = isEmptyAnswer(answer) ? [] : [...new Set(answerItems(answer).map(imageName))].sort();
    return given.join(' ') === expected.join(' ');
  },
  // "RUN", "run", or the whole step as `docker history` shows it ("/bin/sh -c #(nop) COPY …", "RUN apk add …").
  instruction: (answer, value) => (instructionOf(answer.trim()) ?? answer.trim().split(/\s+/)[0]!).toUpperCase() === asText(value).toUpperCase(),
  'reference-part': (answer, value) => {
    const expected = asText(value);
    if (expected === '') return isEmptyAnswer(answer);
    return referencePart(answer) === referencePart(expected);
  },
};

/**
 * A part of a reference as students write it: with the separator they copied (`team/`, `:2.1.0`, `-production`),
 * a scheme before a registry, quotes, a `v` before a version (v2.1.0 and 2.1.0 are spellings of one version).
 */
function referencePart(answer: string): string {
  return normaliseText(withoutVariableName(answer))
    .replace(/^[a-z]+:\/\//, '')
    .replace(/^[/:@-]+|[/:-]+$/g, '')
    .replace(/^v(?=\d+(\.\d+)*$)/, '');
}

export function matchesFact(matcher: Matcher, answer: string, value: Value): boolean {
  return MATCH[matcher](answer, value);
}

/** An image reference as docker reads it (`app` is `app:latest`); an answer that is no reference stays as written. */
function imageName(ref: string): string {
  return normalisedReference(ref.trim().toLowerCase().replace(/^["']|["']$/g, ''));
}

/** A list where no image has its tag: `app` means app:latest, which is rarely what the student meant. */
function imageListProblem(answer: string): Localized | undefined {
  if (isEmptyAnswer(answer)) return undefined;
  const items = answerItems(answer);
  if (!items.length || items.some((item) => writtenTag(item) !== undefined)) return undefined;
  return both(
    "écrivez chaque image avec son tag, NOM:TAG comme dans `docker images` (nginx:1.25) : un nom seul se lit NOM:latest",
    'write each image with its tag, NAME:TAG as `docker images` shows it (nginx:1.25): a name alone reads as NAME:latest',
  );
}

function answerItems(answer: string): string[] {
  return [...new Set(answer.split(/[\s,;]+/).filter(Boolean).map((item) => item.trim().toLowerCase().replace(/^["']|["']$/g, '')))];
}

/** "(empty)", "aucun", "none", "-" all mean "nothing": the answer when an attribute is unset. */
function isEmptyAnswer(answer: string): boolean {
  return ['', '-', 'empty', 'none', 'aucun', 'aucune', 'vide', 'rien', 'nothing', '/'].includes(normaliseText(withoutVariableName(answer)).replace(/[()]/g, ''));
}

/**
 * Tells a malformed answer from a wrong one, so the student reads which form is expected ("write it like 42 MB")
 * instead of a bare "wrong". Never says anything about the expected value itself.
 */
export function answerFormatProblem(matcher: Matcher, answer: string): Localized | undefined {
  switch (matcher) {
    case 'yes-no':
      return parseYesNo(answer) === undefined ? both('répondez oui ou non', 'answer yes or no') : undefined;
    case 'number':
      return parseNumber(answer) === undefined ? both('répondez par un nombre, comme 7', 'answer with a number, such as 7') : undefined;
    case 'size':
      if (!parseSize(answer).length) return both('donnez une taille comme 42456789, 42.5 MB, 42,5 Mo ou 40 MiB', 'answer with a size such as 42456789, 42.5 MB, 42,5 Mo or 40 MiB');
      return isBareNumber(answer) ? both("un nombre sans unité se lit en octets : ajoutez l'unité si vous pensiez en Mo (42.5 MB)", 'a number without a unit is read as bytes: add the unit if you meant megabytes (42.5 MB)') : undefined;
    case 'date':
      return parseDays(answer).length
        ? undefined
        : both('donnez une date comme 2024-01-15, 15/01/2024 ou 15 janvier 2024 (pas une durée comme « il y a 2 semaines »)', 'answer with a date such as 2024-01-15, 15/01/2024 or 15 January 2024 (not an age such as "2 weeks ago")');
    case 'image-id':
      return /^[0-9a-f]{12,64}$/.test(normaliseImageId(answer)) ? undefined : both('donnez un IMAGE ID (12 caractères hexadécimaux ou plus)', 'answer with an image ID (12 hex digits or more)');
    case 'digest':
      return digestHex(answer) ? undefined : both('donnez le digest entier : sha256: suivi de 64 caractères hexadécimaux', 'give the whole digest: sha256: followed by 64 hex digits');
    case 'architecture':
      return architectureProblem(answer);
    case 'platforms':
      return platformsProblem(answer);
    case 'version':
      return parseVersion(answer) ? undefined : both('donnez un numéro de version comme 1.2.3', 'answer with a version number such as 1.2.3');
    case 'image-list':
      return imageListProblem(answer);
    case 'instruction':
      return /^[a-z]+$/i.test(answer.trim()) || instructionOf(answer.trim()) ? undefined : both('répondez par un mot-clé du Dockerfile, comme COPY', 'answer with a Dockerfile keyword, such as COPY');
    default:
      return undefined;
  }
}
