// The image's filesystem as the layers stack up: what dive calls the stacked tree. A directory that only exists
// because something lives under it (no tar entry of its own) is "implied": like dive's intermediate nodes, it is
// not known to be a directory, which matters for the size a whiteout of it counts.

export class FsNode {
  size = 0;
  /** Set by a directory entry of a layer. */
  isDir = false;
  /** Created as the parent of a written path, never written itself. */
  implied = true;
  children: Map<string, FsNode> | undefined;

  get isFile(): boolean {
    return !this.isDir && !this.implied;
  }
}

export interface FileAt {
  path: string;
  size: number;
}

/** Every file (not directory) under a node, the node itself included, with its full path. */
export function filesUnder(node: FsNode, path: string): FileAt[] {
  const found: FileAt[] = [];
  const walk = (current: FsNode, at: string): void => {
    if (current.isFile) found.push({ path: at, size: current.size });
    for (const [name, child] of current.children ?? []) walk(child, at ? `${at}/${name}` : name);
  };
  walk(node, path);
  return found;
}

/** The sum of the sizes of a node and everything under it (dive's sizer over a deleted directory). */
export function bytesUnder(node: FsNode): number {
  let total = node.size;
  for (const child of node.children?.values() ?? []) total += bytesUnder(child);
  return total;
}

export class FsTree {
  readonly root = new FsNode();

  get(path: string): FsNode | undefined {
    let node: FsNode | undefined = this.root;
    for (const name of path.split('/')) {
      if (!name) continue;
      node = node.children?.get(name);
      if (!node) return undefined;
    }
    return node;
  }

  /**
   * Writes a path (creating its parents), replacing the payload of what was there. A file written where a
   * directory stood replaces the whole directory, unless `keepChildren` (dive's stacking only swaps the payload).
   */
  write(path: string, size: number, isDir: boolean, keepChildren = false): void {
    let node = this.root;
    for (const name of path.split('/')) {
      if (!name) continue;
      node.children ??= new Map();
      let next = node.children.get(name);
      if (!next) {
        next = new FsNode();
        node.children.set(name, next);
      }
      node = next;
    }
    node.size = size;
    node.isDir = isDir;
    node.implied = false;
    if (!isDir && !keepChildren) node.children = undefined;
  }

  remove(path: string): void {
    const slash = path.lastIndexOf('/');
    const parent = slash < 0 ? this.root : this.get(path.slice(0, slash));
    parent?.children?.delete(slash < 0 ? path : path.slice(slash + 1));
  }

  /** Empties a directory (an opaque marker): the directory itself stays. */
  clear(path: string): void {
    const node = this.get(path);
    if (node) node.children = undefined;
  }
}
