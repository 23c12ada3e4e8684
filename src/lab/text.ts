import { z } from 'zod';

export { LANGS, both, pick, resolveLang, type Lang } from './lang.js';

/** Every text a student reads exists in French (first) and English. */
export const Localized = z
  .strictObject({
    fr: z.string().min(1).describe('French text (the course language)'),
    en: z.string().min(1).describe('English text'),
  })
  .describe('A text in French and English');
export type Localized = z.infer<typeof Localized>;

/** At most `max` characters, cut between words (with …); only a single word longer than that is cut. */
export function clipAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > 0 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
