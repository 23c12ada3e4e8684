import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SshConnection } from '../../src/ssh/connection.js';
import { openFileSession } from '../../src/ssh/file-session.js';
import { sshRunner } from '../../src/ssh/processes.js';
import { remoteWorkdirFiles } from '../../src/ssh/remote-files.js';
import { sshScriptHost } from '../../src/ssh/script-host.js';
import { SftpSession } from '../../src/ssh/sftp.js';
import { scriptHostContract } from '../contract/script-host.js';
import { tempDir } from '../tmp.js';

// A student machine whose sshd offers no SFTP (no `Subsystem sftp` line, as some hardened images ship): ssh asked
// for the subsystem ends with 255 and says nothing (LogLevel=ERROR, through a master: seen with OpenSSH 9.2), the
// remote's shell still runs commands. Here ssh is replaced by this machine: the subsystem is that silent 255 exit,
// and `exec(words)` runs the words with this machine's sh and tools (coreutils, or busybox as on Alpine), in a
// process group of their own as sshd gives each session. The real sshd: test/integration/ssh.test.ts.

/**
 * Busybox's applets alone on PATH: the tools of an Alpine or BusyBox-based student machine (and bash, which a
 * recorded run starts the student's script with).
 */
function busyboxPath(): string {
  const bin = tempDir('busybox-');
  for (const applet of execFileSync('busybox', ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean)) symlinkSync('/bin/busybox', join(bin, applet));
  symlinkSync('/bin/bash', join(bin, 'bash'));
  return bin;
}

function noSftpMachine(path = process.env.PATH!): SshConnection {
  const env = { ...process.env, PATH: path };
  const exec = (words: readonly string[]) => spawn(words[0]!, words.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env });
  const subsystem = () => spawn('sh', ['-c', 'exit 255'], { stdio: ['pipe', 'pipe', 'pipe'] });
  // `ssh -R remote:local` on one machine: sshd listens on the remote path and carries each connection to the
  // local socket (a listening socket in the scratch folder: the sandbox keeps that folder, not /tmp's sockets).
  const forwards = new Map<string, Server>();
  const forwardToLocalSocket = async (remotePath: string, localPath: string) => {
    const server = createServer((client) => client.pipe(connect(localPath)).pipe(client));
    await new Promise<void>((resolve) => server.listen(remotePath, resolve));
    forwards.set(remotePath, server);
  };
  const cancelRemoteForward = async (remotePath: string) => {
    forwards.get(remotePath)?.close();
    forwards.delete(remotePath);
    rmSync(remotePath, { force: true });
  };
  const privateSocketPath = () => join(tempDir('socket-'), 'reads.sock');
  return { address: 'ssh://lab-03', exec, subsystem, forwardToLocalSocket, cancelRemoteForward, privateSocketPath } as unknown as SshConnection;
}

describe('an sshd that offers no SFTP', () => {
  it('is said in one line naming the host and the fix, not "sftp ended (255)"', async () => {
    const session = new SftpSession(noSftpMachine().subsystem('sftp'), 'ssh://lab-03');
    const failure = (await session.stat('/').catch((error: unknown) => error)) as { text: { fr: string; en: string } };
    expect(failure.text).toEqual({
      fr: "le serveur SSH de lab-03 n'offre pas SFTP : ajoutez `Subsystem sftp internal-sftp` à son sshd_config",
      en: 'the SSH server of lab-03 offers no SFTP: add `Subsystem sftp internal-sftp` to its sshd_config',
    });
    // A Subsystem line naming a server that does not run: the remote's words are quoted.
    const broken = new SftpSession(spawn('sh', ['-c', 'echo "sh: 1: /usr/lib/sftp-server: not found" >&2; exit 127'], { stdio: ['pipe', 'pipe', 'pipe'] }), 'ssh://lab-03');
    expect(((await broken.ready().catch((error: unknown) => error)) as { text: { en: string } }).text.en).toBe(
      'the SSH server of lab-03 offers no working SFTP ("sh: 1: /usr/lib/sftp-server: not found"): check the `Subsystem sftp` line of its sshd_config',
    );
    // ssh failing itself (255 and its own words) stays ssh's reason.
    const gone = new SftpSession(spawn('sh', ['-c', 'echo "ssh: connect to host lab-03 port 22: Connection refused" >&2; exit 255'], { stdio: ['pipe', 'pipe', 'pipe'] }), 'ssh://lab-03');
    expect(((await gone.ready().catch((error: unknown) => error)) as Error).message).toBe('ssh: connect to host lab-03 port 22: Connection refused');
  });

  for (const [tools, path] of [['coreutils', process.env.PATH!], ['busybox', busyboxPath()]] as const) {
    it(`the workdir is read over the shell instead (${tools}): stat, list, read, stream, and never outside it`, async () => {
      const machine = noSftpMachine(path);
      const session = openFileSession(machine);
      expect((await session).overShell).toBe(true);
      const root = tempDir('nosftp-');
      mkdirSync(join(root, '.tp7'));
      writeFileSync(join(root, '.tp7/progress.json'), '{"answers":{}}');
      const bytes = Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 13]);
      writeFileSync(join(root, 'archive.tar'), bytes);
      writeFileSync(join(root, 'odd\nname'), 'x');
      mkdirSync(join(root, 'sub'));
      symlinkSync('/etc/hostname', join(root, 'sub/escape'));
      const files = remoteWorkdirFiles(() => session, root);
      expect(await files.stat('.')).toMatchObject({ isDirectory: true, isFile: false });
      expect(await files.stat('archive.tar')).toMatchObject({ path: 'archive.tar', size: 7, isFile: true, isDirectory: false, mtimeMs: expect.any(Number) });
      expect(await files.stat('missing')).toBeNull();
      expect(await files.readText('.tp7/progress.json')).toBe('{"answers":{}}');
      expect(await files.readText('.tp7/progress.json', 3)).toBe('{"a');
      expect((await files.list('.')).map((entry) => entry.path)).toEqual(['.tp7', 'archive.tar', 'odd\nname', 'sub']);
      expect(await files.list('no-such-folder')).toEqual([]);
      const streamed: Buffer[] = [];
      for await (const chunk of files.open('archive.tar')) streamed.push(chunk as Buffer);
      expect(Buffer.concat(streamed)).toEqual(bytes);
      await expect(files.readText('sub/escape')).rejects.toThrow(/outside the working directory/);
      await expect(files.readText('../x')).rejects.toThrow(/outside the working directory/);
      expect(readFileSync(join(root, 'archive.tar'))).toEqual(bytes);
    });
  }

  it('a refusal reads as SFTP would give it (the remote\'s words), a tool the shell lacks says both causes in one line', async () => {
    const root = tempDir('nosftp-');
    const session = await openFileSession(noSftpMachine());
    await session.mkdir(join(root, 'made'), 0o700);
    await expect(session.mkdir(join(root, 'made'), 0o700)).rejects.toMatchObject({ status: 4, message: expect.stringMatching(/File exists/) });
    await expect(session.readdir(join(root, 'made', 'none'))).rejects.toMatchObject({ status: 2 });
    const bin = tempDir('no-stat-');
    symlinkSync('/bin/sh', join(bin, 'sh'));
    const files = remoteWorkdirFiles(() => openFileSession(noSftpMachine(bin)), tempDir('nosftp-'));
    const failure = (await files.stat('.').catch((error: unknown) => error)) as { text: { en: string } };
    expect(failure.text.en).toMatch(/^the SSH server of lab-03 offers no SFTP: add `Subsystem sftp internal-sftp` to its sshd_config \(its shell could not stand in: "sh: \d+: \w+: not found"\)$/);
  });
});

// Recorded runs too: the script host's housekeeping (scratch folder, copies, removal) over the shell.
for (const [tools, path] of [['coreutils', process.env.PATH!], ['busybox', busyboxPath()]] as const) {
  scriptHostContract(`ssh, no SFTP (${tools})`, async () => {
    const machine = noSftpMachine(path);
    const session = openFileSession(machine);
    // BusyBox's unshare and setpriv lack what the sandbox needs: such a machine says it cannot isolate the runs.
    const cannotIsolate = tools === 'busybox' ? /^the unshare command is missing \(util-linux package\)$/ : undefined;
    return { host: sshScriptHost(machine, sshRunner(machine, '/'), () => session), folder: async () => tempDir('remote-'), cannotIsolate };
  });
}
