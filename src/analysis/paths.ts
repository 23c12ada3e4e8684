import type { EntryInput } from './types.js';

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';
/** `.wh..wh.*` names (and what lies under them) are the storage driver's own, never files: dive skips them. */
const MARKER_PREFIX = '.wh..wh.';

/** `./etc//nginx/` → `etc/nginx`: one spelling per path, without the leading slash (the root is ''). */
export function normalisePath(path: string): string {
  return path
    .split('/')
    .filter((part) => part !== '' && part !== '.')
    .join('/');
}

export function displayPath(path: string): string {
  return `/${path}`;
}

function splitLast(path: string): { dir: string; name: string } {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? { dir: '', name: path } : { dir: path.slice(0, slash), name: path.slice(slash + 1) };
}

export function joinPath(dir: string, name: string): string {
  return dir ? `${dir}/${name}` : name;
}

/** What one tar entry does to the filesystem built so far. */
export type EntryEffect =
  | { kind: 'write'; path: string; size: number; isDir: boolean; rawPath: string }
  | { kind: 'delete'; path: string; rawPath: string }
  | { kind: 'opaque'; dir: string; rawPath: string }
  | { kind: 'ignore' };

/**
 * Reads an entry the way overlay layers mean it. The archive reader (src/archive) gives a whiteout as the path it
 * deletes, flagged `whiteout`, and an opaque marker as its directory, flagged `opaque`; a raw tar spelling
 * (`etc/.wh.foo`, `etc/.wh..wh..opq`) is understood too, so hand-made lists and other readers agree.
 */
export function effectOf(entry: EntryInput): EntryEffect {
  const rawPath = normalisePath(entry.path);
  const { dir, name } = splitLast(rawPath);
  const parts = rawPath.split('/');
  if (entry.opaque) return { kind: 'opaque', dir: rawPath, rawPath: joinPath(rawPath, OPAQUE_MARKER) };
  if (name === OPAQUE_MARKER) return { kind: 'opaque', dir, rawPath };
  if (entry.whiteout) {
    // `.wh..wh.plnk` arrives as a whiteout of `.wh.plnk`: a marker of the storage driver, not a deletion.
    if (parts.some((part) => part.startsWith(WHITEOUT_PREFIX))) return { kind: 'ignore' };
    return { kind: 'delete', path: rawPath, rawPath: joinPath(dir, WHITEOUT_PREFIX + name) };
  }
  if (parts.some((part) => part.startsWith(MARKER_PREFIX))) return { kind: 'ignore' };
  if (name.startsWith(WHITEOUT_PREFIX)) return { kind: 'delete', path: joinPath(dir, name.slice(WHITEOUT_PREFIX.length)), rawPath };
  if (rawPath === '') return { kind: 'ignore' }; // the layer's root directory itself
  return { kind: 'write', path: rawPath, size: entry.size, isDir: entry.type === 'directory', rawPath };
}
