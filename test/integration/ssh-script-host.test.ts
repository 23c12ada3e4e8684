import { describe, expect, it } from 'vitest';
import { recordedRun } from '../../src/scripts/recorded-run.js';
import { NO_READ_SOCKET } from '../../src/scripts/sandbox.js';
import { sshConnection } from '../../src/ssh/connection.js';
import { sshRunner } from '../../src/ssh/processes.js';
import { sshScriptHost } from '../../src/ssh/script-host.js';
import { openFileSession } from '../../src/ssh/file-session.js';
import { scriptHostContract } from '../contract/script-host.js';
import { tempDir } from '../tmp.js';

// The SSH ScriptHost against the same contract as this machine's (test/unit/script-host.test.ts): the test
// sshd (scripts/test-sshd.sh) is on this machine, so a local temporary folder stands for the remote workdir.
const dir = process.env.TP7_TEST_SSH_DIR;
// The ssh wrapper of the test sshd passes its config file (-F): the alias tp7-remote is known through it.
if (dir) process.env.PATH = `${dir}/bin:${process.env.PATH}`;

// tp7-nosftp's sshd offers no SFTP: the same contract, the housekeeping done over the remote's shell.
describe.skipIf(!dir)('the SSH script host', () => {
  for (const alias of ['tp7-remote', 'tp7-nosftp']) {
    scriptHostContract(`ssh://${alias}`, async () => {
      const connection = sshConnection(`ssh://${alias}`);
      await connection.ready(15_000);
      const session = openFileSession(connection);
      expect((await session).overShell).toBe(alias === 'tp7-nosftp');
      return { host: sshScriptHost(connection, sshRunner(connection, '/'), () => session), folder: async () => tempDir('remote-') };
    });
  }

  it('where sshd refuses to forward a socket: the run says it was not isolated, and its reads still work', async () => {
    const connection = sshConnection('ssh://tp7-noforward');
    await connection.ready(15_000);
    const session = openFileSession(connection);
    const host = sshScriptHost(connection, sshRunner(connection, '/'), () => session);
    const workdir = tempDir('remote-');
    await host.writeFile(`${workdir}/s.sh`, 'docker version --format "{{.Server.APIVersion}}"\n');
    const run = await recordedRun(host, { workdir, script: 's.sh', args: [], timeoutMs: 20_000, engineHost: process.env.DOCKER_HOST! });
    expect(run.notIsolated).toEqual(NO_READ_SOCKET);
    expect(run.stdout, run.stderr).toMatch(/^1\.\d+$/);
    await connection.close();
  });
});
