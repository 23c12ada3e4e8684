import { createHash } from 'node:crypto';
import { nameKey } from '../student-name.js';

// A student's name is shown, compared and hashed, never used as a path: two spellings that a person reads as
// the same name are the same student (src/student-name.ts says which).

export { nameKey } from '../student-name.js';

/** The file a student's current report is kept in (`reports/<file>`): a hash of the key, never the name itself. */
export function reportFileName(name: string): string {
  return `${sha256(`tp7-student:${nameKey(name)}`).slice(0, 32)}.json`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
