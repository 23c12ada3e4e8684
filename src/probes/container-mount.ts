import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { ContainerInspect } from '../engine/types.js';
import { both } from '../lab/text.js';
import { containerOrOutcome, isOutcome } from './containers.js';
import { outcome, type Outcome, type ProbeClients, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('container-mount'),
    container: z.string().min(1).describe('Container name'),
    destination: z.string().startsWith('/').describe('The path inside the container'),
    type: z.enum(['volume', 'bind']).describe('volume: a Docker volume; bind: a file or folder of the host'),
    volume: z.string().optional().describe('With type volume: the name the volume must have (an anonymous volume fails)'),
    readOnly: z.boolean().optional().describe('true: mounted read-only (:ro); false: read-write; absent: either'),
    source: z
      .string()
      .regex(/^[^/]/)
      .optional()
      .describe(
        "With type bind: the student's file, relative to the workdir, that must be the one mounted. Compared by resolved path; where the engine sees other paths (Docker Desktop, a remote engine), by content read through the engine",
      ),
  })
  .describe("What a named container has mounted at one path (Mounts: type, volume name, read-only, the student's file)");
type Spec = z.infer<typeof schema>;

/** Volumes Docker creates for an image's VOLUME when `-v` names none have a 64-hex name. */
const ANONYMOUS = /^[0-9a-f]{64}$/;

type Mount = ContainerInspect['Mounts'][number];

function describeMount(mount: Mount): string {
  const what = mount.Type === 'volume' ? `volume ${mount.Name ?? '?'}` : `${mount.Type} ${mount.Source}`;
  return `${what} (${mount.RW ? 'rw' : 'ro'})`;
}

/** A path and, when it exists here, where its links lead: `$(pwd)` keeps the links that process.cwd() resolves. */
async function pathForms(path: string): Promise<string[]> {
  return [path, await realpath(path).catch(() => path)];
}

/**
 * Whether the bind mount is the student's file: the same path, or (when the engine names paths its own way, as
 * Docker Desktop does) the same bytes, read through the engine as the container sees them.
 */
async function sourceProblem(spec: Spec & { source: string }, mount: Mount, clients: ProbeClients, expected: string, actual: string): Promise<Outcome | undefined> {
  const { engine, files } = clients;
  const local = await files.stat(spec.source);
  if (!local?.isFile) {
    return outcome('fail', expected, `${actual}; no ${spec.source} in ${files.root}`, both(
      `${spec.source} est introuvable dans votre dossier de travail : le fichier monté sur ${spec.destination} (${mount.Source}) n'est pas le vôtre.`,
      `${spec.source} is not in your working directory: the file mounted at ${spec.destination} (${mount.Source}) is not yours.`,
    ));
  }
  const wanted = await pathForms(resolve(files.root, spec.source));
  const mounted = await pathForms(mount.Source);
  if (mounted.some((path) => wanted.includes(path))) return undefined;
  const seen = await engine.readContainerFile(spec.container, spec.destination);
  if (seen.found && seen.content.toString('utf8') === (await files.readText(spec.source))) return undefined;
  return outcome('fail', expected, `${actual}; ${spec.source} of the working directory is ${wanted[0]}`, both(
    `Le fichier monté sur ${spec.destination} est ${mount.Source}, et son contenu diffère du ${spec.source} de votre dossier de travail : ${spec.container} ne lit pas votre fichier.`,
    `The file mounted at ${spec.destination} is ${mount.Source}, and its content differs from the ${spec.source} of your working directory: ${spec.container} does not read your file.`,
  ));
}

export const containerMount: ProbeKind<Spec> = {
  kind: 'container-mount',
  schema,
  inputs: { containers: ['container'], files: ['source'] },
  async run(spec, clients) {
    const { engine } = clients;
    const wantedWhat = spec.type === 'volume' ? `volume ${spec.volume ?? '(named)'}` : spec.source ? `${spec.source} of the working directory (bind)` : 'a host file (bind)';
    const expected = `${spec.container}:${spec.destination} ← ${wantedWhat}${spec.readOnly === true ? ', read-only' : ''}`;
    const found = await containerOrOutcome(engine, spec.container, expected);
    if (isOutcome(found)) return found;
    const mount = found.Mounts.find((candidate) => candidate.Destination === spec.destination);
    if (!mount) {
      return outcome('fail', expected, `nothing mounted at ${spec.destination}`, both(
        `Rien n'est monté sur ${spec.destination} dans ${spec.container} : le conteneur utilise ce que contient l'image.`,
        `Nothing is mounted at ${spec.destination} in ${spec.container}: the container uses what the image holds.`,
      ));
    }
    const actual = `${spec.destination} ← ${describeMount(mount)}`;
    if (mount.Type !== spec.type) {
      return outcome('fail', expected, actual, both(
        `${spec.destination} est monté en ${mount.Type}, alors qu'il faut ${spec.type === 'volume' ? 'un volume Docker' : 'un fichier de l\'hôte'}.`,
        `${spec.destination} is a ${mount.Type} mount, where ${spec.type === 'volume' ? 'a Docker volume' : 'a host file'} is wanted.`,
      ));
    }
    if (spec.type === 'volume' && spec.volume && mount.Name !== spec.volume) {
      const anonymous = ANONYMOUS.test(mount.Name ?? '');
      return outcome('fail', expected, actual, both(
        anonymous
          ? `${spec.destination} est un volume anonyme (${mount.Name!.slice(0, 12)}…), créé faute de -v : un nouveau conteneur ne le retrouverait pas. Il faut le volume nommé ${spec.volume}.`
          : `${spec.destination} est le volume ${mount.Name}, pas ${spec.volume}.`,
        anonymous
          ? `${spec.destination} is an anonymous volume (${mount.Name!.slice(0, 12)}…), made because no -v named one: a new container would not find it. The named volume ${spec.volume} is wanted.`
          : `${spec.destination} is the volume ${mount.Name}, not ${spec.volume}.`,
      ));
    }
    if (spec.type === 'bind' && spec.source) {
      const wrongFile = await sourceProblem(spec as Spec & { source: string }, mount, clients, expected, actual);
      if (wrongFile) return wrongFile;
    }
    if (spec.readOnly !== undefined && mount.RW === spec.readOnly) {
      return outcome('fail', expected, actual, both(
        spec.readOnly
          ? `${spec.destination} est monté en lecture-écriture : le conteneur pourrait le modifier. Montez-le en lecture seule.`
          : `${spec.destination} est monté en lecture seule, alors que le conteneur doit y écrire.`,
        spec.readOnly
          ? `${spec.destination} is mounted read-write: the container could change it. Mount it read-only.`
          : `${spec.destination} is mounted read-only, though the container must write there.`,
      ));
    }
    return outcome('pass', expected, actual, both(`${spec.destination} : ${describeMount(mount)}.`, `${spec.destination}: ${describeMount(mount)}.`));
  },
};
