import { describe, expect, it } from 'vitest';
import { recordedRun, SCRATCH_PREFIX } from '../../src/scripts/recorded-run.js';
import type { ScriptHost } from '../../src/scripts/script-host.js';
import { standInEngine } from '../stand-in-engine.js';

// The ScriptHost contract: what recorded runs rely on a host to do, asserted against this machine
// (test/unit/script-host.test.ts) and, by the SSH implementation's tests, against a remote. A host that passes
// here runs recorded runs the same way: same scratch folder, same shim, same safety rules.

export interface HostWorld {
  host: ScriptHost;
  /** An empty folder on the host, absolute, standing for a student's workdir. */
  folder(): Promise<string>;
  /**
   * Why the host cannot keep a recorded run from the engine (a machine without util-linux: BusyBox, Alpine), as
   * the run must say it; absent when it can.
   */
  cannotIsolate?: RegExp;
}

export function scriptHostContract(name: string, world: () => Promise<HostWorld>): void {
  describe(`ScriptHost contract: ${name}`, { timeout: 60_000 }, () => {
    it('makes an owned scratch folder, writes files with modes, reads heads, lists, removes', async () => {
      const { host } = await world();
      const scratch = await host.makeScratch(SCRATCH_PREFIX, 'owner line\n');
      try {
        expect((await host.readHead(`${scratch}/OWNER`, 100))?.toString()).toBe('owner line\n');
        await host.makeDirectory(`${scratch}/a/b`);
        await host.writeFile(`${scratch}/a/b/run.sh`, '#!/bin/sh\necho ran "$1"\n', 0o755);
        await host.writeFile(`${scratch}/a/data`, Buffer.from([0, 1, 2, 255]));
        expect(await host.readHead(`${scratch}/a/data`, 2)).toEqual(Buffer.from([0, 1]));
        expect(await host.readHead(`${scratch}/a/missing`, 2)).toBeNull();
        expect(await host.readHead(`${scratch}/a/b`, 2)).toBeNull();
        const entries = (await host.list(`${scratch}/a`)).sort((x, y) => x.name.localeCompare(y.name));
        expect(entries).toEqual([{ name: 'b', type: 'directory', size: expect.any(Number) }, { name: 'data', type: 'file', size: 4 }]);
        expect(await host.list(`${scratch}/nothing`)).toEqual([]);
        const run = await host.run(`${scratch}/a/b/run.sh`, ['x y'], { cwd: scratch, timeoutMs: 10_000 });
        expect([run.exitCode, run.stdout.trim()]).toEqual([0, 'ran x y']);
        await host.remove(`${scratch}/a`);
        expect(await host.list(scratch)).toEqual([{ name: 'OWNER', type: 'file', size: 11 }]);
      } finally {
        await host.remove(scratch);
      }
    });

    it('copies from a workdir, keeping modes and links, and nothing for a missing path', async () => {
      const { host, folder } = await world();
      const [from, to] = [await folder(), await folder()];
      await host.makeDirectory(`${from}/dir/sub`);
      await host.writeFile(`${from}/dir/sub/s.sh`, 'echo s\n', 0o755);
      await host.run('ln', ['-s', 'sub/s.sh', `${from}/dir/link`], { cwd: from, timeoutMs: 10_000 });
      await host.copyInto(from, to, 'dir');
      await host.copyInto(from, to, 'missing');
      expect((await host.list(to)).map((entry) => entry.name)).toEqual(['dir']);
      expect((await host.list(`${to}/dir`)).find((entry) => entry.name === 'link')?.type).toBe('symlink');
      const run = await host.run('sh', ['-c', 'test -x dir/sub/s.sh && cat dir/link'], { cwd: to, timeoutMs: 10_000 });
      expect(run.stdout.trim()).toBe('echo s');
    });

    it('runs with env added, and stops the whole process group at the time limit or on abort', async () => {
      const { host, folder } = await world();
      const cwd = await folder();
      const env = await host.run('sh', ['-c', 'echo "$TP7_CONTRACT:$PWD"'], { cwd, env: { TP7_CONTRACT: 'v' }, timeoutMs: 10_000 });
      expect(env.stdout.trim()).toBe(`v:${cwd}`);
      const limited = await host.run('sh', ['-c', 'sleep 30 & sleep 30'], { cwd, timeoutMs: 500 });
      expect(limited.timedOut).toBe(true);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      const aborted = await host.run('sh', ['-c', 'sleep 30'], { cwd, timeoutMs: 20_000, signal: controller.signal });
      expect(aborted.timedOut).toBe(true);
    });

    it('sweeps only the scratch folders judged stale', async () => {
      const { host } = await world();
      const [stale, alive] = [await host.makeScratch(SCRATCH_PREFIX, 'gone\n'), await host.makeScratch(SCRATCH_PREFIX, 'alive\n')];
      try {
        await host.sweepScratch(SCRATCH_PREFIX, (owner) => owner === 'gone\n');
        expect(await host.readHead(`${stale}/OWNER`, 10)).toBeNull();
        expect((await host.readHead(`${alive}/OWNER`, 10))?.toString()).toBe('alive\n');
      } finally {
        await host.remove(alive);
        await host.remove(stale);
      }
    });

    it("serves the engine's reads through tp7 to a recorded run kept from every engine socket", async () => {
      const { host, folder, cannotIsolate } = await world();
      const engine = await standInEngine((request, response) => response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(/\/images\/json/.test(request.url ?? '') ? [{ Id: 'sha256:abc', RepoTags: ['a:1'], Created: 1, Size: 1 }] : {})));
      try {
        const workdir = await folder();
        const socket = engine.host.slice('unix://'.length);
        await host.writeFile(`${workdir}/s.sh`, `docker images -q\ncurl -s --max-time 2 --unix-socket ${socket} -X POST http://x/images/a/tag; echo "direct=$?"\n`);
        const run = await recordedRun(host, { workdir, script: 's.sh', args: [], timeoutMs: 20_000, engineHost: engine.host });
        if (cannotIsolate) {
          // Said, in one line naming what is missing: the run is then judged from what the shim saw (its reads go
          // to the host's own docker CLI, which a machine without util-linux may lack too).
          expect(run.notIsolated?.en).toMatch(cannotIsolate);
          return;
        }
        expect(run.notIsolated).toBeUndefined();
        expect(run.stdout.split('\n')).toEqual(['abc', 'direct=7']);
        expect(engine.requests.some((request) => request.includes('/images/json'))).toBe(true);
        expect(engine.requests.filter((request) => !/^(GET|HEAD) /.test(request))).toEqual([]);
      } finally {
        engine.close();
      }
    });

    it('runs a recorded run: the shim records, HOME and DOCKER_HOST stay in the scratch folder, nothing is left', async () => {
      const { host, folder } = await world();
      const workdir = await folder();
      await host.writeFile(`${workdir}/s.sh`, 'docker image prune -af\nsudo docker rmi "a b" \'\'\necho "$HOME|$DOCKER_HOST" > out/where\ncat VERSION\n');
      const run = await recordedRun(host, {
        workdir, script: 's.sh', args: [], timeoutMs: 20_000, engineHost: 'unix:///nowhere.sock', collect: 'out',
        setup: async (work, inside) => {
          await inside.makeDirectory(`${work}/out`);
          await inside.writeFile(`${work}/VERSION`, '1.2.3\n');
        },
      }, async (work, inside) => (await inside.list(work)).map((entry) => entry.name).sort());
      expect(run.exitCode).toBe(0);
      expect(run.calls).toEqual([{ argv: ['image', 'prune', '-af'] }, { argv: ['rmi', 'a b', ''] }]);
      expect(run.stdout).toContain('Total reclaimed space: 0B\nUntagged: a b\nUntagged: \n1.2.3');
      const where = run.written[0]!.content.toString().trim().split('|');
      expect(where[0]).toMatch(new RegExp(`/${SCRATCH_PREFIX}[^/]+/home$`));
      expect(where[1]).toMatch(new RegExp(`^unix:///.*/${SCRATCH_PREFIX}[^/]+/no-engine\\.sock$`));
      expect(run.inspected).toEqual(['VERSION', 'out', 's.sh']);
      const scratch = where[0]!.replace(/\/home$/, '');
      expect(await host.list(scratch)).toEqual([]);
    });
  });
}
