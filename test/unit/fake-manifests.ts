import { createHash } from 'node:crypto';
import { MEDIA_TYPES } from '../../src/registry/media-types.js';
import type { RegistryClient, RegistryResponse } from '../../src/registry/types.js';

// A content-addressed in-memory registry for unit tests of multi-platform images. It stores exact bytes, names
// them by their sha256 as a registry does, and negotiates like registry 2.8: a manifest whose type is not in
// Accept is not served as such (a Docker list falls back to its linux/amd64 child, an OCI index or manifest is
// not found), HEAD answers headers only, and a manifest asked by digest is served only in its repository.

export interface FakeImageSpec {
  /** What the image's config says. */
  os?: string;
  architecture: string;
  variant?: string;
  labels?: Record<string, string>;
  created?: string;
  /** OCI media types instead of Docker's. */
  oci?: boolean;
}

export interface PushedImage {
  digest: string;
  config: string;
  size: number;
  mediaType: string;
}

export interface ListEntry {
  image: PushedImage;
  /** The platform the list says; defaults to none (as a broken list would). */
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}

interface Stored {
  text: string;
  mediaType: string;
}

const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

export function manifestRegistry(address = 'localhost:5000') {
  const blobs = new Map<string, string>();
  /** repository → reference (tag or digest) → stored manifest. */
  const repositories = new Map<string, Map<string, Stored>>();
  const requests: string[] = [];

  const repo = (name: string) => {
    if (!repositories.has(name)) repositories.set(name, new Map());
    return repositories.get(name)!;
  };
  const store = (repository: string, tag: string | undefined, body: unknown, mediaType: string): PushedImage & { text: string } => {
    // Indented as `docker manifest push` and buildx write it: the digest is of these exact bytes.
    const text = JSON.stringify(body, null, 3);
    const digest = sha256(text);
    const stored = { text, mediaType };
    repo(repository).set(digest, stored);
    if (tag) repo(repository).set(tag, stored);
    return { digest, config: '', size: Buffer.byteLength(text), mediaType, text };
  };

  /** Pushes one image (config blob, one layer, manifest) under `tag` (or by digest only). */
  function pushImage(repository: string, spec: FakeImageSpec, tag?: string): PushedImage {
    const config = JSON.stringify({
      architecture: spec.architecture,
      os: spec.os ?? 'linux',
      ...(spec.variant ? { variant: spec.variant } : {}),
      created: spec.created ?? '2026-11-20T10:00:00Z',
      config: { Cmd: ['/bin/sh'], Labels: spec.labels ?? null },
      rootfs: { type: 'layers', diff_ids: [sha256(`layer ${spec.architecture}`)] },
    });
    const configDigest = sha256(config);
    blobs.set(configDigest, config);
    const mediaType = spec.oci ? MEDIA_TYPES.ociManifest : MEDIA_TYPES.dockerManifest;
    const body = {
      schemaVersion: 2,
      mediaType,
      config: { mediaType: spec.oci ? 'application/vnd.oci.image.config.v1+json' : 'application/vnd.docker.container.image.v1+json', size: config.length, digest: configDigest },
      layers: [{ mediaType: spec.oci ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 1234, digest: sha256(`layer ${spec.architecture}`) }],
    };
    const pushed = store(repository, tag, body, mediaType);
    return { digest: pushed.digest, config: configDigest, size: pushed.size, mediaType };
  }

  /** Pushes a Docker manifest list or an OCI index (`oci`) naming `entries`, under `tag`. */
  function pushList(repository: string, tag: string, entries: ListEntry[], options: { oci?: boolean } = {}): PushedImage {
    const mediaType = options.oci ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.dockerList;
    const body = {
      schemaVersion: 2,
      mediaType,
      manifests: entries.map((entry) => ({
        mediaType: entry.image.mediaType,
        size: entry.image.size,
        digest: entry.image.digest,
        ...(entry.platform ? { platform: entry.platform } : {}),
        ...(entry.annotations ? { annotations: entry.annotations } : {}),
      })),
    };
    const pushed = store(repository, tag, body, mediaType);
    return { digest: pushed.digest, config: '', size: pushed.size, mediaType };
  }

  /** What BuildKit adds beside each image of an index: an attestation manifest for platform unknown/unknown. */
  function attestationFor(repository: string, image: PushedImage): ListEntry {
    const pushed = pushImage(repository, { architecture: 'unknown', os: 'unknown', oci: true });
    return { image: pushed, platform: { os: 'unknown', architecture: 'unknown' }, annotations: { 'vnd.docker.reference.digest': image.digest, 'vnd.docker.reference.type': 'attestation-manifest' } };
  }

  const reply = (status: number, text: string, headers: Record<string, string>): RegistryResponse => {
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status, headers, json, text };
  };
  const error = (status: number, code: string) => reply(status, JSON.stringify({ errors: [{ code, message: code.toLowerCase() }] }), { 'content-type': 'application/json' });

  function answer(method: string, path: string, accept: string[]): RegistryResponse {
    const parts = path.split('?')[0]!.split('/').filter(Boolean);
    if (path === '/v2/') return reply(200, '{}', {});
    const kind = parts.at(-2);
    const reference = parts.at(-1)!;
    const repository = parts.slice(1, -2).join('/');
    if (kind === 'blobs') {
      const blob = blobs.get(reference);
      if (!blob) return error(404, 'BLOB_UNKNOWN');
      return reply(200, method === 'HEAD' ? '' : blob, { 'content-type': 'application/octet-stream', 'docker-content-digest': reference });
    }
    if (kind !== 'manifests') return error(404, 'NOT_FOUND');
    let stored = repositories.get(repository)?.get(reference);
    if (!stored) return error(404, 'MANIFEST_UNKNOWN');
    if (!accept.includes(stored.mediaType)) {
      if (stored.mediaType !== MEDIA_TYPES.dockerList) return error(404, 'MANIFEST_UNKNOWN');
      // 2.8 answers an old client with the list's linux/amd64 image.
      const child = (JSON.parse(stored.text) as { manifests: Array<{ digest: string; platform?: { architecture: string } }> }).manifests.find((entry) => entry.platform?.architecture === 'amd64');
      stored = child ? repositories.get(repository)!.get(child.digest) : undefined;
      if (!stored) return error(404, 'MANIFEST_UNKNOWN');
    }
    const headers = { 'content-type': stored.mediaType, 'docker-content-digest': sha256(stored.text) };
    return reply(200, method === 'HEAD' ? '' : stored.text, headers);
  }

  const client: RegistryClient & { requests: string[] } = {
    address,
    requests,
    async request(method, path, accept = []) {
      requests.push(`${method} ${path}`);
      return answer(method, path, accept);
    },
  };
  return { client, pushImage, pushList, attestationFor, blobs, repositories };
}

/** The registry as `docker manifest push` leaves it: a Docker list of amd64, arm64/v8 and arm/v7 images. */
export function dockerListOfThree(registry = manifestRegistry(), repository = 'myapp', tag = 'multiarch') {
  const amd64 = registry.pushImage(repository, { architecture: 'amd64' });
  const arm64 = registry.pushImage(repository, { architecture: 'arm64', variant: 'v8' });
  const armv7 = registry.pushImage(repository, { architecture: 'arm', variant: 'v7' });
  const list = registry.pushList(repository, tag, [
    { image: amd64, platform: { os: 'linux', architecture: 'amd64' } },
    { image: arm64, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    { image: armv7, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
  ]);
  return { registry, amd64, arm64, armv7, list };
}

/** The registry as `buildx --push` leaves it: an OCI index of amd64 and arm64 images with their attestations. */
export function ociIndexWithAttestations(registry = manifestRegistry(), repository = 'myapp', tag = 'multiarch') {
  const amd64 = registry.pushImage(repository, { architecture: 'amd64', oci: true });
  const arm64 = registry.pushImage(repository, { architecture: 'arm64', oci: true });
  const index = registry.pushList(repository, tag, [
    { image: amd64, platform: { os: 'linux', architecture: 'amd64' } },
    { image: arm64, platform: { os: 'linux', architecture: 'arm64' } },
    registry.attestationFor(repository, amd64),
    registry.attestationFor(repository, arm64),
  ], { oci: true });
  return { registry, amd64, arm64, index };
}
