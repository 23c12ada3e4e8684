import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { newWorkdir, tp7 } from './harness.js';

// An engine that is down, slow or answers nonsense: one line on stderr, exit code 3, never a stack trace.
function expectOneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\bat .*\.js:\d+/);
}

describe('engine failures', () => {
  const servers: Array<Server | NetServer> = [];
  afterAll(() => servers.forEach((server) => server.close()));

  it('no engine at DOCKER_HOST: exit 3 and one clear line', async () => {
    const run = await tp7(['check', 'ex1'], { workdir: newWorkdir(), env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(run.exitCode).toBe(3);
    expect(run.stdout).toBe('');
    expectOneLine(run.stderr, /^tp7: cannot reach the Docker engine at unix:\/\/\/nonexistent\/docker\.sock \(ENOENT\)/);
  });

  it('something that is not an engine answers: exit 3', async () => {
    const server = createServer((_, response) => response.end('<html>hello</html>')).listen(0, '127.0.0.1');
    servers.push(server);
    await new Promise((resolve) => server.once('listening', resolve));
    const port = (server.address() as { port: number }).port;
    const run = await tp7(['check', 'ex1'], { workdir: newWorkdir(), env: { DOCKER_HOST: `tcp://127.0.0.1:${port}` } });
    expect(run.exitCode).toBe(3);
    expectOneLine(run.stderr, /^tp7: cannot reach the Docker engine at tcp:\/\/127\.0\.0\.1:\d+ \(it answered, but not like a Docker engine\)/);
  });

  it('an engine that never answers: exit 3 after the timeout', async () => {
    const server = createNetServer(() => undefined).listen(0, '127.0.0.1');
    servers.push(server);
    await new Promise((resolve) => server.once('listening', resolve));
    const port = (server.address() as { port: number }).port;
    const run = await tp7(['check', 'ex1'], { workdir: newWorkdir(), env: { DOCKER_HOST: `tcp://127.0.0.1:${port}`, TP7_ENGINE_TIMEOUT_MS: '500' } });
    expect(run.exitCode).toBe(3);
    expectOneLine(run.stderr, /no answer within 0\.5 s/);
  });

  /** An HTTP server that answers /version like a Docker engine and everything else with `answer`. */
  async function fakeEngine(answer: (url: string) => { status: number; body: unknown }): Promise<string> {
    const server = createServer((request, response) => {
      const { status, body } = /\/version$/.test(request.url ?? '')
        ? { status: 200, body: { Version: '20.10.0', ApiVersion: '1.41', Os: 'linux', Arch: 'amd64' } }
        : answer(request.url ?? '');
      response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    }).listen(0, '127.0.0.1');
    servers.push(server);
    await new Promise((resolve) => server.once('listening', resolve));
    return `tcp://127.0.0.1:${(server.address() as { port: number }).port}`;
  }

  it('an engine answering nonsense: each check is an error that says so, never a wrong verdict', async () => {
    const host = await fakeEngine(() => ({ status: 200, body: { Id: 5 } }));
    const run = await tp7(['check', 'ex1', '--json'], { workdir: newWorkdir(), env: { DOCKER_HOST: host } });
    expect(run.exitCode).toBe(1);
    const checks = JSON.parse(run.stdout).exercises[0].checks as Array<{ id: string; status: string; message: string }>;
    const probes = checks.filter((check) => check.id.startsWith('pulled-') || check.id.startsWith('alpine-'));
    expect(probes.map((check) => check.status)).toEqual(probes.map(() => 'error'));
    expect(probes[0]!.message).toContain('the engine answered nonsense about nginx:1.25');
  });

  it("an engine error shows the engine's own message", async () => {
    const host = await fakeEngine(() => ({ status: 500, body: { message: 'storage driver exploded' } }));
    const run = await tp7(['check', 'ex1', '--json'], { workdir: newWorkdir(), env: { DOCKER_HOST: host } });
    const first = JSON.parse(run.stdout).exercises[0].checks[0];
    expect(first).toMatchObject({ status: 'error' });
    expect(first.message).toContain('storage driver exploded (HTTP 500)');
  });

  it('doctor says the same and exits 3', async () => {
    const run = await tp7(['doctor'], { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(run.exitCode).toBe(3);
    expect(run.stdout).toMatch(/✘ engine +cannot reach the Docker engine/);
  });
});
