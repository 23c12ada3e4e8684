// The YAML parser, required on first use: most commands never parse YAML (the lab is kept as JSON once
// validated, and a re-check serves kept parses), and loading it cost some 40 ms of start-up.
import { createRequire } from 'node:module';

type Yaml = typeof import('yaml');

let loaded: Yaml | undefined;

export function yaml(): Yaml {
  loaded ??= createRequire(import.meta.url)('yaml') as Yaml;
  return loaded;
}
