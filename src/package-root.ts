import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The folder holding tp7's package.json (and labs/, board/, bin/), found by walking up from this module: the same
// answer from the sources (src/), tsc's tree (dist/...) and the bundle (dist/bundle/), whose depths differ.
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'labs'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`tp7: no package root above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

export const PACKAGE_ROOT = findPackageRoot();
