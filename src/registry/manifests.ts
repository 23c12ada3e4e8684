import { createHash } from 'node:crypto';
import { both } from '../lab/text.js';
import { jsonObject, what } from './answers.js';
import { RegistryError } from './errors.js';
import { MANIFEST_ACCEPT, MEDIA_TYPES } from './media-types.js';
import { formatPlatform, type Platform } from './platform.js';
import type { RegistryClient } from './types.js';

// A registry's manifests as data: what a reference names (one image, or a multi-platform list and its
// children), each image's config (os, architecture, variant). Content named by a digest never changes, so
// every manifest and config blob is asked once per client (one request per digest per run, `tp7 watch`
// included); a tag can move, so it is asked again each time (concurrent asks share one request).

/** One entry of a list (`manifests[]`), or an image's config or layer descriptor. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  /** A list entry's platform; absent on a config, a layer, or a list entry that names none. */
  platform?: Platform;
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  kind: 'image';
  mediaType: string;
  digest: string;
  config: Descriptor;
  layers: Descriptor[];
}

/** A Docker manifest list or an OCI image index. */
export interface ManifestList {
  kind: 'list';
  mediaType: string;
  digest: string;
  children: Descriptor[];
}

export type Manifest = ImageManifest | ManifestList;

/** What an image's config blob says about where it runs (what `docker inspect` shows once pulled). */
export interface ImageConfig {
  digest: string;
  os: string;
  architecture: string;
  variant?: string;
  created?: string;
  labels: Record<string, string>;
}

/** A list's child as the registry holds it: its entry, its manifest and that manifest's config. */
export interface ListChild {
  entry: Descriptor;
  /** Null when the registry does not serve the child (a list pushed without it), or when it is a list itself. */
  manifest: ImageManifest | null;
  config: ImageConfig | null;
}

export type ImageDescription =
  | { kind: 'image'; manifest: ImageManifest; config: ImageConfig | null }
  /** `children`: the images for a platform (the list's attestations are in `manifest.children` only). */
  | { kind: 'list'; manifest: ManifestList; children: ListChild[] };

const LIST_TYPES: ReadonlySet<string> = new Set([MEDIA_TYPES.dockerList, MEDIA_TYPES.ociIndex]);

interface Cache {
  byDigest: Map<string, Promise<unknown>>;
  inFlight: Map<string, Promise<Manifest | null>>;
}
const caches = new WeakMap<RegistryClient, Cache>();

function cacheOf(client: RegistryClient): Cache {
  let cache = caches.get(client);
  if (!cache) {
    cache = { byDigest: new Map(), inFlight: new Map() };
    caches.set(client, cache);
  }
  return cache;
}

/** Memoises `load` under `key` for the client's life; a failure is not kept (the next ask tries again). */
function once<T>(client: RegistryClient, key: string, load: () => Promise<T>): Promise<T> {
  const { byDigest } = cacheOf(client);
  let pending = byDigest.get(key) as Promise<T> | undefined;
  if (!pending) {
    pending = load();
    byDigest.set(key, pending);
    pending.catch(() => byDigest.delete(key));
  }
  return pending;
}

export function isDigest(reference: string): boolean {
  return /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/.test(reference);
}

function malformed(client: RegistryClient, path: string, why: string): RegistryError {
  const request = what(client, 'GET', path);
  return new RegistryError(both(`le registre a répondu à ${request.fr} par un manifeste illisible (${why})`, `the registry answered ${request.en} with an unreadable manifest (${why})`));
}

function descriptor(value: unknown): Descriptor | undefined {
  const raw = value as Partial<Record<keyof Descriptor, unknown>> | null;
  if (!raw || typeof raw !== 'object' || typeof raw.digest !== 'string') return undefined;
  const platform = raw.platform as Partial<Record<keyof Platform, unknown>> | undefined;
  const readPlatform = platform && typeof platform.os === 'string' && typeof platform.architecture === 'string'
    ? { os: platform.os, architecture: platform.architecture, ...(typeof platform.variant === 'string' && platform.variant ? { variant: platform.variant } : {}) }
    : undefined;
  const annotations = raw.annotations && typeof raw.annotations === 'object' ? (raw.annotations as Record<string, string>) : undefined;
  return {
    mediaType: typeof raw.mediaType === 'string' ? raw.mediaType : '',
    digest: raw.digest,
    size: typeof raw.size === 'number' ? raw.size : 0,
    ...(readPlatform ? { platform: readPlatform } : {}),
    ...(annotations ? { annotations } : {}),
  };
}

/** Reads a manifest body: a list when it says so (media type, or OCI's optional one absent but `manifests` there). */
function parseManifest(client: RegistryClient, path: string, body: Record<string, unknown>, contentType: string | undefined, digest: string): Manifest {
  if (body.schemaVersion === 1) throw malformed(client, path, 'old schema1 format');
  const mediaType = typeof body.mediaType === 'string' ? body.mediaType : (contentType?.split(';')[0]?.trim() ?? '');
  if (LIST_TYPES.has(mediaType) || (Array.isArray(body.manifests) && !body.config)) {
    if (!Array.isArray(body.manifests)) throw malformed(client, path, 'a list without "manifests"');
    const children = body.manifests.map(descriptor);
    if (children.some((child) => !child)) throw malformed(client, path, 'a list entry without a digest');
    return { kind: 'list', mediaType, digest, children: children as Descriptor[] };
  }
  const config = descriptor(body.config);
  if (!config) throw malformed(client, path, 'no config descriptor');
  const layers = Array.isArray(body.layers) ? body.layers.map(descriptor).filter((layer): layer is Descriptor => Boolean(layer)) : [];
  return { kind: 'image', mediaType, digest, config, layers };
}

function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

async function fetchManifest(client: RegistryClient, repository: string, reference: string): Promise<Manifest | null> {
  const path = `/v2/${repository}/manifests/${reference}`;
  const response = await client.request('GET', path, MANIFEST_ACCEPT);
  if (response.status === 404) return null;
  const body = jsonObject(client, path, response);
  const computed = sha256(response.text);
  if (isDigest(reference) && reference.startsWith('sha256:') && computed !== reference) {
    throw malformed(client, path, `its bytes hash to ${computed}, not to the digest asked`);
  }
  const digest = isDigest(reference) ? reference : (response.headers['docker-content-digest'] ?? computed);
  return parseManifest(client, path, body, response.headers['content-type'], digest);
}

/**
 * The manifest `repository:reference` names (a tag or a digest), or null when the registry has none. Asked
 * with every manifest type: registry 2.8 would otherwise rewrite or narrow it.
 */
export function readManifest(client: RegistryClient, repository: string, reference: string): Promise<Manifest | null> {
  if (isDigest(reference)) return once(client, `manifest ${repository}@${reference}`, () => fetchManifest(client, repository, reference));
  const { inFlight, byDigest } = cacheOf(client);
  const key = `${repository}:${reference}`;
  let pending = inFlight.get(key);
  if (!pending) {
    pending = fetchManifest(client, repository, reference).then((manifest) => {
      // Later asks by digest (the children of a list, a pull by digest) need no request.
      if (manifest) byDigest.set(`manifest ${repository}@${manifest.digest}`, Promise.resolve(manifest));
      return manifest;
    });
    inFlight.set(key, pending);
    void pending.finally(() => inFlight.delete(key)).catch(() => undefined);
  }
  return pending;
}

/** The config blob of an image manifest, or null when the registry no longer serves it. */
export function readImageConfig(client: RegistryClient, repository: string, digest: string): Promise<ImageConfig | null> {
  return once(client, `blob ${repository}@${digest}`, async () => {
    const path = `/v2/${repository}/blobs/${digest}`;
    const response = await client.request('GET', path);
    if (response.status === 404) return null;
    const body = jsonObject(client, path, response);
    const labels = ((body.config as { Labels?: unknown } | undefined)?.Labels ?? {}) as Record<string, string>;
    return {
      digest,
      os: typeof body.os === 'string' ? body.os : '',
      architecture: typeof body.architecture === 'string' ? body.architecture : '',
      ...(typeof body.variant === 'string' && body.variant ? { variant: body.variant } : {}),
      ...(typeof body.created === 'string' ? { created: body.created } : {}),
      labels: labels && typeof labels === 'object' ? labels : {},
    };
  });
}

/**
 * An attestation or signature stored beside the images of a list (BuildKit adds one per platform, with the
 * platform unknown/unknown): no image anyone pulls.
 */
export function isAttestation(entry: Descriptor): boolean {
  return entry.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' || (entry.platform?.os === 'unknown' && entry.platform.architecture === 'unknown');
}

/** The entries of a list that are images for a platform, attestations left out. */
export function platformChildren(list: ManifestList): Descriptor[] {
  return list.children.filter((entry) => !isAttestation(entry));
}

/** The image a plain `docker pull` takes from a list on a linux/amd64 engine (else the first image). */
export function defaultChild(list: ManifestList): Descriptor | undefined {
  const images = platformChildren(list);
  return images.find((entry) => entry.platform?.os === 'linux' && entry.platform.architecture === 'amd64') ?? images[0];
}

/** The image manifest behind `manifest`: itself, or its list's default child. Null when there is none. */
export async function imageManifestOf(client: RegistryClient, repository: string, manifest: Manifest | null): Promise<ImageManifest | null> {
  if (!manifest || manifest.kind === 'image') return manifest;
  const child = defaultChild(manifest);
  const image = child ? await readManifest(client, repository, child.digest) : null;
  return image?.kind === 'image' ? image : null;
}

/**
 * Everything the registry says about `repository:reference`: an image and its config, or a list with each
 * platform child's manifest and config (asked in parallel; attestations are no platform, and are not read).
 * Null when there is no such manifest.
 */
export async function describeImage(client: RegistryClient, repository: string, reference: string): Promise<ImageDescription | null> {
  const manifest = await readManifest(client, repository, reference);
  if (!manifest) return null;
  if (manifest.kind === 'image') return { kind: 'image', manifest, config: await readImageConfig(client, repository, manifest.config.digest) };
  const children = await Promise.all(platformChildren(manifest).map(async (entry): Promise<ListChild> => {
    const child = await readManifest(client, repository, entry.digest);
    if (child?.kind !== 'image') return { entry, manifest: null, config: null };
    return { entry, manifest: child, config: await readImageConfig(client, repository, child.config.digest) };
  }));
  return { kind: 'list', manifest, children };
}

/** "linux/amd64, linux/arm64/v8" for a list's image entries (attestations left out). */
export function listPlatforms(list: ManifestList): string[] {
  return platformChildren(list).map((entry) => (entry.platform ? formatPlatform(entry.platform) : '(no platform)'));
}

