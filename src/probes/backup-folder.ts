import { posix } from 'node:path';
import { z } from 'zod';
import { ArchiveError } from '../archive/index.js';
import { ImageRef } from '../lab/ids.js';
import { both, type Localized } from '../lab/text.js';
import type { FileAccess } from '../files/types.js';
import { contentName, readWorkdirArchive, saveBound, verdictMessage } from './archive-file.js';
import { outcome, type Outcome, type ProbeClients, type ProbeKind } from './types.js';
import { storedBytes } from '../engine/sizes.js';

const schema = z
  .strictObject({
    kind: z.literal('backup-folder'),
    dir: z.string().min(1).default('docker-backups').describe('The backup folder, relative to the workdir'),
    script: z.string().min(1).optional().describe('The backup script that must exist in the workdir'),
    images: z.array(ImageRef).default([]).describe('Images the newest index must list'),
  })
  .describe('A backup folder holds images_<date>.txt and, for every image it lists, <name>_<date>.tar.gz: a gzip-compressed save of that image');
type Spec = z.infer<typeof schema>;

const INDEX = /^images_(.+)\.txt$/;

/** The file name the course's script gives an image's archive: `/` and `:` become `_`. */
export function backupName(ref: string, date: string): string {
  return `${ref.replace(/[/:]/g, '_')}_${date}.tar.gz`;
}

/** The newest index (dates are YYYYMMDD-HHMMSS, so they sort as text) and the images it lists. */
async function newestIndex(files: FileAccess, dir: string): Promise<{ name: string; date: string; refs: string[] } | undefined> {
  const indexes = (await files.list(dir))
    .map((file) => ({ file, match: INDEX.exec(posix.basename(file.path)) }))
    .filter(({ file, match }) => file.isFile && match)
    .sort((a, b) => a.match![1]!.localeCompare(b.match![1]!));
  const newest = indexes.at(-1);
  if (!newest) return undefined;
  const refs = (await files.readText(newest.file.path))
    .split(/\s+/)
    .filter((line) => line && !line.includes('<none>'));
  return { name: posix.basename(newest.file.path), date: newest.match![1]!, refs };
}

/** Why one listed image's archive is not a good backup of it, or undefined when it is. */
async function archiveProblem({ files, engine, stored, signal }: Pick<ProbeClients, 'files' | 'engine' | 'stored' | 'signal'>, path: string, ref: string): Promise<Localized | undefined> {
  // A save of the image cannot hold much more than it: a huge file under its name is not read to its end.
  const image = await engine.inspectImage(ref).catch(() => null);
  const read = await readWorkdirArchive(files, path, { stored, signal, ...(image ? { maxTarBytes: saveBound([storedBytes(image)]) } : {}) });
  if (!read.found) return both(`${path} est introuvable`, `${path} is missing`);
  if (read.content !== 'gzip' && read.content !== 'unknown' && read.content !== 'empty') {
    return both(`${path} n'est pas compressé en gzip (contenu : ${contentName(read.content).fr})`, `${path} is not gzip-compressed (content: ${contentName(read.content).en})`);
  }
  if ('error' in read) return verdictMessage(path, read.error);
  if (read.description.kind === 'export') return verdictMessage(path, new ArchiveError('export-not-save', both("l'export d'un système de fichiers", 'a filesystem export')));
  if (!read.description.images.some((image) => image.repoTags.includes(ref))) {
    const tags = read.description.images.flatMap((image) => image.repoTags);
    return both(`${path} ne contient pas ${ref} (il contient : ${tags.join(', ') || 'une image sans tag'})`, `${path} does not hold ${ref} (it holds: ${tags.join(', ') || 'an untagged image'})`);
  }
  return undefined;
}

export const backupFolder: ProbeKind<Spec> = {
  kind: 'backup-folder',
  schema,
  inputs: { files: ['dir', 'script'], images: ['images'] },
  async run(spec, clients): Promise<Outcome> {
    const { files } = clients;
    const expected = `${spec.dir}/images_<date>.txt lists ${spec.images.join(', ') || 'the images'}, each saved as <name>_<date>.tar.gz`;
    if (spec.script && !(await files.stat(spec.script))?.isFile) {
      return outcome('fail', expected, `${spec.script} absent`, both(`Le script ${spec.script} est introuvable dans votre dossier de travail.`, `The script ${spec.script} is not in your working directory.`));
    }
    const index = await newestIndex(files, spec.dir);
    if (!index) {
      return outcome('fail', expected, `no index in ${spec.dir}`, both(
        `Aucun index images_<date>.txt dans ${spec.dir} : lancez le script de sauvegarde (il n'écrit rien s'il ne trouve aucune image personnalisée).`,
        `No images_<date>.txt index in ${spec.dir}: run the backup script (it writes nothing when it finds no custom image).`,
      ));
    }
    const actual = `${index.name}: ${index.refs.join(', ') || 'empty'}`;
    const unlisted = spec.images.filter((ref) => !index.refs.includes(ref));
    if (unlisted.length) {
      return outcome('fail', expected, actual, both(
        `${index.name} ne liste pas ${unlisted.join(', ')} : créez ces images avant de lancer le script, et vérifiez son filtre.`,
        `${index.name} does not list ${unlisted.join(', ')}: create those images before running the script, and check its filter.`,
      ));
    }
    const problems: Localized[] = [];
    for (const ref of index.refs) {
      const problem = await archiveProblem(clients, posix.join(spec.dir, backupName(ref, index.date)), ref);
      if (problem) problems.push(problem);
    }
    if (problems.length) {
      return outcome('fail', expected, actual, both(
        `La sauvegarde ${index.date} est incomplète : ${problems.map((problem) => problem.fr).join(' ; ')}`,
        `The ${index.date} backup is incomplete: ${problems.map((problem) => problem.en).join('; ')}`,
      ));
    }
    return outcome('pass', expected, actual, both(
      `${index.refs.length} image(s) sauvegardée(s) dans ${spec.dir} (${index.name}), chaque archive vérifiée.`,
      `${index.refs.length} image(s) backed up in ${spec.dir} (${index.name}), every archive verified.`,
    ));
  },
};
