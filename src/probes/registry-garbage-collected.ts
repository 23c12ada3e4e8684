import { z } from 'zod';
import { readSaveArchive, saveBound } from '../archive/index.js';
import { storedBytes } from '../engine/sizes.js';
import type { EngineClient, ImageInspect } from '../engine/types.js';
import { ImageRef, RepositoryPath } from '../lab/ids.js';
import { both } from '../lab/text.js';
import { blobExists, manifestDigest } from '../registry/api.js';
import { neverPushed, provenPushes } from './registry-pushes.js';
import { guardRegistry } from './registry-guard.js';
import { imageContentKey } from './image-file-kept.js';
import { outcome, type ProbeClients, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('registry-garbage-collected'),
    image: ImageRef.describe('The local image that was pushed, then deleted from the registry'),
    repository: RepositoryPath.describe('Repository in the lab registry'),
    container: z.string().min(1).default('registry').describe("The lab registry's container: on the containerd image store, its log proves the push"),
  })
  .describe(
    "The blobs of an image deleted from the lab registry were garbage-collected: its config blob (digest read from the engine's save of the image) is no longer served. The registry's blob cache keeps answering until it is restarted",
  );
type Spec = z.infer<typeof schema>;

/**
 * The digest of the config blob `docker push` sent. The classic image store names an image by that digest, the
 * containerd store by its manifest's or index's; and the pushed manifest, which names the config, is the one
 * deleted. So the config digest is read from the engine's own `docker save` of the image (the platform whose
 * layers the engine uses).
 */
async function savedConfigDigest(engine: EngineClient, image: ImageInspect, signal?: AbortSignal): Promise<string | null> {
  // By ID: a tag moved meanwhile cannot make it read another image's save.
  const stream = await engine.saveImage(image.Id);
  if (!stream) return null; // gone between two calls
  const saved = await readSaveArchive(stream, { signal, maxTarBytes: saveBound([storedBytes(image)]) });
  const layers = (image.RootFS?.Layers ?? []).join(' ');
  const mine = saved.find((candidate) => candidate.layers.map((layer) => layer.diffId).join(' ') === layers) ?? saved[0]!;
  return mine.configDigest;
}

/** The config digest, kept by image ID for the next process given `stored` (the save is the probe's whole cost). */
async function configDigest({ engine, stored, signal }: Pick<ProbeClients, 'engine' | 'stored' | 'signal'>, image: ImageInspect): Promise<string> {
  const read = () => savedConfigDigest(engine, image, signal);
  // An image gone meanwhile: its ID is the best guess left, never kept (the ID may name an index).
  return (await (stored ? stored.get('config-digest', imageContentKey(image), read, (digest) => digest !== null) : read())) ?? image.Id;
}

export const registryGarbageCollected: ProbeKind<Spec> = {
  kind: 'registry-garbage-collected',
  schema,
  inputs: { images: ['image'], containers: ['container'], registry: true },
  async run(spec, { engine, registry, stored, signal }) {
    const ref = `${registry.address}/${spec.repository}`;
    const expected = `${spec.image}'s blobs gone from ${ref}`;
    const image = await engine.inspectImage(spec.image);
    if (!image) {
      return outcome('fail', expected, `${spec.image} absent`, both(`${spec.image} n'est pas sur votre moteur.`, `${spec.image} is not on your engine.`));
    }
    return guardRegistry(expected, async () => {
      const digests = await provenPushes(engine, registry, image, spec.repository, spec.container);
      if (!digests.length) {
        return outcome('fail', expected, `${spec.image} never pushed to ${ref}`, await neverPushed(engine, spec.image, ref, spec.container, both(
          'il n\'y a rien à nettoyer.',
          'there is nothing to collect.',
        )));
      }
      for (const digest of digests) {
        if (await manifestDigest(registry, spec.repository, digest)) {
          return outcome('fail', expected, `manifest ${digest} still in ${ref}`, both(
            `Le manifeste de ${spec.image} est encore dans ${ref} : le ramasse-miettes ne libère que ce qu'aucun manifeste n'utilise. Supprimez d'abord le manifeste.`,
            `${spec.image}'s manifest is still in ${ref}: garbage collection only frees what no manifest uses. Delete the manifest first.`,
          ));
        }
      }
      // The config blob belongs to this image alone, unlike base layers other images share.
      const config = await configDigest({ engine, stored, signal }, image);
      if (await blobExists(registry, spec.repository, config)) {
        return outcome('fail', expected, `blob ${config.slice(0, 19)}… still served`, both(
          `Le manifeste est supprimé, mais le registre sert encore les blobs de l'image (sa config ${config.slice(7, 19)}…) : lancez le ramasse-miettes, puis redémarrez le registre (son cache se souvient des blobs effacés).`,
          `The manifest is deleted, but the registry still serves the image's blobs (its config ${config.slice(7, 19)}…): run the garbage collector, then restart the registry (its cache remembers deleted blobs).`,
        ));
      }
      return outcome('pass', expected, `blob ${config.slice(0, 19)}… gone`, both(
        `Les blobs de ${spec.image} ont quitté le registre.`,
        `${spec.image}'s blobs have left the registry.`,
      ));
    });
  },
};
