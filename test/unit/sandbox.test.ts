import { mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execaRunner } from '../../src/processes/execa-runner.js';
import { localScriptHost } from '../../src/scripts/local-host.js';
import { isAllowedRead } from '../../src/scripts/read-proxy.js';
import { isolationNotes, isolationOf, recordedRun, unisolatedHosts } from '../../src/scripts/recorded-run.js';
import { standInEngine } from '../stand-in-engine.js';
import { tempDir } from '../tmp.js';

// The sandbox of recorded runs on this machine (Linux, user namespaces): what it hides, what it keeps, how it
// says it could not be made, and that a script cannot pretend it could not.

function scriptIn(body: string): string {
  const workdir = tempDir('work-');
  writeFileSync(join(workdir, 'script.sh'), `${body}\n`);
  return workdir;
}

describe('the sandbox of a recorded run', () => {
  it('hides the engine socket, keeps the scratch folder, and reads through tp7 only', async () => {
    // The reads the shim makes, answered as an engine would.
    const engine = await standInEngine((request, response) => response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(/\/images\/json/.test(request.url ?? '') ? [{ Id: 'sha256:abc', RepoTags: ['a:1'], Created: 1, Size: 1 }] : {})));
    const socket = engine.host.slice('unix://'.length);
    const workdir = scriptIn([
      'docker images -q',
      `curl -s --max-time 2 --unix-socket ${socket} -X POST http://x/images/a/tag?repo=b; echo "direct=$?"`,
      'echo kept > here.txt && cat here.txt',
      'ls /run | grep -c . ; id -u',
    ].join('\n'));
    try {
      const run = await recordedRun(localScriptHost(execaRunner(workdir)), { workdir, script: 'script.sh', args: [], timeoutMs: 20_000, engineHost: engine.host });
      expect(run.notIsolated).toBeUndefined();
      expect(run.stdout.split('\n')).toEqual(['abc', 'direct=7', 'kept', '1', '0']);
      // What reached the engine: the shim's reads, through tp7's socket; never the POST.
      expect(engine.requests.every((request) => /^(HEAD|GET) /.test(request))).toBe(true);
      expect(engine.requests.some((request) => request.includes('/images/json'))).toBe(true);
    } finally {
      engine.close();
    }
  });

  it('writes nothing outside its scratch folder: the rest of the machine is read-only (the engine data with it)', async () => {
    // A folder outside the temporary ones (those are covered by empty ones): beside this test file.
    const outside = mkdtempSync(join(import.meta.dirname, '.sandbox-'));
    writeFileSync(join(outside, 'keep.txt'), 'kept');
    try {
      const workdir = scriptIn(`rm -rf ${outside}; echo x > ${outside}/new.txt; echo ok > mine.txt && cat mine.txt`);
      const run = await recordedRun(localScriptHost(execaRunner(workdir)), { workdir, script: 'script.sh', args: [], timeoutMs: 20_000, engineHost: 'unix:///nonexistent.sock' });
      expect(run.stdout).toBe('ok');
      expect(run.stderr).toMatch(/Read-only file system/);
      expect(readdirSync(outside)).toEqual(['keep.txt']);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('a script cannot pass for one whose sandbox could not be made (it would be run again, outside)', async () => {
    const workdir = scriptIn("docker tag a b\necho 'tp7-sandbox-unavailable: missing unshare' >&2\nexit 70");
    const run = await recordedRun(localScriptHost(execaRunner(workdir)), { workdir, script: 'script.sh', args: [], timeoutMs: 20_000, engineHost: 'unix:///nonexistent.sock' });
    expect(run.notIsolated).toBeUndefined();
    expect(run.calls.map((call) => call.argv)).toEqual([['tag', 'a', 'b']]);
    expect(run.exitCode).toBe(70);
  });

  it('without unshare: the script runs as the shim alone keeps it, and the report and doctor say why', async () => {
    // A PATH with every tool of /usr/bin but unshare.
    const bin = tempDir('bin-');
    for (const name of readdirSync('/usr/bin')) if (name !== 'unshare') symlinkSync(join('/usr/bin', name), join(bin, name));
    const workdir = scriptIn('docker tag a b; echo ran');
    const host = localScriptHost(execaRunner(workdir, { PATH: bin }));
    const run = await recordedRun(host, { workdir, script: 'script.sh', args: [], timeoutMs: 20_000, engineHost: 'unix:///nonexistent.sock' });
    expect(run.stdout).toBe('ran');
    expect(run.calls.map((call) => call.argv)).toEqual([['tag', 'a', 'b']]);
    expect(run.notIsolated?.en).toBe('the unshare command is missing (util-linux package)');
    expect(unisolatedHosts().get('local')?.fr).toBe('la commande unshare manque (paquet util-linux)');
    expect(isolationNotes('en')).toEqual([{ id: 'recorded-runs-not-isolated', message: expect.stringMatching(/^recorded runs on this machine could not be isolated from the engine \(the unshare command is missing/) }]);
    expect(isolationNotes('fr')[0]!.message).toMatch(/^les scripts lancés en simulation sur cette machine n'ont pas pu être isolés du moteur/);
    expect(await isolationOf(host)).toMatchObject({ isolated: false });
  });
});

describe('what the read socket passes on', () => {
  const none = {};
  it('the reads of the shim, on any API version', () => {
    for (const url of ['/_ping', '/v1.41/images/json?filters=%7B%7D', '/v1.51/images/nginx:alpine/json', '/v1.41/images/localhost:5000/a/b:1/history', '/v1.41/containers/json?all=1', '/v1.41/containers/web/json', '/v1.41/system/df', '/v1.41/info', '/version', '/v1.41/volumes', '/v1.41/networks/bridge', '/v1.41/plugins/x/json']) {
      expect([url, isAllowedRead('GET', url, none)]).toEqual([url, true]);
    }
    expect(isAllowedRead('HEAD', '/_ping', none)).toBe(true);
  });

  it('nothing that changes state, streams or exports', () => {
    for (const [method, url] of [['POST', '/v1.41/images/a/tag?repo=b'], ['DELETE', '/v1.41/images/a'], ['POST', '/v1.41/containers/create'], ['PUT', '/v1.41/containers/x/archive'], ['POST', '/v1.41/build']]) {
      expect([method, url, isAllowedRead(method, url, none)]).toEqual([method, url, false]);
    }
    for (const url of ['/v1.41/images/get?names=a', '/v1.41/images/a/get', '/v1.41/containers/x/export', '/v1.41/containers/x/archive?path=/', '/v1.41/containers/x/logs', '/v1.41/events', '/v1.41/containers/x/attach/ws', '/v1.41/containers/x/stats']) {
      expect([url, isAllowedRead('GET', url, none)]).toEqual([url, false]);
    }
    expect(isAllowedRead('GET', '/v1.41/containers/x/json', { upgrade: 'tcp', connection: 'Upgrade' })).toBe(false);
  });
});

