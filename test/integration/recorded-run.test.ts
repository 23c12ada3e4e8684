import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execaRunner } from '../../src/processes/execa-runner.js';
import { localScriptHost } from '../../src/scripts/local-host.js';
import { recordedRun, SCRATCH_PREFIX } from '../../src/scripts/recorded-run.js';
import { packingOf, savedIn } from '../../src/scripts/save-stand-in.js';
import { buildImage, docker, newWorkdir, ok } from './harness.js';

const IMAGE = 'tp7-recorded-run-test:1.0';

async function runScript(body: string, args: string[] = [], timeoutMs = 20_000) {
  const workdir = newWorkdir();
  writeFileSync(join(workdir, 'script.sh'), `${body}\n`);
  return recordedRun(localScriptHost(execaRunner(workdir)), { workdir, script: 'script.sh', args, timeoutMs, engineHost: process.env.DOCKER_HOST! });
}

// The recorded run on the real test engine: commands recorded exactly, reads answered by the engine, nothing
// that changes state ever performed, and the time limit stopping the whole process group.
describe('recorded runs of student scripts', () => {
  beforeAll(() => buildImage(IMAGE, 'FROM scratch\nCOPY a /a\n', { a: 'recorded run' }));
  afterAll(async () => {
    await docker('rmi', IMAGE);
  });

  it('records each command line exactly, and performs nothing that changes state', async () => {
    const run = await runScript([
      `docker image prune -a --filter "until=24 h" -f`,
      `docker rmi "${IMAGE}" ''`,
      `docker tag ${IMAGE} tp7-recorded-run-test:copy`,
      `docker system prune -a --volumes -f`,
      `sudo -E docker rm -f some-container`,
      `/usr/local/bin/docker rmi ${IMAGE} 2>/dev/null; /usr/bin/docker rmi ${IMAGE} 2>/dev/null; true`,
    ].join('\n'));
    expect(run.exitCode).toBe(0);
    expect(run.calls.map((call) => call.argv)).toEqual([
      ['image', 'prune', '-a', '--filter', 'until=24 h', '-f'],
      ['rmi', IMAGE, ''],
      ['tag', IMAGE, 'tp7-recorded-run-test:copy'],
      ['system', 'prune', '-a', '--volumes', '-f'],
      ['rm', '-f', 'some-container'],
    ]);
    expect(run.stdout).toContain('Total reclaimed space: 0B');
    await ok(docker('image', 'inspect', IMAGE));
    expect((await docker('image', 'inspect', 'tp7-recorded-run-test:copy')).exitCode).not.toBe(0);
  });

  it('answers read-only commands from the real engine', async () => {
    const run = await runScript(`docker images --format '{{.Repository}}:{{.Tag}}' ${IMAGE}; docker --log-level error image ls -q ${IMAGE}`);
    const id = (await ok(docker('images', '-q', IMAGE))).stdout.trim();
    expect(run.stdout).toBe(`${IMAGE}\n${id}`);
    expect(run.calls[1]).toEqual({ argv: ['--log-level', 'error', 'image', 'ls', '-q', IMAGE], stdout: `${id}\n` });
  });

  it('answers docker save with a stand-in where the script puts it, never outside the scratch folder', async () => {
    const outside = join(tmpdir(), `tp7-recorded-outside-${process.pid}.tar`);
    const outsideDir = mkdtempSync(join(tmpdir(), 'tp7-recorded-outside-'));
    const workdir = newWorkdir();
    writeFileSync(join(workdir, 'script.sh'), [
      'mkdir -p out/sub',
      `docker save ${IMAGE} -o out/by-flag.tar`,
      `docker image save ${IMAGE} | gzip > out/sub/piped.tar.gz`,
      `docker save -o ${outside} ${IMAGE}`,
      `ln -s ${outsideDir} linked && docker save -o linked/x.tar ${IMAGE}`,
      'echo kept > elsewhere.txt',
    ].join('\n'));
    const run = await recordedRun(localScriptHost(execaRunner(workdir)), { workdir, script: 'script.sh', args: [], timeoutMs: 20_000, engineHost: process.env.DOCKER_HOST!, collect: 'out' });
    expect(run.exitCode).toBe(0);
    const written = Object.fromEntries(run.written.map((file) => [file.path, file]));
    expect(Object.keys(written).sort()).toEqual(['out/by-flag.tar', 'out/sub/piped.tar.gz']);
    expect(savedIn(written['out/by-flag.tar']!.content)).toEqual([IMAGE]);
    expect([packingOf(written['out/sub/piped.tar.gz']!.content), savedIn(written['out/sub/piped.tar.gz']!.content)]).toEqual(['gzip', [IMAGE]]);
    expect(existsSync(outside)).toBe(false);
    expect(readdirSync(outsideDir)).toEqual([]);
    rmSync(outsideDir, { recursive: true });
  });

  it('stops the whole process group at the time limit and leaves no scratch folder', async () => {
    const before = readdirSync(tmpdir()).filter((name) => name.startsWith(SCRATCH_PREFIX));
    const started = Date.now();
    const run = await runScript('sleep 61.4321 & docker images -q >/dev/null; sleep 61.4321', [], 1500);
    expect(run.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(execSync('ps -eo args').toString()).not.toContain('sleep 61.4321');
    // Nothing of this run is left; leftovers of ended tp7s from before may have been swept meanwhile.
    const after = readdirSync(tmpdir()).filter((name) => name.startsWith(SCRATCH_PREFIX));
    expect(after.filter((name) => !before.includes(name))).toEqual([]);
  });
});

/** Counts connections to a stand-in listening where an engine could be; `forward` passes them to the real engine. */
async function listener(where: string | 0, forward?: string): Promise<{ connections: () => number; port: number; close: () => void }> {
  let connections = 0;
  const server = createNetServer((socket) => {
    connections++;
    if (!forward) return void socket.destroy();
    const engine = connect(forward);
    socket.pipe(engine).pipe(socket);
    engine.on('error', () => socket.destroy());
    socket.on('error', () => engine.destroy());
  });
  await new Promise<void>((resolve) => (where === 0 ? server.listen(0, '127.0.0.1', resolve) : server.listen(where, resolve)));
  const address = server.address();
  return { connections: () => connections, port: typeof address === 'object' && address ? address.port : 0, close: () => server.close() };
}

const ENGINE_SOCKET = (process.env.DOCKER_HOST ?? '').replace(/^unix:\/\//, '');
/** The test engine's containerd, as /proc/net/unix lists it (its dockerd starts its own, under its exec root). */
const CONTAINERD = readFileSync('/proc/net/unix', 'utf8').split('\n').map((line) => line.trim().split(/\s+/).at(-1) ?? '').find((path) => path.startsWith('/tmp/tp7-test-engine/') && path.endsWith('/containerd.sock'));

const tagPath = (n: string) => `/images/${IMAGE}/tag?repo=tp7-escape${n}&tag=proof`;
const rawPost = (n: string) => `POST ${tagPath(n)} HTTP/1.0\\r\\nHost: x\\r\\n\\r\\n`;

/** The ways a student's script could go around the shim: the issue's own, and every other we could think of. */
function escapes(tcpPort: number): Record<string, string> {
  return {
    'full-path docker, DOCKER_HOST unset': `env -u DOCKER_HOST "$(PATH=/usr/local/bin:/usr/bin:/bin command -v docker)" tag ${IMAGE} tp7-escape1:proof`,
    'full-path docker -H the engine socket': `/usr/local/bin/docker -H unix://${ENGINE_SOCKET} tag ${IMAGE} tp7-escape1b:proof`,
    'curl to the default socket': `curl -s --max-time 3 --unix-socket /var/run/docker.sock -X POST "http://localhost${tagPath('2')}"`,
    "curl to DOCKER_HOST's socket": `curl -s --max-time 3 --unix-socket ${ENGINE_SOCKET} -X POST "http://localhost${tagPath('3')}"`,
    'curl to a TCP engine': `curl -s --max-time 3 -X POST "http://127.0.0.1:${tcpPort}${tagPath('4')}"`,
    'the docker CLI to a TCP engine': `DOCKER_HOST=tcp://127.0.0.1:${tcpPort} /usr/local/bin/docker tag ${IMAGE} tp7-escape4b:proof`,
    'python on the socket': `/usr/bin/python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.argv[2].encode().decode("unicode_escape").encode()); print(s.recv(64))' ${ENGINE_SOCKET} '${rawPost('5')}'`,
    'perl on the socket': `perl -MIO::Socket::UNIX -e '$s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die "no socket\\n"; $r = $ARGV[1]; $r =~ s/\\\\r\\\\n/\\r\\n/g; print $s $r; print scalar <$s>' ${ENGINE_SOCKET} '${rawPost('6')}'`,
    'nc on the socket': `printf '${rawPost('7')}' | nc -N -U ${ENGINE_SOCKET}`,
    'through /proc/1/root': `curl -s --max-time 3 --unix-socket /proc/1/root${ENGINE_SOCKET} -X POST "http://localhost${tagPath('8')}"`,
    "through the parent's /proc/PID/root": `curl -s --max-time 3 --unix-socket /proc/$PPID/root${ENGINE_SOCKET} -X POST "http://localhost${tagPath('8b')}"`,
    "containerd's socket": CONTAINERD ? `ctr --address ${CONTAINERD} -n moby images tag docker.io/library/${IMAGE} docker.io/library/tp7-escape9:proof` : 'true',
    "tp7's own read socket, found in the shim": `sock=$(sed -n "s/^REAL_HOST='unix:\\/\\/\\(.*\\)'$/\\1/p" "$(command -v docker)"); curl -s --max-time 3 --unix-socket "$sock" -X POST "http://localhost${tagPath('10')}"; echo " via $sock"`,
    'a new session, and the real sudo': `setsid /usr/local/bin/docker -H unix://${ENGINE_SOCKET} tag ${IMAGE} tp7-escape11:proof; /usr/bin/sudo -n /usr/local/bin/docker -H unix://${ENGINE_SOCKET} tag ${IMAGE} tp7-escape11b:proof`,
  };
}

/** Every tp7-escape* tag the engine holds. */
async function escaped(): Promise<string[]> {
  return (await ok(docker('images', '--format', '{{.Repository}}:{{.Tag}}'))).stdout.split('\n').filter((name) => name.startsWith('tp7-escape'));
}

// The engine's sockets and ports out of reach: the default socket and containerd's get stand-ins that count
// connections when nothing listens there already, and a TCP port forwards to the real engine.
describe('a recorded run never reaches the engine, whatever the script calls', () => {
  const stands: Array<Awaited<ReturnType<typeof listener>>> = [];
  let tcp: Awaited<ReturnType<typeof listener>>;
  const made: string[] = [];
  beforeAll(async () => {
    await buildImage(IMAGE, 'FROM scratch\nCOPY a /a\n', { a: 'recorded run' });
    for (const path of ['/var/run/docker.sock', '/run/containerd/containerd.sock']) {
      if (existsSync(path)) continue;
      mkdirSync(dirname(path), { recursive: true });
      stands.push(await listener(path));
      made.push(path);
    }
    tcp = await listener(0, ENGINE_SOCKET);
  });
  afterAll(async () => {
    [...stands, tcp].forEach((stand) => stand.close());
    made.forEach((path) => rmSync(path, { force: true }));
    for (const name of await escaped()) await docker('rmi', name);
  });

  it('each escape, in the nuclear mode of a cleanup script: nothing tagged, no stand-in reached', async () => {
    // The stand-in forwarding to the engine works from outside a recorded run: the test would see a reach.
    await ok(docker('-H', `tcp://127.0.0.1:${tcp.port}`, 'version'));
    const reached = tcp.connections();
    const lines = Object.entries(escapes(tcp.port)).map(([what, line]) => `echo "== ${what}"; ${line}`);
    const run = await runScript(['case $1 in', '  nuclear)', '    docker system prune -a --volumes -f', ...lines.map((line) => `    ${line}`), '    ;;', 'esac'].join('\n'), ['nuclear'], 60_000);
    expect(run.notIsolated).toBeUndefined();
    expect(run.calls.map((call) => call.argv.join(' '))).toContain('system prune -a --volumes -f');
    expect(await escaped()).toEqual([]);
    expect(tcp.connections()).toBe(reached);
    expect(stands.map((stand) => stand.connections())).toEqual(stands.map(() => 0));
    // The proxy said no to the one socket the script could reach.
    expect(run.stdout).toContain('tp7: a recorded run only reads');
  });

  it('the same escapes outside a recorded run do reach the engine (the test would see them)', async () => {
    const workdir = newWorkdir();
    writeFileSync(join(workdir, 'escape.sh'), `${escapes(tcp.port)["curl to DOCKER_HOST's socket"]}\n${escapes(tcp.port)['curl to a TCP engine']}\n`);
    await execa('bash', ['escape.sh'], { cwd: workdir, reject: false });
    expect(await escaped()).toEqual(expect.arrayContaining(['tp7-escape3:proof', 'tp7-escape4:proof']));
    for (const name of await escaped()) await ok(docker('rmi', name));
  });

  it('answers the reads the shim forwards through tp7, and nothing that changes state', async () => {
    const run = await runScript(`docker images -q ${IMAGE}; docker image inspect -f '{{.Id}}' ${IMAGE}; docker ps -aq >/dev/null && echo ps-ok; docker system df >/dev/null && echo df-ok`);
    const id = (await ok(docker('image', 'inspect', '-f', '{{.Id}}', IMAGE))).stdout.trim();
    expect(run.stdout.split('\n')).toEqual([id.slice(7, 19), id, 'ps-ok', 'df-ok']);
    expect(run.notIsolated).toBeUndefined();
  });
});
