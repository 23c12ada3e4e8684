import type { ParseArgsConfig } from 'node:util';

type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & { description: string; value?: string };

/** Options every command takes. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  workdir: { type: 'string', value: 'DIR', description: "where the student's files and progress (.tp7/) live; default: the current directory" },
  registry: { type: 'string', value: 'HOST:PORT', description: 'the private registry of the lab; default: localhost:5000' },
  lang: { type: 'string', value: 'fr|en', description: 'language of texts; default: from TP7_LANG or LANG, else fr' },
  json: { type: 'boolean', description: 'print one JSON document on stdout instead of text' },
  'no-color': { type: 'boolean', description: 'no colour (also when NO_COLOR is set or output is piped)' },
  help: { type: 'boolean', short: 'h', description: 'show help' },
  version: { type: 'boolean', short: 'V', description: 'print the version' },
};

export type { OptionSpec };
