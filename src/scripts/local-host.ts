// This machine as a ScriptHost: node's file system and the ProcessRunner that runs the student's scripts.
import { constants } from 'node:fs';
import { access, chmod, cp, lstat, mkdir, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import type { ProcessRunner } from '../processes/types.js';
import { serveEngineReads } from './read-proxy.js';
import type { HostEntry, ScriptHost } from './script-host.js';

const absent = (error: unknown) => ['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '');

/** The real docker CLI on a PATH, if any. */
export async function findOnPath(command: string, path = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, command);
    try {
      await access(candidate, constants.X_OK);
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function entryType(entry: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): HostEntry['type'] {
  if (entry.isSymbolicLink()) return 'symlink';
  if (entry.isFile()) return 'file';
  return entry.isDirectory() ? 'directory' : 'other';
}

export function localScriptHost(processes: ProcessRunner): ScriptHost {
  return {
    label: 'local',
    run: (command, args, options) => processes.run(command, args, options),
    async makeScratch(prefix, owner) {
      const scratch = await mkdtemp(join(tmpdir(), prefix)); // mode 0700
      await writeFile(join(scratch, 'OWNER'), owner);
      return scratch;
    },
    async makeDirectory(path) {
      await mkdir(path, { recursive: true });
    },
    async writeFile(path, content, mode = 0o644) {
      await writeFile(path, content, { mode });
      await chmod(path, mode); // a file that existed keeps its old mode through writeFile
    },
    async copyInto(from, to, path) {
      const source = resolve(from, path);
      try {
        await lstat(source);
      } catch (error) {
        if (absent(error)) return;
        throw error;
      }
      const target = resolve(to, path);
      await mkdir(dirname(target), { recursive: true });
      await rm(target, { recursive: true, force: true });
      await cp(source, target, { recursive: true }); // a relative link is made absolute: it still points where it did
    },
    async readHead(path, maxBytes) {
      let file;
      try {
        file = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
      } catch (error) {
        if (absent(error)) return null;
        throw error;
      }
      try {
        const info = await file.stat();
        if (!info.isFile()) return null;
        const head = Buffer.alloc(Math.min(info.size, maxBytes));
        const { bytesRead } = await file.read(head, 0, head.length, 0);
        return head.subarray(0, bytesRead);
      } finally {
        await file.close();
      }
    },
    async list(path) {
      try {
        const entries = await readdir(path, { withFileTypes: true });
        return await Promise.all(entries.map(async (entry) => ({ name: entry.name, type: entryType(entry), size: (await lstat(join(path, entry.name))).size })));
      } catch (error) {
        if (absent(error)) return [];
        throw error;
      }
    },
    async remove(path) {
      await rm(path, { recursive: true, force: true });
    },
    findDocker: () => findOnPath('docker'),
    serveEngineReads,
    async sweepScratch(prefix, stale) {
      for (const name of (await readdir(tmpdir())).filter((entry) => entry.startsWith(prefix))) {
        const folder = join(tmpdir(), name);
        try {
          const file = join(folder, 'OWNER');
          if (stale(await readFile(file, 'utf8'), (await stat(file)).mtimeMs)) await rm(folder, { recursive: true, force: true });
        } catch {
          // not one of ours, or another process is removing it
        }
      }
    },
  };
}

/** The host of a probe's recorded runs: the one its caller gave, else this machine through its `processes`. */
export function scriptHostOf(clients: { scripts?: ScriptHost; processes: ProcessRunner }): ScriptHost {
  return clients.scripts ?? localScriptHost(clients.processes);
}
