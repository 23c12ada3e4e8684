// Languages without zod: the CLI entry point needs these before any command runs, and `tp7 --version`
// should not pay for loading the schema library.

export const LANGS = ['fr', 'en'] as const;
export type Lang = (typeof LANGS)[number];

/** Picks the language: explicit option, then TP7_LANG, then LC_ALL/LC_MESSAGES/LANG, else French. */
export function resolveLang(option: string | undefined, env: NodeJS.ProcessEnv = process.env): Lang {
  if (option === 'fr' || option === 'en') return option;
  for (const value of [env.TP7_LANG, env.LC_ALL, env.LC_MESSAGES, env.LANG]) {
    const prefix = value?.slice(0, 2).toLowerCase();
    if (prefix === 'fr' || prefix === 'en') return prefix;
  }
  return 'fr';
}
