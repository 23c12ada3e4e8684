import { spawnSync } from 'node:child_process';
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

  it('never waits on a FIFO (opening one blocks until a writer comes): one line at once', async () => {
    expect(spawnSync('mkfifo', [join(root, 'pipe')]).status).toBe(0);
    mkdirSync(join(root, '.tp7'));
    expect(spawnSync('mkfifo', [join(root, '.tp7/progress.json')]).status).toBe(0);
    const started = performance.now();
    await expect(files.readText('pipe')).rejects.toThrow('pipe is not a regular file');
    await expect(files.readText('.tp7/progress.json')).rejects.toThrow('.tp7/progress.json is not a regular file');
    const error = await new Promise((resolve) => files.open('pipe').once('error', resolve).resume());
    expect(String(error)).toContain('pipe is not a regular file');
    await expect(files.readText('backups')).rejects.toThrow('backups is not a regular file');
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('caps what readText returns', async () => {
    writeFileSync(join(root, 'big.txt'), 'x'.repeat(5000));
    expect(await files.readText('big.txt', 100)).toHaveLength(100);
  });
});
