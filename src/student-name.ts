import { both, type LocalizedText } from './lab/lang.js';

// A student's name as people read it, for `tp7 join` (before it asks the board) and the board (when a name
// joins, and whenever two names are compared). Two names that read the same are one student: fullwidth letters
// and their ASCII twins, a no-break or an em space and a plain one, upper and lower case. A character no one
// sees (U+034F, a variation selector, a Hangul filler, the blank Braille pattern...) would make a second student
// that reads like the first: refused, named, rather than silently dropped.

/** Spaces (Unicode White_Space that is no control character: Zs, line and paragraph separators), folded to one. */
const SPACES = /[\p{Zs}\p{Zl}\p{Zp}]+/gu;
/** Control characters (tab and newline included): a name is one line of text. */
const CONTROL = /\p{Cc}/u;
/** Seen by no one: default-ignorable code points, format characters, and the blank Braille pattern. */
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}\u2800]/u;
const INVISIBLE_ALL = /[\p{Default_Ignorable_Code_Point}\p{Cf}\u2800]/gu;
/** No glyph at all: private use, unassigned, a lone surrogate. */
const UNPRINTABLE = /[\p{Co}\p{Cn}\p{Cs}]/u;

export const NAME_MAX = 64;

export type NameProblem =
  | { kind: 'control' | 'invisible' | 'unprintable'; codePoint: string; position: number }
  | { kind: 'empty' }
  | { kind: 'too-long' };

/** The name as it is shown and kept: spaces folded to one ASCII space, trimmed, accents composed (NFC). */
export function displayName(name: string): string {
  return name.normalize('NFC').replace(SPACES, ' ').trim();
}

/**
 * The comparison key of a name: compatibility forms folded (NFKC: `Ｍ` is `M`, `ﬁ` is `fi`), invisible
 * characters left out, spaces folded, then a full case fold (upper then lower: `ß` and `SS` meet).
 */
export function nameKey(name: string): string {
  const folded = name.normalize('NFKC').replace(INVISIBLE_ALL, '').replace(SPACES, ' ').trim();
  return folded.toUpperCase().toLowerCase().normalize('NFKC');
}

function found(name: string, pattern: RegExp): { codePoint: string; position: number } | undefined {
  let position = 0;
  for (const char of name) {
    position += 1;
    if (pattern.test(char)) return { codePoint: `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`, position };
  }
  return undefined;
}

/** What is wrong with a name a student typed, or undefined when it may join (as `displayName(name)`). */
export function nameProblem(name: string): NameProblem | undefined {
  for (const [kind, pattern] of [['control', CONTROL], ['invisible', INVISIBLE], ['unprintable', UNPRINTABLE]] as const) {
    const at = found(name, pattern);
    if (at) return { kind, ...at };
  }
  const shown = displayName(name);
  if (!shown) return { kind: 'empty' };
  if (shown.length > NAME_MAX) return { kind: 'too-long' };
  return undefined;
}

/** The problem in both languages, naming the character and what is expected instead. */
export function nameProblemText(problem: NameProblem): LocalizedText {
  switch (problem.kind) {
    case 'control':
      return both(
        `le nom contient un caractère de contrôle (${problem.codePoint}, caractère n° ${problem.position}) : tapez-le sur une seule ligne, sans tabulation`,
        `the name holds a control character (${problem.codePoint}, character ${problem.position}): type it on one line, without tabs`,
      );
    case 'invisible':
      return both(
        `le nom contient un caractère invisible (${problem.codePoint}, caractère n° ${problem.position}) qui le ferait ressembler à un autre : tapez-le avec des lettres, chiffres, espaces et signes visibles`,
        `the name holds an invisible character (${problem.codePoint}, character ${problem.position}) that would make it look like another: type it with visible letters, digits, spaces and signs`,
      );
    case 'unprintable':
      return both(
        `le nom contient un caractère non imprimable (${problem.codePoint}, caractère n° ${problem.position}) : tapez-le avec des lettres, chiffres, espaces et signes visibles`,
        `the name holds a character that cannot be shown (${problem.codePoint}, character ${problem.position}): type it with visible letters, digits, spaces and signs`,
      );
    case 'empty':
      return both(`le nom est vide : donnez de 1 à ${NAME_MAX} caractères visibles`, `the name is empty: give 1 to ${NAME_MAX} visible characters`);
    case 'too-long':
      return both(`le nom dépasse ${NAME_MAX} caractères`, `the name is longer than ${NAME_MAX} characters`);
  }
}
