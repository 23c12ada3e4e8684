import { describe, expect, it } from 'vitest';
import { analyseLayers } from '../../src/analysis/layers.js';
import type { EntryInput, LayerInput } from '../../src/analysis/types.js';

// Hand-made layer lists with known answers, computed by hand from dive's definitions (see src/analysis/layers.ts).
const file = (path: string, size: number): EntryInput => ({ path, size, type: 'file', whiteout: false, opaque: false });
const dir = (path: string): EntryInput => ({ path, size: 0, type: 'directory', whiteout: false, opaque: false });
const link = (path: string): EntryInput => ({ path, size: 0, type: 'symlink', whiteout: false, opaque: false });
const whiteout = (path: string): EntryInput => ({ path, size: 0, type: 'file', whiteout: true, opaque: false });
const layers = (...lists: EntryInput[][]): LayerInput[] => lists.map((entries, index) => ({ index, diffId: `sha256:${index}`, entries }));

const BASE = [dir('bin/'), file('bin/busybox', 1000), link('bin/sh')];

describe('dive efficiency', () => {
  it('a single-layer image is fully efficient and wastes nothing', () => {
    const result = analyseLayers(layers(BASE));
    expect(result).toMatchObject({ efficiency: 1, wastedBytes: 0, userWastedPercent: 0, imageSize: 1000, userSize: 0, wastedPaths: [] });
    expect(result.layers[0]!.changes.added).toEqual({ count: 2, bytes: 1000 });
  });

  it('an image with no bytes at all has efficiency 1', () => {
    expect(analyseLayers(layers([dir('empty/')])).efficiency).toBe(1);
    expect(analyseLayers([]).efficiency).toBe(1);
  });

  it('a file added then deleted: the whiteout of a file weighs 0, so its bytes are all waste', () => {
    const result = analyseLayers(layers(BASE, [dir('tmp/'), file('tmp/big.bin', 5000)], [dir('tmp/'), file('tmp/.wh.big.bin', 0)]));
    // /tmp/big.bin: occurrences 5000 and 0 → cumulative 5000, min 0. Base: 1000 once (and bin/sh, 0).
    expect(result.efficiency).toBeCloseTo(1000 / 6000, 12);
    expect(result.wastedBytes).toBe(5000);
    expect(result.userSize).toBe(5000);
    expect(result.userWastedPercent).toBe(1);
    expect(result.wastedPaths).toEqual([{ path: '/tmp/big.bin', count: 2, cumulativeSize: 5000, layers: [1, 2] }]);
    expect(result.layers[2]!.changes).toEqual({ added: { count: 0, bytes: 0 }, changed: { count: 0, bytes: 0 }, removed: { count: 1, bytes: 5000 } });
    expect(result.has('/tmp/big.bin')).toBe(false);
    expect(result.has('tmp')).toBe(true);
  });

  it('reads a whiteout flagged on the deleted path the same as a .wh. marker', () => {
    const marker = analyseLayers(layers(BASE, [file('big', 5000)], [file('.wh.big', 0)]));
    const flagged = analyseLayers(layers(BASE, [file('big', 5000)], [whiteout('big')]));
    expect(flagged.efficiency).toBe(marker.efficiency);
    expect(flagged.wastedPaths).toEqual(marker.wastedPaths);
    expect(flagged.layers[2]!.changes.removed).toEqual({ count: 1, bytes: 5000 });
  });

  it('the same file written in two layers: both copies are waste, the smaller one is the minimum', () => {
    const result = analyseLayers(layers(BASE, [dir('data/'), file('data/f', 3000)], [dir('data/'), file('data/f', 5000)]));
    expect(result.efficiency).toBeCloseTo((1000 + 3000) / (1000 + 8000), 12);
    expect(result.wastedBytes).toBe(8000);
    expect(result.userWastedPercent).toBe(1);
    expect(result.layers[1]!.changes.added).toEqual({ count: 1, bytes: 3000 });
    expect(result.layers[2]!.changes.changed).toEqual({ count: 1, bytes: 5000 });
  });

  it('counts user wasted bytes against every layer but the first', () => {
    const result = analyseLayers(layers(BASE, [file('a', 400), file('keep', 3600)], [file('a', 400)]));
    // /a: 400 + 400 wasted; user bytes: 4000 + 400.
    expect(result.wastedBytes).toBe(800);
    expect(result.userWastedPercent).toBeCloseTo(800 / 4400, 12);
    expect(result.imageSize).toBe(5400);
  });

  it('a base file deleted by the only other layer: waste with no user bytes is infinite, as in dive', () => {
    const result = analyseLayers(layers([file('big', 100)], [file('.wh.big', 0)]));
    expect(result.wastedBytes).toBe(100);
    expect(result.userWastedPercent).toBe(Infinity);
  });

  it("reproduces dive's own efficiency test: directories without entries make a whiteout weigh 0", () => {
    // wagoodman/dive filetree/efficiency_test.go TestEfficency: expected score 0.75, one inefficiency of 7000.
    const result = analyseLayers(layers(
      [file('etc/nginx/nginx.conf', 2000), file('etc/nginx/public', 3000)],
      [file('etc/nginx/nginx.conf', 5000), file('etc/athing', 10000)],
      [file('etc/.wh.nginx', 0)],
    ));
    expect(result.efficiency).toBe(0.75);
    expect(result.wastedPaths).toEqual([{ path: '/etc/nginx/nginx.conf', count: 2, cumulativeSize: 7000, layers: [0, 1] }]);
  });

  it('a whiteout of a real directory weighs the whole subtree it deletes, as stacked so far', () => {
    const result = analyseLayers(layers(
      [dir('etc/'), dir('etc/nginx/'), file('etc/nginx/nginx.conf', 2000), file('etc/nginx/public', 3000)],
      [dir('etc/'), dir('etc/nginx/'), file('etc/nginx/nginx.conf', 5000), file('etc/athing', 10000)],
      [dir('etc/'), file('etc/.wh.nginx', 0)],
    ));
    // /etc/nginx weighs 0 + 5000 + 3000 in the third layer (one occurrence): min = cumulative = 8000.
    expect(result.efficiency).toBeCloseTo((2000 + 3000 + 10000 + 8000) / (7000 + 3000 + 10000 + 8000), 12);
    expect(result.wastedBytes).toBe(7000);
    expect(result.layers[2]!.changes.removed).toEqual({ count: 2, bytes: 8000 });
    expect(result.has('etc/nginx/public')).toBe(false);
  });

  it('an opaque directory hides what the lower layers held there, without an occurrence of its own', () => {
    const input = layers(
      BASE,
      [dir('app/'), file('app/x', 100), file('app/y', 50)],
      [dir('app/'), file('app/.wh..wh..opq', 0), file('app/x', 20), file('app/z', 10)],
    );
    const result = analyseLayers(input);
    expect(result.layers[2]!.changes).toEqual({ added: { count: 1, bytes: 10 }, changed: { count: 1, bytes: 20 }, removed: { count: 1, bytes: 50 } });
    expect(result.has('app/y')).toBe(false);
    expect(result.has('app/x')).toBe(true);
    expect(result.wastedPaths.map((path) => path.path)).toEqual(['/app/x']);
    // The same marker flagged on the directory entry itself.
    const flagged = analyseLayers(layers(BASE, input[1]!.entries as EntryInput[], [{ ...dir('app/'), opaque: true }, file('app/x', 20), file('app/z', 10)]));
    expect(flagged.layers[2]!.changes).toEqual(result.layers[2]!.changes);
    expect(flagged.efficiency).toBe(result.efficiency);
  });

  it("sizes a later whiteout on dive's own stacked tree: it ignores opaque markers and keeps children under a file", () => {
    // /d/a (100) hidden by an opaque /d in layer 2, which adds /d/b (10); layer 3 deletes /d, layer 4 makes it
    // again, empty. dive still sees /d/a when it sizes the whiteout: 110, not 10.
    const opaque = analyseLayers(layers(
      [dir('d/'), file('d/a', 100)],
      [dir('d/'), file('d/.wh..wh..opq', 0), file('d/b', 10)],
      [whiteout('d')],
      [dir('d/')],
    ));
    // Occurrences: /d/a 100, /d/b 10, /d 110 (the whiteout) then 0 (the empty directory, a leaf).
    expect(opaque).toMatchObject({ efficiency: 110 / 220, wastedBytes: 110, imageSize: 110, finalSize: 0, hiddenBytes: 110 });
    expect(opaque.wastedPaths).toEqual([{ path: '/d', count: 2, cumulativeSize: 110, layers: [2, 3] }]);
    expect(opaque.layers[2]!.changes.removed).toEqual({ count: 1, bytes: 10 }); // the real filesystem only held /d/b
    // A file written over the directory /e: dive swaps the payload and keeps /e/x under it; the whiteout of /e
    // then weighs 0, since dive no longer sees a directory there.
    const overDir = analyseLayers(layers([dir('e/'), file('e/x', 70)], [file('e', 5)], [whiteout('e')]));
    expect(overDir.wastedPaths).toEqual([{ path: '/e', count: 2, cumulativeSize: 5, layers: [1, 2] }]);
    expect(overDir).toMatchObject({ efficiency: 70 / 75, hiddenBytes: 75, finalSize: 0 });
  });

  it('normalises tar spellings of paths and ignores storage-driver markers', () => {
    const result = analyseLayers(layers([dir('./'), file('./etc/passwd', 10), file('.wh..wh.plnk/123', 5)], [file('/etc//passwd', 12)]));
    expect(result.wastedPaths).toEqual([{ path: '/etc/passwd', count: 2, cumulativeSize: 22, layers: [0, 1] }]);
    expect(result.layers[0]!.size).toBe(15); // dive's layer size sums every entry, markers included
    expect(result.has('.wh..wh.plnk/123')).toBe(false);
  });

});

describe('hidden bytes: what the layers store that the final filesystem does not', () => {
  const sumOf = (result: ReturnType<typeof analyseLayers>) => result.hiddenPaths.reduce((sum, path) => sum + path.bytes, 0);

  it("a directory deleted by a later layer: dive's 100 % (its quirk, kept), but its content is hidden bytes", () => {
    const result = analyseLayers(layers(BASE, [dir('tmp/'), dir('tmp/junk/'), file('tmp/junk/big', 5000), file('tmp/junk/small', 7)], [dir('tmp/'), whiteout('tmp/junk')]));
    // dive: /tmp/junk/big and /tmp/junk/small are leaves once; the whiteout /tmp/junk is a leaf once, weighing 5007.
    expect(result).toMatchObject({ efficiency: 1, wastedBytes: 0, wastedPaths: [] });
    expect(result).toMatchObject({ imageSize: 6007, finalSize: 1000, hiddenBytes: 5007 });
    expect(result.hiddenPaths).toEqual([{ path: '/tmp/junk', bytes: 5007, hiddenBy: 2 }]);
  });

  it('a deleted file, a rewritten file, an opaque directory and a file over a directory', () => {
    const deleted = analyseLayers(layers(BASE, [file('big', 5000)], [whiteout('big')]));
    expect(deleted).toMatchObject({ hiddenBytes: 5000, hiddenPaths: [{ path: '/big', bytes: 5000, hiddenBy: 2 }] });
    const rewritten = analyseLayers(layers(BASE, [dir('data/'), file('data/f', 3000)], [dir('data/'), file('data/f', 5000)]));
    expect(rewritten).toMatchObject({ finalSize: 6000, hiddenBytes: 3000, hiddenPaths: [{ path: '/data/f', bytes: 3000, hiddenBy: 2 }] });
    const opaque = analyseLayers(layers(BASE, [dir('app/'), file('app/x', 100), file('app/y', 50)], [dir('app/'), file('app/.wh..wh..opq', 0), file('app/x', 20)]));
    expect(opaque).toMatchObject({ finalSize: 1020, hiddenBytes: 150 });
    expect(opaque.hiddenPaths.map((path) => [path.path, path.bytes])).toEqual([['/app/x', 100], ['/app/y', 50]]);
    const fileOverDir = analyseLayers(layers(BASE, [dir('d/'), file('d/a', 40), file('d/b', 60)], [file('d', 9)]));
    expect(fileOverDir).toMatchObject({ finalSize: 1009, hiddenBytes: 100, hiddenPaths: [{ path: '/d', bytes: 100, hiddenBy: 2 }] });
    for (const result of [deleted, rewritten, opaque, fileOverDir]) expect(sumOf(result)).toBe(result.hiddenBytes);
  });

  it('an image whose layers each write their own files hides nothing', () => {
    const result = analyseLayers(layers(BASE, [dir('opt/'), dir('opt/app/'), file('opt/app/app.bin', 500)], [dir('opt/'), dir('opt/app/')]));
    expect(result).toMatchObject({ finalSize: 1500, hiddenBytes: 0, hiddenPaths: [] });
  });

  it("counts what the layers carry but never stack (storage-driver markers) in the total, not in the paths", () => {
    const result = analyseLayers(layers([dir('./'), file('./etc/passwd', 10), file('.wh..wh.plnk/123', 5)]));
    expect(result).toMatchObject({ imageSize: 15, finalSize: 10, hiddenBytes: 5, hiddenPaths: [] });
  });

  it('refuses a layer that came without its file list', () => {
    expect(() => analyseLayers([{ index: 0 }])).toThrow('layer 1 came without its list of files');
  });
});
