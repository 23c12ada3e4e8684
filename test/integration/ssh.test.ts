import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDocker } from '../../src/engine/dockerode-client.js';
import { sshConnection } from '../../src/ssh/connection.js';
import { cliEngineHost } from '../../src/ssh/engine-socket.js';
import { openFileSession } from '../../src/ssh/file-session.js';
import { SftpSession } from '../../src/ssh/sftp.js';
import { openTarget } from '../../src/target/open.js';
import type { TargetSession } from '../../src/target/types.js';
import { checksOf, freePort, newWorkdir, tp7, tp7Json } from './harness.js';

// A real SSH remote (scripts/test-sshd.sh, started by scripts/with-test-engine.sh): a private sshd on 127.0.0.1
// whose `docker` reaches the test engine, and an ssh config file (through an `ssh -F` wrapper first on PATH)
// holding the keys as an instructor's ~/.ssh/config would. No agent unless a test gives one.
const dir = process.env.TP7_TEST_SSH_DIR!;
const port = () => /^Port (\d+)$/m.exec(readFileSync(join(dir, 'sshd_config'), 'utf8'))![1]!;
const { SSH_AUTH_SOCK: _agent, ...parentEnv } = process.env;
const sshEnv = (host: string, extra: Record<string, string> = {}) => ({ ...parentEnv, PATH: `${dir}/bin:${process.env.PATH}`, DOCKER_HOST: host, ...extra }) as Record<string, string>;
const statuses = (json: unknown) => Object.fromEntries(Object.entries(checksOf(json as never, 'ex1')).map(([id, check]) => [id, check.status]));

/** The failure is one line naming ssh's reason: no stack trace, no Node warning. */
function expectOneLine(run: { exitCode: number; stdout: string; stderr: string }, reason: RegExp): void {
  expect(run.exitCode).toBe(3);
  const text = `${run.stdout}${run.stderr}`.trim();
  expect(text.split('\n')).toHaveLength(1);
  expect(text).toMatch(reason);
  expect(text).not.toMatch(/Warning|\n\s+at |node:/);
}

describe('ssh:// engines behave like ssh', () => {
  beforeAll(() => {
    if (!dir) throw new Error('TP7_TEST_SSH_DIR is not set: run through scripts/test.sh (it starts the test sshd)');
  });

  it('checks over ssh:// with the key only in the ssh config and no agent (the case that failed), as on the engine itself', async () => {
    const workdir = newWorkdir();
    const local = await tp7Json(['check', 'ex1'], { workdir });
    const remote = await tp7Json(['check', 'ex1'], { workdir, env: sshEnv(`ssh://root@127.0.0.1:${port()}`) });
    expect(remote.run.stderr).toBe('');
    expect(remote.run.exitCode).toBe(local.run.exitCode);
    expect(statuses(remote.json)).toEqual(statuses(local.json));
    // A host alias of the config file (HostName, Port, User, IdentityFile) works as `ssh tp7-remote` does.
    const alias = await tp7Json(['check', 'ex1'], { workdir, env: sshEnv('ssh://tp7-remote') });
    expect(statuses(alias.json)).toEqual(statuses(local.json));
    // Every command, not only check: doctor reaches the same engine.
    expect((await tp7(['doctor'], { workdir, env: sshEnv('ssh://tp7-remote') })).stdout).not.toMatch(/cannot reach/);
  });

  it('uses the ssh agent when the key is only there, and says so when the agent is gone', async () => {
    const workdir = newWorkdir();
    const withAgent = await tp7Json(['check', 'ex1'], { workdir, env: sshEnv('ssh://tp7-agent', { SSH_AUTH_SOCK: join(dir, 'agent.sock') }) });
    expect(withAgent.run.stderr).toBe('');
    expect([0, 1]).toContain(withAgent.run.exitCode);
    const moved = join(dir, 'agent-moved.sock');
    execFileSync('mv', [join(dir, 'agent.sock'), moved]);
    try {
      expectOneLine(await tp7(['check', 'ex1', '--json'], { workdir, env: sshEnv('ssh://tp7-agent') }), /Permission denied \(publickey\)/);
    } finally {
      execFileSync('mv', [moved, join(dir, 'agent.sock')]);
    }
  });

  it('a refused key, an unknown host key and a dead port are one line each, exit 3, in both languages', async () => {
    const workdir = newWorkdir();
    expectOneLine(await tp7(['check', 'ex1', '--json'], { workdir, env: sshEnv('ssh://tp7-wrongkey') }), /ssh: "root@127\.0\.0\.1: Permission denied \(publickey\)\."; `ssh tp7-wrongkey` must work without a password/);
    expectOneLine(await tp7(['check', 'ex1'], { workdir, env: sshEnv('ssh://tp7-unknown') }), /Host key verification failed\..*accept its host key/);
    expectOneLine(await tp7(['check', 'ex1'], { workdir, env: sshEnv('ssh://tp7-dead') }), /Connection refused/);
    const french = await tp7(['check', 'ex1'], { workdir, env: sshEnv('ssh://tp7-wrongkey', { TP7_LANG: 'fr' }) });
    expect(french.stderr).toMatch(/impossible de joindre le moteur Docker à ssh:\/\/tp7-wrongkey \(ssh : « .*Permission denied/);
  });
});

// The same again on tp7-nosftp, an sshd that offers no SFTP (no `Subsystem sftp` line, as hardened images ship):
// the files are then read, and recorded runs kept, over the remote's shell.
for (const alias of ['tp7-remote', 'tp7-nosftp']) describe(`a target on the student machine over ssh (${alias})`, () => {
  let session: TargetSession;
  let workdir: string;
  let server: Server;
  let pathBefore: string | undefined;

  beforeAll(async () => {
    pathBefore = process.env.PATH;
    process.env.PATH = `${dir}/bin:${process.env.PATH}`;
    workdir = newWorkdir();
    writeFileSync(join(workdir, 'notes.txt'), 'hello from the student');
    mkdirSync(join(workdir, 'sub'));
    writeFileSync(join(workdir, 'sub', 'inner.txt'), 'inner');
    symlinkSync('/etc/passwd', join(workdir, 'passwd-link'));
    symlinkSync('notes.txt', join(workdir, 'inside-link'));
    session = await openTarget({ engine: { host: `ssh://${alias}` }, workdir, registry: '127.0.0.1:5001' });
    server = createServer((req, res) => res.end(`page at ${req.url}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await session?.close();
    server?.close();
    process.env.PATH = pathBefore;
  });

  it('reads the workdir (SFTP, or the shell where there is none), confined: no escape by .. or by a link, bounded reads', async () => {
    const { files } = session.clients;
    expect(await files.readText('notes.txt')).toBe('hello from the student');
    expect(await files.readText('notes.txt', 5)).toBe('hello');
    expect(await files.readText('inside-link')).toBe('hello from the student');
    expect(await files.stat('missing.txt')).toBeNull();
    expect((await files.stat('sub'))?.isDirectory).toBe(true);
    expect((await files.list('sub')).map((entry) => entry.path)).toEqual(['sub/inner.txt']);
    // As in a local workdir: a folder holding a link out of it cannot be listed through it.
    await expect(files.list('.')).rejects.toThrow(/passwd-link is outside the working directory/);
    await expect(files.readText('../../etc/passwd')).rejects.toThrow(/outside the working directory/);
    await expect(files.readText('passwd-link')).rejects.toThrow(/outside the working directory/);
    const chunks: Buffer[] = [];
    for await (const chunk of files.open('sub/inner.txt')) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('inner');
  });

  it('runs scripts on the remote with the time limit killing the whole process group', async () => {
    const { processes } = session.clients;
    const plain = await processes.run('sh', ['-c', 'echo "$GREETING from $(pwd)"; echo oops >&2; exit 3'], { timeoutMs: 10_000, env: { GREETING: 'hi' }, cwd: 'sub' });
    expect(plain).toEqual({ exitCode: 3, stdout: `hi from ${join(workdir, 'sub')}`, stderr: 'oops', timedOut: false });
    const marker = `tp7-ssh-sleeper-${process.pid}`;
    // Sleeps named by this test's pid (GNU sleep takes fractions): the check below cannot match another's.
    const sleeps = [`41.${process.pid}`, `42.${process.pid}`];
    writeFileSync(join(workdir, `${marker}.sh`), `sleep ${sleeps[0]} & sleep ${sleeps[1]}\n`);
    const started = Date.now();
    const slow = await processes.run('sh', [`${marker}.sh`], { timeoutMs: 1000 });
    expect(slow.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(6000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const left = execFileSync('ps', ['-eo', 'args']).toString().split('\n').filter((line) => line.includes(marker) || sleeps.some((sleep) => line === `sleep ${sleep}`));
    expect(left).toEqual([]);
  });

  it('gives recorded runs a host on the remote: scratch folder, files, copies, docker found', async () => {
    const host = session.clients.scripts!;
    const scratch = await host.makeScratch('tp7-ssh-test-', `owner-${process.pid}`);
    expect((await host.readHead(join(scratch, 'OWNER'), 100))?.toString()).toBe(`owner-${process.pid}`);
    await host.writeFile(join(scratch, 'bin', 'hello.sh'), '#!/bin/sh\necho shim\n', 0o755).catch(async () => {
      await host.makeDirectory(join(scratch, 'bin'));
      await host.writeFile(join(scratch, 'bin', 'hello.sh'), '#!/bin/sh\necho shim\n', 0o755);
    });
    expect((await host.run(join(scratch, 'bin', 'hello.sh'), [], { cwd: scratch, timeoutMs: 5000 })).stdout).toBe('shim');
    await host.copyInto(workdir, scratch, 'sub');
    expect((await host.list(join(scratch, 'sub'))).map((entry) => [entry.name, entry.type])).toEqual([['inner.txt', 'file']]);
    await host.copyInto(workdir, scratch, 'no-such-thing');
    expect(await host.readHead(join(scratch, 'no-such-thing'), 10)).toBeNull();
    expect(await host.findDocker()).toMatch(/\/docker$/);
    await host.sweepScratch('tp7-ssh-test-', (owner) => owner === `owner-${process.pid}`);
    // Gone, not merely empty to list (listing a missing folder is empty too): its OWNER file is no more.
    expect(await host.readHead(join(scratch, 'OWNER'), 100)).toBeNull();
    expect((await host.list(dirname(scratch))).map((entry) => entry.name)).not.toContain(basename(scratch));
  });

  it("reaches localhost services and the registry from the student's side (ssh -W)", async () => {
    const { port: pagePort } = server.address() as { port: number };
    const page = await session.clients.http!.get(`http://localhost:${pagePort}/index.html`, { timeoutMs: 5000, maxBytes: 100 });
    expect(page).toMatchObject({ status: 200, body: 'page at /index.html', truncated: false });
    const closed = await freePort();
    await expect(session.clients.http!.get(`http://localhost:${closed}/`, { timeoutMs: 5000, maxBytes: 100 })).rejects.toMatchObject({ reason: 'refused' });
    expect((await session.clients.registry.request('GET', '/v2/')).status).toBe(200);
  });

  it('reaches the engine through the same connection', async () => {
    expect((await session.clients.engine.version()).apiVersion).toMatch(/^\d+\.\d+$/);
  });

  // The engine's socket forwarded through the master (no remote shell, no docker CLI per connection), and the
  // docker CLI's own way, dial-stdio, where sshd refuses stream-local forwarding (the second port of the test sshd).
  it.skipIf(alias !== 'tp7-remote')('reaches the engine through its forwarded socket, and through dial-stdio where forwarding is refused', async () => {
    const forwarded = await openDocker({ host: 'ssh://tp7-remote' });
    expect(forwarded.options.socketPath).toMatch(/\/tp7-ssh-[^/]+\/fwd-\d+\.sock$/);
    expect(cliEngineHost('ssh://tp7-remote')).toBe(`unix://${forwarded.options.socketPath}`);
    const refused = await openDocker({ host: 'ssh://tp7-noforward' });
    expect(refused.options.socketPath).toBeUndefined();
    expect(cliEngineHost('ssh://tp7-noforward')).toBe('ssh://tp7-noforward');
    // Both reach the same engine.
    const [a, b] = await Promise.all([forwarded.docker.info(), refused.docker.info()]);
    expect(a.ID).toBe(b.ID);
  });
});

describe('an sshd that offers no SFTP', () => {
  it('is named in one line with its fix (it once read "sftp ended (255)"), and the files are read over its shell', async () => {
    const pathBefore = process.env.PATH;
    process.env.PATH = `${dir}/bin:${process.env.PATH}`;
    const connection = sshConnection('ssh://tp7-nosftp');
    try {
      await connection.ready(15_000);
      const sftp = new SftpSession(connection.subsystem('sftp'), connection.address);
      const failure = (await sftp.ready().catch((error: unknown) => error)) as { text: { fr: string; en: string } };
      expect(failure.text.en).toBe('the SSH server of tp7-nosftp offers no SFTP: add `Subsystem sftp internal-sftp` to its sshd_config');
      expect((await openFileSession(connection)).overShell).toBe(true);
      expect((await openFileSession(sshConnection('ssh://tp7-remote'))).overShell).toBe(false);
    } finally {
      await connection.close();
      await sshConnection('ssh://tp7-remote').close();
      process.env.PATH = pathBefore;
    }
  });
});

describe('a check over an sshd that refuses forwarding', () => {
  it('judges ex1 as on the engine itself (dial-stdio, recorded reads through the docker CLI)', async () => {
    const workdir = newWorkdir();
    const local = await tp7Json(['check', 'ex1'], { workdir });
    const remote = await tp7Json(['check', 'ex1'], { workdir, env: sshEnv('ssh://tp7-noforward') });
    expect(remote.run.stderr).toBe('');
    expect(statuses(remote.json)).toEqual(statuses(local.json));
  });
});
