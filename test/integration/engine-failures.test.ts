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
    expectOneLine(run.stderr, /not like a Docker engine|cannot reach the Docker engine/);
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

  it('doctor says the same and exits 3', async () => {
    const run = await tp7(['doctor'], { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(run.exitCode).toBe(3);
    expect(run.stdout).toMatch(/✘ engine +cannot reach the Docker engine/);
  });
});
