import { z } from 'zod';
import { PlatformName } from './platform-schema.js';
import { shortId } from '../engine/attributes.js';
import { ImageRef } from '../lab/ids.js';
import { both } from '../lab/text.js';
import { platformChildren, readManifest } from '../registry/manifests.js';
import { heldPlatforms, holdsManifest } from '../engine/store.js';
import type { EngineClient } from '../engine/types.js';
import { canonicalPlatform, formatPlatform, parsePlatform, samePlatform, type Platform } from '../registry/platform.js';
import { imagePlatform, upstreamOf } from './upstream.js';
import { guardRegistry } from './registry-guard.js';
import { outcome, type Outcome, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('platform-pulled'),
    image: ImageRef.describe('A Docker Hub image whose tag names a multi-platform list, e.g. nginx:alpine'),
    platform: PlatformName.describe('The platform whose image must be on the engine'),
  })
  .describe(
    "The engine holds the image the list gives for this platform, tagged or not: what `docker pull --platform` leaves, even after the tag moved back to the engine's own platform (classic store: an image whose ID is that child's config digest; containerd store: the list's image holding that child)",
  );
type Spec = z.infer<typeof schema>;

export const platformPulled: ProbeKind<Spec> = {
  kind: 'platform-pulled',
  schema,
  inputs: { images: 'any', registry: true },
  async run(spec, { engine, registry }) {
    const wanted = parsePlatform(spec.platform)!;
    const expected = `the ${formatPlatform(wanted)} image of ${spec.image} on the engine`;
    return guardRegistry(expected, async () => {
      const upstream = await upstreamOf(engine, registry, spec.image);
      if (!upstream) return outcome('skip', expected, 'no registry to read the list from', both(`Impossible de lire la liste de ${spec.image} (ni miroir ni Docker Hub).`, `Cannot read the list of ${spec.image} (no mirror, no Docker Hub).`));
      const list = await readManifest(upstream.registry, upstream.repository, upstream.tag);
      if (list?.kind !== 'list') {
        return outcome('error', expected, `${upstream.where}/${upstream.repository}:${upstream.tag} is ${list ? 'a single image' : 'absent'}`, both(
          `${spec.image} n'est pas une liste multi-plateforme sur ${upstream.where} : le miroir du lab a été préparé sans les images arm (scripts/fixtures.sh).`,
          `${spec.image} is not a multi-platform list on ${upstream.where}: the lab's mirror was prepared without its arm images (scripts/fixtures.sh).`,
        ));
      }
      const entry = platformChildren(list).find((child) => child.platform && canonicalPlatform(child.platform) === canonicalPlatform(wanted));
      const child = entry ? await readManifest(upstream.registry, upstream.repository, entry.digest) : null;
      if (child?.kind !== 'image') {
        return outcome('error', expected, `no ${formatPlatform(wanted)} image in the list`, both(`La liste de ${spec.image} ne propose pas ${formatPlatform(wanted)}.`, `The list of ${spec.image} offers no ${formatPlatform(wanted)} image.`));
      }
      if ((await engine.version()).store === 'containerd') return judgeContainerd(spec, wanted, expected, engine, list.digest, entry!.digest);
      const held = await engine.inspectImage(child.config.digest);
      if (held) {
        return outcome('pass', expected, `${shortId(held.Id)} (${held.Os}/${held.Architecture})`, both(
          `L'image ${formatPlatform(wanted)} de ${spec.image} est sur votre moteur (${shortId(held.Id)}).`,
          `The ${formatPlatform(wanted)} image of ${spec.image} is on your engine (${shortId(held.Id)}).`,
        ));
      }
      const local = await engine.inspectImage(spec.image);
      if (local && samePlatform(imagePlatform(local), wanted)) {
        return outcome('fail', expected, `${spec.image} is a ${formatPlatform(wanted)} image from elsewhere (${shortId(local.Id)})`, both(
          `Votre ${spec.image} est bien ${formatPlatform(wanted)}, mais ce n'est pas l'image ${formatPlatform(wanted)} de ${spec.image} : son ID n'est pas celui que donne la liste (une autre image retaguée ?). Tirez-la avec --platform.`,
          `Your ${spec.image} is ${formatPlatform(wanted)}, but this is not the ${formatPlatform(wanted)} image of ${spec.image}: its ID is not the one the list gives (another image retagged?). Pull it with --platform.`,
        ));
      }
      const here = local ? `${spec.image} is ${formatPlatform(imagePlatform(local))} here` : `no ${spec.image} here`;
      const hereFr = local ? `votre ${spec.image} est ${formatPlatform(imagePlatform(local))}` : `aucune ${spec.image} sur votre moteur`;
      return notHere(spec, wanted, expected, here, hereFr);
    });
  },
};

function notHere(spec: Spec, wanted: Platform, expected: string, here: string, hereFr: string): Outcome {
  return outcome('fail', expected, here, both(
    `L'image ${formatPlatform(wanted)} de ${spec.image} n'est pas sur votre moteur (${hereFr}).`,
    `The ${formatPlatform(wanted)} image of ${spec.image} is not on your engine (${here}).`,
  ));
}

/**
 * The containerd image store keeps the platforms of one image together: `docker pull --platform linux/arm64
 * nginx:alpine` adds that platform's content to the image the list's digest names (the tag stays on it). The
 * platform is there when that image (or one pulled by the child's own digest) holds the child's manifest.
 */
async function judgeContainerd(spec: Spec, wanted: Platform, expected: string, engine: EngineClient, listDigest: string, childDigest: string): Promise<Outcome> {
  const [fromList, byDigest] = await Promise.all([engine.inspectImage(listDigest), engine.inspectImage(childDigest)]);
  const holder = [fromList, byDigest].find((image) => holdsManifest(image, childDigest));
  if (holder) {
    return outcome('pass', expected, `${shortId(holder.Id)} holds ${formatPlatform(wanted)}`, both(
      `L'image ${formatPlatform(wanted)} de ${spec.image} est sur votre moteur (plateforme de ${shortId(holder.Id)}).`,
      `The ${formatPlatform(wanted)} image of ${spec.image} is on your engine (a platform of ${shortId(holder.Id)}).`,
    ));
  }
  const local = await engine.inspectImage(spec.image);
  const held = local ? heldPlatforms(local) : [];
  const list = held.join(', ');
  const here = !local ? `no ${spec.image} here` : local.Id === listDigest ? `${spec.image} holds ${list || 'no platform'} here` : `${spec.image} here is another image, ${shortId(local.Id)}, not that list: retagged?`;
  const hereFr = !local ? `aucune ${spec.image} sur votre moteur` : local.Id === listDigest ? `votre ${spec.image} contient ${list || 'aucune plateforme'}` : `votre ${spec.image} est une autre image, ${shortId(local.Id)}, pas cette liste : un autre tag posé dessus ?`;
  return notHere(spec, wanted, expected, here, hereFr);
}
