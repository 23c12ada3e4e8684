import { z } from 'zod';
import { yaml } from '../yaml.js';
import { both } from '../lab/text.js';
import { containerOrOutcome, isOutcome } from './containers.js';
import { registryHeader } from './registry-header.js';
import { outcome, type Outcome, type ProbeClients, type ProbeKind } from './types.js';

const Setting = z
  .strictObject({
    key: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/).describe('Dotted path in the YAML file, e.g. storage.delete.enabled'),
    equals: z.union([z.boolean(), z.string(), z.number()]).optional().describe('The value it must have'),
    includes: z.string().optional().describe('A value the list at that key must hold (header values are lists)'),
  })
  .refine((setting) => (setting.equals === undefined) !== (setting.includes === undefined), 'give exactly one of equals or includes')
  .describe('One setting the config file must hold');
type Setting = z.infer<typeof Setting>;

const schema = z
  .strictObject({
    kind: z.literal('registry-config-file'),
    container: z.string().min(1).default('registry').describe('The registry container'),
    path: z.string().startsWith('/').default('/etc/docker/registry/config.yml').describe('Where the registry reads its configuration'),
    settings: z.array(Setting).min(1).describe('What the file must hold'),
    served: z
      .strictObject({ header: z.string().regex(/^[A-Za-z0-9-]+$/), value: z.string().min(1) })
      .optional()
      .describe('An HTTP header the file declares that the running registry must also send (it was started with the file)'),
  })
  .describe(
    "The configuration file mounted into the registry container, read through the Engine API (no exec) as the registry sees it, holds some settings (an image's own default file does not count); optionally the registry also sends a header it declares",
  );
type Spec = z.infer<typeof schema>;

/**
 * The value at a dotted key. Registry keys are lower case and read as written; a segment with capitals is a
 * name the user picks, such as an HTTP header, which HTTP compares without regard to case.
 */
function valueAt(document: unknown, key: string): unknown {
  let node = document;
  for (const segment of key.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    const entries = node as Record<string, unknown>;
    const name = segment in entries || segment === segment.toLowerCase() ? segment : Object.keys(entries).find((candidate) => candidate.toLowerCase() === segment.toLowerCase());
    node = name === undefined ? undefined : entries[name];
  }
  return node;
}

/** What is wrong with one setting, in a few words naming the key (never the rest of the file: it may hold secrets). */
function settingProblem(document: unknown, setting: Setting): { fr: string; en: string } | undefined {
  const value = valueAt(document, setting.key);
  if (value === undefined || value === null) return both(`${setting.key} est absent`, `${setting.key} is missing`);
  if (setting.includes !== undefined) {
    const wanted = setting.includes.toLowerCase();
    if (Array.isArray(value) && value.some((item) => String(item).toLowerCase() === wanted)) return undefined;
    if (typeof value === 'string' && value.toLowerCase() === wanted) {
      return both(`${setting.key} est une chaîne, alors que le registre attend une liste`, `${setting.key} is a string, where the registry expects a list`);
    }
    return both(`${setting.key} ne contient pas ${setting.includes}`, `${setting.key} does not hold ${setting.includes}`);
  }
  if (value === setting.equals) return undefined;
  const shown = typeof value === 'object' ? 'a section' : JSON.stringify(value);
  return both(`${setting.key} vaut ${shown}`, `${setting.key} is ${shown}`);
}

/**
 * The variable that overrides a setting in the registry's environment (REGISTRY_STORAGE_DELETE_ENABLED for
 * storage.delete.enabled) when the container sets one, with what it says against the setting; undefined otherwise.
 */
function overrideProblem(env: string[], setting: Setting): { fr: string; en: string } | undefined {
  const name = `REGISTRY_${setting.key.replace(/\./g, '_').toUpperCase()}`;
  const entry = env.find((candidate) => candidate.split('=')[0]!.toUpperCase() === name);
  if (entry === undefined) return undefined;
  const text = entry.slice(entry.indexOf('=') + 1);
  let value: unknown;
  try {
    value = yaml().parse(text);
  } catch {
    value = text;
  }
  if (!settingProblem(setAt(setting.key, value), setting)) return undefined;
  return both(
    `la variable ${entry.split('=')[0]}=${text} du conteneur remplace ${setting.key} du fichier`,
    `the container's variable ${entry.split('=')[0]}=${text} overrides ${setting.key} of the file`,
  );
}

/** { a: { b: value } } for the key a.b. */
function setAt(key: string, value: unknown): unknown {
  return key.split('.').reduceRight<unknown>((inner, segment) => ({ [segment]: inner }), value);
}

type Parsed = { document: unknown } | { invalidAt: number | null } | { missing: string };

/**
 * The file as the container sees it, parsed. A re-check reuses the parse an earlier tp7 kept for the same
 * container and the same stamp (size, mode, modification time to the nanosecond), asked without reading:
 * reading it costs engine 20.10 some 140 ms, the stamp 2 ms. Grading keeps nothing (no `stored`).
 */
async function readParsed(spec: Spec, clients: ProbeClients, containerId: string): Promise<Parsed> {
  const read = async (): Promise<Parsed> => {
    const file = await clients.engine.readContainerFile(containerId, spec.path);
    if (!file.found) return { missing: file.reason };
    const text = file.content.toString('utf8');
    try {
      // Warnings (an unknown tag...) are not the student's concern here: only what the registry would refuse.
      return { document: (yaml().parse(text, { logLevel: 'error' }) ?? {}) as unknown };
    } catch (error) {
      return { invalidAt: (error as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line ?? null };
    }
  };
  const stamp = clients.stored ? await clients.engine.containerFileStamp(containerId, spec.path) : null;
  if (!clients.stored || stamp === null) return read();
  return clients.stored.get('registry-config-yaml', JSON.stringify([containerId, spec.path, stamp]), read, (parsed) => !('missing' in parsed));
}

/** The parsed file and the container's environment, or the outcome saying why the registry reads none of the student's own. */
async function readConfig(spec: Spec, clients: ProbeClients, expected: string): Promise<{ document: unknown; env: string[] } | Outcome> {
  const found = await containerOrOutcome(clients.engine, spec.container, expected);
  if (isOutcome(found)) return found;
  if (!found.Mounts.some((mount) => mount.Destination === spec.path)) {
    // registry:2 carries a default file that already sends nosniff and checks its storage: it is not the student's.
    return outcome('fail', expected, `nothing mounted at ${spec.path}`, both(
      `Rien n'est monté sur ${spec.path} : ${spec.container} lit le fichier par défaut de son image, pas le vôtre.`,
      `Nothing is mounted at ${spec.path}: ${spec.container} reads its image's default file, not yours.`,
    ));
  }
  const parsed = await readParsed(spec, clients, found.Id);
  if ('document' in parsed) return { document: parsed.document, env: found.Config.Env ?? [] };
  if ('missing' in parsed) {
    return outcome('fail', expected, `${spec.path}: ${parsed.missing}`, both(
      `${spec.path} n'est pas un fichier lisible dans ${spec.container} (un dossier monté à sa place ?).`,
      `${spec.path} is not a readable file in ${spec.container} (a folder mounted in its place?).`,
    ));
  }
  {
    const where = parsed.invalidAt;
    const at = where ? ` (line ${where})` : '';
    return outcome('fail', expected, `${spec.path}: not valid YAML${at}`, both(
      `Le fichier monté sur ${spec.path} n'est pas du YAML valide${where ? ` (ligne ${where})` : ''} : le registre ne peut pas démarrer avec.`,
      `The file mounted at ${spec.path} is not valid YAML${at}: the registry cannot start with it.`,
    ));
  }
}

export const registryConfigFile: ProbeKind<Spec> = {
  kind: 'registry-config-file',
  schema,
  // The file is usually a bind mount of a workdir file: edited on the host, no engine event tells of it.
  inputs: { containers: ['container'], files: 'any', registry: true },
  async run(spec, clients) {
    const wanted = spec.settings.map((setting) => `${setting.key} ${setting.includes !== undefined ? `∋ ${setting.includes}` : `= ${JSON.stringify(setting.equals)}`}`);
    const expected = `${spec.container}:${spec.path} holds ${wanted.join(', ')}${spec.served ? `, and ${spec.served.header}: ${spec.served.value} is sent` : ''}`;
    const read = await readConfig(spec, clients, expected);
    if (!('document' in read)) return read;
    const { document, env } = read;
    // The registry reads REGISTRY_* variables over its file: a setting they contradict is not in effect.
    const problems = spec.settings.map((setting) => settingProblem(document, setting) ?? overrideProblem(env, setting)).filter((problem) => problem !== undefined);
    if (problems.length) {
      return outcome('fail', expected, problems.map((problem) => problem.en).join('; '), both(
        `Dans le fichier que lit ${spec.container} (${spec.path}) : ${problems.map((problem) => problem.fr).join(' ; ')}. ` +
          `(Lu tel que le conteneur le voit : après une modification de votre fichier, recréez le conteneur.)`,
        `In the file ${spec.container} reads (${spec.path}): ${problems.map((problem) => problem.en).join('; ')}. ` +
          `(Read as the container sees it: after changing your file, re-create the container.)`,
      ));
    }
    const declared = both(`${spec.path} contient ${wanted.join(', ')}.`, `${spec.path} holds ${wanted.join(', ')}.`);
    if (!spec.served) return outcome('pass', expected, wanted.join(', '), declared);
    const header = spec.served;
    const served = await registryHeader.run({ kind: 'registry-header', header: header.header, value: header.value, path: '/v2/' }, clients);
    if (served.status === 'pass') return outcome('pass', expected, `${wanted.join(', ')}; ${served.actual}`, both(`${declared.fr} ${served.message.fr}`, `${declared.en} ${served.message.en}`));
    if (served.status !== 'fail') return { ...served, expected };
    return outcome('fail', expected, served.actual, both(
      `Votre fichier déclare ${header.header}: ${header.value}, mais le registre ne l'envoie pas (${served.actual}) : il tourne encore avec la configuration lue à son démarrage. Redémarrez-le.`,
      `Your file declares ${header.header}: ${header.value}, but the registry does not send it (${served.actual}): it still runs with the configuration it read when it started. Restart it.`,
    ));
  },
};
