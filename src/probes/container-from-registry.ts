import { z } from 'zod';
import { shortId } from '../engine/attributes.js';
import { both } from '../lab/text.js';
import { manifestDigest } from '../registry/api.js';
import { containerOrOutcome, isOutcome } from './containers.js';
import { pushedDigests } from '../engine/store.js';
import { familiarRepository as repositoryOf } from '../reference.js';
import { guardRegistry } from './registry-guard.js';
import { outcome, type Outcome, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('container-from-registry'),
    container: z.string().min(1).describe('Container name'),
    repository: z.string().regex(/^[a-z0-9][a-z0-9._\/-]*$/).describe('Repository in the lab registry, without the registry address'),
    tag: z.string().min(1).describe('The tag whose manifest the container must run'),
    containerPort: z.number().int().positive().describe('Container port that must be published'),
    hostPort: z.number().int().positive().describe('Host port it must be published on'),
  })
  .describe("A running container was started from the lab registry's image (by its registry name, same manifest) and publishes a port");
type Spec = z.infer<typeof schema>;

async function judge(spec: Spec, expected: string, { engine, registry }: Parameters<ProbeKind<Spec>['run']>[1]): Promise<Outcome> {
  const found = await containerOrOutcome(engine, spec.container, expected);
  if (isOutcome(found)) return found;
  const ref = `${registry.address}/${spec.repository}`;
  const actual = `${spec.container}: ${found.State.Status}, image ${found.Config.Image} (${shortId(found.Image)})`;
  if (!found.State.Running) {
    return outcome('fail', expected, actual, both(
      `Le conteneur ${spec.container} existe mais ne tourne pas (état : ${found.State.Status}).`,
      `Container ${spec.container} exists but is not running (state: ${found.State.Status}).`,
    ));
  }
  // The name given to docker run is the evidence of where the image came from: the local copy has the same ID.
  if (repositoryOf(found.Config.Image) !== ref) {
    return outcome('fail', expected, actual, both(
      `${spec.container} a été lancé depuis ${found.Config.Image}, l'image locale : lancez l'image du registre, ${ref}:${spec.tag}, après l'avoir tirée.`,
      `${spec.container} was started from ${found.Config.Image}, the local image: run the registry's image, ${ref}:${spec.tag}, after pulling it.`,
    ));
  }
  const digest = await manifestDigest(registry, spec.repository, spec.tag);
  if (!digest) return outcome('fail', expected, actual, both(`${ref}:${spec.tag} n'est pas dans le registre.`, `${ref}:${spec.tag} is not in the registry.`));
  const image = await engine.inspectImage(found.Image);
  const running = image ? await pushedDigests(engine, image, registry.address, spec.repository) : [];
  if (!running.includes(digest)) {
    return outcome('fail', expected, `${actual}, registry ${spec.tag} → ${shortId(digest)}`, both(
      `${spec.container} exécute une image (${shortId(found.Image)}) qui n'est pas celle de ${ref}:${spec.tag} aujourd'hui (${shortId(digest)}) : tirez-la de nouveau et recréez le conteneur.`,
      `${spec.container} runs an image (${shortId(found.Image)}) that is not the one ${ref}:${spec.tag} names today (${shortId(digest)}): pull it again and recreate the container.`,
    ));
  }
  const published = (found.HostConfig.PortBindings?.[`${spec.containerPort}/tcp`] ?? []).map((binding) => binding.HostPort).filter(Boolean);
  if (!published.includes(String(spec.hostPort))) {
    return outcome('fail', expected, `${actual}, ${spec.containerPort}/tcp → ${published.join(', ') || 'not published'}`, both(
      `Le port ${spec.containerPort} de ${spec.container} n'est pas publié sur le port ${spec.hostPort} de l'hôte${published.length ? ` (publié sur : ${published.join(', ')})` : ''}.`,
      `Port ${spec.containerPort} of ${spec.container} is not published on host port ${spec.hostPort}${published.length ? ` (published on: ${published.join(', ')})` : ''}.`,
    ));
  }
  return outcome('pass', expected, actual, both(
    `${spec.container} exécute l'image du registre (${shortId(digest)}) et publie ${spec.containerPort} sur ${spec.hostPort}.`,
    `${spec.container} runs the registry's image (${shortId(digest)}) and publishes ${spec.containerPort} on ${spec.hostPort}.`,
  ));
}

export const containerFromRegistry: ProbeKind<Spec> = {
  kind: 'container-from-registry',
  schema,
  inputs: { containers: ['container'], images: 'any', registry: true },
  run(spec, clients) {
    const expected = `${spec.container} running ${clients.registry.address}/${spec.repository}:${spec.tag}, ${spec.containerPort}/tcp on ${spec.hostPort}`;
    return guardRegistry(expected, () => judge(spec, expected, clients));
  },
};
