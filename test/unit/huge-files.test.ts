import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readlinkSync, truncateSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workdirFiles } from '../../src/files/workdir.js';
import { loadLab } from '../../src/lab/loader.js';
import type { Exercise } from '../../src/lab/schema.js';
import { probeKind } from '../../src/probes/index.js';
import type { ProbeClients } from '../../src/probes/types.js';
import { emptyProgress } from '../../src/progress/store.js';
import { runExercise } from '../../src/runner/run.js';
import { tempDir } from '../tmp.js';
import { clients, fakeEngine } from './fake-engine.js';
import { tarHeader } from '../fixtures/archives/build.js';

// A student's workdir holding huge files under the names the course's checks read (a sparse file costs no
// disk): every archive check ends with one clear line, long before its time limit, and leaves nothing open.

process.env.TP7_CHECK_TIMEOUT_MS = '1500';

const GB = 1e9;
const DAY = '20260115';

/** A sparse file of `size` bytes whose first bytes are `head` (zeros everywhere else). */
function sparse(root: string, path: string, size: number, head?: Buffer): void {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  const fd = openSync(full, 'w');
  if (head) writeSync(fd, head);
  closeSync(fd);
  truncateSync(full, size);
}

const engine = fakeEngine({
  'nginx:alpine': { Size: 8_000_000 },
  'localhost/mon-site:1.0': { Size: 8_000_000 },
  'localhost/mon-site:2.0': { Size: 9_000_000 },
  'myapp:1.0.0': { Size: 8_000_000 },
});

const lab = await loadLab();
/** Every check of the course that reads an archive of the workdir, with the file(s) it reads. */
const ARCHIVE_CHECKS = [
  { exercise: 'ex3', check: 'save-nginx', files: ['nginx-save.tar'] },
  { exercise: 'ex3', check: 'export-container', files: ['container-export.tar'] },
  { exercise: 'ex3', check: 'save-gzip', files: ['nginx-alpine.tar.gz'] },
  { exercise: 'ex3', check: 'save-bzip2', files: ['nginx-alpine.tar.bz2'] },
  { exercise: 'ex3', check: 'save-xz', files: ['nginx-alpine.tar.xz'] },
  { exercise: 'ex3', check: 'backup-script', files: [`docker-backups/localhost_mon-site_1.0_${DAY}-120000.tar.gz`, `docker-backups/localhost_mon-site_2.0_${DAY}-120000.tar.gz`] },
  { exercise: 'ex8', check: 'backup', files: [`backups/myapp-1.0.0-${DAY}.tar.gz`] },
];

function checkOf(exerciseId: string, checkId: string) {
  const check = lab.exercises.find(({ exercise }) => exercise.id === exerciseId)!.exercise.checks.find((each) => each.id === checkId);
  if (!check) throw new Error(`no check ${exerciseId}/${checkId}`);
  return check;
}

function workdirFor(files: string[], head?: (path: string) => Buffer | undefined): ProbeClients {
  const root = tempDir('huge-');
  writeFileSyncSafe(root, 'backup-images.sh', '#!/bin/sh\n');
  writeFileSyncSafe(root, `docker-backups/images_${DAY}-120000.txt`, 'localhost/mon-site:1.0\nlocalhost/mon-site:2.0\n');
  for (const file of files) sparse(root, file, 50 * GB, head?.(file));
  return { ...clients(engine), workdir: root, files: workdirFiles(root) };
}

function writeFileSyncSafe(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  const fd = openSync(join(root, path), 'w');
  writeSync(fd, text);
  closeSync(fd);
}

/** Descriptors this process still holds on files under `root` once closes in flight have had 500 ms. */
async function openUnder(root: string): Promise<string[]> {
  const open = () => readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      return target.startsWith(root) ? [target] : [];
    } catch {
      return [];
    }
  });
  for (let waited = 0; waited < 500 && open().length; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  return open();
}

const children = () => spawnSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)]).stdout.toString();

describe('a 50 GB sparse file under every name the course reads', () => {
  for (const { exercise, check, files } of ARCHIVE_CHECKS) {
    it(`${exercise}/${check} (${files[0]!.split('/').pop()}): one line, within a second`, async () => {
      const spec = checkOf(exercise, check).probe;
      const probeClients = workdirFor(files);
      const started = performance.now();
      const result = await probeKind(spec.kind).run(spec, probeClients);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(result.status).toBe('fail');
      expect(result.message.en).not.toContain('\n');
      expect(result.message.en).toContain(files[0]!.split('/').pop()!);
      expect(await openUnder(probeClients.workdir)).toEqual([]);
    });
  }

  it('a zstd name reads the same way (image-archive, compression zstd)', async () => {
    const probeClients = workdirFor(['nginx-alpine.tar.zst']);
    const spec = { kind: 'image-archive', path: 'nginx-alpine.tar.zst', image: 'nginx:alpine', compression: 'zstd' };
    const started = performance.now();
    const result = await probeKind('image-archive').run(spec as never, probeClients);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result.message.en).toContain('By its content, nginx-alpine.tar.zst is an uncompressed tar');
  });
});

describe('a huge file that is a real tar header followed by 50 GB', () => {
  const header = (path: string) => tarHeader(`blobs/sha256/${'a'.repeat(64)}`, 49 * GB + (path.length % 7));

  it('image-archive refuses it at its header: more than a save of the image could hold', async () => {
    const probeClients = workdirFor(['nginx-save.tar'], header);
    const spec = checkOf('ex3', 'save-nginx').probe;
    const started = performance.now();
    const result = await probeKind(spec.kind).run(spec, probeClients);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result.message.en).toMatch(/^nginx-save\.tar holds more than a save of the image could: reading stopped \(the archive declares at least 49000 MB/);
    expect(result.message.fr).toMatch(/^nginx-save\.tar contient plus qu'une sauvegarde de l'image ne le pourrait/);
  });

  it('backup-folder bounds each archive by its own image', async () => {
    const probeClients = workdirFor([`docker-backups/localhost_mon-site_1.0_${DAY}-120000.tar.gz`, `docker-backups/localhost_mon-site_2.0_${DAY}-120000.tar.gz`], header);
    const spec = checkOf('ex3', 'backup-script').probe;
    const result = await probeKind(spec.kind).run(spec, probeClients);
    // Both are plain tars named .tar.gz: the content is told before anything is read past the first block.
    expect(result.message.en).toContain('is not gzip-compressed');
  });

  it("an export has no image to bound it: the check's time limit stops the reading, and nothing stays open", { timeout: 10_000 }, async () => {
    const probeClients = workdirFor(['container-export.tar'], header);
    const exercise = { id: 'exH', title: { fr: 'H', en: 'H' }, checks: [{ ...checkOf('ex3', 'export-container'), id: 'huge-export' }], questions: [] } as unknown as Exercise;
    const started = performance.now();
    const result = await runExercise(exercise, probeClients, emptyProgress(), { lang: 'en', reveal: false });
    const elapsed = performance.now() - started;
    expect(result.checks[0]).toMatchObject({ status: 'error', message: expect.stringContaining('took longer than 1.5 s') });
    expect(elapsed).toBeLessThan(1500 + 1000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await openUnder(probeClients.workdir)).toEqual([]);
    expect(children()).not.toMatch(/^(zstd|xz|bzip2)$/m);
  });

  it('an xz file decoding to gigabytes: stopped within the limit, the decoder with it', { timeout: 10_000 }, async () => {
    // Concatenated xz streams: a tar header declaring 49 GB, then 1.5 GiB of zeros in a 2 MB file.
    const xz = (bytes: Buffer) => spawnSync('xz', ['-0', '-c'], { input: bytes, maxBuffer: 1 << 26 }).stdout;
    const zeros = xz(Buffer.alloc(64 << 20));
    const packed = Buffer.concat([xz(header('x')), ...Array.from({ length: 24 }, () => zeros)]);
    const probeClients = workdirFor(['container-export.tar'], () => packed);
    const exercise = { id: 'exH', title: { fr: 'H', en: 'H' }, checks: [{ ...checkOf('ex3', 'export-container'), id: 'huge-xz' }], questions: [] } as unknown as Exercise;
    const started = performance.now();
    const result = await runExercise(exercise, probeClients, emptyProgress(), { lang: 'en', reveal: false });
    expect(performance.now() - started).toBeLessThan(2500);
    expect(result.checks[0]!.message).not.toContain('\n');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await openUnder(probeClients.workdir)).toEqual([]);
    expect(children()).not.toMatch(/^(zstd|xz|bzip2)$/m);
  });
});
