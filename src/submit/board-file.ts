import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { both } from '../lab/lang.js';
import { writeAtomically } from '../progress/store.js';

// The board a workdir joined: `.tp7/board.json` {url, name, code, token, joinedAt}, written by `tp7 join`, private
// to the student (mode 0600: the token lets anyone submit under their name). One board per workdir; joining
// another replaces it.

export const JoinedBoardSchema = z.looseObject({
  url: z.string().min(1),
  name: z.string().min(1),
  code: z.string().min(1),
  token: z.string().min(1),
  joinedAt: z.string(),
});
export type JoinedBoard = z.infer<typeof JoinedBoardSchema>;

export function boardFile(workdir: string): string {
  return join(workdir, '.tp7', 'board.json');
}

/** The joined board, or undefined when this workdir joined none (or its file cannot be read as one). */
export function readJoinedBoard(workdir: string): JoinedBoard | undefined {
  let text: string;
  try {
    text = readFileSync(boardFile(workdir), 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JoinedBoardSchema.parse(JSON.parse(text));
  } catch {
    return undefined;
  }
}

export function writeJoinedBoard(workdir: string, board: JoinedBoard): void {
  mkdirSync(join(workdir, '.tp7'), { recursive: true });
  writeAtomically(boardFile(workdir), `${JSON.stringify(board, null, 2)}\n`, 0o600);
}

/**
 * The board's address as students type it (`192.168.1.20:7070`, `http://host:7070/`, `host:7070/board`) reduced
 * to its origin, `http://192.168.1.20:7070`: the API lives at the root. Only http and https.
 */
export function boardOrigin(text: string): string {
  const trimmed = text.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(both(`adresse de tableau illisible « ${trimmed} » ; attendu par exemple http://192.168.1.20:7070`, `cannot read the board address "${trimmed}"; expected e.g. http://192.168.1.20:7070`));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(both(`l'adresse du tableau commence par http:// ou https://, pas « ${url.protocol} »`, `the board address starts with http:// or https://, not "${url.protocol}"`));
  }
  return url.origin;
}

/**
 * A class code as students type it (`k7p q2m`, `K7PQ2M`, ` K7P-Q2M `) in the board's own form `K7P-Q2M`: upper
 * case, the dash after three characters. A code of another shape is sent as typed (trimmed, upper case).
 */
export function classCode(text: string): string {
  const upper = text.trim().toUpperCase();
  const bare = upper.replace(/[\s-]+/g, '');
  return /^[A-Z0-9]{6}$/.test(bare) ? `${bare.slice(0, 3)}-${bare.slice(3)}` : upper;
}
