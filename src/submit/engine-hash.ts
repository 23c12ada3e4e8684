import { createHash } from 'node:crypto';

/**
 * The engine's mark in a report sent to a board (BOARD-API.md): hex sha256 of `CODE:ENGINE-ID`. Salted with the
 * class code, the same engine gives unrelated marks in two classes, and the board never learns the engine's ID.
 */
export function engineHash(classCode: string, engineId: string): string {
  return createHash('sha256').update(`${classCode}:${engineId}`, 'utf8').digest('hex');
}
