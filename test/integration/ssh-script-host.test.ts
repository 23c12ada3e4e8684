import { describe, expect, it } from 'vitest';
import { recordedRun } from '../../src/scripts/recorded-run.js';
import { NO_READ_SOCKET } from '../../src/scripts/sandbox.js';
import { sshConnection } from '../../src/ssh/connection.js';
import { sshRunner } from '../../src/ssh/processes.js';
import { sshScriptHost } from '../../src/ssh/script-host.js';
import { SftpSession } from '../../src/ssh/sftp.js';
import { scriptHostContract } from '../contract/script-host.js';
import { tempDir } from '../tmp.js';

// The SSH ScriptHost against the same contract as this machine's (test/unit/script-host.test.ts): the test
// sshd (scripts/test-sshd.sh) is on this machine, so a local temporary folder stands for the remote workdir.
const dir = process.env.TP7_TEST_SSH_DIR;
// The ssh wrapper of the test sshd passes its config file (-F): the alias tp7-remote is known through it.
if (dir) process.env.PATH = `${dir}/bin:${process.env.PATH}`;

describe.skipIf(!dir)('the SSH script host', () => {
  scriptHostContract('ssh://tp7-remote', async () => {
    const connection = sshConnection('ssh://tp7-remote');
    await connection.ready(15_000);
    let session: Promise<SftpSession> | undefined;
    const sftp = () => (session ??= Promise.resolve(new SftpSession(connection.subsystem('sftp'))));
    return { host: sshScriptHost(connection, sshRunner(connection, '/'), sftp), folder: async () => tempDir('remote-') };
  });

  it('where sshd refuses to forward a socket: the run says it was not isolated, and its reads still work', async () => {
    const connection = sshConnection('ssh://tp7-noforward');
    await connection.ready(15_000);
    let session: Promise<SftpSession> | undefined;
    const sftp = () => (session ??= Promise.resolve(new SftpSession(connection.subsystem('sftp'))));
    const host = sshScriptHost(connection, sshRunner(connection, '/'), sftp);
    const workdir = tempDir('remote-');
    await host.writeFile(`${workdir}/s.sh`, 'docker version --format "{{.Server.APIVersion}}"\n');
    const run = await recordedRun(host, { workdir, script: 's.sh', args: [], timeoutMs: 20_000, engineHost: process.env.DOCKER_HOST! });
    expect(run.notIsolated).toEqual(NO_READ_SOCKET);
    expect(run.stdout, run.stderr).toMatch(/^1\.\d+$/);
    await connection.close();
  });
});
