import { z } from 'zod';
import { RepositoryPath } from '../lab/ids.js';
import { both } from '../lab/text.js';
import type { EngineClient } from '../engine/types.js';
import { ImageRef } from '../lab/ids.js';
import { listRepositories, listTags, manifestDigest } from '../registry/api.js';
import type { RegistryClient } from '../registry/types.js';
import { pushedDigests } from '../engine/store.js';
import { guardRegistry } from './registry-guard.js';
import { outcome, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('registry-tags'),
    repository: RepositoryPath.describe('Repository name in the registry, without the registry address'),
    tags: z.array(z.string().min(1)).min(1).describe('Tags the repository must have'),
    image: ImageRef.optional().describe('The local image every tag must have been pushed from (docker push records the digest in its RepoDigests)'),
  })
  .describe("A repository is in the lab registry's catalog (every page followed) with these tags");
type Spec = z.infer<typeof schema>;

/**
 * The first tag whose manifest is not one `image` was pushed as (another image tagged with the name and pushed:
 * the cheapest stand-in), with the digest the registry serves; undefined when every tag is the image.
 */
async function notPushedFrom(engine: EngineClient, registry: RegistryClient, repository: string, tags: string[], image: string): Promise<[string, string] | undefined> {
  const local = await engine.inspectImage(image);
  const pushed = local ? await pushedDigests(engine, local, registry.address, repository) : [];
  for (const tag of tags) {
    const digest = await manifestDigest(registry, repository, tag);
    if (digest && !pushed.includes(digest)) return [tag, digest];
  }
  return undefined;
}

export const registryTags: ProbeKind<Spec> = {
  kind: 'registry-tags',
  schema,
  inputs: { registry: true },
  async run(spec, { engine, registry }) {
    const ref = `${registry.address}/${spec.repository}`;
    const expected = `${ref}:{${spec.tags.join(',')}}`;
    return guardRegistry(expected, async () => {
      const repositories = await listRepositories(registry);
      if (!repositories.includes(spec.repository)) {
        return outcome('fail', expected, `catalog: ${repositories.join(', ') || 'empty'}`, both(
          `Le registre ${registry.address} ne contient pas de dépôt ${spec.repository}${repositories.length ? ` (dépôts : ${repositories.join(', ')})` : ' (il est vide)'}.`,
          `Registry ${registry.address} has no ${spec.repository} repository${repositories.length ? ` (repositories: ${repositories.join(', ')})` : ' (it is empty)'}.`,
        ));
      }
      const listed = await listTags(registry, spec.repository);
      const tags = listed.found ? listed.tags : [];
      const actual = `${ref}: ${tags.join(', ') || 'no tag'}`;
      const missing = spec.tags.filter((tag) => !tags.includes(tag));
      const foreign = !missing.length && spec.image ? await notPushedFrom(engine, registry, spec.repository, spec.tags, spec.image) : undefined;
      if (foreign) {
        const [tag, digest] = foreign;
        return outcome('fail', expected, `${actual}; ${ref}:${tag} → ${digest}`, both(
          `${ref}:${tag} n'est pas ${spec.image} de votre moteur : le registre sert sous ce nom le manifeste ${digest.slice(0, 19)}…, que ${spec.image} n'a jamais poussé. Poussez ${spec.image} sous ce nom.`,
          `${ref}:${tag} is not the ${spec.image} of your engine: under that name the registry serves the manifest ${digest.slice(0, 19)}…, which ${spec.image} never pushed. Push ${spec.image} under that name.`,
        ));
      }
      if (!missing.length) {
        return outcome('pass', expected, actual, both(`${ref} a les tags ${spec.tags.join(', ')}.`, `${ref} has the tags ${spec.tags.join(', ')}.`));
      }
      return outcome('fail', expected, actual, both(
        `Il manque à ${ref} le(s) tag(s) ${missing.join(', ')}${tags.length ? ` (présents : ${tags.join(', ')})` : ' (aucun tag)'}.`,
        `${ref} lacks the tag(s) ${missing.join(', ')}${tags.length ? ` (present: ${tags.join(', ')})` : ' (no tag)'}.`,
      ));
    });
  },
};
