import { z } from 'zod';
import { shortId } from '../engine/attributes.js';
import { ImageRef } from '../lab/ids.js';
import { both } from '../lab/text.js';
import { containerOrOutcome, isOutcome, repositoryName } from './containers.js';
import { outcome, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('container-running'),
    container: z.string().min(1).describe('Container name'),
    image: ImageRef.describe('The image it must run (same image ID, or the same repository: registry:2.8 counts for registry:2)'),
    port: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("A container port that must be published on the host, on the port of the lab's --registry address"),
  })
  .describe('A named container runs from an image and publishes a port');
type Spec = z.infer<typeof schema>;

/** The host port the lab expects: the port of --registry (localhost:5000 → 5000). */
function hostPortOf(address: string): string | undefined {
  return address.replace(/^[a-z]+:\/\//i, '').split('/')[0]!.match(/:(\d+)$/)?.[1];
}

export const containerRunning: ProbeKind<Spec> = {
  kind: 'container-running',
  schema,
  inputs: { containers: ['container'], images: ['image'] },
  async run(spec, { engine, registry }) {
    const hostPort = spec.port ? hostPortOf(registry.address) ?? String(spec.port) : undefined;
    const expected = `${spec.container} running ${spec.image}${spec.port ? `, ${spec.port}/tcp published on ${hostPort}` : ''}`;
    const found = await containerOrOutcome(engine, spec.container, expected);
    if (isOutcome(found)) return found;
    const actual = `${spec.container}: ${found.State.Status}, image ${found.Config.Image}`;
    if (!found.State.Running) {
      return outcome('fail', expected, actual, both(
        `Le conteneur ${spec.container} existe mais ne tourne pas (état : ${found.State.Status}).`,
        `Container ${spec.container} exists but is not running (state: ${found.State.Status}).`,
      ));
    }
    const wanted = await engine.inspectImage(spec.image);
    const sameImage = wanted?.Id === found.Image || repositoryName(found.Config.Image) === repositoryName(spec.image);
    if (!sameImage) {
      return outcome('fail', expected, `${actual} (${shortId(found.Image)})`, both(
        `${spec.container} tourne à partir de ${found.Config.Image}, pas de ${spec.image}.`,
        `${spec.container} runs ${found.Config.Image}, not ${spec.image}.`,
      ));
    }
    if (spec.port && found.HostConfig.NetworkMode === 'host') {
      // --network host: no publishing, the container's port is the host's own port.
      if (String(spec.port) !== hostPort) {
        return outcome('fail', expected, `${actual}, host network: listens on ${spec.port}`, both(
          `${spec.container} partage le réseau de l'hôte : il écoute sur le port ${spec.port} de l'hôte, pas sur ${hostPort}.`,
          `${spec.container} shares the host's network: it listens on host port ${spec.port}, not ${hostPort}.`,
        ));
      }
    } else if (spec.port) {
      const bindings = found.HostConfig.PortBindings?.[`${spec.port}/tcp`] ?? [];
      const published = bindings.map((binding) => binding.HostPort).filter(Boolean);
      if (!published.includes(hostPort)) {
        return outcome('fail', expected, `${actual}, ${spec.port}/tcp → ${published.join(', ') || 'not published'}`, both(
          `Le port ${spec.port} de ${spec.container} n'est pas publié sur le port ${hostPort} de l'hôte${published.length ? ` (publié sur : ${published.join(', ')})` : ''}.`,
          `Port ${spec.port} of ${spec.container} is not published on host port ${hostPort}${published.length ? ` (published on: ${published.join(', ')})` : ''}.`,
        ));
      }
    }
    const network = found.HostConfig.NetworkMode === 'host' ? both(", réseau de l'hôte", ', host network') : both('', '');
    return outcome('pass', expected, actual, both(`${spec.container} tourne (${found.Config.Image}${network.fr}).`, `${spec.container} is running (${found.Config.Image}${network.en}).`));
  },
};
