import { z } from 'zod';

export const LANGS = ['fr', 'en'] as const;
export type Lang = (typeof LANGS)[number];

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

/** Picks the language: explicit option, then TP7_LANG, then LC_ALL/LC_MESSAGES/LANG, else French. */
export function resolveLang(option: string | undefined, env: NodeJS.ProcessEnv = process.env): Lang {
  if (option === 'fr' || option === 'en') return option;
  for (const value of [env.TP7_LANG, env.LC_ALL, env.LC_MESSAGES, env.LANG]) {
    const prefix = value?.slice(0, 2).toLowerCase();
    if (prefix === 'fr' || prefix === 'en') return prefix;
  }
  return 'fr';
}
