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

/**
 * A text in both languages, and how it reads on an engine with the containerd image store (Engine 29 and Docker
 * Desktop by default) where a command of the course behaves otherwise there. See src/lab/engine-text.ts.
 */
export const EngineText = Localized.extend({
  containerd: Localized.optional().describe('The same text for an engine with the containerd image store, where the course\'s command behaves otherwise'),
}).describe('A text in French and English, with its containerd image store form when that differs');
export type EngineText = z.infer<typeof EngineText>;

/** At most `max` characters, cut between words (with …); only a single word longer than that is cut. */
export function clipAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > 0 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
