import { both } from '../lab/lang.js';
import { ArchiveError, type ReadOptions } from './types.js';

/** Below this, decompressed output is never refused: a small image may compress very well. */
export const UNCOMPRESSED_FLOOR = 1 << 30;
/** A real image compresses 2 to 5 times; 20 times leaves room for sparse files and still stops a bomb. */
export const MAX_RATIO = 20;
/** A save holds a few entries per layer (and real images < 128 layers): far more is a hostile archive. */
export const DEFAULT_MAX_SAVE_ENTRIES = 10_000;
/** Any archive: a filesystem export holds one entry per file of a container. */
export const DEFAULT_MAX_ENTRIES = 1_000_000;
/** Files listed inside the layers of one save, all layers together. */
export const DEFAULT_MAX_LAYER_ENTRIES = 1_000_000;
/** Layers stored compressed with bzip2, xz or zstd each start a decoder process: a real image has < 128 layers. */
export const MAX_PROCESS_DECODES = 256;

/**
 * What a `docker save` of images of these sizes (the engine's Size) can hold, generously: layers as tar (headers
 * and padding over the files' bytes), every platform of a multi-platform image on the containerd store, configs
 * and manifests. Given as maxTarBytes, a file declaring more is not read to its end (a save of every image).
 */
export function saveBound(imageSizes: readonly number[]): number {
  return 4 * imageSizes.reduce((sum, size) => sum + Math.max(0, size), 0) + (256 << 20);
}

/** What one read may consume: input bytes seen, bytes decompression produced, entries walked. */
export class Budget {
  bytesRead = 0;
  produced = 0;
  /** Entries of the archive itself. */
  entries = 0;
  /** Entries listed inside its layers. */
  layerEntries = 0;
  processDecodes = 0;
  readonly maxSaveEntries: number;
  private readonly maxEntries: number;
  private readonly maxLayerEntries: number;

  constructor(private readonly options: ReadOptions) {
    this.maxSaveEntries = options.maxSaveEntries ?? DEFAULT_MAX_SAVE_ENTRIES;
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.maxLayerEntries = options.maxLayerEntries ?? DEFAULT_MAX_LAYER_ENTRIES;
  }

  /** Input bytes (compressed, as read from the file or the engine). */
  read(bytes: number): void {
    this.bytesRead += bytes;
    this.options.onProgress?.(this.bytesRead);
  }

  /** Bytes a decompressor produced: the whole file's decoder or a compressed layer's. */
  decoded(bytes: number): void {
    this.produced += bytes;
    const limit = this.options.maxUncompressedBytes ?? Math.max(UNCOMPRESSED_FLOOR, MAX_RATIO * this.bytesRead);
    if (this.produced > limit) {
      throw new ArchiveError('too-large', both(
        `la décompression a produit plus de ${limit} octets pour ${this.bytesRead} lus : une bombe de décompression, pas une image`,
        `decompression produced over ${limit} bytes from ${this.bytesRead} read: a decompression bomb, not an image`,
      ));
    }
  }

  /** One entry of the archive; `looksLikeSave` once any entry was named as only a save names them. */
  entry(looksLikeSave: boolean): void {
    this.entries++;
    if (looksLikeSave && this.entries > this.maxSaveEntries) {
      throw new ArchiveError('too-many-entries', both(
        `plus de ${this.maxSaveEntries} entrées dans ce qui ressemble à un docker save (il en écrit quelques-unes par couche) : une archive hostile, pas une image`,
        `more than ${this.maxSaveEntries} entries in what looks like a docker save (it writes a few per layer): a hostile archive, not an image`,
      ));
    }
    if (this.entries > this.maxEntries) {
      throw new ArchiveError('too-many-entries', both(
        `plus de ${this.maxEntries} entrées : bien trop pour une image ou le système de fichiers d'un conteneur`,
        `more than ${this.maxEntries} entries: too many for an image or a container's filesystem`,
      ));
    }
  }

  /** One file listed inside a layer. */
  layerEntry(): void {
    if (++this.layerEntries > this.maxLayerEntries) {
      throw new ArchiveError('too-many-entries', both(
        `plus de ${this.maxLayerEntries} fichiers listés dans les couches : bien trop pour une image`,
        `more than ${this.maxLayerEntries} files listed in the layers: too many for an image`,
      ));
    }
  }

  /** Past this many entries without a sign of a save, the archive can only be an export (or nothing): stop recording. */
  beyondSave(): boolean {
    return this.entries > this.maxSaveEntries;
  }

  /** False once too many compressed layers asked for a decoder process. */
  takeProcessDecode(): boolean {
    return ++this.processDecodes <= MAX_PROCESS_DECODES;
  }
}
