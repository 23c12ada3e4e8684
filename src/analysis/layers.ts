// dive's image efficiency, computed over the layers' entry lists, together with what each layer adds, changes
// and removes. One pass over the layers, bottom to top, with the stacked filesystem kept up to date.
//
// dive's definitions (wagoodman/dive, filetree/efficiency.go and image/image.go):
// - every path a layer holds as a leaf of its own tree is one occurrence of that path; a whiteout is an
//   occurrence of the path it deletes. An occurrence weighs the entry's size; a whiteout weighs 0 when it deletes
//   a file, and the whole deleted subtree (as stacked so far) when it deletes a directory;
// - CumulativeSize(path) = sum of its occurrences, min(path) = its smallest occurrence;
// - efficiency = sum(min) / sum(CumulativeSize), 1 when that sum is 0;
// - wasted bytes = sum of CumulativeSize over the paths met in two layers or more (first copy included);
// - user wasted percent = wasted bytes / sum of the sizes of every layer but the first.
// Opaque markers (`.wh..wh..opq`) are no occurrence at all in dive (its directory, when nothing else of the layer
// lies under it, is a leaf of size 0), and dive's stacked tree ignores them: a later whiteout of that directory
// still weighs what the marker hid. The real filesystem is stacked apart: there the marker empties the directory,
// so the files it hides are counted as removed by that layer.
//
// Beside dive's figures, the hidden bytes: what the layers store that the final filesystem does not (deleted or
// replaced by a later layer). dive's efficiency misses the content of a deleted directory (its whiteout is the
// only leaf, weighed once: no waste); the hidden bytes do not.
import { bytesUnder, filesUnder, FsTree, type FsNode } from './fs-tree.js';
import { displayPath, effectOf, joinPath, normalisePath, type EntryEffect } from './paths.js';
import type { Efficiency, HiddenPath, LayerChanges, LayerFacts, LayerInput, LayersAnalysis, WastedPath } from './types.js';

interface PathRecord {
  cumulative: number;
  min: number;
  layers: number[];
}

type Occurrences = Map<string, PathRecord>;

function record(occurrences: Occurrences, path: string, size: number, layer: number): void {
  const found = occurrences.get(path);
  if (!found) {
    occurrences.set(path, { cumulative: size, min: size, layers: [layer] });
    return;
  }
  found.cumulative += size;
  found.min = Math.min(found.min, size);
  found.layers.push(layer);
}

function ancestorsOf(path: string, into: Set<string>): void {
  for (let slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) into.add(path.slice(0, slash));
}

/** The layer's own entries, deduplicated (the last entry of a path wins, as when a tar is extracted). */
function effectsOf(layer: LayerInput): { writes: Map<string, Extract<EntryEffect, { kind: 'write' }>>; deletes: Map<string, string>; opaque: Set<string> } {
  if (!layer.entries) throw new Error(`layer ${layer.index + 1} came without its list of files`);
  const writes = new Map<string, Extract<EntryEffect, { kind: 'write' }>>();
  const deletes = new Map<string, string>(); // deleted path → marker path
  const opaque = new Set<string>();
  for (const entry of layer.entries) {
    const effect = effectOf(entry);
    if (effect.kind === 'write') writes.set(effect.path, effect);
    else if (effect.kind === 'delete') deletes.set(effect.path, effect.rawPath);
    else if (effect.kind === 'opaque') opaque.add(effect.dir);
  }
  return { writes, deletes, opaque };
}

/**
 * The two stacked trees: the filesystem as overlay builds it (changes, hidden bytes, final paths), and the tree
 * dive stacks to size a whiteout, which ignores opaque markers and keeps a directory's children when a file is
 * written over it (its AddPath swaps the payload only).
 */
interface Stacks {
  fs: FsTree;
  dive: FsTree;
}

function walkLayer(layer: LayerInput, position: number, stacks: Stacks, occurrences: Occurrences, hidden: HiddenPath[]): LayerFacts {
  const stack = stacks.fs;
  const { writes, deletes, opaque } = effectsOf(layer);
  const changes: LayerChanges = { added: { count: 0, bytes: 0 }, changed: { count: 0, bytes: 0 }, removed: { count: 0, bytes: 0 } };

  // Leaves of the layer's own tree: a path is not a leaf when another entry of the layer lies under it.
  const inner = new Set<string>();
  for (const path of writes.keys()) ancestorsOf(path, inner);
  for (const marker of deletes.values()) ancestorsOf(marker, inner);
  for (const dir of opaque) ancestorsOf(dir, inner);

  const removed = new Set<string>();
  const remove = (path: string, size: number): void => {
    if (removed.has(path)) return;
    removed.add(path);
    changes.removed.count += 1;
    changes.removed.bytes += size;
  };

  // Deletions first, measured against the layers below (dive stacks layers 0..i-1 to size a whiteout).
  for (const [path, marker] of deletes) {
    const seenByDive = stacks.dive.get(path);
    if (!inner.has(marker)) record(occurrences, path, seenByDive?.isDir ? bytesUnder(seenByDive) : 0, position);
    const below = stack.get(path);
    if (below) for (const file of filesUnder(below, path)) remove(file.path, file.size);
  }
  for (const dir of opaque) {
    if (dir && !writes.has(dir) && !inner.has(dir)) record(occurrences, dir, 0, position);
    const below = stack.get(dir);
    for (const [name, child] of below?.children ?? []) {
      for (const file of filesUnder(child, `${dir ? `${dir}/` : ''}${name}`)) if (!writes.has(file.path)) remove(file.path, file.size);
    }
  }

  for (const [path, write] of writes) {
    if (!inner.has(path)) record(occurrences, path, write.size, position);
    if (write.isDir) continue;
    const below = stack.get(path);
    const tally = below && !below.implied ? changes.changed : changes.added;
    tally.count += 1;
    tally.bytes += write.size;
  }

  stackLayer(stack, { writes, deletes, opaque }, (path, bytes) => hidden.push({ path: displayPath(path), bytes, hiddenBy: position }));
  for (const path of deletes.keys()) stacks.dive.remove(path);
  for (const [path, write] of writes) stacks.dive.write(path, write.size, write.isDir, true);

  const size = (layer.entries ?? []).reduce((sum, entry) => sum + entry.size, 0);
  return { index: layer.index, ...(layer.diffId ? { diffId: layer.diffId } : {}), size, changes };
}

/**
 * Applies a layer to the stacked filesystem (deletions, then opaque directories, then writes, as overlay does) and
 * reports every stored byte it hides: a deleted path with all it held, an opaque directory's former content, the
 * former copy of a rewritten file (or the directory a file replaces).
 */
function stackLayer(stack: FsTree, effects: ReturnType<typeof effectsOf>, hide: (path: string, bytes: number) => void): void {
  const hideNode = (path: string, node: FsNode | undefined, bytes = node ? bytesUnder(node) : 0): void => {
    if (bytes > 0) hide(path, bytes);
  };
  for (const path of effects.deletes.keys()) {
    hideNode(path, stack.get(path));
    stack.remove(path);
  }
  for (const dir of effects.opaque) {
    for (const [name, child] of stack.get(dir)?.children ?? []) hideNode(joinPath(dir, name), child);
    stack.clear(dir);
  }
  for (const [path, write] of effects.writes) {
    const below = stack.get(path);
    // A directory written over a path keeps what lies under it: only the path's own payload is replaced.
    if (below && !below.implied) hideNode(path, below, write.isDir ? below.size : bytesUnder(below));
    stack.write(path, write.size, write.isDir);
  }
}

export function efficiencyOf(occurrences: Occurrences, layers: LayerFacts[]): Efficiency {
  let minimum = 0;
  let discovered = 0;
  let wastedBytes = 0;
  const wastedPaths: WastedPath[] = [];
  for (const [path, data] of occurrences) {
    minimum += data.min;
    discovered += data.cumulative;
    if (data.layers.length >= 2) {
      wastedBytes += data.cumulative;
      wastedPaths.push({ path: displayPath(path), count: data.layers.length, cumulativeSize: data.cumulative, layers: data.layers });
    }
  }
  wastedPaths.sort((a, b) => b.cumulativeSize - a.cumulativeSize || a.path.localeCompare(b.path));
  const imageSize = layers.reduce((sum, layer) => sum + layer.size, 0);
  const userSize = imageSize - (layers[0]?.size ?? 0);
  // dive divides without a guard (NaN or +Inf); a single-layer image wastes nothing, so 0 is its honest figure.
  const userWastedPercent = userSize > 0 ? wastedBytes / userSize : wastedBytes > 0 ? Infinity : 0;
  return { efficiency: discovered === 0 ? 1 : minimum / discovered, wastedBytes, userWastedPercent, imageSize, userSize, wastedPaths };
}

/** Analyses an image's layers, given bottom (base) first with their entry lists. */
export function analyseLayers(input: readonly LayerInput[]): LayersAnalysis {
  const stacks: Stacks = { fs: new FsTree(), dive: new FsTree() };
  const stack = stacks.fs;
  const occurrences: Occurrences = new Map();
  const ordered = [...input].sort((a, b) => a.index - b.index);
  const hiddenPaths: HiddenPath[] = [];
  const layers = ordered.map((layer, position) => walkLayer(layer, position, stacks, occurrences, hiddenPaths));
  const efficiency = efficiencyOf(occurrences, layers);
  const finalSize = bytesUnder(stack.root);
  hiddenPaths.sort((a, b) => b.bytes - a.bytes || a.path.localeCompare(b.path));
  return {
    ...efficiency,
    // The difference, not the sum of hiddenPaths: an entry repeated within a layer or a storage-driver marker is
    // carried by the layer too.
    finalSize,
    hiddenBytes: efficiency.imageSize - finalSize,
    hiddenPaths,
    layers,
    has: (path: string) => {
      const node = stack.get(normalisePath(path));
      return node !== undefined && node !== stack.root;
    },
  };
}
