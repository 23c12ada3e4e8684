import { createHash } from 'node:crypto';

// A student's name is shown, compared and hashed, never used as a path: two spellings that a person reads as
// the same name (composed or decomposed accents, upper or lower case) are the same student.

/** The comparison key of a name: Unicode NFC, then a full case fold (upper then lower: `ß` and `SS` meet). */
export function nameKey(name: string): string {
  return name.trim().normalize('NFC').toUpperCase().toLowerCase().normalize('NFC');
}

/** The file a student's current report is kept in (`reports/<file>`): a hash of the key, never the name itself. */
export function reportFileName(name: string): string {
  return `${sha256(`tp7-student:${nameKey(name)}`).slice(0, 32)}.json`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
