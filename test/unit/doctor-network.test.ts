import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { BRIDGE_REPAIR, networkFinding } from '../../src/commands/doctor/network.js';
import { OWNER_LABEL, ownerId, PROBE_LABEL } from '../../src/engine/probe-owner.js';

// A dockerode stand-in answering like the Engine API does for the calls doctor makes: images, one container's
// create/start/inspect/remove, the bridge network's inspect. Start failures carry the engine's own words.
interface FakeOptions {
  images?: Array<{ tag: string; size: number; hasShell?: boolean }>;
  startError?: string;
  bridgeName?: string;
  publish?: boolean;
}

function fakeDocker(options: FakeOptions) {
  const created: Array<Record<string, unknown>> = [];
  const removed: string[] = [];
  const images = options.images ?? [];
  const docker = {
    listImages: async () => images.map((image) => ({ RepoTags: [image.tag], Size: image.size })),
    getNetwork: () => ({ inspect: async () => ({ Name: 'bridge', Options: { 'com.docker.network.bridge.name': options.bridgeName ?? 'lo' } }) }),
    createContainer: async (spec: Record<string, unknown>) => {
      const id = `c${created.length}`;
      created.push(spec);
      const image = images.find((candidate) => candidate.tag === spec.Image)!;
      return {
        start: async () => {
          if (options.startError) throw Object.assign(new Error('(HTTP code 500) server error'), { statusCode: 500, json: { message: options.startError } });
          if (image.hasShell === false) {
            throw Object.assign(new Error('(HTTP code 400)'), { statusCode: 400, json: { message: 'failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/bin/sh": stat /bin/sh: no such file or directory: unknown' } });
          }
        },
        inspect: async () => ({ NetworkSettings: { Ports: { '8080/tcp': options.publish === false ? null : [{ HostIp: '127.0.0.1', HostPort: '49153' }] } } }),
        remove: async () => void removed.push(id),
      };
    },
  };
  return { docker: docker as unknown as Docker, created, removed };
}

describe('doctor: a container on the default network', () => {
  it('passes when a container owned by this process starts and publishes a port, and removes it', async () => {
    const fake = fakeDocker({ images: [{ tag: 'big:1', size: 900 }, { tag: 'small:1', size: 10 }] });
    const finding = await networkFinding(fake.docker, true);
    expect(finding.status).toBe('pass');
    expect(finding.detail.en).toContain('small:1');
    expect(finding.detail.en).toContain('127.0.0.1:49153');
    // The owner label: a concurrent tp7 never sweeps it (only a dead owner's containers are stale).
    expect(fake.created[0]).toMatchObject({ Image: 'small:1', Labels: { [PROBE_LABEL]: 'true', [OWNER_LABEL]: ownerId() }, HostConfig: { NetworkMode: 'bridge' } });
    expect(fake.removed).toEqual(['c0']);
  });
  it('fails on a missing bridge with the engine\'s words and the repair, and still removes the container', async () => {
    const fake = fakeDocker({ images: [{ tag: 'a:1', size: 1 }], startError: 'failed to create endpoint x on network bridge: could not find bridge docker0: route ip+net: no such network interface' });
    const finding = await networkFinding(fake.docker, false);
    expect(finding.status).toBe('fail');
    expect(finding.detail.en).toContain('could not find bridge docker0');
    expect(finding.detail.en).toContain(BRIDGE_REPAIR);
    expect(finding.detail.fr).toContain('réparation');
    expect(fake.removed).toEqual(['c0']);
  });
  it('sees a bridge interface gone from this machine before trying any container', async () => {
    const fake = fakeDocker({ images: [{ tag: 'a:1', size: 1 }], bridgeName: 'tp7-no-such-bridge' });
    const finding = await networkFinding(fake.docker, true);
    expect(finding.status).toBe('fail');
    expect(finding.detail.en).toContain('tp7-no-such-bridge is gone');
    expect(fake.created).toEqual([]);
  });
  it('tries the next image when one has no shell, and fails when no port is published', async () => {
    const fake = fakeDocker({ images: [{ tag: 'distroless:1', size: 1, hasShell: false }, { tag: 'alpine:1', size: 5 }], publish: false });
    const finding = await networkFinding(fake.docker, false);
    expect(fake.created.map((spec) => spec.Image)).toEqual(['distroless:1', 'alpine:1']);
    expect(finding.status).toBe('fail');
    expect(finding.detail.en).toContain('published on no host port');
    expect(fake.removed).toEqual(['c0', 'c1']);
  });
  it('skips, saying why, when there is no image to try with', async () => {
    expect((await networkFinding(fakeDocker({}).docker, false)).status).toBe('skip');
    expect((await networkFinding(fakeDocker({ images: [{ tag: 'a:1', size: 1, hasShell: false }] }).docker, false)).detail.en).toContain('has /bin/sh');
  });
});
