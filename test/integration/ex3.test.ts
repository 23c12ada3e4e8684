import { createReadStream, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArchive, readImageArchive, savedImageId } from '../../src/archive/index.js';
import { connectEngine } from '../../src/engine/dockerode-client.js';
import { compress, imageFromSave, ociDigests, ociSave, sha256 } from '../fixtures/archives/build.js';
import { checksOf, cleanupExercise, docker, engineStore, newWorkdir, runSolution, tp7, tp7Json, ok } from './harness.js';

type Checks = Record<string, { status: string; message: string; expected: string; actual: string }>;

/** A shell pipeline in the workdir, as the student types it (docker save | gzip > file). */
async function sh(workdir: string, command: string): Promise<void> {
  const result = await execa('bash', ['-c', `set -euo pipefail; ${command}`], { cwd: workdir, reject: false });
  if (result.exitCode !== 0) throw new Error(`${command} failed: ${result.stderr}`);
}

async function skopeoCopy(from: string, to: string): Promise<void> {
  const result = await execa('skopeo', ['--insecure-policy', 'copy', from, to], { reject: false });
  if (result.exitCode !== 0) throw new Error(`skopeo copy ${from} ${to} failed: ${result.stderr}`);
}

async function checkEx3(workdir: string): Promise<Checks> {
  const run = await tp7(['check', 'ex3', '--json'], { workdir });
  if (!run.stdout.startsWith('{')) throw new Error(`tp7 check ex3 printed no report (${run.exitCode}): ${run.stderr}`);
  return checksOf(JSON.parse(run.stdout), 'ex3');
}

/** The engine's ID and layers of `ref`, and the layout its `docker save` writes (engine 25+: OCI; containerd: its own). */
async function engineTruth(ref: string): Promise<{ id: string; layers: string[]; layout: 'legacy' | 'oci' | 'containerd' }> {
  const inspect = JSON.parse((await ok(docker('image', 'inspect', ref))).stdout)[0];
  const major = Number((await ok(docker('version', '--format', '{{.Server.Version}}'))).stdout.split('.')[0]);
  const layout = await engineStore() === 'containerd' ? 'containerd' : major >= 25 ? 'oci' : 'legacy';
  return { id: inspect.Id, layers: inspect.RootFS.Layers, layout };
}

// Exercise 3 on the real engine: red before the work, each near miss with its own message, green after
// solutions/ex3/solve.sh; and the archive reader against what the real engine (and skopeo) write.
describe('ex3: saving and loading images', () => {
  beforeAll(() => cleanupExercise('ex3'));
  afterAll(async () => {
    await docker('rmi', 'nginx:latest'); // pulled by a near miss below, not by the exercise
    await cleanupExercise('ex3');
  });

  it('fails every check before the work', async () => {
    const { run, json } = await tp7Json(['check', 'ex3'], { workdir: newWorkdir() });
    expect(run.exitCode).toBe(1);
    const checks = checksOf(json, 'ex3');
    expect(Object.values(checks).every((check) => check.status === 'fail')).toBe(true);
    expect(checks['save-nginx']!.message).toContain('nginx-save.tar is not in your working directory');
    expect(checks['backup-script']!.message).toContain('The script backup-images.sh is not in your working directory');
    expect(json.score.earned).toBe(0);
  });

  it('near misses: another image saved, save and export swapped, wrong compression, a cut file', async () => {
    await ok(docker('pull', 'nginx:alpine'));
    await ok(docker('pull', 'nginx:latest'));
    await ok(docker('run', '-d', '--name', 'tp7-ex3-web', 'nginx:alpine'));
    const workdir = newWorkdir();
    await sh(workdir, 'docker save nginx:latest -o nginx-save.tar');
    await sh(workdir, 'docker save nginx:alpine -o container-export.tar');
    await sh(workdir, 'docker save nginx:alpine | bzip2 > nginx-alpine.tar.gz');
    await sh(workdir, 'docker export tp7-ex3-web | bzip2 > nginx-alpine.tar.bz2');
    await sh(workdir, 'docker save nginx:alpine | xz -1 > nginx-alpine.tar.xz && truncate -s 100000 nginx-alpine.tar.xz');
    const checks = await checkEx3(workdir);
    const latest = (await engineTruth('nginx:latest')).id.slice(7, 19);
    expect(checks['save-nginx']!.message).toMatch(new RegExp(`nginx-save.tar holds image ${latest} \\(nginx:latest\\), not nginx:alpine`));
    expect(checks['export-container']!.message).toContain('container-export.tar is an image save (docker save of nginx:alpine');
    expect(checks['save-gzip']!.message).toContain('By its content, nginx-alpine.tar.gz is bzip2-compressed, not gzip');
    expect(checks['save-bzip2']!.message).toContain('nginx-alpine.tar.bz2 is a container export');
    expect(checks['save-xz']!.message).toContain('nginx-alpine.tar.xz is truncated');
    for (const id of ['save-nginx', 'export-container', 'save-gzip', 'save-bzip2', 'save-xz']) expect(checks[id]!.status).toBe('fail');
  });

  it('near misses: a save by image ID (no tag), a plain tar offered as gzip', async () => {
    const workdir = newWorkdir();
    const { id } = await engineTruth('nginx:alpine');
    await sh(workdir, `docker save ${id} -o nginx-save.tar`);
    await sh(workdir, 'docker save nginx:alpine -o nginx-alpine.tar.gz');
    const checks = await checkEx3(workdir);
    expect(checks['save-nginx']!.message).toContain('holds the right image, but without the name nginx:alpine');
    expect(checks['save-gzip']!.message).toContain('nginx-alpine.tar.gz is an uncompressed tar, not gzip');
  });

  it('cheapest fakes: a tar of a bare .dockerenv as the export, a save renamed or compressed by another tool', async () => {
    const workdir = newWorkdir();
    await sh(workdir, 'mkdir -p fake/etc && touch fake/.dockerenv fake/etc/hostname && tar -C fake -cf container-export.tar .dockerenv etc');
    await sh(workdir, 'docker save nginx:alpine -o nginx-save.tar && cp nginx-save.tar nginx-alpine.tar.xz && gzip -c nginx-save.tar > nginx-alpine.tar.bz2');
    const checks = await checkEx3(workdir);
    expect(checks['export-container']).toMatchObject({ status: 'fail', message: expect.stringContaining('container-export.tar holds /.dockerenv, but not the folders Docker makes in every container (missing: /dev, /proc, /sys)') });
    expect(checks['save-xz']!.message).toContain('By its content, nginx-alpine.tar.xz is an uncompressed tar, not xz');
    expect(checks['save-bzip2']!.message).toContain('By its content, nginx-alpine.tar.bz2 is gzip-compressed, not bzip2');
    expect(checks['save-nginx']!.status).toBe('pass');
  });

  it('near misses of the backup folder: no index, an image left out, a missing or wrong archive', async () => {
    const workdir = newWorkdir();
    writeFileSync(join(workdir, 'backup-images.sh'), '#!/bin/bash\n');
    let checks = await checkEx3(workdir);
    expect(checks['backup-script']!.message).toContain('No images_<date>.txt index in docker-backups');

    const dir = join(workdir, 'docker-backups');
    mkdirSync(dir);
    await ok(docker('tag', 'nginx:alpine', 'localhost/mon-site:1.0'));
    writeFileSync(join(dir, 'images_20240101-000000.txt'), 'localhost/mon-site:1.0\n');
    checks = await checkEx3(workdir);
    expect(checks['backup-script']!.message).toContain('images_20240101-000000.txt does not list localhost/mon-site:2.0');

    await ok(docker('commit', 'tp7-ex3-web', 'localhost/mon-site:2.0'));
    writeFileSync(join(dir, 'images_20240102-000000.txt'), 'localhost/mon-site:1.0\nlocalhost/mon-site:2.0\n');
    await sh(workdir, 'docker save localhost/mon-site:2.0 | xz > docker-backups/localhost_mon-site_1.0_20240102-000000.tar.gz');
    checks = await checkEx3(workdir);
    const message = checks['backup-script']!.message;
    expect(message).toContain('The 20240102-000000 backup is incomplete');
    expect(message).toContain('docker-backups/localhost_mon-site_1.0_20240102-000000.tar.gz is not gzip-compressed (content: xz)');
    expect(message).toContain('docker-backups/localhost_mon-site_2.0_20240102-000000.tar.gz is missing');

    await sh(workdir, 'docker save localhost/mon-site:2.0 | gzip > docker-backups/localhost_mon-site_1.0_20240102-000000.tar.gz');
    await sh(workdir, 'docker save localhost/mon-site:2.0 | gzip > docker-backups/localhost_mon-site_2.0_20240102-000000.tar.gz');
    checks = await checkEx3(workdir);
    expect(checks['backup-script']!.message).toContain('localhost_mon-site_1.0_20240102-000000.tar.gz does not hold localhost/mon-site:1.0 (it holds: localhost/mon-site:2.0)');
  });

  it('a 50 GB sparse file under every name the exercise reads: one line each, tp7 gone within the check limit + 1 s', async () => {
    // The images of the backup folder's near misses above are on the engine: each archive has its image's bound.
    const workdir = newWorkdir();
    writeFileSync(join(workdir, 'backup-images.sh'), '#!/bin/bash\n');
    mkdirSync(join(workdir, 'docker-backups'));
    writeFileSync(join(workdir, 'docker-backups/images_20240102-000000.txt'), 'localhost/mon-site:1.0\nlocalhost/mon-site:2.0\n');
    const names = ['nginx-save.tar', 'container-export.tar', 'nginx-alpine.tar.gz', 'nginx-alpine.tar.bz2', 'nginx-alpine.tar.xz', 'docker-backups/localhost_mon-site_1.0_20240102-000000.tar.gz', 'docker-backups/localhost_mon-site_2.0_20240102-000000.tar.gz'];
    for (const name of names) {
      writeFileSync(join(workdir, name), '');
      truncateSync(join(workdir, name), 50e9);
    }
    const limit = 4000;
    const started = Date.now();
    const run = await tp7(['check', 'ex3', '--json'], { workdir, env: { TP7_CHECK_TIMEOUT_MS: String(limit) } });
    expect(Date.now() - started).toBeLessThan(limit + 1000);
    const checks = checksOf(JSON.parse(run.stdout), 'ex3');
    for (const id of ['save-nginx', 'export-container', 'save-gzip', 'save-bzip2', 'save-xz', 'backup-script']) {
      expect([id, checks[id]!.status]).toEqual([id, 'fail']);
      expect(checks[id]!.message).not.toContain('\n');
    }
    expect(checks['save-xz']!.message).toContain('By its content, nginx-alpine.tar.xz is an uncompressed tar, not xz');
    expect(checks['export-container']!.message).toContain('container-export.tar is a tar archive, but not a docker save');
  });

  it('near misses of the backup script, judged by a recorded run on an image made at check time', async () => {
    await ok(docker('pull', 'nginx:alpine'));
    for (const tag of ['1.0', '2.0']) await ok(docker('tag', 'nginx:alpine', `localhost/mon-site:${tag}`));
    const workdir = newWorkdir();
    const script = (body: string) => writeFileSync(join(workdir, 'backup-images.sh'), `#!/bin/bash\n${body}\n`);
    // The cheapest fake: an empty script beside a backup folder made by hand.
    await sh(workdir, [
      'mkdir -p docker-backups',
      'printf "localhost/mon-site:1.0\\nlocalhost/mon-site:2.0\\n" > docker-backups/images_20240101-000000.txt',
      'for tag in 1.0 2.0; do docker save localhost/mon-site:$tag | gzip > docker-backups/localhost_mon-site_${tag}_20240101-000000.tar.gz; done',
    ].join('; '));
    const before = readdirSync(join(workdir, 'docker-backups')).sort();
    script('');
    let checks = await checkEx3(workdir);
    expect(checks['backup-script']!.status).toBe('pass');
    expect(checks['backup-script-saves']!.status).toBe('fail');
    expect(checks['backup-script-saves']!.message).toContain('backup-images.sh: no docker command was run (is the script written yet?); expected: docker image save');

    script('echo "docker save localhost/mon-site:1.0 | gzip > docker-backups/a.tar.gz"');
    checks = await checkEx3(workdir);
    expect(checks['backup-script-saves']!.message).toContain('(the output shows docker commands: are they only printed with echo?)');

    // The course's two images named in advance: the image made at check time is left out.
    script('mkdir -p docker-backups\nfor img in localhost/mon-site:1.0 localhost/mon-site:2.0; do docker save "$img" | gzip > "docker-backups/$(echo "$img" | tr /: __).tar.gz"; done');
    checks = await checkEx3(workdir);
    expect(checks['backup-script-saves']!.message).toMatch(/localhost\/tp7-check-[0-9a-f]{6}:[0-9a-f]{4}, an image made at check time under localhost\/, was not saved \(saved: localhost\/mon-site:1.0, localhost\/mon-site:2.0\): the script must find the images to save/);

    const loop = (save: string) => script(`mkdir -p docker-backups\nfor img in $(docker images --filter "reference=localhost/*" --format "{{.Repository}}:{{.Tag}}"); do\n  f=$(echo "$img" | tr /: __)\n  ${save}\ndone`);
    loop('docker save "$img" -o "docker-backups/$f.tar"');
    checks = await checkEx3(workdir);
    expect(checks['backup-script-saves']!.message).toMatch(/the save of localhost\/\S+ reached docker-backups\/localhost_\S+\.tar uncompressed: compress it with gzip/);

    loop('docker save "$img" | gzip > "$f.tar.gz"');
    checks = await checkEx3(workdir);
    expect(checks['backup-script-saves']!.message).toMatch(/the save of localhost\/\S+ did not reach docker-backups\/ as a gzip-compressed file/);

    loop('docker save "$img" | bzip2 > "docker-backups/$f.tar.bz2"');
    checks = await checkEx3(workdir);
    expect(checks['backup-script-saves']!.message).toMatch(/did not reach docker-backups\/ as a gzip-compressed file \(docker-backups\/\S+\.tar\.bz2 is bzip2-compressed: the backup folder expects gzip\)/);

    loop('docker save "$img" | gzip > "docker-backups/$f.tar.gz"');
    checks = await checkEx3(workdir);
    expect(checks['backup-script-saves']!.status).toBe('pass');
    // Recorded, not run: the student's folder is as it was, and the image made at check time is gone.
    expect(readdirSync(join(workdir, 'docker-backups')).sort()).toEqual(before);
    expect((await ok(docker('images', '-q', '--filter', 'label=org.tp7-lab.probe'))).stdout).toBe('');
  });

  it('passes every check after the reference solution, and leaves no container behind', async () => {
    await cleanupExercise('ex3');
    const workdir = newWorkdir();
    await runSolution('ex3', workdir);
    const { run, json } = await tp7Json(['check', 'ex3'], { workdir });
    const failing = Object.values(checksOf(json, 'ex3')).filter((check) => check.status !== 'pass');
    expect(failing).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(json.score.percent).toBe(100);
    expect((await docker('container', 'inspect', 'tp7-ex3-web')).exitCode).not.toBe(0);
    const text = await tp7(['check', 'ex3'], { workdir });
    expect(text.stdout).toMatch(/Score: (\d+)\/\1 \(100 %\)/);
  });
});

describe('the archive reader on what the real engine writes', () => {
  let save: Buffer;
  let truth: Awaited<ReturnType<typeof engineTruth>>;
  beforeAll(async () => {
    await ok(docker('pull', 'nginx:alpine'));
    truth = await engineTruth('nginx:alpine');
    const dir = newWorkdir();
    await ok(docker('save', 'nginx:alpine', '-o', join(dir, 'save.tar')));
    save = readFileSync(join(dir, 'save.tar'));
  });
  afterAll(() => cleanupExercise('ex3'));

  it("reads the layout the engine writes (20.10: legacy, 25+: OCI, containerd store: compressed blobs): image ID and diff_ids match the engine", async () => {
    const archive = await readImageArchive(Readable.from([save]));
    expect(archive).toMatchObject({ layout: truth.layout, repoTags: ['nginx:alpine'] });
    expect(savedImageId(archive)).toBe(truth.id);
    expect(archive.layers.map((layer) => layer.diffId)).toEqual(truth.layers);
  });

  it('reads the engine stream of saveImage, listing layer files (what image analysis uses)', async () => {
    const engine = await connectEngine();
    const stream = await engine.saveImage('nginx:alpine');
    const archive = await readImageArchive(stream!, { listEntries: true });
    // One platform, the one the engine runs: on the containerd store its manifest, one of the image's.
    const image = await engine.inspectImage('nginx:alpine');
    expect([image!.Id, ...(image!.Manifests ?? []).map((manifest) => manifest.ID)]).toContain(savedImageId(archive));
    expect(archive.layers.map((layer) => layer.diffId)).toEqual(truth.layers);
    const paths = archive.layers.flatMap((layer) => layer.entries!.map((entry) => entry.path));
    expect(paths).toContain('usr/share/nginx/html/index.html');
    expect(await engine.saveImage('tp7-no-such-image:never')).toBeNull();
  });

  it('reads the OCI (engine 25+) and containerd layouts built from the real save', async () => {
    const image = await imageFromSave(save);
    const layouts = [[{}, 'oci'], [{ compressLayers: 'gzip' as const }, 'containerd'], [{ compressLayers: 'zstd' as const, platformIndex: true }, 'containerd']] as const;
    for (const [options, layout] of layouts) {
      const archive = await readImageArchive(Readable.from([await ociSave(image, options)]));
      expect(archive.layout).toBe(layout);
      expect(archive.configDigest).toBe(sha256(image.config));
      expect(archive.layers.map((layer) => layer.diffId)).toEqual(truth.layers);
      const digests = ociDigests(image, options);
      expect([archive.manifestDigest, archive.indexDigest]).toEqual([digests.manifest, digests.index]);
    }
  });

  it('the save check judges the real image re-packed in the OCI and containerd layouts by the identity this engine gives it', async () => {
    const image = await imageFromSave(save);
    // The classic store names the image by its config digest, which a re-packed save keeps: it passes. The
    // containerd store names it by the digest of the index it pulled, which only its own save carries: a
    // re-packed save is the same layers under another identifier (docker load would make another image of it).
    const containerd = await engineStore() === 'containerd';
    for (const options of [{}, { compressLayers: 'gzip' as const, platformIndex: true }]) {
      const workdir = newWorkdir();
      writeFileSync(join(workdir, 'nginx-save.tar'), await ociSave(image, options));
      const check = (await checkEx3(workdir))['save-nginx']!;
      if (containerd) expect([check.status, check.message]).toEqual(['fail', expect.stringContaining('nginx-save.tar holds an image with the same layers as nginx:alpine, but another ID')]);
      else expect([check.status, check.message]).toEqual(['pass', expect.stringContaining('nginx-save.tar is a complete save of nginx:alpine')]);
    }
    // Its own save is the image on every engine.
    const workdir = newWorkdir();
    writeFileSync(join(workdir, 'nginx-save.tar'), save);
    expect((await checkEx3(workdir))['save-nginx']!.status).toBe('pass');
  });

  it('reads what skopeo writes: docker-archive is a save, oci-archive has no manifest.json', async () => {
    const dir = newWorkdir();
    writeFileSync(join(dir, 'save.tar'), save);
    await skopeoCopy(`docker-archive:${dir}/save.tar`, `docker-archive:${dir}/copy.tar:nginx:alpine`);
    const copy = await readImageArchive(createReadStream(join(dir, 'copy.tar')));
    expect(copy.configDigest).toBe(sha256((await imageFromSave(save)).config));
    if (await engineStore() === 'classic') expect(copy.configDigest).toBe(truth.id);
    expect(copy.layers.map((layer) => layer.diffId)).toEqual(truth.layers);
    await skopeoCopy(`docker-archive:${dir}/save.tar`, `oci-archive:${dir}/oci.tar:alpine`);
    await expect(readArchive(createReadStream(join(dir, 'oci.tar')))).rejects.toMatchObject({ verdict: 'not-a-save' });
  });

  it('reads the save compressed by every tool the course uses', async () => {
    for (const format of ['gzip', 'bzip2', 'xz', 'zstd'] as const) {
      const archive = await readImageArchive(Readable.from([compress(save, format)]));
      expect([format, savedImageId(archive)]).toEqual([format, truth.id]);
    }
  });
});
