import { z } from 'zod';
import { both } from '../lab/text.js';
import { containerOrOutcome, isOutcome } from './containers.js';
import { outcome, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('container-mount'),
    container: z.string().min(1).describe('Container name'),
    destination: z.string().startsWith('/').describe('The path inside the container'),
    type: z.enum(['volume', 'bind']).describe('volume: a Docker volume; bind: a file or folder of the host'),
    volume: z.string().optional().describe('With type volume: the name the volume must have (an anonymous volume fails)'),
    readOnly: z.boolean().optional().describe('true: mounted read-only (:ro); false: read-write; absent: either'),
  })
  .describe('What a named container has mounted at one path (Mounts: type, volume name, read-only)');
type Spec = z.infer<typeof schema>;

/** Volumes Docker creates for an image's VOLUME when `-v` names none have a 64-hex name. */
const ANONYMOUS = /^[0-9a-f]{64}$/;

function describeMount(mount: { Type: string; Name?: string; Source: string; RW: boolean }): string {
  const what = mount.Type === 'volume' ? `volume ${mount.Name ?? '?'}` : `${mount.Type} ${mount.Source}`;
  return `${what} (${mount.RW ? 'rw' : 'ro'})`;
}

export const containerMount: ProbeKind<Spec> = {
  kind: 'container-mount',
  schema,
  async run(spec, { engine }) {
    const wantedWhat = spec.type === 'volume' ? `volume ${spec.volume ?? '(named)'}` : 'a host file (bind)';
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
