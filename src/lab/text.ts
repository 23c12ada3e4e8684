import { z } from 'zod';

import type { Lang } from './lang.js';

export { LANGS, resolveLang, type Lang } from './lang.js';

/** Every text a student reads exists in French (first) and English. */
export const Localized = z
  .strictObject({
    fr: z.string().min(1).describe('French text (the course language)'),
    en: z.string().min(1).describe('English text'),
  })
  .describe('A text in French and English');
export type Localized = z.infer<typeof Localized>;

export function pick(text: Localized, lang: Lang): string {
  return text[lang] || text.fr;
}

/** Builds a localised text from a template function, so probes can phrase messages in both languages at once. */
export function both(fr: string, en: string): Localized {
  return { fr, en };
}
