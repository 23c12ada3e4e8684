import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeImage, listPlatforms } from '../../src/registry/manifests.js';
import { MANIFEST_ACCEPT } from '../../src/registry/media-types.js';
import { parsePlatform, samePlatform } from '../../src/registry/platform.js';
import { createRegistryClient } from '../../src/registry/http-client.js';
import { tempDir } from '../tmp.js';
import { execa } from 'execa';
import { MEDIA_TYPES } from '../../src/registry/media-types.js';
import type { RegistryClient } from '../../src/registry/types.js';
import { checksOf, cleanupExercise, docker, dockerConfig, engineStore, newWorkdir, ok, runSolution, tp7, tp7Json } from './harness.js';

// Exercise 7 on the real engine, the real registry:2 on port 5000 and the test mirror, whose alpine and
// nginx:alpine are lists of linux/amd64, linux/arm64/v8 and linux/arm/v7 stand-ins with real foreign busybox
// binaries, run under qemu: red before the work, each near miss with its own message, green after the
// reference solution, and nothing removed that the lab did not create.

const REGISTRY = 'localhost:5000';
const MIRROR = '127.0.0.1:5001';
const SENTINEL = 'tp7-ex7-sentinel:keep';
const PROBE_FILTER = 'label=org.tp7-lab.probe';

type Checks = Record<string, { status: string; message: string; expected: string; actual: string }>;

async function checkEx7(workdir = newWorkdir()): Promise<Checks> {
  const { json } = await tp7Json(['check', 'ex7'], { workdir });
  return checksOf(json, 'ex7');
}

async function startRegistry(): Promise<void> {
  await docker('rm', '-fv', 'registry');
  await ok(docker('run', '-d', '-p', '5000:5000', '--name', 'registry', 'registry:2'));
  for (let i = 0; i < 50; i++) {
    try {
      if ((await fetch(`http://${REGISTRY}/v2/`, { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('registry did not start');
}

/** docker build of a Dockerfile (and files) in a fresh folder, for one platform. */
async function build(tag: string, platform: string, dockerfile: string, options: { pull?: boolean; files?: Record<string, string | Buffer> } = {}): Promise<void> {
  const dir = newWorkdir();
  for (const [file, content] of Object.entries(options.files ?? {})) writeFileSync(join(dir, file), content);
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  await ok(docker('build', '-q', ...(options.pull ? ['--pull'] : []), '--platform', platform, '-t', tag, dir));
}

type Entry = { mediaType: string; digest: string; size: number; platform: { os: string; architecture: string; variant?: string } };

/** The image manifest a tag of the lab registry names for `platform`: itself, or the index's entry for it (BuildKit's images are indexes). */
async function imageEntry(tag: string, platform?: string): Promise<Entry> {
  const accept = { Accept: MANIFEST_ACCEPT.join(', ') };
  const body = async (reference: string) => {
    const response = await fetch(`http://${REGISTRY}/v2/myapp/manifests/${reference}`, { headers: accept });
    const text = await response.text();
    return { text, json: JSON.parse(text), digest: response.headers.get('docker-content-digest')!, type: response.headers.get('content-type')! };
  };
  let manifest = await body(tag);
  if (manifest.json.manifests) {
    const wanted = platform ? parsePlatform(platform) : undefined;
    const images = (manifest.json.manifests as Entry[]).filter((item) => item.platform.architecture !== 'unknown');
    const entry = images.find((item) => !wanted || samePlatform(item.platform, wanted)) ?? images[0]!;
    manifest = await body(entry.digest);
  }
  const config = await (await fetch(`http://${REGISTRY}/v2/myapp/blobs/${manifest.json.config.digest}`)).json() as { os: string; architecture: string; variant?: string };
  const own = { os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) };
  return { mediaType: manifest.json.mediaType ?? manifest.type, digest: manifest.digest, size: Buffer.byteLength(manifest.text), platform: own };
}

/**
 * Pushes the per-platform images, then writes the list `myapp:multiarch` of them through the registry API, as
 * `docker manifest create` (or `docker buildx imagetools create`, which the containerd store's indexes need) would:
 * each entry is the tag's image, with the platform its config says unless `platform` overrides part of it (what
 * `docker manifest annotate` does).
 */
async function pushList(children: Array<{ tag: string; platform?: Partial<Entry['platform']>; pushArgs?: string[] }>): Promise<void> {
  for (const child of children) await ok(docker('push', '-q', ...(child.pushArgs ?? []), `${REGISTRY}/myapp:${child.tag}`));
  const manifests = await Promise.all(children.map(async (child) => {
    const entry = await imageEntry(child.tag, PLATFORM_OF_TAG[child.tag]);
    return { ...entry, platform: { ...entry.platform, ...child.platform } };
  }));
  const index = JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests });
  const put = await fetch(`http://${REGISTRY}/v2/myapp/manifests/multiarch`, { method: 'PUT', body: index, headers: { 'Content-Type': MEDIA_TYPES.ociIndex } });
  expect(put.status, await put.text()).toBe(201);
}

const PLATFORM_OF_TAG: Record<string, string> = { amd64: 'linux/amd64', arm64: 'linux/arm64', armv7: 'linux/arm/v7' };

const APP = 'FROM alpine:latest\nRUN uname -m > /built-on.txt\nCMD ["sh", "-c", "echo Hello from $(uname -m)"]\n';

/** The binfmt_misc entry of one qemu interpreter, when this machine has it (it is machine-wide). */
const BINFMT_ARM = '/proc/sys/fs/binfmt_misc/qemu-arm';

describe('exercise 7 on the real engine', () => {
  beforeAll(async () => {
    // `docker manifest` keeps lists under $DOCKER_CONFIG/manifests: a throwaway folder, not the user's.
    process.env.DOCKER_CONFIG = dockerConfig();
    await cleanupExercise('ex7');
    await ok(docker('pull', 'busybox'));
    await ok(docker('tag', 'busybox', SENTINEL));
  }, 60_000);

  afterAll(async () => {
    await docker('rmi', `${REGISTRY}/myapp:multiarch`);
    await cleanupExercise('ex7');
    await docker('rmi', SENTINEL, 'busybox');
  }, 60_000);

  it('reads the mirror\'s lists with the registry layer: three platforms, each child what it says', async () => {
    const described = await describeImage(createRegistryClient(MIRROR), 'library/nginx', 'alpine');
    expect(described?.kind).toBe('list');
    if (described?.kind !== 'list') return;
    expect(listPlatforms(described.manifest)).toEqual(['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7']);
    expect(described.children.map((child) => [child.config?.architecture, child.config?.variant ?? ''])).toEqual([['amd64', ''], ['arm64', ''], ['arm', 'v7']]);
    expect(described.children.every((child) => child.config?.labels['org.tp7-lab.standin'] === 'true')).toBe(true);
  });

  it('fails every check before the work, each with a helpful message', async () => {
    await docker('rm', '-fv', 'registry');
    const checks = await checkEx7();
    for (const [id, check] of Object.entries(checks)) expect(check.status, `${id}: ${check.message}`).toBe('fail');
    expect(checks['arm64-pulled']!.message).toContain('The linux/arm64 image of nginx:alpine is not on your engine (no nginx:alpine here)');
    expect(checks['myapp-list']!.message).toContain('No registry answers on localhost:5000');
    expect(checks['myapp-runs']!.message).toContain('No registry answers on localhost:5000');
    expect(checks.platforms!.message).toContain('Not answered yet');
  }, 60_000);

  it('7.1 near misses: the engine\'s own platform, or arm/v7 instead of arm64', async () => {
    await ok(docker('pull', 'nginx:alpine'));
    // The classic store moves the tag to the platform pulled; the containerd store adds that platform to the image.
    const containerd = await engineStore() === 'containerd';
    // The containerd store keeps a platform's content after the image is removed (an earlier file pulled arm64):
    // a new pull of the tag finds it again. Start from the engine's own platform only.
    if (containerd) await docker('rmi', '--force', '--platform', 'linux/arm64', '--platform', 'linux/arm/v7', 'nginx:alpine');
    let checks = await checkEx7();
    expect(checks['arm64-pulled']!.message).toContain(containerd ? '(nginx:alpine holds linux/amd64 here)' : '(nginx:alpine is linux/amd64 here)');
    await ok(docker('pull', '--platform', 'linux/arm/v7', 'nginx:alpine'));
    checks = await checkEx7();
    expect(checks['arm64-pulled']!.message).toContain(containerd ? '(nginx:alpine holds linux/amd64, linux/arm/v7 here)' : '(nginx:alpine is linux/arm/v7 here)');
    await ok(docker('pull', '--platform', 'linux/arm64', 'nginx:alpine'));
    await ok(docker('pull', 'nginx:alpine'));
    checks = await checkEx7();
    // Pulled for arm64 then put back: the arm64 image stays on the engine, untagged.
    expect(checks['arm64-pulled']!.status).toBe('pass');
  }, 120_000);

  it('7.1 questions accept the usual spellings and are read from the mirror and the engine', async () => {
    const workdir = newWorkdir();
    const list = JSON.parse((await ok(docker('manifest', 'inspect', '--insecure', `${MIRROR}/library/nginx:alpine`))).stdout) as { manifests: Array<{ digest: string; platform: { architecture: string } }> };
    const arm64 = list.manifests.find((entry) => entry.platform.architecture === 'arm64')!.digest;
    const amd64 = list.manifests.find((entry) => entry.platform.architecture === 'amd64')!.digest;
    expect((await tp7(['answer', 'ex7', 'platforms', 'linux/arm/v7, linux/amd64 et linux/arm64/v8'], { workdir })).exitCode).toBe(0);
    expect((await tp7(['answer', 'ex7', 'arm64-digest', amd64], { workdir })).exitCode).not.toBe(0);
    expect((await tp7(['answer', 'ex7', 'arm64-digest', arm64.replace('sha256:', '')], { workdir })).exitCode).toBe(0);
    expect((await tp7(['answer', 'ex7', 'local-architecture', 'aarch64'], { workdir })).exitCode).toBe(0);
    const wrong = await tp7(['answer', 'ex7', 'platforms', 'linux/amd64, linux/arm64'], { workdir });
    expect(wrong.exitCode).not.toBe(0);
    const unreadable = await tp7(['answer', 'ex7', 'local-architecture', 'the big one'], { workdir });
    expect(unreadable.stdout + unreadable.stderr).toContain('such as amd64, arm64 or arm/v7');
  }, 60_000);

  it('7.2 near miss: a single-platform image pushed under the tag', async () => {
    await startRegistry();
    await ok(docker('pull', 'alpine:latest'));
    await ok(docker('tag', 'alpine:latest', `${REGISTRY}/myapp:multiarch`));
    await ok(docker('push', '-q', `${REGISTRY}/myapp:multiarch`));
    const checks = await checkEx7();
    expect(checks['myapp-list']!.message).toContain('localhost:5000/myapp:multiarch is a single-platform image (linux/amd64), not a list');
    expect(checks['myapp-configs']!.status).toBe('fail');
    expect(checks['myapp-runs']!.status).toBe('fail');
  }, 120_000);

  it('7.2 near miss: children all amd64 (built without --pull over the local alpine)', async () => {
    await ok(docker('pull', 'alpine:latest'));
    await build(`${REGISTRY}/myapp:amd64`, 'linux/amd64', APP);
    // What the legacy builder makes of `--platform linux/arm64` without --pull over a local amd64 alpine (BuildKit
    // resolves the base per platform): an amd64 image under the arm64 tag.
    await build(`${REGISTRY}/myapp:arm64`, 'linux/amd64', APP);
    await pushList([{ tag: 'amd64' }, { tag: 'arm64' }]);
    const checks = await checkEx7();
    expect(checks['myapp-list']!.message).toContain('is a list of linux/amd64, linux/amd64: linux/arm64 is missing');
    expect(checks['myapp-armv7']!.status).toBe('fail');
  }, 180_000);

  it('7.2 near miss: an annotation that lies about the architecture', async () => {
    await ok(docker('pull', 'alpine:latest'));
    await build(`${REGISTRY}/myapp:amd64`, 'linux/amd64', APP);
    await build(`${REGISTRY}/myapp:arm64`, 'linux/amd64', APP); // the legacy builder's trap, as above
    await pushList([{ tag: 'amd64' }, { tag: 'arm64', platform: { architecture: 'arm64', variant: 'v8' } }]);
    const checks = await checkEx7();
    expect(checks['myapp-list']!.status).toBe('pass');
    expect(checks['myapp-configs']!.message).toMatch(/the list says linux\/arm64\/v8 for sha256:[0-9a-f]{12}, but that image's config says linux\/amd64/);
    // The engine's "was found but does not match the specified platform", in the student's words.
    expect(checks['myapp-runs']!.message).toMatch(/linux\/arm64\/v8 → sha256:[0-9a-f]{12}: the engine finds it, but it is not a linux\/arm64\/v8 image/);
  }, 180_000);

  it("7.2 near miss: a config that says arm64 around amd64 programs", async () => {
    // FROM scratch + ADD stamps --platform in the config whatever the files are: here amd64 busybox.
    await ok(docker('pull', '--platform', 'linux/amd64', 'alpine:latest'));
    const container = (await ok(docker('create', 'alpine:latest'))).stdout.trim();
    const tar = join(newWorkdir(), 'rootfs.tar');
    await ok(docker('export', '-o', tar, container));
    await ok(docker('rm', container));
    await build(`${REGISTRY}/myapp:arm64`, 'linux/arm64', 'FROM scratch\nADD rootfs.tar /\nCMD ["/bin/sh"]\n', { files: { 'rootfs.tar': readFileSync(tar) } });
    await build(`${REGISTRY}/myapp:amd64`, 'linux/amd64', APP, { pull: true });
    await pushList([{ tag: 'amd64' }, { tag: 'arm64', platform: { variant: 'v8' } }]);
    const checks = await checkEx7();
    expect(checks['myapp-configs']!.status).toBe('pass');
    expect(checks['myapp-runs']!.message).toMatch(/linux\/arm64\/v8 → sha256:[0-9a-f]{12}: uname -m prints x86_64 in it: its programs are for another machine/);
  }, 180_000);

  it("7.2 near miss: the course's exec-form CMD prints $(uname -m) as it is", async () => {
    const exec = 'FROM alpine:latest\nCMD ["echo", "Hello from $(uname -m)"]\n';
    await build(`${REGISTRY}/myapp:amd64`, 'linux/amd64', exec, { pull: true });
    await build(`${REGISTRY}/myapp:arm64`, 'linux/arm64', exec, { pull: true });
    await pushList([{ tag: 'amd64' }, { tag: 'arm64', platform: { variant: 'v8' } }]);
    const before = await imageLines();
    const checks = await checkEx7();
    expect(checks['myapp-configs']!.status).toBe('pass');
    expect(checks['myapp-runs']!.status).toBe('fail');
    expect(checks['myapp-runs']!.message).toMatch(/linux\/amd64 → sha256:[0-9a-f]{12}: its own command prints "Hello from \$\(uname -m\)" as it is: in exec form/);
    // The children are the student's own images: run as they are, nothing pulled in, nothing left (on the
    // containerd store a pull by digest would leave an image named after the digest).
    expect(await imageLines()).toEqual(before);
  }, 180_000);

  it('7.2 near miss: upstream alpine images retagged (their own command prints nothing); then a stale list', async () => {
    for (const [platform, tag] of [['linux/amd64', 'amd64'], ['linux/arm64', 'arm64'], ['linux/arm/v7', 'armv7']] as const) {
      await ok(docker('pull', '-q', '--platform', platform, 'alpine:latest'));
      await ok(docker('tag', 'alpine:latest', `${REGISTRY}/myapp:${tag}`));
    }
    // On the containerd store the three tags name one image holding the three platforms: a push sends one of
    // them, the engine's own unless --platform says which (Docker 28's push), so each tag gets its own.
    const one = async (platform: string) => (await engineStore() === 'containerd' ? ['--platform', platform] : []);
    await pushList([{ tag: 'amd64', pushArgs: await one('linux/amd64') }, { tag: 'arm64', platform: { variant: 'v8' }, pushArgs: await one('linux/arm64') }, { tag: 'armv7', pushArgs: await one('linux/arm/v7') }]);
    let checks = await checkEx7();
    expect(checks['myapp-configs']!.status, checks['myapp-configs']!.message).toBe('pass');
    expect(checks['myapp-runs']!.status).toBe('fail');
    expect(checks['myapp-runs']!.message).toContain('its own command (docker run with no arguments) prints nothing, not the machine uname -m gives');
    // The arm64 image rebuilt and pushed, the list not made again: it still names the retagged alpine.
    await build(`${REGISTRY}/myapp:arm64`, 'linux/arm64', APP, { pull: true });
    await ok(docker('push', '-q', `${REGISTRY}/myapp:arm64`));
    checks = await checkEx7();
    expect(checks['myapp-runs']!.message).toContain('The list still points at older images than your tags linux/arm64/v8 (myapp:arm64)');
    expect(checks['myapp-runs']!.message).toContain('docker manifest rm localhost:5000/myapp:multiarch');
    await ok(docker('pull', '-q', 'alpine:latest'));
  }, 240_000);

  it('passes every check after the reference solution, without removing what the lab did not create', async () => {
    await docker('rmi', '-f', `${REGISTRY}/myapp:amd64`, `${REGISTRY}/myapp:arm64`, `${REGISTRY}/myapp:armv7`);
    const workdir = newWorkdir();
    await runSolution('ex7', workdir);
    // The run check pulls children the engine does not hold: drop the arm/v7 image (the solution's last
    // `docker run` tagged it multiarch too) so that the check must pull it, and take it away again. The buildx
    // route (containerd store) leaves no per-platform image, only what that docker run pulled.
    await docker('rmi', `${REGISTRY}/myapp:armv7`);
    await ok(docker('rmi', `${REGISTRY}/myapp:multiarch`));
    const before = await imageLines();
    const checks = await checkEx7(workdir);
    for (const [id, check] of Object.entries(checks)) expect(check.status, `${id}: ${check.message}`).toBe('pass');
    // buildx writes arm64 with no variant, docker manifest annotate --variant v8 as Docker Hub's lists do.
    expect(checks['myapp-runs']!.message).toMatch(/Each image runs as its platform \(linux\/amd64, linux\/arm64(\/v8)?, linux\/arm\/v7\)/);
    // What the check pulled is gone again, what was there stays, and no probe container is left.
    const after = await imageLines();
    expect(after).toEqual(before);
    expect(after).toContain(before.find((line) => line.endsWith(SENTINEL)));
    expect((await ok(docker('ps', '-a', '-q', '--filter', PROBE_FILTER))).stdout).toBe('');
  }, 400_000);

  it('the registry layer reads a real OCI index (skopeo converts the list), each digest asked once', async () => {
    // What buildx and buildah push: an OCI index of OCI manifests. The registry is the exercise's registry:2.
    const copy = await execa('skopeo', ['copy', '--all', '--format', 'oci', '--src-tls-verify=false', '--dest-tls-verify=false',
      `docker://${MIRROR}/library/alpine:latest`, `docker://${REGISTRY}/tp7-oci/alpine:latest`], { reject: false });
    expect(copy.exitCode, copy.stderr).toBe(0);
    const real = createRegistryClient(REGISTRY);
    const requests: string[] = [];
    const counted: RegistryClient = { address: real.address, request: (method, path, accept) => (requests.push(`${method} ${path}`), real.request(method, path, accept)) };
    const first = await describeImage(counted, 'tp7-oci/alpine', 'latest');
    await describeImage(counted, 'tp7-oci/alpine', 'latest');
    expect(first?.kind).toBe('list');
    if (first?.kind !== 'list') return;
    expect(first.manifest.mediaType).toBe(MEDIA_TYPES.ociIndex);
    expect(first.children.map((child) => child.manifest?.mediaType)).toEqual([MEDIA_TYPES.ociManifest, MEDIA_TYPES.ociManifest, MEDIA_TYPES.ociManifest]);
    expect(first.children.map((child) => `${child.config?.architecture}${child.config?.variant ? `/${child.config.variant}` : ''}`)).toEqual(['amd64', 'arm64', 'arm/v7']);
    // Two asks of the tag; each child manifest and config blob once.
    expect(requests.filter((request) => request.endsWith('/manifests/latest'))).toHaveLength(2);
    expect(requests).toHaveLength(2 + 3 + 3);
  }, 120_000);

  it('any route counts: the solution\'s list rewritten as an OCI index (as buildx or buildah push it) passes too', async () => {
    const list = `docker://${REGISTRY}/myapp:multiarch`;
    const copy = await execa('skopeo', ['copy', '--all', '--format', 'oci', '--src-tls-verify=false', '--dest-tls-verify=false', list, list], { reject: false });
    expect(copy.exitCode, copy.stderr).toBe(0);
    const described = await describeImage(createRegistryClient(REGISTRY), 'myapp', 'multiarch');
    expect(described?.kind === 'list' && described.manifest.mediaType).toBe(MEDIA_TYPES.ociIndex);
    const checks = await checkEx7();
    for (const id of ['myapp-list', 'myapp-armv7', 'myapp-configs', 'myapp-runs']) expect(checks[id]!.status, `${id}: ${checks[id]!.message}`).toBe('pass');
  }, 120_000);

  it('skips the run check, with the fix, for a platform the engine cannot emulate; the others still judge', async () => {
    if (!existsSync(BINFMT_ARM) || !readFileSync(BINFMT_ARM, 'utf8').startsWith('enabled')) return;
    writeFileSync(BINFMT_ARM, '0');
    try {
      const checks = await checkEx7();
      expect(checks['myapp-runs']!.status).toBe('skip');
      expect(checks['myapp-runs']!.message).toContain('this engine cannot run linux/arm/v7 (no emulation)');
      expect(checks['myapp-runs']!.message).toContain('tonistiigi/binfmt');
      expect(checks['myapp-list']!.status).toBe('pass');
      expect(checks['myapp-configs']!.status).toBe('pass');
    } finally {
      writeFileSync(BINFMT_ARM, '1');
    }
  }, 120_000);
});

/** Every image of the engine, intermediate ones included, with its names. */
async function imageLines(): Promise<string[]> {
  return (await ok(docker('images', '-a', '--no-trunc', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}'))).stdout.split('\n').sort();
}
