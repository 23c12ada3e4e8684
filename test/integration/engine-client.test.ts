import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectEngine } from '../../src/engine/dockerode-client.js';
import { sweepProbeContainers } from '../../src/engine/image-file.js';
import { OWNER_LABEL, ownerId, PROBE_LABEL } from '../../src/engine/probe-owner.js';
import { buildImage, docker, engineStore, ok, ROOT } from './harness.js';

// The Engine API client against the real engine: what probes rely on.
const IMAGE = 'tp7-test/engine-client:1';

describe('engine client', () => {
  beforeAll(async () => {
    expect((await docker('pull', 'alpine:latest')).exitCode).toBe(0);
    expect((await docker('tag', 'alpine:latest', IMAGE)).exitCode).toBe(0);
  });
  afterAll(async () => {
    await docker('rmi', IMAGE, 'alpine:latest');
  });

  it('negotiates the API version with the engine', async () => {
    const engine = await connectEngine();
    const version = await engine.version();
    expect(version.apiVersion).toMatch(/^1\.\d+$/);
    expect(engine.host).toBe(process.env.DOCKER_HOST);
  });

  it('inspects images, answers null for a missing one, and lists by reference', async () => {
    const engine = await connectEngine();
    expect((await engine.inspectImage(IMAGE))?.Id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await engine.inspectImage('tp7-test/absent:1')).toBeNull();
    expect(await engine.imageHistory('tp7-test/absent:1')).toBeNull();
    const listed = await engine.listImages({ reference: ['tp7-test/engine-client'] });
    expect(listed.flatMap((image) => image.RepoTags ?? [])).toEqual([IMAGE]);
  });

  it('reads a file out of an image without leaving a container behind', async () => {
    const engine = await connectEngine();
    const file = await engine.readImageFile(IMAGE, '/etc/os-release');
    expect(file.found).toBe(true);
    if (file.found) expect(file.content.toString()).toMatch(/stand-in|busybox|NAME=/i);
    expect(await engine.readImageFile(IMAGE, '/no/such/file')).toEqual({ found: false, reason: 'no-file' });
    expect(await engine.readImageFile(IMAGE, '/etc')).toEqual({ found: false, reason: 'not-a-file' });
    expect(await engine.readImageFile('tp7-test/absent:1', '/etc/os-release')).toEqual({ found: false, reason: 'no-image' });
    const leftovers = await docker('ps', '-a', '--filter', `label=${PROBE_LABEL}`, '--format', '{{.ID}}');
    expect(leftovers.stdout).toBe('');
  });

  it('reads a big file with its mode, and leaves no response paused behind (the process exits at once)', async () => {
    // A response left paused after its first entry held its socket, and the process, until the request timed out
    // (seen with a 500 kB file of random bytes: `tp7 check ex5` took 15 s more than its checks).
    const tag = 'tp7-test/engine-client-big:1';
    await buildImage(tag, 'FROM scratch\nCOPY app.bin /opt/app/app.bin\n', { 'app.bin': randomBytes(500_000) });
    const script = `import('${ROOT}/dist/engine/dockerode-client.js').then(async ({ connectEngine }) => {
      const file = await (await connectEngine()).readImageFile('${tag}', '/opt/app/app.bin', 32 << 20);
      console.log(JSON.stringify({ found: file.found, size: file.size, mode: file.mode, kept: file.content?.length }));
    })`;
    const run = await execa('node', ['-e', script], { env: { TP7_ENGINE_TIMEOUT_MS: '120000' }, timeout: 20_000, reject: false });
    await docker('rmi', tag);
    expect(run.timedOut).toBe(false);
    expect(JSON.parse(run.stdout)).toEqual({ found: true, size: 500_000, mode: 0o644, kept: 500_000 });
  });

  it('builds a labelled probe image from scratch, and removes only probe images', async () => {
    const engine = await connectEngine();
    const tag = 'tp7-test/probe-image:1';
    await engine.createProbeImage(tag, [1000, 2500]);
    const image = await engine.inspectImage(tag);
    expect(image).toMatchObject({ Config: { Labels: { [PROBE_LABEL]: 'true' } } });
    // Random bytes: the containerd store's Size counts them gzip-compressed (a little bigger), with the manifest and config.
    if (await engineStore() === 'containerd') expect(image!.Size).toBeGreaterThan(3500);
    else expect(image!.Size).toBe(3500);
    expect(image!.RootFS?.Layers).toHaveLength(2);
    await engine.removeProbeImage(IMAGE); // not a probe image: left alone
    expect((await docker('image', 'inspect', IMAGE)).exitCode).toBe(0);
    await engine.removeProbeImage(tag);
    expect((await docker('image', 'inspect', tag)).exitCode).not.toBe(0);
  });

  it('clears leftover probe containers of a dead owner, and only those', async () => {
    const [host, boot] = ownerId().split('/');
    await ok(docker('create', '--name', 'tp7-test-leftover', '--label', `${PROBE_LABEL}=true`, '--label', `${OWNER_LABEL}=${host}/${boot}/999999999/1`, IMAGE, 'true'));
    await ok(docker('create', '--name', 'tp7-test-students', IMAGE, 'true'));
    // What a new tp7 does once before its first read.
    const { default: Docker } = await import('dockerode');
    await sweepProbeContainers(new Docker());
    expect((await docker('inspect', 'tp7-test-leftover')).exitCode).not.toBe(0);
    expect((await docker('inspect', 'tp7-test-students')).exitCode).toBe(0);
    await docker('rm', '-f', 'tp7-test-students');
  });

  it('streams an image as docker save writes it', async () => {
    const engine = await connectEngine();
    const stream = await engine.saveImage(IMAGE);
    expect(stream).not.toBeNull();
    let bytes = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) bytes += chunk.length;
    expect(bytes).toBeGreaterThan(100_000);
    expect(await engine.saveImage('tp7-test/absent:1')).toBeNull();
  });
});
