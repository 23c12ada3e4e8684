// The public shapes of the archive reader. A `docker save` archive is read as a stream and described by
// metadata only (digests, sizes, optional entry lists): nothing is ever extracted.
import type { LocalizedText } from '../lab/lang.js';

/** What the first bytes of a file say it is. */
export type ContentKind = 'gzip' | 'bzip2' | 'xz' | 'zstd' | 'tar' | 'empty' | 'unknown';
export type Compression = 'gzip' | 'bzip2' | 'xz' | 'zstd';
export const COMPRESSIONS: readonly Compression[] = ['gzip', 'bzip2', 'xz', 'zstd'];

export interface LayerEntry {
  path: string;
  size: number;
  type: 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';
  /** A `.wh.<name>` file: it deletes `path` (the name without `.wh.`) from the layers below. */
  whiteout: boolean;
  /** `.wh..wh..opq`: the directory `path` hides everything the layers below put in it. */
  opaque: boolean;
}

export interface ArchiveLayer {
  index: number;
  /** sha256:<hex> of the uncompressed layer tar (what the image config lists in rootfs.diff_ids). */
  diffId: string;
  /** Uncompressed bytes. */
  size: number;
  /** How the blob is stored in the archive (containerd keeps layers compressed); 'none' for a plain tar. */
  storedAs: Compression | 'none';
  entries?: LayerEntry[];
}

export interface ImageConfig {
  architecture?: string;
  os?: string;
  rootfs?: { diff_ids?: string[] };
  history?: unknown[];
  [key: string]: unknown;
}

export interface ImageArchive {
  layout: 'legacy' | 'oci' | 'containerd';
  repoTags: string[];
  /** sha256:<hex> of the raw config bytes: the image ID on the classic (graphdriver) store. */
  configDigest: string;
  /**
   * OCI layouts only: sha256:<hex> of the raw bytes of the manifest blob that names this config and these
   * layers. On the containerd image store the image ID is this digest (or indexDigest's).
   */
  manifestDigest?: string;
  /** When index.json names an image index leading to that manifest (a multi-platform image): the index's digest. */
  indexDigest?: string;
  config: ImageConfig;
  layers: ArchiveLayer[];
  /** The compression of the whole file, told from its content ('none' for a plain tar). */
  compression: Compression | 'none';
}

/**
 * The ID the engine that wrote the save gave this image: the containerd image store (its layer blobs stay
 * compressed) names an image by the digest of its index or manifest, the classic store by its config digest.
 */
export function savedImageId(image: ImageArchive): string {
  const containerd = image.layout === 'containerd' ? image.indexDigest ?? image.manifestDigest : undefined;
  return containerd ?? image.configDigest;
}

/** A `docker export`: one flat root filesystem. */
export interface ExportArchive {
  compression: Compression | 'none';
  entryCount: number;
  hasDockerenv: boolean;
  /** Top-level names (bin, etc, usr...), sorted. */
  topLevel: string[];
}

export type ArchiveDescription =
  | { kind: 'save'; images: ImageArchive[] }
  | { kind: 'export'; export: ExportArchive };

export type ArchiveVerdict =
  | 'not-a-tar'
  | 'truncated'
  | 'corrupt'
  | 'unsafe-path'
  | 'too-large'
  | 'oversized'
  | 'too-many-entries'
  | 'not-a-save'
  | 'export-not-save'
  | 'unsupported-compression';

/**
 * Every way an archive can be refused: a verdict a probe can turn into a message, never a crash. `text` says
 * what was found in both languages (`message` holds the English one, for logs).
 */
export class ArchiveError extends Error {
  readonly text: LocalizedText;

  constructor(
    readonly verdict: ArchiveVerdict,
    text: LocalizedText,
  ) {
    super(text.en);
    this.text = text;
    this.name = 'ArchiveError';
  }
}

export interface ReadOptions {
  /** List the files of every layer (costs a tar parse per layer; needed for image analysis). */
  listEntries?: boolean;
  /** Called as input bytes are read (compressed bytes for a compressed file). */
  onProgress?: (bytesRead: number) => void;
  /**
   * Cap on the bytes produced by decompression (whole file and compressed layers together). Default: the larger
   * of 1 GiB and 20 × the bytes read so far, so a small bomb is stopped early and a real image is never refused.
   */
  maxUncompressedBytes?: number;
  /**
   * Cap on the entries of an archive shaped like a save (manifest.json, index.json, blobs/, <id>/layer.tar...):
   * a save has a few per layer. Default 10,000.
   */
  maxSaveEntries?: number;
  /** Cap on the entries of any archive (a filesystem export may hold many). Default 1,000,000. */
  maxEntries?: number;
  /** Cap on the files listed inside the layers (listEntries), all layers together. Default 1,000,000. */
  maxLayerEntries?: number;
  /**
   * What the tar itself may hold, headers and padding included, when the caller knows what it should be (a save
   * of an image cannot hold much more than the image: see saveBound). An entry whose declared size would take
   * the archive past it is refused at its header, unread ('oversized'). Default: no bound but the end marker.
   */
  maxTarBytes?: number;
  /**
   * Aborting it stops the reading at once: the input is destroyed, decoder processes killed, and the read
   * rejects with an error named AbortError (a check's time limit, the user stopping tp7).
   */
  signal?: AbortSignal;
}
