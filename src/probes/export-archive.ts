import { z } from 'zod';
import { shortId } from '../engine/attributes.js';
import { both } from '../lab/text.js';
import { missingMessage, readWorkdirArchive, verdictMessage } from './archive-file.js';
import { outcome, type Outcome, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('export-archive'),
    path: z.string().min(1).describe('The archive, relative to the workdir (e.g. container-export.tar)'),
  })
  .describe('A file of the workdir is a `docker export` of a container: one flat filesystem with .dockerenv, not a save');
type Spec = z.infer<typeof schema>;

/** Mount points Docker adds to every container's filesystem, hence to every export. */
const CONTAINER_MOUNT_POINTS = ['dev', 'etc', 'proc', 'sys'];

export const exportArchive: ProbeKind<Spec> = {
  kind: 'export-archive',
  schema,
  inputs: { files: ['path'] },
  async run(spec, { files, stored, signal }): Promise<Outcome> {
    const expected = `${spec.path}: a container's filesystem as docker export writes it`;
    const read = await readWorkdirArchive(files, spec.path, { stored, signal });
    if (!read.found) return outcome('fail', expected, `${spec.path} ${read.reason}`, missingMessage(spec.path, read.reason));
    if ('error' in read) return outcome('fail', expected, `${read.error.verdict}: ${read.error.message}`, verdictMessage(spec.path, read.error));
    if (read.description.kind === 'save') {
      const [image] = read.description.images;
      const tags = image!.repoTags.length ? image!.repoTags.join(', ') : shortId(image!.configDigest);
      return outcome('fail', expected, `docker save of ${tags} (${image!.layers.length} layer(s))`, both(
        `${spec.path} est une sauvegarde d'image (docker save de ${tags} : manifest.json et ${image!.layers.length} couche(s)), pas l'export d'un conteneur.`,
        `${spec.path} is an image save (docker save of ${tags}: manifest.json and ${image!.layers.length} layer(s)), not a container export.`,
      ));
    }
    const found = read.description.export;
    const actual = `flat filesystem, ${found.entryCount} entries (${found.topLevel.slice(0, 8).join(' ')}), ${found.compression}`;
    if (!found.hasDockerenv) {
      // Docker puts /.dockerenv in every container: a tree without it was archived some other way.
      return outcome('fail', expected, actual, both(
        `${spec.path} est bien un système de fichiers à plat, mais sans /.dockerenv : il ne vient pas d'un conteneur exporté par Docker.`,
        `${spec.path} is a flat filesystem, but without /.dockerenv: it was not exported from a container by Docker.`,
      ));
    }
    // Docker also makes the mount points of /proc, /sys and /dev in every container: a tar holding a bare
    // .dockerenv (the cheapest imitation) lacks them.
    const missing = CONTAINER_MOUNT_POINTS.filter((dir) => !found.topLevel.includes(dir));
    if (missing.length) {
      return outcome('fail', expected, `${actual}; no ${missing.join(', ')}`, both(
        `${spec.path} contient /.dockerenv, mais pas les dossiers que Docker crée dans tout conteneur (manquent : ${missing.map((dir) => `/${dir}`).join(', ')}) : ce n'est pas l'export d'un conteneur par Docker.`,
        `${spec.path} holds /.dockerenv, but not the folders Docker makes in every container (missing: ${missing.map((dir) => `/${dir}`).join(', ')}): it is not a container exported by Docker.`,
      ));
    }
    return outcome('pass', expected, actual, both(
      `${spec.path} est l'export d'un conteneur : un seul système de fichiers de ${found.entryCount} entrées.`,
      `${spec.path} is a container export: one filesystem of ${found.entryCount} entries.`,
    ));
  },
};
