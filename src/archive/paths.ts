import { posix } from 'node:path';

/** `./a/b/` → `a/b`: the key an entry is stored under, whatever the tar writer's style. */
export function normaliseName(name: string): string {
  let path = name.replace(/\\/g, '/');
  while (path.startsWith('./')) path = path.slice(2);
  path = path.replace(/\/+$/, '');
  return path === '.' ? '' : path;
}

/** An absolute path or a `..` step: extracting such an entry would write outside the target folder. */
export function isUnsafeName(name: string): boolean {
  const path = name.replace(/\\/g, '/');
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return true;
  return path.split('/').includes('..');
}

/**
 * Where a link leads inside the archive, or null when it leads out of it. A symlink is relative to its own
 * folder (docker save links a repeated layer as `../<id>/layer.tar`); a hard link names an archive path.
 */
export function linkTarget(entryPath: string, target: string, kind: 'symlink' | 'hardlink'): string | null {
  const link = target.replace(/\\/g, '/');
  if (link.startsWith('/') || /^[A-Za-z]:/.test(link)) return null;
  const joined = kind === 'symlink' ? posix.join(posix.dirname(entryPath), link) : posix.normalize(link);
  const path = normaliseName(joined);
  if (path === '..' || path.startsWith('../')) return null;
  return path;
}

/** Files of a save's top level, whatever its layout. */
const SAVE_FILES = new Set(['manifest.json', 'index.json', 'oci-layout', 'repositories']);

/**
 * A name only a `docker save` writes: its top-level files, an OCI blob, or a legacy `<64 hex>/...` layer folder
 * and `<64 hex>.json` config. Once one is seen, the archive is held to a save's entry cap.
 */
export function isSaveName(path: string): boolean {
  return SAVE_FILES.has(path) || path.startsWith('blobs/') || /^[a-f0-9]{64}(?:\.json$|\/|$)/.test(path);
}
