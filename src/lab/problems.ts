import { z } from 'zod';
import { both, type LocalizedText } from './lang.js';
import { probeKindNames } from '../probes/index.js';
import { factKindNames } from '../facts/index.js';
import { formatPath } from './format-path.js';

export { formatPath };

/** Every zod issue as `file: path: message`, with the fix spelled out where zod's own words are vague. */
export function formatIssues(file: string, issues: readonly z.core.$ZodIssue[]): LocalizedText[] {
  return issues.map((issue) => {
    const where = formatPath(issue.path);
    const text = explain(issue);
    return both(`${file} : ${where} : ${text.fr}`, `${file}: ${where}: ${text.en}`);
  });
}

/** zod's own words in French, from its French locale (loaded with the validator, on a cache miss only). */
let french: z.core.$ZodErrorMap | undefined;
function inFrench(issue: z.core.$ZodIssue): string {
  french ??= z.locales.fr().localeError;
  const said = french(issue as never);
  return (typeof said === 'string' ? said : said?.message) ?? issue.message;
}

/** One zod issue in both languages, without its path (callers say where it is). */
export function explain(issue: z.core.$ZodIssue): LocalizedText {
  const last = issue.path.at(-1);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => `"${key}"`).join(', ');
    const many = issue.keys.length > 1;
    return both(
      `champ${many ? 's' : ''} inconnu${many ? 's' : ''} ${keys} : supprimez-le ou corrigez son orthographe`,
      `unknown field${many ? 's' : ''} ${keys}: remove it or fix its spelling`,
    );
  }
  if (issue.code === 'invalid_union' && last === 'kind') {
    const known = (issue.path.includes('derive') ? factKindNames() : probeKindNames()).join(', ');
    return both(`kind inconnu : choisissez parmi ${known}`, `unknown kind: use one of ${known}`);
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return both(`champ obligatoire absent (${issue.expected} attendu)`, `missing required field (expected ${issue.expected})`);
  }
  // A rule of our own (refine) is worded in English in its schema; zod's built-in checks have a French locale.
  return both(issue.code === 'custom' ? issue.message : inFrench(issue), issue.message);
}
