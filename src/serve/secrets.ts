import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { sha256 } from './names.js';

// The class code (typed by students) and the instructor key (in the board's URL). The code's alphabet leaves out
// the characters a projector makes ambiguous (0/O, 1/I/L, 2/Z, 5/S, 8/B).

const CODE_ALPHABET = 'ACDEFGHJKMNPQRTUVWXY34679';

/** A new class code such as `K7P-Q2M`: six characters, about 28 bits, guessed only at the join rate limit. */
export function newClassCode(): string {
  const chars = Array.from({ length: 6 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]);
  return `${chars.slice(0, 3).join('')}-${chars.slice(3).join('')}`;
}

/** A code as typed: case, spaces and the dash do not matter (`k7p q2m`, `K7PQ2M`). */
export function sameCode(typed: string, code: string): boolean {
  const plain = (text: string) => text.toUpperCase().replace(/[\s-]/g, '');
  return secretEquals(plain(typed), plain(code));
}

/** 32 random bytes, base64url: the instructor key and the students' tokens. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Compares two secrets in constant time (through their hashes, so lengths leak nothing either). */
export function secretEquals(given: string, expected: string): boolean {
  return timingSafeEqual(Buffer.from(sha256(given), 'hex'), Buffer.from(sha256(expected), 'hex'));
}
