import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The student's working directory when `--workdir` is not given: the nearest folder at or above `start` that holds
 * a `.tp7/` (as git finds its repository), so a student who `cd`s into a subfolder the exercise asked for (`myapp/`)
 * still sees their progress and files; `start` itself when no folder above has one (a first run).
 */
export function findWorkdir(start: string): string {
  const first = resolve(start);
  for (let folder = first; ; folder = dirname(folder)) {
    if (isFolder(join(folder, '.tp7'))) return folder;
    if (dirname(folder) === folder) return first;
  }
}
