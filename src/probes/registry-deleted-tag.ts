import { z } from 'zod';
import { ImageRef, RepositoryPath } from '../lab/ids.js';
import { both } from '../lab/text.js';
import { listTags, manifestDigest } from '../registry/api.js';
import { neverPushed, provenPushes } from './registry-pushes.js';
import { guardRegistry } from './registry-guard.js';
import { outcome, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('registry-deleted-tag'),
    image: ImageRef.describe('The local image that was pushed under the tag to delete'),
    repository: RepositoryPath.describe('Repository in the lab registry'),
    tag: z.string().min(1).describe('The tag whose manifest must have been deleted'),
    keep: z.array(z.string().min(1)).default([]).describe('Tags of the same repository that must still be there'),
    container: z.string().min(1).default('registry').describe("The lab registry's container: on the containerd image store, its log proves the push"),
  })
  .describe("A tag pushed to the lab registry was deleted (its manifest is gone by digest) while the repository's other tags remain");
type Spec = z.infer<typeof schema>;

export const registryDeletedTag: ProbeKind<Spec> = {
  kind: 'registry-deleted-tag',
  schema,
  inputs: { images: ['image'], containers: ['container'], registry: true },
  async run(spec, { engine, registry }) {
    const ref = `${registry.address}/${spec.repository}`;
    const expected = `${ref}:${spec.tag} deleted${spec.keep.length ? `, ${spec.keep.join(', ')} kept` : ''}`;
    const image = await engine.inspectImage(spec.image);
    if (!image) {
      return outcome('fail', expected, `${spec.image} absent`, both(
        `${spec.image} n'est pas sur votre moteur : c'est l'image à pousser sous ${ref}:${spec.tag}.`,
        `${spec.image} is not on your engine: it is the image to push as ${ref}:${spec.tag}.`,
      ));
    }
    return guardRegistry(expected, async () => {
      const digests = await provenPushes(engine, registry, image, spec.repository, spec.container);
      if (!digests.length) {
        return outcome('fail', expected, `${spec.image} never pushed to ${ref}`, await neverPushed(engine, spec.image, ref, spec.container, both(
          `poussez-la sous ${ref}:${spec.tag} avant de la supprimer du registre.`,
          `push it as ${ref}:${spec.tag} before deleting it from the registry.`,
        )));
      }
      const listed = await listTags(registry, spec.repository);
      const tags = listed.found ? listed.tags : [];
      const actual = `${ref}: ${tags.join(', ') || 'no tag'}`;
      if (tags.includes(spec.tag)) {
        return outcome('fail', expected, actual, both(
          `${ref}:${spec.tag} est toujours dans le registre : supprimez son manifeste, désigné par son digest.`,
          `${ref}:${spec.tag} is still in the registry: delete its manifest, named by its digest.`,
        ));
      }
      const served = [];
      for (const digest of digests) if (await manifestDigest(registry, spec.repository, digest)) served.push(digest);
      if (served.length) {
        return outcome('fail', expected, `${actual}; ${served[0]} still served`, both(
          `Le tag ${spec.tag} a disparu, mais le manifeste poussé (${served[0]!.slice(0, 19)}…) est encore servi par son digest.`,
          `The tag ${spec.tag} is gone, but the pushed manifest (${served[0]!.slice(0, 19)}…) is still served by its digest.`,
        ));
      }
      const lost = spec.keep.filter((tag) => !tags.includes(tag));
      if (lost.length) {
        return outcome('fail', expected, actual, both(
          `${spec.tag} est supprimé, mais ${lost.join(', ')} aussi : un DELETE retire tous les tags du même digest. Repoussez-les.`,
          `${spec.tag} is deleted, but so is ${lost.join(', ')}: a DELETE removes every tag on the same digest. Push them again.`,
        ));
      }
      return outcome('pass', expected, actual, both(
        `${ref}:${spec.tag} est supprimé${spec.keep.length ? ` ; ${spec.keep.join(', ')} restent` : ''}.`,
        `${ref}:${spec.tag} is deleted${spec.keep.length ? `; ${spec.keep.join(', ')} remain` : ''}.`,
      ));
    });
  },
};
