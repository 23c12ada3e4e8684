import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectEngine } from '../../src/engine/dockerode-client.js';
import { sweepProbeContainers } from '../../src/engine/image-file.js';
import { OWNER_LABEL, ownerId, PROBE_LABEL } from '../../src/engine/probe-owner.js';
import { docker, ok } from './harness.js';

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
