import { z } from 'zod';
import type { ImageArchive } from '../archive/index.js';
import { shortId } from '../engine/attributes.js';
import { ImageRef } from '../lab/ids.js';
import { both } from '../lab/text.js';
import { contentName, missingMessage, readWorkdirArchive, verdictMessage } from './archive-file.js';
import { outcome, type Outcome, type ProbeKind } from './types.js';

const COMPRESSION = ['none', 'gzip', 'bzip2', 'xz', 'zstd'] as const;

const schema = z
  .strictObject({
    kind: z.literal('image-archive'),
    path: z.string().min(1).describe('The archive, relative to the workdir (e.g. nginx-save.tar)'),
    image: ImageRef.describe('The image it must hold: config digest = image ID, layers = RootFS.Layers'),
    compression: z.enum(COMPRESSION).default('none').describe('How the file must be compressed, told from its content'),
  })
  .describe('A file of the workdir is a `docker save` of an image on the engine (digests checked), compressed as asked');
type Spec = z.infer<typeof schema>;

function describeImage(image: ImageArchive): string {
  const tags = image.repoTags.length ? image.repoTags.join(', ') : 'no tag';
  return `save of ${shortId(image.configDigest)} (${tags}), ${image.layers.length} layer(s), ${image.layout} layout, ${image.compression}`;
}

export const imageArchive: ProbeKind<Spec> = {
  kind: 'image-archive',
  schema,
  async run(spec, { engine, files }): Promise<Outcome> {
    const expected = `${spec.path}: docker save of ${spec.image}, ${spec.compression === 'none' ? 'uncompressed' : `${spec.compression}-compressed`}`;
    const read = await readWorkdirArchive(files, spec.path);
    if (!read.found) return outcome('fail', expected, `${spec.path} ${read.reason}`, missingMessage(spec.path, read.reason));
    const wanted = spec.compression === 'none' ? 'tar' : spec.compression;
    if (read.content !== wanted && read.content !== 'unknown' && read.content !== 'empty') {
      // Named one way, written another: the name does not compress anything, the command does.
      return outcome('fail', expected, `content: ${contentName(read.content)}`, both(
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
    const engineImage = await engine.inspectImage(spec.image);
    if (!engineImage) {
      return outcome('fail', expected, read.description.images.map(describeImage).join('; '), both(
        `${spec.image} n'est pas sur votre moteur Docker : impossible de vérifier que ${spec.path} la contient.`,
        `${spec.image} is not on your Docker engine, so ${spec.path} cannot be checked against it.`,
      ));
    }
    const image = read.description.images.find((candidate) => candidate.configDigest === engineImage.Id);
    if (!image) {
      const found = read.description.images[0]!;
      const tags = found.repoTags.length ? ` (${found.repoTags.join(', ')})` : '';
      return outcome('fail', expected, describeImage(found), both(
        `${spec.path} contient l'image ${shortId(found.configDigest)}${tags}, pas ${spec.image} (${shortId(engineImage.Id)} sur votre moteur).`,
        `${spec.path} holds image ${shortId(found.configDigest)}${tags}, not ${spec.image} (${shortId(engineImage.Id)} on your engine).`,
      ));
    }
    const engineLayers = engineImage.RootFS?.Layers ?? [];
    const archiveLayers = image.layers.map((layer) => layer.diffId);
    if (engineLayers.join(' ') !== archiveLayers.join(' ')) {
      return outcome('fail', expected, describeImage(image), both(
        `Les couches de ${spec.path} ne correspondent pas à celles de ${spec.image} sur votre moteur.`,
        `The layers of ${spec.path} do not match those of ${spec.image} on your engine.`,
      ));
    }
    if (!image.repoTags.includes(spec.image) && !image.repoTags.includes(`docker.io/library/${spec.image}`)) {
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
  },
};
