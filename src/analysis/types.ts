// The shapes the image analysis works on. Inputs are structural copies of the archive reader's LayerEntry and
// ArchiveLayer (src/archive), so the dive computation stays pure and testable on hand-made layer lists.

export type EntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

/** One tar entry of a layer, as the archive reader lists it. */
export interface EntryInput {
  path: string;
  /** Bytes of content in the tar (0 for directories, links and whiteouts). */
  size: number;
  type: EntryType;
  /** A `.wh.<name>` marker: deletes <name> of the lower layers. */
  whiteout: boolean;
  /** A `.wh..wh..opq` marker: hides everything the lower layers hold in its directory. */
  opaque: boolean;
}

export interface LayerInput {
  index: number;
  diffId?: string;
  entries?: readonly EntryInput[];
}

/** How many files (anything but directories) and how many bytes one kind of change touches. */
export interface Tally {
  count: number;
  bytes: number;
}

export interface LayerChanges {
  added: Tally;
  changed: Tally;
  removed: Tally;
}

export interface LayerFacts {
  index: number;
  diffId?: string;
  /** dive's layer size: the sum of the sizes of the layer's tar entries. */
  size: number;
  changes: LayerChanges;
}

/** A path met in two layers or more: what dive lists as an inefficiency. */
export interface WastedPath {
  path: string;
  /** In how many layers the path occurs (whiteouts included). */
  count: number;
  cumulativeSize: number;
  layers: number[];
}

export interface Efficiency {
  /** sum(min) / sum(CumulativeSize) over every path; 1 when nothing was found. */
  efficiency: number;
  wastedBytes: number;
  /** wastedBytes / userSize, a ratio; Infinity when bytes are wasted with no user bytes at all. */
  userWastedPercent: number;
  /** Sum of every layer's size. */
  imageSize: number;
  /** Sum of the sizes of every layer but the first (what the image's own build added). */
  userSize: number;
  /** Biggest first. */
  wastedPaths: WastedPath[];
}

/** Bytes a layer stored that a later layer deleted or replaced: in the image's layers, not in its final filesystem. */
export interface HiddenPath {
  /** The deleted or replaced path (a directory stands for everything it held). */
  path: string;
  bytes: number;
  /** Position of the layer that hid it. */
  hiddenBy: number;
}

/**
 * What dive's efficiency does not always see: the bytes the layers carry that the final filesystem does not. dive
 * visits only leaves, so a deleted file counts as waste but a deleted directory's content does not; these figures
 * count both.
 */
export interface HiddenBytes {
  /** Sum of the sizes of the files of the final filesystem. */
  finalSize: number;
  /** imageSize - finalSize: bytes stored in the layers that the final filesystem does not hold. */
  hiddenBytes: number;
  /** Biggest first. */
  hiddenPaths: HiddenPath[];
}

export interface LayersAnalysis extends Efficiency, HiddenBytes {
  layers: LayerFacts[];
  /** Whether a path (with or without leading slash) exists in the image's final filesystem. */
  has(path: string): boolean;
}
