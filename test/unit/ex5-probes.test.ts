import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { analyseImage } from '../../src/analysis/image.js';
import { analyseLayers } from '../../src/analysis/layers.js';
import { readImageArchive } from '../../src/archive/index.js';
import type { EngineClient, HistoryEntry, ImageFile, ImageInspect } from '../../src/engine/types.js';
import { imageHistoryFact } from '../../src/facts/image-history.js';
import type { FileAccess } from '../../src/files/types.js';
import type { ProcessResult, ProcessRunner } from '../../src/processes/types.js';
import { compareScript } from '../../src/probes/compare-script.js';
import { imageEfficiency } from '../../src/probes/image-efficiency.js';
import { imageFiles } from '../../src/probes/image-files.js';
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
    expect(result.actual).toBe('efficiency 99.6 %, size 5.03 kB, wasted 22 B (user wasted 183.3 %), hidden 16 B');
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

  it('judges the bytes the layers hide (deleted or replaced), which dive does not always count, and names the biggest', async () => {
    // The synthetic image hides 16 B: the first /etc/motd (6), /etc/old.conf (4) and /var/cache/a (6, opaque).
    const over = await run({ maxHiddenBytes: 15 });
    expect(over.status).toBe('fail');
    expect(over.message.en).toBe(
      'app:1: its layers store 16 B that its final filesystem does not hold (at most 15 B): deleted or replaced by a later layer, ' +
        "they still weigh, even where dive does not count them (a deleted directory's content); the biggest: /etc/motd (6 B, hidden by layer 2).",
    );
    expect(over.message.fr).toContain('ses couches stockent 16 B absents de son système de fichiers final');
    expect((await run({ maxHiddenBytes: 16 })).status).toBe('pass');
    // Where dive's efficiency already fails, the same copies are not reported twice.
    expect((await run({ minEfficiency: 0.999, maxHiddenBytes: 15 })).message.en).not.toContain('its layers store');
    const under = await run({ minHiddenBytes: '1kB' });
    expect(under.message.en).toBe('app:1: its layers store only 16 B of deleted or replaced files (expected at least 1 kB): the temporary file must be written by one step and deleted by another.');
    expect(ProbeSchema.parse({ kind: 'image-efficiency', ref: 'app:1', maxHiddenBytes: '100kB' })).toMatchObject({ maxHiddenBytes: '100kB' });
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

describe('image-files: the optimised image does the same job', () => {
  const APP = '/opt/app/app.bin';
  type Found = { size: number; mode: number; content?: Buffer };
  const engineHolding = (files: Record<string, Found | 'not-a-file'>) => {
    const base = engineWith({}, {}, Object.fromEntries(Object.keys(files).map((ref) => [ref, {}])));
    const readImageFile = async (ref: string, path: string): Promise<ImageFile> => {
      if (!(ref in files)) return { found: false, reason: 'no-image' };
      const file = files[ref]!;
      if (path !== APP) return { found: false, reason: 'no-file' };
      if (file === 'not-a-file') return { found: false, reason: 'not-a-file' };
      return { found: true, size: file.size, mode: file.mode, content: file.content ?? Buffer.alloc(file.size, 7) };
    };
    return { ...base, readImageFile };
  };
  const spec = (fields: object = {}) => probe<Parameters<typeof imageFiles.run>[0]>({
    kind: 'image-files', ref: 'opt:1', like: 'waste:1', files: [{ path: APP, size: 500000, mode: '755' }], ...fields,
  });
  const run = (files: Record<string, Found | 'not-a-file'>, fields?: object) => imageFiles.run(spec(fields), clients(engineHolding(files)));
  const RIGHT: Found = { size: 500000, mode: 0o755 };

  it('passes the same file, with its size and mode, in both images', async () => {
    const result = await run({ 'opt:1': RIGHT, 'waste:1': RIGHT });
    expect(result.status).toBe('pass');
    expect(result.actual).toMatch(/^\/opt\/app\/app\.bin: 500 kB \(500000 B\), mode 0755, sha256:[0-9a-f]{12}$/);
  });

  it('fails the cheap fakes, each with its own message: wrong mode bits, a 100-byte file, a directory, nothing', async () => {
    expect((await run({ 'opt:1': { size: 500000, mode: 0o644 }, 'waste:1': RIGHT })).message.en).toBe(
      'opt:1 does not do the same job: /opt/app/app.bin has mode 0644 in opt:1, the instructions ask for 0755.',
    );
    expect((await run({ 'opt:1': { size: 100, mode: 0o755 }, 'waste:1': RIGHT })).message.en).toBe(
      'opt:1 does not do the same job: /opt/app/app.bin is 100 bytes in opt:1, the instructions make 500000.',
    );
    expect((await run({ 'opt:1': 'not-a-file', 'waste:1': RIGHT })).message.en).toBe('opt:1 does not do the same job: /opt/app/app.bin is not a regular file in opt:1.');
    const gone = await run({ 'waste:1': RIGHT });
    expect(gone.message.en).toBe('opt:1 is not on your Docker engine.');
  });

  it('compares with the other image where the spec says nothing, and the content when asked', async () => {
    const loose = { files: [{ path: APP }] };
    expect((await run({ 'opt:1': { size: 10, mode: 0o700 }, 'waste:1': RIGHT }, loose)).message.en).toBe(
      'opt:1 does not do the same job: /opt/app/app.bin is 10 bytes in opt:1, 500000 in waste:1; /opt/app/app.bin has mode 0700 in opt:1, 0755 in waste:1.',
    );
    expect((await run({ 'opt:1': RIGHT }, loose)).message.en).toBe('Cannot compare: waste:1 is not on your Docker engine.');
    const other = { ...RIGHT, content: Buffer.alloc(500000, 1) };
    expect((await run({ 'opt:1': RIGHT, 'waste:1': other }, { files: [{ path: APP, sameContent: true }] })).message.en).toBe(
      'opt:1 does not do the same job: the content of /opt/app/app.bin differs from the one in waste:1.',
    );
    // Random content by design: only size and mode are compared unless sameContent is set.
    expect((await run({ 'opt:1': RIGHT, 'waste:1': other })).status).toBe('pass');
    // Without the other image, the explicit expectations still judge.
    expect((await run({ 'opt:1': RIGHT })).status).toBe('pass');
  });

  it('refuses a mode that is not octal', () => {
    expect(() => ProbeSchema.parse({ kind: 'image-files', ref: 'a:1', files: [{ path: APP, mode: 'rwx' }] })).toThrow('octal permission bits');
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
  const images = (): Record<string, Partial<ImageInspect>> => ({
    'nginx:alpine': { Size: 2_061_234, Created: '2024-05-02T10:11:12.5Z', RootFS: { Type: 'layers', Layers: ['a', 'b'] } },
    'nginx:latest': { Size: 23_100_000, Created: '2024-05-02T10:11:40Z', RootFS: { Type: 'layers', Layers: ['a', 'b', 'c'] } },
  });
  const history = { 'nginx:alpine': new Array(5).fill({}) as HistoryEntry[], 'nginx:latest': new Array(6).fill({}) as HistoryEntry[] };
  const files = (present: boolean): FileAccess => ({ root: '/w', stat: async (path) => (present ? { path, size: 10, isFile: true, isDirectory: false, mtimeMs: 0 } : null) }) as FileAccess;
  type Respond = (refs: string[], engine: EngineClient) => Promise<Partial<ProcessResult>> | Partial<ProcessResult>;
  const processes = (engine: EngineClient, respond: Respond, calls: string[][] = []): ProcessRunner => ({
    run: async (command, args) => {
      calls.push([command, ...args]);
      return { exitCode: 0, stdout: '', stderr: '', timedOut: false, ...(await respond(args.slice(1), engine)) };
    },
  });
  const spec = probe<Parameters<typeof compareScript.run>[0]>({ kind: 'compare-script', refs: ['nginx:alpine', 'nginx:latest'] });
  const COURSE = ['nginx:alpine', 'nginx:latest'];
  const setup = (respond: Respond, calls: string[][] = [], present = true, known = images()) => {
    const engine = engineWith({}, history, known);
    return { engine, run: () => compareScript.run(spec, { engine, registry: noRegistry, workdir: '/w', files: files(present), processes: processes(engine, respond, calls) }) };
  };
  /** A script that does the work: asks the (fake) engine about the images it is given. */
  const honest: Respond = async (refs, engine) => {
    const [a, b] = await Promise.all(refs.map((ref) => engine.inspectImage(ref)));
    const row = (label: string, value: (image: ImageInspect) => string | number) => `${label}:\n  ${refs[0]}: ${value(a!)}\n  ${refs[1]}: ${value(b!)}\n`;
    return {
      stdout: row('Taille', (image) => `${image.Size}B`) + row('Layers', (image) => image.RootFS?.Layers?.length ?? 0) +
        row('Architecture', (image) => image.Architecture) + row('OS', (image) => image.Os) + row('Créé', (image) => image.Created),
    };
  };
  const output = (alpineSize: string, latestLayers: string, created = '2024-05-02T10:11:12Z') =>
    `Taille:\n  nginx:alpine: ${alpineSize}\n  nginx:latest: 23.1MB\nLayers:\n  nginx:alpine: 5\n  nginx:latest: ${latestLayers}\n` +
    `Architecture:\n  nginx:alpine: amd64\n  nginx:latest: amd64\nOS:\n  nginx:alpine: linux\n  nginx:latest: linux\n` +
    `Créé:\n  nginx:alpine: ${created}\n  nginx:latest: 2024-05-02T10:11:40Z\n`;
  /** The course's pair answered with fixed text; the images made at check time answered honestly. */
  const fixedForCourse = (stdout: string, extra: Partial<ProcessResult> = {}): Respond => (refs, engine) =>
    refs[0] === COURSE[0] ? { stdout, ...extra } : honest(refs, engine);

  it('runs the script with bash on the course pair and on two images made at check time, then removes them', async () => {
    const calls: string[][] = [];
    const { engine, run } = setup(honest, calls);
    const result = await run();
    expect(result.status).toBe('pass');
    expect(result.message.en).toBe('compare-images.sh nginx:alpine nginx:latest prints the right figures for both images (and for two images made at check time).');
    expect(calls[0]).toEqual(['bash', 'compare-images.sh', 'nginx:alpine', 'nginx:latest']);
    const drawn = calls[1]!.slice(2);
    expect(drawn).toHaveLength(2);
    for (const ref of drawn) expect(ref).toMatch(/^tp7-probe-[0-9a-f]{6}:[0-9a-f]{4}$/);
    expect(await Promise.all(drawn.map((ref) => engine.inspectImage(ref)))).toEqual([null, null]);
  });

  it('fails a script that echoes the course pair\'s figures whatever its arguments', async () => {
    const fixed = output('2.06MB', '3');
    const { engine, run } = setup(() => ({ stdout: fixed }));
    const result = await run();
    expect(result.status).toBe('fail');
    expect(result.message.en).toMatch(
      /^The script has the right figures for nginx:alpine and nginx:latest, but not for two other images made at check time \(compare-images\.sh tp7-probe-\w+:\w+ tp7-probe-\w+:\w+\): its output says nothing about those images\. It must take the images from its arguments \(\$1 and \$2\) and ask the engine, not print fixed values\.$/,
    );
    expect(result.message.fr).toContain('Il doit lire les images dans ses arguments ($1 et $2)');
    expect((await engine.listImages()).flatMap((image) => image.RepoTags ?? []).filter((tag) => tag.startsWith('tp7-probe-'))).toEqual([]);
  });

  it('names the figure a half-fixed script gets wrong on the images made at check time', async () => {
    // Reads its arguments, but the size comes from a hard-coded `docker images nginx:alpine`.
    const { run } = setup(async (refs, engine) => {
      const right = (await honest(refs, engine)).stdout!;
      return { stdout: refs[0] === COURSE[0] ? right : right.replace(/: \d+B/g, ': 2061234B') };
    });
    const result = await run();
    expect(result.message.en).toMatch(/made at check time .*: the size of tp7-probe-\w+:\w+: "2061234B" does not match the engine; the size of tp7-probe-/);
  });

  it('can be told not to make images (unforeseen: false)', async () => {
    const calls: string[][] = [];
    const engine = engineWith({}, history, images());
    const once = probe<Parameters<typeof compareScript.run>[0]>({ kind: 'compare-script', refs: ['nginx:alpine', 'nginx:latest'], unforeseen: false });
    const result = await compareScript.run(once, { engine, registry: noRegistry, workdir: '/w', files: files(true), processes: processes(engine, () => ({ stdout: output('2.06MB', '3') }), calls) });
    expect(result.status).toBe('pass');
    expect(calls).toHaveLength(1);
  });

  it('names each wrong figure, what was printed, and never the expected value', async () => {
    const result = await setup(fixedForCourse(output('23.1MB', '9', '3 weeks ago'))).run();
    expect(result.status).toBe('fail');
    expect(result.message.en).toBe(
      'compare-images.sh nginx:alpine nginx:latest: the size of nginx:alpine: "23.1MB" does not match the engine; ' +
        'the creation date of nginx:alpine is a relative age ("3 weeks ago"): print the date; the layer count of nginx:latest: "9" does not match the engine.',
    );
    expect(result.message.en).not.toContain('2061234');
  });

  it('fails on a missing figure, a failing script, a slow one and a missing one', async () => {
    expect((await setup(fixedForCourse('Taille:\n  nginx:alpine: 2.06MB\n')).run()).message.en).toContain('the layer count of nginx:alpine is not in the output');
    expect((await setup(fixedForCourse('', { exitCode: 1, stderr: 'Error: No such image: nginx:latest\n' })).run()).message.en).toBe(
      'compare-images.sh nginx:alpine nginx:latest failed (exit code 1): Error: No such image: nginx:latest.',
    );
    expect((await setup(() => ({ timedOut: true, exitCode: null })).run()).message.en).toBe('compare-images.sh nginx:alpine nginx:latest did not finish within 20 s.');
    expect((await setup(honest, [], false).run()).message.en).toBe('compare-images.sh is not in your working directory.');
    // Right on the course pair, failing on the others (e.g. a hard-coded `docker images nginx`).
    const other = await setup((refs, engine) => (refs[0] === COURSE[0] ? honest(refs, engine) : { exitCode: 1, stderr: 'boom\n' })).run();
    expect(other.message.en).toMatch(/^Run with two other images made at check time, compare-images\.sh tp7-probe-\S+ tp7-probe-\S+ failed \(exit code 1\): boom\.$/);
  });

  it('does not run the script before both images exist', async () => {
    const calls: string[][] = [];
    const { run } = setup(honest, calls, true, { 'nginx:alpine': images()['nginx:alpine']! });
    expect((await run()).message.en).toBe('Cannot run the comparison: nginx:latest not on the Docker engine.');
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
