// Languages without zod: the CLI entry point needs these before any command runs, and `tp7 --version`
// should not pay for loading the schema library. The one way to hold a message: a `Localized` pair made with
// `both(fr, en)`, shown with `pick(text, lang)` (lab/text.ts adds the zod schema of the same shape for lab files).

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

/** A text in French (first) and English. */
export interface LocalizedText {
  fr: string;
  en: string;
}

/** The text in one language. A plain string (a name, a path) reads the same in both. */
export function pick(text: LocalizedText | string, lang: Lang): string {
  return typeof text === 'string' ? text : text[lang] || text.fr;
}

/** Builds a localised text from a template function, so code can phrase messages in both languages at once. */
export function both(fr: string, en: string): LocalizedText {
  return { fr, en };
}

/** The language named on a command line (`--lang en`, `--lang=en`), read before the arguments are parsed. */
export function langOption(argv: readonly string[]): string | undefined {
  const at = argv.findIndex((arg) => arg === '--lang' || arg.startsWith('--lang='));
  if (at < 0) return undefined;
  return argv[at]!.includes('=') ? argv[at]!.slice('--lang='.length) : argv[at + 1];
}
