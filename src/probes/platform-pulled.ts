import { z } from 'zod';
import { PlatformName } from './platform-schema.js';
import { shortId } from '../engine/attributes.js';
import { ImageRef } from '../lab/ids.js';
import { both } from '../lab/text.js';
import { platformChildren, readManifest } from '../registry/manifests.js';
import { canonicalPlatform, formatPlatform, parsePlatform, samePlatform } from '../registry/platform.js';
import { imagePlatform, upstreamOf } from './upstream.js';
import { guardRegistry } from './registry-guard.js';
import { outcome, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('platform-pulled'),
    image: ImageRef.describe('A Docker Hub image whose tag names a multi-platform list, e.g. nginx:alpine'),
    platform: PlatformName.describe('The platform whose image must be on the engine'),
  })
  .describe(
    "The engine holds the image the list gives for this platform (its ID is that child's config digest), tagged or not: what `docker pull --platform` leaves, even after the tag moved back to the engine's own platform",
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
      const held = await engine.inspectImage(child.config.digest);
      if (held) {
        return outcome('pass', expected, `${shortId(held.Id)} (${held.Os}/${held.Architecture})`, both(
          `L'image ${formatPlatform(wanted)} de ${spec.image} est sur votre moteur (${shortId(held.Id)}).`,
          `The ${formatPlatform(wanted)} image of ${spec.image} is on your engine (${shortId(held.Id)}).`,
        ));
      }
      const local = await engine.inspectImage(spec.image);
      // The containerd image store names an image by its list's digest, not its config's: the tag's platform
      // tells then, provided the image came from that list (its ID or a repo digest is the list or the entry),
      // not another image of the same platform tagged with this name.
      if (local && samePlatform(imagePlatform(local), wanted)) {
        const fromList = [list.digest, entry!.digest];
        const names = [local.Id, ...(local.RepoDigests ?? []).map((ref) => ref.slice(ref.lastIndexOf('@') + 1))];
        if (names.some((name) => fromList.includes(name))) {
          return outcome('pass', expected, `${spec.image} is ${formatPlatform(wanted)}`, both(`Votre ${spec.image} est l'image ${formatPlatform(wanted)}.`, `Your ${spec.image} is the ${formatPlatform(wanted)} image.`));
        }
        return outcome('fail', expected, `${spec.image} is a ${formatPlatform(wanted)} image from elsewhere (${shortId(local.Id)})`, both(
          `Votre ${spec.image} est bien ${formatPlatform(wanted)}, mais ce n'est pas l'image ${formatPlatform(wanted)} de ${spec.image} : ni son ID ni ses digests ne sont ceux de la liste (une autre image retaguée ?). Tirez-la avec --platform.`,
          `Your ${spec.image} is ${formatPlatform(wanted)}, but this is not the ${formatPlatform(wanted)} image of ${spec.image}: neither its ID nor its digests are the list's (another image retagged?). Pull it with --platform.`,
        ));
      }
      const here = local ? `${spec.image} is ${formatPlatform(imagePlatform(local))} here` : `no ${spec.image} here`;
      const hereFr = local ? `votre ${spec.image} est ${formatPlatform(imagePlatform(local))}` : `aucune ${spec.image} sur votre moteur`;
      return outcome('fail', expected, here, both(
        `L'image ${formatPlatform(wanted)} de ${spec.image} n'est pas sur votre moteur (${hereFr}).`,
        `The ${formatPlatform(wanted)} image of ${spec.image} is not on your engine (${here}).`,
      ));
    });
  },
};
