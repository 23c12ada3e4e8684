import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SshConnection } from '../../src/ssh/connection.js';
import { parseRemoteFacts, remoteFacts } from '../../src/ssh/remote-facts.js';

const folder = mkdtempSync(join(tmpdir(), 'tp7-remote-facts-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

// The remote's facts, with ssh replaced by this machine's sh (as in ssh-processes.test.ts): `exec(words)` runs the
// words here, with the environment a remote login would give, and counts the sessions it starts.
function localConnection(env: NodeJS.ProcessEnv, failFirst = 0): SshConnection & { sessions: () => number } {
  let sessions = 0;
  const exec = (words: readonly string[]) => {
    sessions += 1;
    const fails = sessions <= failFirst;
    return spawn('/bin/sh', ['-c', fails ? 'echo "login refused" >&2; exit 1' : 'exec "$@"', 'login', ...words], { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env });
  };
  return { address: 'ssh://fake', exec, sessions: () => sessions } as unknown as SshConnection & { sessions: () => number };
}

describe("the remote machine's facts", () => {
  it('are asked in one session, however many parts of tp7 want them at once', async () => {
    const connection = localConnection({ ...process.env, TMPDIR: '/var/tmp/', DOCKER_HOST: 'unix:///run/user/1000/docker.sock' });
    const [engineForward, scriptHost, grading] = await Promise.all([1, 2, 3].map(() => remoteFacts(connection, 10_000)));
    expect(connection.sessions()).toBe(1);
    expect(engineForward).toBe(scriptHost);
    expect(grading).toMatchObject({ tmp: '/var/tmp', engine: 'unix:///run/user/1000/docker.sock' });
    await remoteFacts(connection, 10_000);
    expect(connection.sessions()).toBe(1);
  });

  it('say so on a remote without docker, and fall back to the default socket and /tmp', async () => {
    // A PATH with sh alone on it: no docker CLI, no TMPDIR, no DOCKER_HOST.
    const bin = join(folder, 'bin-without-docker');
    mkdirSync(bin);
    symlinkSync('/bin/sh', join(bin, 'sh'));
    const facts = await remoteFacts(localConnection({ PATH: bin }), 10_000);
    expect(facts).toEqual({ tmp: '/tmp', engine: 'unix:///var/run/docker.sock' });
  });

  it('are asked again after a failure, with the remote\'s own reason', async () => {
    const connection = localConnection(process.env, 1);
    await expect(remoteFacts(connection, 10_000)).rejects.toThrow(/ssh:\/\/fake: failed on the remote machine \(login refused\)/);
    await expect(remoteFacts(connection, 10_000)).resolves.toMatchObject({ tmp: expect.stringMatching(/^\//) });
    expect(connection.sessions()).toBe(2);
  });

  it.each([
    ['/tmp/\n/usr/bin/docker\nunix:///var/run/docker.sock\n', { tmp: '/tmp', docker: '/usr/bin/docker', engine: 'unix:///var/run/docker.sock' }],
    ['/scratch\n\ntcp://10.0.0.2:2376\n', { tmp: '/scratch', engine: 'tcp://10.0.0.2:2376' }],
    // An alias or a function named docker is not a program tp7 can start.
    ['\ndocker\n\n', { tmp: '/tmp', engine: 'unix:///var/run/docker.sock' }],
  ])('read %j', (stdout, facts) => {
    expect(parseRemoteFacts(stdout)).toEqual(facts);
  });
});
