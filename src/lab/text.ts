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
