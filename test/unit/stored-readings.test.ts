// Readings kept between tp7 processes (src/cache/stored-readings.ts): a re-check reads no archive and no image
// again while their content is the same, and reads again as soon as it may have changed. Each "process" is a
// fresh set of modules (vi.resetModules), with nothing left in memory.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FileAccess } from '../../src/files/types.js';
import type { ProbeClients } from '../../src/probes/types.js';
import { legacySave, syntheticImage } from '../fixtures/archives/build.js';
import { tempDir } from '../tmp.js';
import { clients, fakeEngine, type FakeEngine } from './fake-engine.js';

let cache: string;

beforeEach(() => {
  cache = tempDir('readings-cache-');
  vi.stubEnv('XDG_CACHE_HOME', cache);
});
afterEach(() => vi.unstubAllEnvs());

/** A new tp7 process: fresh modules, the same user cache. */
async function newProcess() {
  vi.resetModules();
  const [{ storedReadings }, { readWorkdirArchive }, { readImageFile, imageFileFacts }, { imageEfficiency }, { ProbeSchema }, { registryConfigFile }] = await Promise.all([
    import('../../src/cache/stored-readings.js'),
    import('../../src/probes/archive-file.js'),
    import('../../src/probes/image-file-kept.js'),
    import('../../src/probes/image-efficiency.js'),
    import('../../src/probes/index.js'),
    import('../../src/probes/registry-config-file.js'),
  ]);
  return { stored: storedReadings(), readWorkdirArchive, readImageFile, imageFileFacts, imageEfficiency, ProbeSchema, registryConfigFile };
}

/** Counts how often the archive's bytes are opened. */
async function countingFiles(dir: string): Promise<FileAccess & { opens: () => number }> {
  const { workdirFiles } = await import('../../src/files/workdir.js');
  const real = workdirFiles(dir);
  let opens = 0;
  return { ...real, open: (path: string) => (opens++, real.open(path)), opens: () => opens };
}

describe('stored readings', () => {
  it('serve a kept value to the next process, and never an entry edited by hand', async () => {
    let reads = 0;
    const read = async () => (reads++, { figure: 42 });
    expect(await (await newProcess()).stored.get('test', 'key', read)).toEqual({ figure: 42 });
    expect(await (await newProcess()).stored.get('test', 'key', read)).toEqual({ figure: 42 });
    expect(reads).toBe(1);
    const dir = join(cache, 'tp7', 'readings');
    const [file] = readdirSync(dir);
    expect(statSync(join(dir, file!)).mode & 0o777).toBe(0o600);
    writeFileSync(join(dir, file!), readFileSync(join(dir, file!), 'utf8').replace('42', '43'));
    expect(await (await newProcess()).stored.get('test', 'key', read)).toEqual({ figure: 42 });
    expect(reads).toBe(2);
  });

  it('keep only what JSON gives back unchanged (Infinity would come back null and judge otherwise)', async () => {
    let reads = 0;
    const read = async () => (reads++, { userWastedPercent: Number.POSITIVE_INFINITY });
    expect(await (await newProcess()).stored.get('test', 'infinite', read)).toEqual({ userWastedPercent: Number.POSITIVE_INFINITY });
    expect(await (await newProcess()).stored.get('test', 'infinite', read)).toEqual({ userWastedPercent: Number.POSITIVE_INFINITY });
    expect(reads).toBe(2);
  });

  it('keep nothing that `keep` refuses, nor a failed read', async () => {
    let reads = 0;
    const refused = async () => (reads++, null);
    await (await newProcess()).stored.get('test', 'no', refused, (value) => value !== null);
    await (await newProcess()).stored.get('test', 'no', refused, (value) => value !== null);
    expect(reads).toBe(2);
    const failing = async () => {
      reads++;
      throw new Error('engine gone');
    };
    await expect((await newProcess()).stored.get('test', 'fails', failing)).rejects.toThrow('engine gone');
    await expect((await newProcess()).stored.get('test', 'fails', failing)).rejects.toThrow('engine gone');
    expect(reads).toBe(4);
  });
});

describe('an archive of the workdir', () => {
  it('is read once across processes while it stays the same file, and again once rewritten, even with its mtime put back', async () => {
    const dir = tempDir('archive-kept-');
    const path = join(dir, 'save.tar');
    writeFileSync(path, await legacySave(await syntheticImage(['app:1'])));
    // A whole second, which utimes can put back exactly (as `touch -r` does).
    const mtime = new Date('2026-12-01T10:00:00Z');
    utimesSync(path, mtime, mtime);
    const files = await countingFiles(dir);
    const first = await newProcess();
    const reading = await first.readWorkdirArchive(files, 'save.tar', { stored: first.stored });
    expect(reading).toMatchObject({ found: true, content: 'tar', description: { kind: 'save' } });
    const opensOfOneRead = files.opens();
    const second = await newProcess();
    expect(await second.readWorkdirArchive(files, 'save.tar', { stored: second.stored })).toEqual(reading);
    expect(files.opens()).toBe(opensOfOneRead);

    // The cheapest fake of a stale reading: same size, same mtime, other bytes. The ctime still moves.
    const before = statSync(path);
    writeFileSync(path, Buffer.alloc(before.size, 0x41));
    utimesSync(path, mtime, mtime);
    expect(statSync(path).mtimeMs).toBe(before.mtimeMs);
    const third = await newProcess();
    const rewritten = await third.readWorkdirArchive(files, 'save.tar', { stored: third.stored });
    expect(files.opens()).toBe(2 * opensOfOneRead);
    expect(rewritten).toMatchObject({ found: true, error: { verdict: 'not-a-tar' } });
    // A refusal is kept too, as a refusal the probes can word.
    const fourth = await newProcess();
    const kept = await fourth.readWorkdirArchive(files, 'save.tar', { stored: fourth.stored });
    expect(files.opens()).toBe(2 * opensOfOneRead);
    expect(kept).toEqual(rewritten);
    expect('error' in kept && kept.error.text).toEqual('error' in rewritten && rewritten.error.text);
  });

  it('is read again by every process without stored readings (tp7 check --strict, tp7 grade)', async () => {
    const dir = tempDir('archive-strict-');
    writeFileSync(join(dir, 'save.tar'), await legacySave(await syntheticImage(['app:1'])));
    const files = await countingFiles(dir);
    await (await newProcess()).readWorkdirArchive(files, 'save.tar');
    const once = files.opens();
    await (await newProcess()).readWorkdirArchive(files, 'save.tar');
    expect(files.opens()).toBe(2 * once);
  });
});

describe('a file inside an image', () => {
  const withStored = (engine: FakeEngine, stored: ProbeClients['stored']) => ({ ...clients(engine), stored });
  const reads = (engine: FakeEngine) => engine.calls.filter((call) => call.startsWith('readImageFile')).length;

  it('is read once per image ID across processes; a tag moved to another image reads that one', async () => {
    const engine = fakeEngine({ 'app:1': { files: { '/usr/share/nginx/html/index.html': 'Version: 1.0.0' } }, 'app:2': { files: { '/usr/share/nginx/html/index.html': 'Version: 2.0.0' } } });
    const first = await newProcess();
    const file = await first.readImageFile(withStored(engine, first.stored), 'app:1', '/usr/share/nginx/html/index.html', 1024);
    expect(file.found && file.content.toString()).toBe('Version: 1.0.0');
    const second = await newProcess();
    expect(await second.readImageFile(withStored(engine, second.stored), 'app:1', '/usr/share/nginx/html/index.html', 1024)).toEqual(file);
    expect(reads(engine)).toBe(1);
    const other = await second.readImageFile(withStored(engine, second.stored), 'app:2', '/usr/share/nginx/html/index.html', 1024);
    expect(other.found && other.content.toString()).toBe('Version: 2.0.0');
    expect(reads(engine)).toBe(2);
    // Without stored readings, the engine is asked every time.
    await (await newProcess()).readImageFile(clients(engine), 'app:1', '/usr/share/nginx/html/index.html', 1024);
    expect(reads(engine)).toBe(3);
  });

  it('never keeps "no image": an image removed between the inspect and the read can come back with its ID (docker load)', async () => {
    const engine = fakeEngine({ 'app:1': { files: { '/index.html': 'Version: 1.0.0' } } });
    const id = (await engine.inspectImage('app:1'))!.Id;
    const gone = { ...engine, readImageFile: async () => ({ found: false as const, reason: 'no-image' as const }) } as unknown as FakeEngine;
    const first = await newProcess();
    expect(await first.readImageFile(withStored(gone, first.stored), 'app:1', '/index.html', 1024)).toEqual({ found: false, reason: 'no-image' });
    const second = await newProcess();
    const back = await second.readImageFile(withStored(engine, second.stored), 'app:1', '/index.html', 1024);
    expect(back.found && back.content.toString()).toBe('Version: 1.0.0');
    expect((await engine.inspectImage('app:1'))!.Id).toBe(id);
  });

  it('is kept under the image ID and its layers: the same ID with other layers (another platform of an index) reads again', async () => {
    const engine = fakeEngine({ 'app:1': { files: { '/index.html': 'amd64 page' } } });
    const image = (await engine.inspectImage('app:1'))!;
    const first = await newProcess();
    await first.readImageFile(withStored(engine, first.stored), 'app:1', '/index.html', 1024);
    const otherPlatform = { ...engine, inspectImage: async () => ({ ...image, RootFS: { Type: 'layers', Layers: ['sha256:' + 'f'.repeat(64)] } }), readImageFile: engine.readImageFile.bind(engine) } as unknown as FakeEngine;
    const second = await newProcess();
    await second.readImageFile(withStored(otherPlatform, second.stored), 'app:1', '/index.html', 1024);
    expect(reads(engine)).toBe(2);
  });
});

describe("a deliverable's facts (size, mode, sha256)", () => {
  it('are kept whatever the size of the file, and are those of a fresh read', async () => {
    const binary = Buffer.alloc(500_000, 7);
    const engine = fakeEngine({ 'app:1': { files: { '/opt/app/app.bin': binary } } });
    const reads = () => engine.calls.filter((call) => call.startsWith('readImageFile')).length;
    const facts = async () => {
      const process = await newProcess();
      return process.imageFileFacts({ ...clients(engine), stored: process.stored }, 'app:1', '/opt/app/app.bin', 32 << 20);
    };
    const kept = await facts();
    expect(kept).toMatchObject({ found: true, size: 500_000, sha256: createHash('sha256').update(binary).digest('hex') });
    expect(await facts()).toEqual(kept);
    expect(reads()).toBe(1);
    // The content itself is not kept past 64 KiB: the cache stays small.
    for (let run = 0; run < 2; run++) {
      const process = await newProcess();
      await process.readImageFile({ ...clients(engine), stored: process.stored }, 'app:1', '/opt/app/app.bin', 32 << 20);
    }
    expect(reads()).toBe(3);
  });
});

describe("dive's figures of an image", () => {
  it('are computed once per image ID and judged the same way from the kept figures', async () => {
    const save = await legacySave(await syntheticImage(['app:1']));
    const engine = fakeEngine({ 'app:1': { save } });
    const saves = () => engine.calls.filter((call) => call.startsWith('saveImage')).length;
    const judge = async (fields: object) => {
      const process = await newProcess();
      const spec = process.ProbeSchema.parse({ kind: 'image-efficiency', ref: 'app:1', ...fields }) as Parameters<typeof process.imageEfficiency.run>[0];
      return [await process.imageEfficiency.run(spec, { ...clients(engine), stored: process.stored }), await process.imageEfficiency.run(spec, clients(engine))];
    };
    const [kept, fresh] = await judge({ minEfficiency: 0.999, contains: ['/etc/motd', '/etc/old.conf'] });
    expect(kept).toEqual(fresh);
    expect(kept!.message.en).toContain('/etc/old.conf missing');
    const before = saves();
    const [again] = await judge({ minEfficiency: 0.999, contains: ['/etc/motd', '/etc/old.conf'] });
    expect(again).toEqual(fresh);
    // The second process judged from the kept figures (only the run without them saved the image again).
    expect(saves()).toBe(before + 1);
  });
});

describe("a container's config file", () => {
  const spec = { kind: 'registry-config-file' as const, container: 'registry', path: '/etc/docker/registry/config.yml', settings: [{ key: 'storage.delete.enabled', equals: true }] };
  const registry = (config: string) => fakeEngine({}, { registry: { image: 'registry:2', mounts: [{ Type: 'bind', Source: '/w/config.yml', Destination: spec.path, RW: false }], files: { [spec.path]: config } } });
  const reads = (engine: FakeEngine) => engine.calls.filter((call) => call.startsWith('readContainerFile')).length;

  it('is read once across processes while its stamp stays, again when it changes, and always without stored readings', async () => {
    const engine = registry('storage:\n  delete:\n    enabled: true\n');
    const first = await newProcess();
    expect((await first.registryConfigFile.run(spec, { ...clients(engine), stored: first.stored })).status).toBe('pass');
    const second = await newProcess();
    expect((await second.registryConfigFile.run(spec, { ...clients(engine), stored: second.stored })).status).toBe('pass');
    expect(reads(engine)).toBe(1);
    const edited = registry('storage:\n  delete:\n    enabled: false\n');
    const third = await newProcess();
    expect((await third.registryConfigFile.run(spec, { ...clients(edited), stored: third.stored })).message.en).toContain('storage.delete.enabled is false');
    expect(reads(edited)).toBe(1);
    await (await newProcess()).registryConfigFile.run(spec, clients(engine));
    expect(reads(engine)).toBe(2);
  });
});
