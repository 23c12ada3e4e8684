import { z } from 'zod';
import { PlatformName } from '../probes/platform-schema.js';
import { ImageRef } from '../lab/ids.js';
import { readManifest, listPlatforms, platformChildren } from '../registry/manifests.js';
import { RegistryError } from '../registry/errors.js';
import { canonicalPlatform, formatPlatform, parsePlatform } from '../registry/platform.js';
import { imagePlatform, upstreamOf } from '../probes/upstream.js';
import { both } from '../lab/text.js';
import type { FactKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('upstream-list'),
    image: ImageRef.describe('A Docker Hub image whose tag names a multi-platform list, e.g. nginx:alpine'),
    read: z.enum(['platforms', 'child-digest', 'local-architecture']).describe(
      "platforms: every platform the list offers; child-digest: the digest of one platform's entry; local-architecture: the architecture (and variant) the engine's copy of that platform's image says",
    ),
    platform: PlatformName.optional().describe('With child-digest and local-architecture: whose image'),
  })
  .refine((spec) => spec.read === 'platforms' || spec.platform, { error: 'child-digest and local-architecture need a platform' })
  .describe("The multi-platform list of a Docker Hub image as the engine pulls it (through its mirror when it has one): its platforms, or one child's digest");
type Spec = z.infer<typeof schema>;

export const upstreamListFact: FactKind<Spec> = {
  kind: 'upstream-list',
  schema,
  inputs: { images: ['image'], registry: true },
  async read(spec, { engine, registry }) {
    try {
      const upstream = await upstreamOf(engine, registry, spec.image);
      if (!upstream) return { value: null, missing: both(`aucun registre où lire ${spec.image}`, `no registry to read ${spec.image} from`) };
      const list = await readManifest(upstream.registry, upstream.repository, upstream.tag);
      if (list?.kind !== 'list') return { value: null, missing: both(`${upstream.where}/${upstream.repository}:${upstream.tag} n'est pas une liste multi-plateforme`, `${upstream.where}/${upstream.repository}:${upstream.tag} is not a multi-platform list`) };
      if (spec.read === 'platforms') return { value: listPlatforms(list) };
      const wanted = canonicalPlatform(parsePlatform(spec.platform!)!);
      const entry = platformChildren(list).find((child) => child.platform && canonicalPlatform(child.platform) === wanted);
      if (!entry) return { value: null, missing: both(`la liste de ${spec.image} ne propose pas ${formatPlatform(parsePlatform(spec.platform!)!)}`, `the list of ${spec.image} offers no ${formatPlatform(parsePlatform(spec.platform!)!)}`) };
      if (spec.read === 'child-digest') return { value: entry.digest };
      // The engine's copy, found by its ID (the child's config digest): it stays after the tag moves back.
      const child = await readManifest(upstream.registry, upstream.repository, entry.digest);
      // Else the tag, when it is that platform's image (the containerd store names images by their list's digest).
      const tagged = await engine.inspectImage(spec.image);
      const taggedIsIt = tagged && canonicalPlatform(imagePlatform(tagged)) === wanted;
      const local = (child?.kind === 'image' ? await engine.inspectImage(child.config.digest) : null) ?? (taggedIsIt ? tagged : null);
      if (!local) return { value: null, missing: both(`l'image ${spec.platform} de ${spec.image} n'est pas sur votre moteur`, `the ${spec.platform} image of ${spec.image} is not on your engine`) };
      return { value: [local.Architecture, local.Variant].filter(Boolean).join('/') };
    } catch (error) {
      if (error instanceof RegistryError) return { value: null, missing: error.text };
      throw error;
    }
  },
};
