// The archive reader: `docker save` files (legacy, OCI and containerd layouts, optionally compressed) and
// `docker export` files, read as a stream. Nothing is extracted; memory holds metadata only. Every refusal is an
// ArchiveError with a verdict. Used by exercise 3's probes and by image analysis (engine.saveImage streams).
import { both } from '../lab/lang.js';
import { describeScan } from './resolve.js';
import { scanArchive } from './scan.js';
import { ArchiveError, type ArchiveDescription, type ImageArchive, type ReadOptions } from './types.js';

export { sniffCompression, detectContent } from './sniff.js';
export { InputError } from './scan.js';
export { terminalProgress } from './progress.js';
export { saveBound } from './budget.js';
export * from './types.js';

/** Reads any archive and says what it is: a save (one or more images) or a filesystem export. */
export async function readArchive(input: NodeJS.ReadableStream, options: ReadOptions = {}): Promise<ArchiveDescription> {
  const scan = await scanArchive(input, options);
  return describeScan(scan, Boolean(options.listEntries));
}

/** Every image of a `docker save` archive (one per image named on the command line). */
export async function readSaveArchive(input: NodeJS.ReadableStream, options: ReadOptions = {}): Promise<ImageArchive[]> {
  const description = await readArchive(input, options);
  if (description.kind === 'export') {
    const { hasDockerenv, entryCount } = description.export;
    throw new ArchiveError('export-not-save', both(
      `un système de fichiers à plat (${entryCount} entrées${hasDockerenv ? ', avec .dockerenv' : ''}) comme l'écrit \`docker export\`, pas une archive \`docker save\``,
      `a flat filesystem (${entryCount} entries${hasDockerenv ? ', with .dockerenv' : ''}) as \`docker export\` writes it, not a \`docker save\` archive`,
    ));
  }
  return description.images;
}

/** The (first) image of a `docker save` archive, every layer checked against the config's diff_ids. */
export async function readImageArchive(input: NodeJS.ReadableStream, options: ReadOptions = {}): Promise<ImageArchive> {
  const [image] = await readSaveArchive(input, options);
  return image!;
}
