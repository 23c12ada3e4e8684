import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { analyseImage } from '../../src/analysis/image.js';
import { analyseLayers } from '../../src/analysis/layers.js';
import { readImageArchive } from '../../src/archive/index.js';
import type { HistoryEntry, ImageInspect } from '../../src/engine/types.js';
import { imageHistoryFact } from '../../src/facts/image-history.js';
import type { FileAccess } from '../../src/files/types.js';
import type { ProcessResult, ProcessRunner } from '../../src/processes/types.js';
import { compareScript } from '../../src/probes/compare-script.js';
import { imageEfficiency } from '../../src/probes/image-efficiency.js';
import { ProbeSchema } from '../../src/probes/index.js';
import { legacySave, ociSave, syntheticImage } from '../fixtures/archives/build.js';
import { clients, fakeEngine, noRegistry, type FakeEngine } from './fake-engine.js';

// The synthetic image of the archive tests, worked out by hand with dive's definitions:
// base: bin/busybox 5000, bin/sh (link), etc/motd 6, etc/old.conf 4, var/cache/a 6;
// top: etc/motd rewritten (12), etc/old.conf whited out (weighs 0), var/cache made opaque, bin/ash hard link.
// min: 5000 + 6 + 0 + 6 = 5012; cumulative: 5000 + 18 + 4 + 6 = 5028; wasted: 18 + 4; user bytes: 12.
const EXPECTED = { efficiency: 5012 / 5028, wastedBytes: 22, userWastedPercent: 22 / 12, imageSize: 5028, userSize: 12 };

const probe = <T>(fields: object) => ProbeSchema.parse(fields) as T;

/** An engine holding these images (default content for one named only in `saves`), with their saves and histories. */
function engineWith(saves: Record<string, Buffer>, history: Record<string, HistoryEntry[]> = {}, images: Record<string, Partial<ImageInspect>> = {}): FakeEngine {
  const refs = Object.keys({ ...saves, ...images });
  return fakeEngine(Object.fromEntries(refs.map((ref) => [ref, { ...images[ref], save: saves[ref], history: history[ref] }])));
}

describe('analysis of a saved image, in every docker save layout', async () => {
  const image = await syntheticImage();
  it('gives the same, hand-computed figures for the legacy, OCI and containerd layouts', async () => {
    for (const save of [await legacySave(image), await ociSave(image), await ociSave(image, { compressLayers: 'gzip' })]) {
      const archive = await readImageArchive(Readable.from([save]), { listEntries: true });
      const result = analyseLayers(archive.layers);
      expect(result).toMatchObject(EXPECTED);
      expect(result.wastedPaths.map((path) => [path.path, path.cumulativeSize])).toEqual([['/etc/motd', 18], ['/etc/old.conf', 4]]);
      expect(result.layers[0]!.changes.added).toEqual({ count: 5, bytes: 5016 });
      expect(result.layers[1]!.changes).toEqual({ added: { count: 1, bytes: 0 }, changed: { count: 1, bytes: 12 }, removed: { count: 2, bytes: 10 } });
      expect(result.has('var/cache/a')).toBe(false);
    }
  });

  it('pairs layers with their history step and reads the save once per run', async () => {
    const engine = engineWith({ 'app:1': await legacySave(image) });
    const first = await analyseImage(engine, 'app:1');
    const second = await analyseImage(engine, 'app:1');
    expect(second).toBe(first);
    expect(engine.calls.filter((call) => call.startsWith('saveImage'))).toEqual(['saveImage app:1']);
    expect(first!.steps.map((step) => step.createdBy)).toEqual(['step 1', 'step 2']);
    expect(first!.architecture).toBe('amd64');
    expect(await analyseImage(engine, 'absent:1')).toBeNull();
  });
});

describe('image-efficiency', async () => {
  const save = await legacySave(await syntheticImage());
  const run = (fields: object) => imageEfficiency.run(probe({ kind: 'image-efficiency', ref: 'app:1', ...fields }), clients(engineWith({ 'app:1': save })));

  it('passes an image that meets every expectation', async () => {
    const result = await run({ minEfficiency: 0.99, maxSize: '10kB', contains: ['/etc/motd'] });
    expect(result.status).toBe('pass');
    expect(result.actual).toBe('efficiency 99.6 %, size 5.03 kB, wasted 22 B (user wasted 183.3 %)');
  });

  it('says how far below the minimum the efficiency is, and which path wastes most', async () => {
    const result = await run({ minEfficiency: 0.999 });
    expect(result.status).toBe('fail');
    expect(result.message.en).toBe('app:1: efficiency 99.6 %, below the required 99.9 %; most wasted: /etc/motd (18 B over 2 layers).');
  });

  it('fails an image meant to be wasteful that is not', async () => {
    const result = await run({ maxEfficiency: 0.95 });
    expect(result.message.en).toContain('efficiency 99.6 %: this image does not waste enough (expected below 95 %)');
  });

  it('names the missing paths, the size over the limit and the waste over the limit, each in its words', async () => {
    const result = await run({ contains: ['/etc/old.conf', 'bin/busybox'], maxSize: '5kB', maxWastedBytes: 10, maxUserWastedPercent: 1 });
    expect(result.message.en).toBe(
      'app:1: /etc/old.conf missing: the image must still hold what its Dockerfile produces; size 5.03 kB, over 5 kB; ' +
        '22 B wasted, over 10 B; 183.3 % of the added bytes wasted, over 100 %.',
    );
    expect(result.message.fr).toContain('il manque /etc/old.conf');
  });

  it('fails clearly when the image is absent', async () => {
    const result = await imageEfficiency.run(probe({ kind: 'image-efficiency', ref: 'gone:1', minEfficiency: 0.9 }), clients(engineWith({})));
    expect(result).toMatchObject({ status: 'fail', actual: 'gone:1 absent' });
    expect(result.message.en).toBe('gone:1 is not on your Docker engine.');
  });

  it('refuses a probe without expectation and a size it cannot read', () => {
    expect(() => ProbeSchema.parse({ kind: 'image-efficiency', ref: 'app:1' })).toThrow('give at least one expectation');
    expect(() => ProbeSchema.parse({ kind: 'image-efficiency', ref: 'app:1', maxSize: 'big' })).toThrow('a size such as 100MB');
  });
});

describe('image-history fact', () => {
  const step = (CreatedBy: string, Size: number): HistoryEntry => ({ Id: '<missing>', Created: 0, CreatedBy, Tags: null, Size, Comment: '' });
  // Newest first, as the Engine API lists it.
  const history = [step('/bin/sh -c #(nop)  CMD ["nginx"]', 0), step('/bin/sh -c #(nop) COPY file:abc in /etc/nginx ', 900), step('/bin/sh -c apk add nginx', 40_000), step('/bin/sh -c #(nop)  ENV A=1', 0), step('', 7_000_000)];
  const withHistory = (steps: HistoryEntry[]) => engineWith({}, { 'nginx:alpine': steps }, { 'nginx:alpine': {} });
  const read = (answer: string, engine = withHistory(history)) =>
    imageHistoryFact.read({ kind: 'image-history', ref: 'nginx:alpine', answer } as never, clients(engine));

  it('counts metadata and filesystem steps', async () => {
    expect(await read('metadata-steps')).toEqual({ value: 2 });
    expect(await read('filesystem-steps')).toEqual({ value: 3 });
  });
  it('names the instruction of the largest step: IMPORT for an imported base', async () => {
    expect(await read('largest-layer-instruction')).toEqual({ value: 'IMPORT' });
    const built = withHistory([step('RUN /bin/sh -c apk add nginx # buildkit', 9_000_000), ...history]);
    expect(await read('largest-layer-instruction', built)).toEqual({ value: 'RUN' });
  });
  it('says why it cannot answer', async () => {
    expect(await read('metadata-steps', engineWith({}))).toEqual({ value: null, missing: { fr: "nginx:alpine n'est pas sur le moteur", en: 'nginx:alpine is not on the engine' } });
    const committed = withHistory([step('nginx -g daemon off;', 10)]);
    expect((await read('largest-layer-instruction', committed)).missing?.en).toContain('names no Dockerfile instruction');
  });
});

describe('compare-script', () => {
  const images: Record<string, Partial<ImageInspect>> = {
    'nginx:alpine': { Size: 2_061_234, Created: '2024-05-02T10:11:12.5Z', RootFS: { Type: 'layers', Layers: ['a', 'b'] } },
    'nginx:latest': { Size: 23_100_000, Created: '2024-05-02T10:11:40Z', RootFS: { Type: 'layers', Layers: ['a', 'b', 'c'] } },
  };
  const history = { 'nginx:alpine': new Array(5).fill({}) as HistoryEntry[], 'nginx:latest': new Array(6).fill({}) as HistoryEntry[] };
  const files = (present: boolean): FileAccess => ({ root: '/w', stat: async (path) => (present ? { path, size: 10, isFile: true, isDirectory: false, mtimeMs: 0 } : null) }) as FileAccess;
  const processes = (result: Partial<ProcessResult>, calls: string[][] = []): ProcessRunner => ({
    run: async (command, args) => {
      calls.push([command, ...args]);
      return { exitCode: 0, stdout: '', stderr: '', timedOut: false, ...result };
    },
  });
  const spec = probe<Parameters<typeof compareScript.run>[0]>({ kind: 'compare-script', refs: ['nginx:alpine', 'nginx:latest'] });
  const run = (stdout: string, extra: Partial<ProcessResult> = {}, calls: string[][] = [], present = true) =>
    compareScript.run(spec, { engine: engineWith({}, history, images), registry: noRegistry, workdir: '/w', files: files(present), processes: processes({ stdout, ...extra }, calls) });
  const output = (alpineSize: string, latestLayers: string, created = '2024-05-02T10:11:12Z') =>
    `Taille:\n  nginx:alpine: ${alpineSize}\n  nginx:latest: 23.1MB\nLayers:\n  nginx:alpine: 5\n  nginx:latest: ${latestLayers}\n` +
    `Architecture:\n  nginx:alpine: amd64\n  nginx:latest: amd64\nOS:\n  nginx:alpine: linux\n  nginx:latest: linux\n` +
    `Créé:\n  nginx:alpine: ${created}\n  nginx:latest: 2024-05-02T10:11:40Z\n`;

  it('runs the script with bash and both images, and passes right figures', async () => {
    const calls: string[][] = [];
    const result = await run(output('2.06MB', '3'), {}, calls);
    expect(calls).toEqual([['bash', 'compare-images.sh', 'nginx:alpine', 'nginx:latest']]);
    expect(result.status).toBe('pass');
  });

  it('names each wrong figure, what was printed, and never the expected value', async () => {
    const result = await run(output('23.1MB', '9', '3 weeks ago'));
    expect(result.status).toBe('fail');
    expect(result.message.en).toBe(
      'compare-images.sh nginx:alpine nginx:latest: the size of nginx:alpine: "23.1MB" does not match the engine; ' +
        'the creation date of nginx:alpine is a relative age ("3 weeks ago"): print the date; the layer count of nginx:latest: "9" does not match the engine.',
    );
    expect(result.message.en).not.toContain('2061234');
  });

  it('fails on a missing figure, a failing script, a slow one and a missing one', async () => {
    expect((await run('Taille:\n  nginx:alpine: 2.06MB\n')).message.en).toContain('the layer count of nginx:alpine is not in the output');
    expect((await run('', { exitCode: 1, stderr: 'Error: No such image: nginx:latest\n' })).message.en).toBe(
      'compare-images.sh nginx:alpine nginx:latest failed (exit code 1): Error: No such image: nginx:latest.',
    );
    expect((await run('', { timedOut: true, exitCode: null })).message.en).toBe('compare-images.sh nginx:alpine nginx:latest did not finish within 20 s.');
    expect((await run('', {}, [], false)).message.en).toBe('compare-images.sh is not in your working directory.');
  });

  it('does not run the script before both images exist', async () => {
    const calls: string[][] = [];
    const result = await compareScript.run(spec, { engine: engineWith({}, history, { 'nginx:alpine': images['nginx:alpine']! }), registry: noRegistry, workdir: '/w', files: files(true), processes: processes({}, calls) });
    expect(result.message.en).toBe('Cannot run the comparison: nginx:latest not on the Docker engine.');
    expect(calls).toEqual([]);
  });
});

describe('dive-ci-config', async () => {
  const { diveCiConfig } = await import('../../src/probes/dive-ci-config.js');
  const withFile = (text: string | null): FileAccess =>
    ({
      root: '/w',
      stat: async (path: string) => (text === null ? null : { path, size: text.length, isFile: true, isDirectory: false, mtimeMs: 0 }),
      readText: async () => text ?? '',
    }) as unknown as FileAccess;
  const run = (text: string | null) =>
    diveCiConfig.run(probe({ kind: 'dive-ci-config', minLowestEfficiency: 0.95 }), { ...clients(fakeEngine({})), files: withFile(text) });

  it("passes dive's own format demanding enough efficiency", async () => {
    const result = await run('rules:\n  lowestEfficiency: 0.95\n  highestWastedBytes: 20MB\n');
    expect(result.status).toBe('pass');
    expect(result.actual).toBe('lowestEfficiency=0.95, highestWastedBytes=20MB, highestUserWastedPercent=0.1');
  });
  it("fails the course's list form with its own message", async () => {
    const result = await run('rules:\n  - name: efficiency\n    value: 0.95\n');
    expect(result.message.en).toContain("uses the course's list form");
  });
  it('fails a lax threshold, a file without rules, a broken file and a missing one', async () => {
    expect((await run('rules:\n  highestWastedBytes: 20MB\n')).message.en).toBe('.dive-ci.yml: rules.lowestEfficiency is 0.9, at least 0.95 is required.');
    expect((await run('# nothing\n')).message.en).toBe('.dive-ci.yml has no "rules:" key: dive would apply its defaults.');
    expect((await run('rules:\n  lowestEfficiency: high\n')).message.en).toContain('"high" is not a number');
    expect((await run(null)).message.en).toBe('.dive-ci.yml is not in your working directory.');
  });
});
