import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execaRunner } from '../../src/processes/execa-runner.js';
import { localScriptHost } from '../../src/scripts/local-host.js';
import { recordedRun } from '../../src/scripts/recorded-run.js';

describe('a recorded run', () => {
  it('keeps HOME inside its scratch folder: $HOME and ~ never reach the student\'s real files', async () => {
    const workdir = mkdtempSync(join(tmpdir(), 'tp7-home-'));
    const name = `tp7-recorded-home-${process.pid}-${Date.now()}`;
    writeFileSync(join(workdir, 'script.sh'), `mkdir -p "$HOME/${name}" ~/${name}-b && echo stand-in > "$HOME/${name}/nginx.tar.gz" && echo "$HOME"\n`);
    const run = await recordedRun(localScriptHost(execaRunner(workdir)), { workdir, script: 'script.sh', args: [], timeoutMs: 10_000, engineHost: 'unix:///nonexistent.sock' });
    expect(run.exitCode).toBe(0);
    expect(run.stdout.trim()).not.toBe(homedir());
    expect(existsSync(join(homedir(), name))).toBe(false);
    expect(existsSync(join(homedir(), `${name}-b`))).toBe(false);
  });
});
