import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageOf, legacySave, tarOf, type Entry } from '../fixtures/archives/build.js';
import { buildImage, docker, newWorkdir, ok, tp7, tp7Json } from './harness.js';

// `tp7 analyze` on images built here with known bytes. Every expected figure is worked out by hand from dive's
// definitions and the bytes written; the base's bytes (busybox from the mirror) are summed from `docker save`
// with GNU tar, apart from the code under test.
const suffix = randomBytes(4).toString('hex');
const SINGLE = `tp7-test-analyze-single:${suffix}`;
const DELETED = `tp7-test-analyze-deleted:${suffix}`;
const TWICE = `tp7-test-analyze-twice:${suffix}`;
// One image per branch of dive's algorithm over directories (see src/analysis/layers.ts).
const DIR_ADDED = `tp7-test-analyze-dir-added:${suffix}`;
const DIR_DELETED = `tp7-test-analyze-dir-deleted:${suffix}`;
// Loaded from hand-made layers: how a build writes an opaque directory or a file over a directory depends on the
// storage driver's diff (native overlay or naive), so these layers are written out entry by entry.
const OPAQUE = `tp7-test-analyze-opaque:${suffix}`;
const FILE_OVER_DIR = `tp7-test-analyze-file-over-dir:${suffix}`;
const OPAQUE_THEN_DELETED = `tp7-test-analyze-opaque-deleted:${suffix}`;
const A = 1_000;
const B = 2_000;
const NEW = 700;
const TREE: Entry[] = [
  { name: 'tree/', type: 'directory' },
  { name: 'tree/a', content: randomBytes(A) },
  { name: 'tree/sub/', type: 'directory' },
  { name: 'tree/sub/b', content: randomBytes(B) },
];
const OPAQUE_LAYER: Entry[] = [{ name: 'tree/', type: 'directory' }, { name: 'tree/.wh..wh..opq', content: '' }, { name: 'tree/new', content: randomBytes(NEW) }];

/** `docker load` of an image made of the given layers (legacy save layout), tagged `tag`. */
async function loadLayers(tag: string, layers: Entry[][]): Promise<void> {
  const archive = join(newWorkdir(), 'image.tar');
  writeFileSync(archive, await legacySave(imageOf(await Promise.all(layers.map((entries) => tarOf(entries))), [tag])));
  await ok(docker('load', '-q', '-i', archive));
}
const PAYLOAD = 12_345;
const BIG = 300_000;
const FIRST = 3_000;
const SECOND = 5_000;

let busyboxWasThere = false;
/** Sum of the sizes of every entry of busybox's (single) layer. */
let base = 0;

async function baseLayerBytes(image: string): Promise<number> {
  const dir = newWorkdir();
  const archive = join(dir, 'save.tar');
  await execa('docker', ['save', '-o', archive, image]);
  const manifest = JSON.parse((await execa('tar', ['-xOf', archive, 'manifest.json'])).stdout) as Array<{ Layers: string[] }>;
  expect(manifest[0]!.Layers).toHaveLength(1);
  const listing = await execa('sh', ['-c', `tar -xOf "$0" "$1" | zcat -f | tar -tvf -`, archive, manifest[0]!.Layers[0]!]);
  // "-rwxr-xr-x 0/0 1982256 2024-01-01 00:00 ./bin/busybox": the third column is the entry's size.
  return listing.stdout.split('\n').filter(Boolean).reduce((sum, line) => sum + Number(line.trim().split(/\s+/)[2]), 0);
}

describe('tp7 analyze', () => {
  beforeAll(async () => {
    busyboxWasThere = (await docker('image', 'inspect', 'busybox')).exitCode === 0;
    // The layers under study are the Dockerfiles' alone: the legacy builder's (BuildKit's RUN steps also write
    // /etc, for the mounts it gives them), on every engine. It pulls the base into the engine's images.
    process.env.DOCKER_BUILDKIT = '0';
    await ok(docker('pull', '-q', 'busybox'));
    await buildImage(SINGLE, 'FROM scratch\nCOPY payload.bin /payload.bin\n', { 'payload.bin': randomBytes(PAYLOAD) });
    await buildImage(DELETED, 'FROM busybox\nCOPY big.bin /big.bin\nRUN rm /big.bin\n', { 'big.bin': randomBytes(BIG) });
    await buildImage(TWICE, 'FROM busybox\nCOPY a.bin /data/f\nCOPY b.bin /data/f\n', { 'a.bin': randomBytes(FIRST), 'b.bin': randomBytes(SECOND) });
    const tree = { 'a': randomBytes(A), 'b': randomBytes(B) };
    await buildImage(DIR_ADDED, 'FROM busybox\nCOPY a /tree/a\nCOPY b /tree/sub/b\nRUN mkdir /empty\nRUN chmod 700 /empty\n', tree);
    await buildImage(DIR_DELETED, 'FROM busybox\nCOPY a /tree/a\nCOPY b /tree/sub/b\nRUN rm -rf /tree\n', tree);
    await loadLayers(OPAQUE, [TREE, OPAQUE_LAYER]);
    await loadLayers(FILE_OVER_DIR, [TREE, [{ name: 'tree', content: 'hello' }]]);
    await loadLayers(OPAQUE_THEN_DELETED, [TREE, OPAQUE_LAYER, [{ name: '.wh.tree', content: '' }], [{ name: 'tree/', type: 'directory' }]]);
    base = await baseLayerBytes('busybox');
  });
  afterAll(async () => {
    delete process.env.DOCKER_BUILDKIT;
    await docker('rmi', '-f', SINGLE, DELETED, TWICE, DIR_ADDED, DIR_DELETED, OPAQUE, FILE_OVER_DIR, OPAQUE_THEN_DELETED);
    if (!busyboxWasThere) await docker('rmi', 'busybox');
  });

  it('a single-layer image: efficiency 1, nothing wasted, rules pass (exit 0)', async () => {
    const { run, json } = await tp7Json(['analyze', SINGLE], { workdir: newWorkdir() });
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe(''); // no progress line without a terminal
    expect(json).toMatchObject({ image: SINGLE, size: PAYLOAD, userSize: 0, efficiency: 1, wastedBytes: 0, userWastedPercent: 0, wastedPaths: [], pass: true });
    expect(json.layers).toHaveLength(1);
    expect(json.layers[0]).toMatchObject({ instruction: 'COPY', size: PAYLOAD, added: { count: 1, bytes: PAYLOAD }, removed: { count: 0, bytes: 0 } });
    expect(json.rules).toMatchObject({ source: 'defaults', form: 'defaults' });
  });

  it('a file added then deleted: all its bytes are waste, the whiteout weighs 0', async () => {
    const { run, json } = await tp7Json(['analyze', DELETED], { workdir: newWorkdir() });
    expect(base).toBeGreaterThan(0);
    expect(json.layers.map((layer: { instruction: string }) => layer.instruction)).toEqual(['IMPORT', 'COPY', 'RUN']);
    expect(json.size).toBe(base + BIG);
    expect(json.userSize).toBe(BIG);
    expect(json.efficiency).toBeCloseTo(base / (base + BIG), 12);
    expect(json.wastedBytes).toBe(BIG);
    expect(json.userWastedPercent).toBe(1);
    expect(json.wastedPaths).toEqual([{ path: '/big.bin', count: 2, cumulativeSize: BIG, layers: [1, 2] }]);
    expect(json.layers[2]).toMatchObject({ size: 0, removed: { count: 1, bytes: BIG } });
    // dive's default highestUserWastedPercent (0.1) fails: exit 1.
    expect(run.exitCode).toBe(1);
    expect(json.rules.results.find((rule: { key: string }) => rule.key === 'highestUserWastedPercent')).toMatchObject({ status: 'fail', actual: 1 });
  });

  it('the same file written in two layers: both copies are waste, the smaller is the minimum', async () => {
    const { json } = await tp7Json(['analyze', TWICE], { workdir: newWorkdir() });
    expect(json.efficiency).toBeCloseTo((base + FIRST) / (base + FIRST + SECOND), 12);
    expect(json.wastedBytes).toBe(FIRST + SECOND);
    expect(json.userSize).toBe(FIRST + SECOND);
    expect(json.userWastedPercent).toBe(1);
    expect(json.layers[1]).toMatchObject({ added: { count: 1, bytes: FIRST } });
    expect(json.layers[2]).toMatchObject({ changed: { count: 1, bytes: SECOND } });
  });

  it('directories added, and an empty directory written again: a leaf in two layers, weighing 0 (listed, not counted)', async () => {
    const { json } = await tp7Json(['analyze', DIR_ADDED], { workdir: newWorkdir() });
    expect(json.layers.map((layer: { instruction: string }) => layer.instruction)).toEqual(['IMPORT', 'COPY', 'COPY', 'RUN', 'RUN']);
    expect(json).toMatchObject({ size: base + A + B, efficiency: 1, wastedBytes: 0, hiddenBytes: 0, hiddenPaths: [], finalSize: base + A + B });
    // /tree and /tree/sub are no leaves (files lie under them); /empty is one, in both RUN layers (a mode change
    // is a change to every store: the containerd snapshotter writes no layer for a mere touch of a directory).
    expect(json.wastedPaths).toEqual([{ path: '/empty', count: 2, cumulativeSize: 0, layers: [3, 4] }]);
    expect(json.layers[1]).toMatchObject({ added: { count: 1, bytes: A } });
    expect(json.layers[3]).toMatchObject({ size: 0, added: { count: 0, bytes: 0 } });
  });

  it("a directory deleted by a later layer: dive's blind spot kept (100 %, nothing wasted), the hidden bytes show it", async () => {
    const { run, json } = await tp7Json(['analyze', DIR_DELETED], { workdir: newWorkdir() });
    // dive: /tree/a and /tree/sub/b are leaves once; the whiteout /tree is a leaf once, weighing A + B. No path twice.
    expect(json).toMatchObject({ size: base + A + B, efficiency: 1, wastedBytes: 0, userWastedPercent: 0, wastedPaths: [] });
    expect(json).toMatchObject({ finalSize: base, hiddenBytes: A + B, hiddenPaths: [{ path: '/tree', bytes: A + B, hiddenBy: 3 }] });
    expect(json.layers[3]).toMatchObject({ size: 0, removed: { count: 2, bytes: A + B } });
    expect(run.exitCode).toBe(0); // dive's default rules pass it
    const text = await tp7(['analyze', DIR_DELETED], { workdir: newWorkdir() });
    expect(text.stdout).toContain('Efficiency: 100 %');
    expect(text.stdout).toContain('Hidden bytes (not dive): 3 kB (stored in the layers but not in the final filesystem)');
    expect(text.stdout).toContain("dive does not count what a directory deleted by a later layer held; this figure does.");
    expect(text.stdout).toMatch(/3 kB {2}\/tree {2}\(hidden by layer 4\)/);
    const french = await tp7(['analyze', DIR_DELETED], { workdir: newWorkdir(), env: { TP7_LANG: 'fr' } });
    expect(french.stdout).toContain('Octets cachés (hors dive) : 3 kB (stockés dans les couches mais absents du système de fichiers final)');
  });

  it('an opaque directory: no occurrence in dive; what it hides is removed and hidden', async () => {
    const { json } = await tp7Json(['analyze', OPAQUE], { workdir: newWorkdir() });
    expect(json).toMatchObject({ size: A + B + NEW, efficiency: 1, wastedBytes: 0, wastedPaths: [], finalSize: NEW, hiddenBytes: A + B });
    expect(json.hiddenPaths).toEqual([{ path: '/tree/sub', bytes: B, hiddenBy: 1 }, { path: '/tree/a', bytes: A, hiddenBy: 1 }]);
    expect(json.layers[1]).toMatchObject({ added: { count: 1, bytes: NEW }, removed: { count: 2, bytes: A + B } });
  });

  it('a file written over a directory: one leaf in dive, the directory hidden', async () => {
    const { json } = await tp7Json(['analyze', FILE_OVER_DIR], { workdir: newWorkdir() });
    expect(json).toMatchObject({ size: A + B + 5, efficiency: 1, wastedBytes: 0, finalSize: 5, hiddenBytes: A + B });
    expect(json.hiddenPaths).toEqual([{ path: '/tree', bytes: A + B, hiddenBy: 1 }]);
  });

  it("a directory deleted after an opaque marker: dive sizes the whiteout on its own tree, which ignores the marker", async () => {
    const { json } = await tp7Json(['analyze', OPAQUE_THEN_DELETED], { workdir: newWorkdir() });
    // /tree: the whiteout weighs A + B + NEW (dive still sees a and sub/b), then the empty directory 0.
    expect(json.wastedPaths).toEqual([{ path: '/tree', count: 2, cumulativeSize: A + B + NEW, layers: [2, 3] }]);
    expect(json.efficiency).toBeCloseTo((A + B + NEW) / (2 * (A + B + NEW)), 12);
    expect(json).toMatchObject({ wastedBytes: A + B + NEW, finalSize: 0, hiddenBytes: A + B + NEW });
  });

  it('prints the analysis as text, the wasted path and the verdict', async () => {
    const run = await tp7(['analyze', DELETED], { workdir: newWorkdir() });
    expect(run.exitCode).toBe(1);
    // Shown rounded down to 0.1 %, as every percentage next to a threshold.
    expect(run.stdout).toContain(`Efficiency: ${Math.floor((1000 * base) / (base + BIG)) / 10} %`);
    expect(run.stdout).toMatch(/300 kB {2}2 layers {2}\/big\.bin/);
    expect(run.stdout).toContain('FAIL highestUserWastedPercent');
    expect(run.stdout).toMatch(/Result: FAIL$/);
  });

  it('reads .dive-ci.yml from the workdir, failing only when strictly over a threshold', async () => {
    const workdir = newWorkdir();
    writeFileSync(join(workdir, '.dive-ci.yml'), `rules:\n  lowestEfficiency: 0.5\n  highestWastedBytes: ${BIG}\n  highestUserWastedPercent: disabled\n`);
    const exact = await tp7Json(['analyze', DELETED], { workdir });
    expect(exact.run.exitCode).toBe(0);
    expect(exact.json.rules.source).toBe('.dive-ci.yml');
    writeFileSync(join(workdir, '.dive-ci.yml'), `rules:\n  lowestEfficiency: 0.5\n  highestWastedBytes: ${BIG - 1}\n  highestUserWastedPercent: disabled\n`);
    const over = await tp7Json(['analyze', DELETED], { workdir });
    expect(over.run.exitCode).toBe(1);
    expect(over.json.rules.results.map((rule: { status: string }) => rule.status)).toEqual(['pass', 'fail', 'disabled']);
    // A key left out keeps dive's default: lowestEfficiency 0.9 fails this image.
    writeFileSync(join(workdir, '.dive-ci.yml'), 'rules:\n  highestUserWastedPercent: disabled\n');
    const defaults = await tp7Json(['analyze', DELETED], { workdir });
    expect(defaults.json.rules.results[0]).toMatchObject({ key: 'lowestEfficiency', value: '0.9', status: 'fail' });
  });

  it("accepts the course's list form given with --ci-config, with a note and fatal: false as a warning", async () => {
    const workdir = newWorkdir();
    const file = join(workdir, 'course-rules.yml');
    writeFileSync(file, 'rules:\n  - name: efficiency\n    fatal: false\n    value: 0.95\n\n  - name: size\n    fatal: true\n    value: 100MB\n');
    const text = await tp7(['analyze', DELETED, '--ci-config', file], { workdir });
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain("this file uses the course's list form");
    expect(text.stdout).toContain('WARN lowestEfficiency');
    expect(text.stdout).toContain('PASS highestImageSize');
    writeFileSync(file, 'rules:\n  - name: size\n    value: 100kB\n');
    expect((await tp7(['analyze', DELETED, '--ci-config', file], { workdir })).exitCode).toBe(1);
  });

  it('refuses rules it cannot read and images that do not exist (exit 2)', async () => {
    const workdir = newWorkdir();
    writeFileSync(join(workdir, '.dive-ci.yml'), 'rules:\n  lowestEfficiency: ninety\n');
    const bad = await tp7(['analyze', SINGLE], { workdir });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('invalid CI rules: .dive-ci.yml: rules.lowestEfficiency: "ninety" is not a number such as 0.9');
    const missing = await tp7(['analyze', `tp7-test-analyze-missing:${suffix}`], { workdir: newWorkdir() });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain(`no image "tp7-test-analyze-missing:${suffix}" on the engine`);
    expect((await tp7(['analyze'], { workdir: newWorkdir() })).exitCode).toBe(2);
  });
});

// An image's history is text its author chose: ESC sequences in a RUN line must be shown, never obeyed.
describe('tp7 analyze on a hostile history', () => {
  const HOSTILE = `tp7-test-analyze-hostile:${suffix}`;
  const sequences = '\u001b[2J\u001b[H\u001b]0;pwned\u0007\u009b31m\u202e';
  beforeAll(async () => {
    await buildImage(HOSTILE, `FROM busybox\nRUN echo '${sequences}' > /note\n`);
  });
  afterAll(async () => {
    await docker('rmi', '-f', HOSTILE);
  });

  it('prints the history entry with its control characters shown, and keeps them intact in --json', async () => {
    const history = await docker('image', 'history', '--no-trunc', '--format', '{{.CreatedBy}}', HOSTILE);
    expect(history.stdout).toContain('\u001b[2J'); // the engine really holds the raw bytes
    const text = await tp7(['analyze', HOSTILE], { workdir: newWorkdir() });
    expect(text.stderr).toBe('');
    expect(text.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(text.stdout).toContain("echo '\\u001b[2J\\u001b[H\\u001b]0;pwned\\u0007\\u009b31m\\u202e'");
    const { json } = await tp7Json(['analyze', HOSTILE], { workdir: newWorkdir() });
    expect(json.layers.map((layer: { createdBy: string }) => layer.createdBy).join('\n')).toContain(sequences);
  });
});
