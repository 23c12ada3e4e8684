import { z } from 'zod';
import { PlatformName } from '../probes/platform-schema.js';
import { ImageRef } from '../lab/ids.js';
import { readManifest, listPlatforms, platformChildren } from '../registry/manifests.js';
import { RegistryError } from '../registry/errors.js';
import { canonicalPlatform, formatPlatform, parsePlatform } from '../registry/platform.js';
import { upstreamOf } from '../probes/upstream.js';
import { both } from '../lab/text.js';
import { holdsManifest } from '../engine/store.js';
import type { EngineClient, ImageInspect } from '../engine/types.js';
import type { Fact, FactKind } from './types.js';

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

/** What `docker inspect` shows as the architecture, with its variant (arm/v7). */
const architectureOf = (image: ImageInspect): string => formatPlatform({ os: '', architecture: image.Architecture, ...(image.Variant ? { variant: image.Variant } : {}) });

const notOnEngine = (spec: Spec): Fact => ({ value: null, missing: both(`l'image ${spec.platform} de ${spec.image} n'est pas sur votre moteur`, `the ${spec.platform} image of ${spec.image} is not on your engine`) });

/**
 * The containerd image store adds a pulled platform to the image the list names, and the tag stays on it:
 * `docker inspect nginx:alpine` then shows the engine's own platform while it is there (the classic store moves
 * the tag to the arm64 image). What it prints is the answer; the pulled platform's architecture, which the course
 * expects, is right too, and the student is told why the two differ.
 */
async function containerdArchitecture(spec: Spec, engine: EngineClient, listDigest: string, childDigest: string): Promise<Fact> {
  const [tagged, byDigest] = await Promise.all([engine.inspectImage(spec.image), engine.inspectImage(childDigest)]);
  if (!holdsManifest(tagged, childDigest) && !holdsManifest(byDigest, childDigest)) return notOnEngine(spec);
  const pulled = parsePlatform(spec.platform!)!;
  const course = formatPlatform({ ...pulled, os: '' });
  const shown = tagged && tagged.Id === listDigest ? architectureOf(tagged) : course;
  if (shown === course) return { value: shown };
  return {
    value: shown,
    alsoRight: [{ value: course, because: both(
      `${course} est l'architecture de l'image tirée. Sur votre moteur (stockage d'images containerd), ${spec.image} garde toutes ses plateformes sous un seul tag, et docker inspect montre celle de votre machine (${shown}) tant qu'elle est là ; \`docker inspect --platform ${formatPlatform(pulled)} ${spec.image}\` montre l'autre.`,
      `${course} is the architecture of the image pulled. On your engine (containerd image store), ${spec.image} keeps all its platforms under one tag, and docker inspect shows your machine's (${shown}) while it is there; \`docker inspect --platform ${formatPlatform(pulled)} ${spec.image}\` shows the other.`,
    ) }],
  };
}

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
      if ((await engine.version()).store === 'containerd') return containerdArchitecture(spec, engine, list.digest, entry.digest);
      // The engine's copy, found by its ID (the child's config digest): it stays after the tag moves back.
      const child = await readManifest(upstream.registry, upstream.repository, entry.digest);
      const local = child?.kind === 'image' ? await engine.inspectImage(child.config.digest) : null;
      if (!local) return notOnEngine(spec);
      return { value: architectureOf(local) };
    } catch (error) {
      if (error instanceof RegistryError) return { value: null, missing: error.text };
      throw error;
    }
  },
};
