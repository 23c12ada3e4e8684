import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workdirFiles } from '../../src/files/workdir.js';
import { isDayStamp, newestDatedFile, newestDayStamp } from '../../src/probes/dated.js';

describe('day stamps (date +%Y%m%d)', () => {
  it('are real calendar days', () => {
    expect(['20261128', '20240229'].every(isDayStamp)).toBe(true);
    expect(['20260231', '20231301', '2026-11-28', '261128', 'latest'].some(isDayStamp)).toBe(false);
  });
  it('the newest one wins, other tags aside', () => {
    expect(newestDayStamp(['1.0.0', '20261127', 'latest', '20261128', '99999999'])).toBe('20261128');
    expect(newestDayStamp(['1.0.0'])).toBeUndefined();
  });
  it('find the newest dated file of a folder that fits the pattern', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tp7-dated-'));
    mkdirSync(join(root, 'backups'));
    for (const name of ['myapp-1.0.0-20261127.tar.gz', 'myapp-1.0.0-20261128.tar.gz', 'myapp-1.0.0-20261299.tar.gz', 'myapp-2.0.0-20271128.tar.gz', 'myapp-1.0.0-20271128.tar']) {
      writeFileSync(join(root, 'backups', name), '');
    }
    const files = workdirFiles(root);
    expect(await newestDatedFile(files, 'backups/myapp-1.0.0-{date}.tar.gz')).toBe('backups/myapp-1.0.0-20261128.tar.gz');
    expect(await newestDatedFile(files, 'nowhere/myapp-{date}.tar.gz')).toBeUndefined();
  });
});
