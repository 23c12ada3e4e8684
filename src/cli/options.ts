import type { ParseArgsConfig } from 'node:util';
import { both, type LocalizedText } from '../lab/lang.js';

type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & {
  description: LocalizedText | string;
  value?: string;
  /**
   * A string option whose value may be left out (`--submit`, `--submit URL`): it takes the next word only when
   * that word matches, so `tp7 check --submit ex1` keeps ex1 an exercise. Left out, the value is ''.
   */
  optionalValue?: RegExp;
};

/**
 * Options several commands take, each of which names those it takes (`shared` in src/cli/commands.ts): one that
 * a command would ignore is refused there (`tp7 serve --workdir DIR` would keep the class in ./tp7-class).
 */
export const SHARED_OPTIONS = {
  workdir: { type: 'string', value: 'DIR', description: both("où sont les fichiers de l'étudiant et sa progression (.tp7/) ; par défaut : le plus proche dossier contenant .tp7/ (le courant ou un parent), sinon le dossier courant", "where the student's files and progress (.tp7/) live; default: the nearest folder holding .tp7/ (this one or a parent), else the current directory") },
  registry: { type: 'string', value: 'HOST:PORT', description: both('le registre privé du lab ; par défaut : localhost:5000', 'the private registry of the lab; default: localhost:5000') },
  json: { type: 'boolean', description: both('écrire un document JSON sur la sortie standard au lieu du texte', 'print one JSON document on stdout instead of text') },
} satisfies Record<string, OptionSpec>;

export type SharedOption = keyof typeof SHARED_OPTIONS;

/** Options every command takes, and `tp7` alone. */
export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  lang: { type: 'string', value: 'fr|en', description: both('langue des textes ; par défaut : selon TP7_LANG ou LANG, sinon fr', 'language of texts; default: from TP7_LANG or LANG, else fr') },
  'no-color': { type: 'boolean', description: both('sans couleur (de même avec NO_COLOR ou une sortie redirigée)', 'no colour (also when NO_COLOR is set or output is piped)') },
  help: { type: 'boolean', short: 'h', description: both("afficher l'aide", 'show help') },
};

/** `tp7 --version`: the program's, not a command's. */
export const VERSION_OPTION: Record<string, OptionSpec> = {
  version: { type: 'boolean', short: 'V', description: both('afficher la version', 'print the version') },
};

export type { OptionSpec };
