import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findWorkdir } from '../../src/cli/workdir.js';

describe('the working directory found from the current one', () => {
  it('is the nearest folder above that holds .tp7, as git finds its repository', () => {
    const root = mkdtempSync(join(tmpdir(), 'tp7-workdir-'));
    mkdirSync(join(root, '.tp7'));
    mkdirSync(join(root, 'myapp', 'src'), { recursive: true });
    expect(findWorkdir(join(root, 'myapp', 'src'))).toBe(root);
    expect(findWorkdir(root)).toBe(root);
  });
  it('is the current folder when no folder above has .tp7 (a first run)', () => {
    const fresh = mkdtempSync(join(tmpdir(), 'tp7-fresh-'));
    mkdirSync(join(fresh, 'sub'));
    expect(findWorkdir(join(fresh, 'sub'))).toBe(join(fresh, 'sub'));
  });
});
