import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workdirFiles } from '../../src/files/workdir.js';
import { tempDir } from '../tmp.js';

describe('workdir files', () => {
  const root = tempDir('files-');
  const outside = tempDir('outside-');
  writeFileSync(join(outside, 'secret.txt'), 'secret');
  mkdirSync(join(root, 'backups'));
  writeFileSync(join(root, 'backups', 'index.txt'), 'mon-nginx:v1\n');
  symlinkSync(join(outside, 'secret.txt'), join(root, 'link.txt'));
  const files = workdirFiles(root);

  it('reads, stats and lists inside the workdir', async () => {
    expect(await files.readText('backups/index.txt')).toBe('mon-nginx:v1\n');
    expect((await files.stat('backups'))?.isDirectory).toBe(true);
    expect(await files.stat('missing.tar')).toBeNull();
    expect((await files.list('backups')).map((entry) => entry.path)).toEqual(['backups/index.txt']);
    expect(await files.list('nowhere')).toEqual([]);
  });

  it('refuses paths and links that lead outside', async () => {
    await expect(files.readText('../x')).rejects.toThrow('outside the working directory');
    await expect(files.readText(join(outside, 'secret.txt'))).rejects.toThrow('outside the working directory');
    await expect(files.readText('link.txt')).rejects.toThrow('outside the working directory');
  });

  it('caps what readText returns', async () => {
    writeFileSync(join(root, 'big.txt'), 'x'.repeat(5000));
    expect(await files.readText('big.txt', 100)).toHaveLength(100);
  });
});
