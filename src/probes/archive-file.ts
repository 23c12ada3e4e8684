// Shared by the archive probes (image-archive, export-archive, backup-folder): read one of the student's
// archives through the confined file access, with terminal progress, and phrase every verdict for a student.
import { readArchive, sniffCompression, terminalProgress, ArchiveError, type ArchiveDescription, type ArchiveVerdict, type ContentKind } from '../archive/index.js';
export { saveBound } from '../archive/index.js';
import type { StoredReadings } from '../cache/stored-readings.js';
import type { FileAccess } from '../files/types.js';
import type { LocalizedText } from '../lab/lang.js';
import { both, type Localized } from '../lab/text.js';
import { memo } from '../memo.js';

export type ArchiveRead =
  | { found: false; reason: 'missing' | 'not-a-file' }
  | { found: true; size: number; content: ContentKind; description: ArchiveDescription }
  | { found: true; size: number; content: ContentKind; error: ArchiveError };

/** Readings of archives, by file identity: a watch round does not read again a save it already judged. */
const readings = memo<ArchiveRead>(16);

/** A reading as kept between processes: the refusal as its verdict and words, not as an Error. */
type KeptRead = Exclude<ArchiveRead, { error: ArchiveError }> | { found: true; size: number; content: ContentKind; refused: { verdict: ArchiveVerdict; text: LocalizedText } };

function toKept(read: ArchiveRead): KeptRead {
  return 'error' in read ? { found: true, size: read.size, content: read.content, refused: { verdict: read.error.verdict, text: read.error.text } } : read;
}

function fromKept(kept: KeptRead): ArchiveRead {
  return 'refused' in kept ? { found: true, size: kept.size, content: kept.content, error: new ArchiveError(kept.refused.verdict, kept.refused.text) } : kept;
}

/** How a probe reads a workdir archive: kept readings, the check's signal, and the bound of what it should hold. */
export interface ArchiveReadOptions {
  stored?: StoredReadings;
  /** The check's time limit: the reading (file, decoders) stops with it. */
  signal?: AbortSignal;
  /** What the tar may hold at most (saveBound of the image it should be a save of). */
  maxTarBytes?: number;
}

/**
 * Stats, sniffs and reads `path`; an archive the reader refuses becomes `error`, any other failure is thrown.
 * A file with the same device, inode, size, mtime and ctime as one read before (with the same bound) is not read
 * again: not in this process, nor, given `stored` (a student's check), in the next one. A reading stopped by
 * the signal is kept nowhere.
 */
export async function readWorkdirArchive(files: FileAccess, path: string, options: ArchiveReadOptions = {}): Promise<ArchiveRead> {
  const { stored } = options;
  const info = await files.stat(path);
  if (!info) return { found: false, reason: 'missing' };
  if (!info.isFile) return { found: false, reason: 'not-a-file' };
  const read = () => readArchiveFile(files, path, info.size, options);
  if (info.dev === undefined || info.ino === undefined) return read();
  const identity = `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs ?? ''}${options.maxTarBytes === undefined ? '' : `:max=${options.maxTarBytes}`}`;
  const readOrKept = stored && info.ctimeMs !== undefined ? async () => fromKept(await stored.get('archive', identity, async () => toKept(await read()))) : read;
  return readings(identity, readOrKept);
}

async function readArchiveFile(files: FileAccess, path: string, size: number, { signal, maxTarBytes }: ArchiveReadOptions): Promise<ArchiveRead> {
  const content = await sniffCompression(files.open(path));
  const progress = terminalProgress(path, size);
  try {
    const description = await readArchive(files.open(path), { onProgress: progress.onProgress, signal, maxTarBytes });
    return { found: true, size, content, description };
  } catch (error) {
    if (error instanceof ArchiveError) return { found: true, size, content, error };
    throw error;
  } finally {
    progress.done();
  }
}

export function contentName(content: ContentKind): Localized {
  switch (content) {
    case 'tar':
      return both('tar (non compressé)', 'tar (uncompressed)');
    case 'empty':
      return both('vide', 'empty');
    case 'unknown':
      return both('inconnu', 'unknown');
    default:
      return both(content, content);
  }
}

export function missingMessage(path: string, reason: 'missing' | 'not-a-file'): Localized {
  return reason === 'missing'
    ? both(`${path} est introuvable dans votre dossier de travail.`, `${path} is not in your working directory.`)
    : both(`${path} n'est pas un fichier.`, `${path} is not a file.`);
}

/** A refused archive, in words: what is wrong and what usually causes it. */
export function verdictMessage(path: string, error: ArchiveError): Localized {
  const { fr: detailFr, en: detailEn } = error.text;
  switch (error.verdict) {
    case 'not-a-tar':
      return both(`${path} n'est pas une archive tar, ni une archive tar compressée (${detailFr}).`, `${path} is not a tar archive, nor a compressed one (${detailEn}).`);
    case 'truncated':
      return both(`${path} est tronqué : la commande qui l'a écrit a été interrompue ou le disque était plein (${detailFr}). Refaites-le.`, `${path} is truncated: the command that wrote it was interrupted or the disk was full (${detailEn}). Write it again.`);
    case 'corrupt':
      return both(`${path} est endommagé : docker load le refuserait (${detailFr}).`, `${path} is damaged: docker load would refuse it (${detailEn}).`);
    case 'unsafe-path':
      return both(`${path} contient des chemins qui sortent de l'archive : ce n'est pas une sauvegarde de Docker (${detailFr}).`, `${path} holds paths that lead out of the archive: Docker did not write it (${detailEn}).`);
    case 'too-large':
      return both(`${path} se décompresse en bien trop de données pour une image : lecture arrêtée (${detailFr}).`, `${path} decompresses to far too much data for an image: reading stopped (${detailEn}).`);
    case 'oversized':
      return both(`${path} contient plus qu'une sauvegarde de l'image ne le pourrait : lecture arrêtée (${detailFr}). Une sauvegarde de plusieurs images, ou autre chose qu'un docker save de cette image ?`, `${path} holds more than a save of the image could: reading stopped (${detailEn}). A save of several images, or something else than a docker save of this image?`);
    case 'too-many-entries':
      return both(`${path} contient bien trop d'entrées pour une sauvegarde d'image ou un export de conteneur : lecture arrêtée (${detailFr}).`, `${path} holds far too many entries for an image save or a container export: reading stopped (${detailEn}).`);
    case 'not-a-save':
      return both(`${path} est une archive tar, mais pas une sauvegarde docker save (${detailFr}).`, `${path} is a tar archive, but not a docker save (${detailEn}).`);
    case 'export-not-save':
      return both(`${path} est un export de conteneur (docker export : un système de fichiers à plat), pas une sauvegarde d'image (docker save).`, `${path} is a container export (docker export: one flat filesystem), not an image save (docker save).`);
    case 'unsupported-compression':
      return both(`${path} ne peut pas être décompressé ici (${detailFr}).`, `${path} cannot be decompressed here (${detailEn}).`);
  }
}
