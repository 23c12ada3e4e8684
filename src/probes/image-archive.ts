import { z } from 'zod';
import { savedImageId, type ImageArchive } from '../archive/types.js';
import { storedBytes } from '../engine/sizes.js';
import { shortId } from '../engine/attributes.js';
import { holdsManifest } from '../engine/store.js';
import type { EngineClient, ImageInspect } from '../engine/types.js';
import type { FileAccess } from '../files/types.js';
import { DATE_PLACEHOLDER, newestDatedFile } from './dated.js';
import { ImageRef } from '../lab/ids.js';
import { sameReference } from '../reference.js';
import { both } from '../lab/text.js';
import type { StoredReadings } from '../cache/stored-readings.js';
import { contentName, missingMessage, readWorkdirArchive, saveBound, verdictMessage } from './archive-file.js';
import { outcome, type Outcome, type ProbeKind } from './types.js';

const COMPRESSION = ['none', 'gzip', 'bzip2', 'xz', 'zstd'] as const;

const schema = z
  .strictObject({
    kind: z.literal('image-archive'),
    path: z.string().min(1).describe('The archive, relative to the workdir (e.g. nginx-save.tar); {date} in its file name stands for a YYYYMMDD day (the newest file that fits is judged)'),
    image: ImageRef.describe('The image it must hold: its config, manifest or index digest = image ID, its diff_ids = RootFS.Layers'),
    compression: z.enum(COMPRESSION).default('none').describe('How the file must be compressed, told from its content'),
  })
  .describe('A file of the workdir is a `docker save` of an image on the engine (digests checked), compressed as asked');
type Spec = z.infer<typeof schema>;

/** The ID `docker images` showed for this image where it was saved, short. */
function savedId(image: ImageArchive): string {
  return shortId(savedImageId(image));
}

function describeImage(image: ImageArchive): string {
  const tags = image.repoTags.length ? image.repoTags.join(', ') : 'no tag';
  return `save of ${savedId(image)} (${tags}), ${image.layers.length} layer(s), ${image.layout} layout, ${image.compression}`;
}

/**
 * The digests an engine may know this image by: the classic store names an image by its config digest; the
 * containerd image store by the digest of its manifest, or of its index for a multi-platform image.
 */
function knownAs(image: ImageArchive): string[] {
  return [image.configDigest, image.manifestDigest, image.indexDigest].filter((digest): digest is string => Boolean(digest));
}

function sameLayers(image: ImageArchive, engineLayers: string[]): boolean {
  return image.layers.map((layer) => layer.diffId).join(' ') === engineLayers.join(' ');
}

/** Why no image of the archive is the engine's: its ID without its layers, its layers without its ID, or neither. */
function mismatch(spec: Spec, expected: string, images: ImageArchive[], engineImage: ImageInspect, engineLayers: string[]): Outcome {
  const engineId = shortId(engineImage.Id);
  const named = images.find((candidate) => knownAs(candidate).some((digest) => holdsManifest(engineImage, digest)));
  if (named) {
    // The same image index, but the save holds another platform's manifest than the one the engine runs.
    return outcome('fail', expected, describeImage(named), both(
      `${spec.path} porte l'identifiant de ${spec.image} (${engineId}), mais pas les couches qu'elle a sur votre moteur (${named.layers.length} couche(s) contre ${engineLayers.length}) : une autre plateforme ?`,
      `${spec.path} carries the ID of ${spec.image} (${engineId}), but not the layers it has on your engine (${named.layers.length} layer(s) against ${engineLayers.length}): another platform?`,
    ));
  }
  const lookalike = images.find((candidate) => sameLayers(candidate, engineLayers));
  if (lookalike) {
    return outcome('fail', expected, describeImage(lookalike), both(
      `${spec.path} contient une image aux mêmes couches que ${spec.image}, mais d'un autre identifiant (${savedId(lookalike)}, pas ${engineId}) : une autre construction ou un commit des mêmes fichiers, pas cette image.`,
      `${spec.path} holds an image with the same layers as ${spec.image}, but another ID (${savedId(lookalike)}, not ${engineId}): another build or commit of the same files, not this image.`,
    ));
  }
  const found = images[0]!;
  const tags = found.repoTags.length ? ` (${found.repoTags.join(', ')})` : '';
  return outcome('fail', expected, describeImage(found), both(
    `${spec.path} contient l'image ${savedId(found)}${tags}, pas ${spec.image} (${engineId} sur votre moteur).`,
    `${spec.path} holds image ${savedId(found)}${tags}, not ${spec.image} (${engineId} on your engine).`,
  ));
}

export const imageArchive: ProbeKind<Spec> = {
  kind: 'image-archive',
  schema,
  inputs: { files: ['path'], images: ['image'] },
  async run(spec, { engine, files, stored, signal }): Promise<Outcome> {
    const expected = `${spec.path.replace(DATE_PLACEHOLDER, 'YYYYMMDD')}: docker save of ${spec.image}, ${spec.compression === 'none' ? 'uncompressed' : `${spec.compression}-compressed`}`;
    const path = spec.path.includes(DATE_PLACEHOLDER) ? await newestDatedFile(files, spec.path) : spec.path;
    if (path === undefined) {
      const wanted = spec.path.replace(DATE_PLACEHOLDER, 'YYYYMMDD');
      return outcome('fail', expected, `no file like ${wanted}`, both(
        `Aucun fichier de la forme ${wanted} (YYYYMMDD : la date du jour, comme l'écrit date +%Y%m%d).`,
        `No file named like ${wanted} (YYYYMMDD: the day, as date +%Y%m%d writes it).`,
      ));
    }
    return judgeArchive({ ...spec, path }, expected, engine, files, { stored, signal });
  },
};

async function judgeArchive(spec: Spec, expected: string, engine: EngineClient, files: FileAccess, options: { stored?: StoredReadings; signal?: AbortSignal }): Promise<Outcome> {
  // The image first: a save of it cannot hold much more than it, so a huge file is not read to its end.
  const engineImage = await engine.inspectImage(spec.image);
  const maxTarBytes = engineImage ? saveBound([storedBytes(engineImage)]) : undefined;
  const read = await readWorkdirArchive(files, spec.path, { ...options, maxTarBytes });
  if (!read.found) return outcome('fail', expected, `${spec.path} ${read.reason}`, missingMessage(spec.path, read.reason));
  const wanted = spec.compression === 'none' ? 'tar' : spec.compression;
  if (read.content !== wanted && read.content !== 'unknown' && read.content !== 'empty') {
    // Named one way, written another: the name does not compress anything, the command does.
    return outcome('fail', expected, `content: ${contentName(read.content).en}`, both(
      `D'après son contenu, ${spec.path} est ${read.content === 'tar' ? 'une archive tar non compressée' : `compressé en ${read.content}`}, pas ${wanted === 'tar' ? 'une archive tar non compressée' : `en ${wanted}`} : le nom du fichier ne compresse rien, c'est la commande qui compte.`,
      `By its content, ${spec.path} is ${read.content === 'tar' ? 'an uncompressed tar' : `${read.content}-compressed`}, not ${wanted === 'tar' ? 'an uncompressed tar' : wanted}: a file name compresses nothing, the command does.`,
    ));
  }
  if ('error' in read) return outcome('fail', expected, `${read.error.verdict}: ${read.error.message}`, verdictMessage(spec.path, read.error));
  if (read.description.kind === 'export') {
    return outcome('fail', expected, `export of a filesystem (${read.description.export.entryCount} entries)`, both(
      `${spec.path} est un export de conteneur (un système de fichiers à plat, sans manifest.json ni couches) : il faut sauvegarder l'image elle-même.`,
      `${spec.path} is a container export (one flat filesystem, no manifest.json, no layers): save the image itself.`,
    ));
  }
  if (!engineImage) {
    return outcome('fail', expected, read.description.images.map(describeImage).join('; '), both(
      `${spec.image} n'est pas sur votre moteur Docker : impossible de vérifier que ${spec.path} la contient.`,
      `${spec.image} is not on your Docker engine, so ${spec.path} cannot be checked against it.`,
    ));
  }
  // The image is the one of the engine when it carries the engine's ID and the layers the engine has for it.
  const engineLayers = engineImage.RootFS?.Layers ?? [];
  const images = read.description.images;
  // Its ID, or on the containerd store one of its platform manifests (`docker save --platform` names that one).
  const image = images.find((candidate) => knownAs(candidate).some((digest) => holdsManifest(engineImage, digest)) && sameLayers(candidate, engineLayers));
  if (!image) return mismatch(spec, expected, images, engineImage, engineLayers);
  if (!image.repoTags.some((tag) => sameReference(tag, spec.image))) {
    // `docker save <ID>` keeps the image but not its name: docker load would restore an untagged image.
    return outcome('fail', expected, describeImage(image), both(
      `${spec.path} contient bien l'image, mais sans le nom ${spec.image} : docker load la restaurerait sans tag. Sauvegardez-la par son nom.`,
      `${spec.path} holds the right image, but without the name ${spec.image}: docker load would restore it untagged. Save it by name.`,
    ));
  }
  return outcome('pass', expected, describeImage(image), both(
    `${spec.path} est une sauvegarde complète de ${spec.image} : ${image.layers.length} couche(s) vérifiée(s).`,
    `${spec.path} is a complete save of ${spec.image}: ${image.layers.length} layer(s) verified.`,
  ));
}
