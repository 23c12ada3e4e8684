import { createHash } from 'node:crypto';
import { both } from '../lab/text.js';
import { jsonObject, unexpectedAnswer, what } from './answers.js';
import { describeErrors, errorCodes, RegistryError, RegistryUnreachableError } from './errors.js';
import { MANIFEST_ACCEPT } from './media-types.js';
import { imageManifestOf, readImageConfig, readManifest } from './manifests.js';
import type { RegistryClient, RegistryResponse } from './types.js';

export { unexpectedAnswer } from './answers.js';
export { MANIFEST_ACCEPT, MEDIA_TYPES } from './media-types.js';

// The few registry API conversations the lab needs, over any RegistryClient (the real one or a fake).
// Every unusable answer (401, 500, malformed JSON...) becomes a RegistryError of one line.

/** Catalog pages followed at most: a registry whose Link header loops must not hang a check. */
const MAX_PAGES = 1000;

function stringList(client: RegistryClient, path: string, body: Record<string, unknown>, field: string): string[] {
  const value = body[field];
  if (value === null || value === undefined) return [];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  const request = what(client, 'GET', path);
  throw new RegistryError(both(
    `le registre a répondu à ${request.fr} sans liste « ${field} » lisible`,
    `the registry answered ${request.en} without a readable "${field}" list`,
  ));
}

/** The next page of a paginated answer: `</v2/_catalog?last=b&n=2>; rel="next"` → `/v2/_catalog?last=b&n=2`. */
export function nextPage(link: string | undefined): string | undefined {
  const match = link?.match(/<([^>]+)>\s*;\s*rel="?next"?/i);
  if (!match) return undefined;
  const target = match[1]!;
  if (target.startsWith('/')) return target;
  // An absolute link to the same registry: keep its path and query.
  try {
    const url = new URL(target);
    return `${url.pathname}${url.search}`;
  } catch {
    return undefined;
  }
}

/** Follows the Link headers of a paginated listing and concatenates one field of every page. */
async function paginated(client: RegistryClient, firstPath: string, field: string, onMissing?: (response: RegistryResponse) => boolean): Promise<string[] | undefined> {
  const items: string[] = [];
  const seen = new Set<string>();
  let path: string | undefined = firstPath;
  while (path && !seen.has(path) && seen.size < MAX_PAGES) {
    seen.add(path);
    const response = await client.request('GET', path);
    if (onMissing?.(response)) return undefined;
    items.push(...stringList(client, path, jsonObject(client, path, response), field));
    path = nextPage(response.headers.link);
  }
  return items;
}

/** Every repository in the catalog, every page followed (deleted repositories stay listed). */
export async function listRepositories(client: RegistryClient, pageSize = 100): Promise<string[]> {
  return (await paginated(client, `/v2/_catalog?n=${pageSize}`, 'repositories'))!;
}

export type TagList = { found: true; tags: string[] } | { found: false; reason: 'unknown' | 'denied' };

/**
 * The tags of a repository: [] when every tag was deleted (2.8 answers `"tags": null`); not found when the
 * registry does not know the name (404 NAME_UNKNOWN). With `publicOnly` (Docker Hub read anonymously), a 401
 * means private or missing (Hub does not tell which); otherwise a 401 is an error like any other.
 */
export async function listTags(client: RegistryClient, repository: string, options: { publicOnly?: boolean } = {}): Promise<TagList> {
  let reason: 'unknown' | 'denied' = 'unknown';
  const tags = await paginated(client, `/v2/${repository}/tags/list`, 'tags', (response) => {
    if (response.status === 404) return true;
    if (response.status === 401 && options.publicOnly) {
      reason = 'denied';
      return true;
    }
    return false;
  });
  return tags ? { found: true, tags } : { found: false, reason };
}

/**
 * The digest the registry gives `repository:reference` when asked with every manifest type (what `docker
 * push` prints), or null when there is no such manifest.
 */
export async function manifestDigest(client: RegistryClient, repository: string, reference: string): Promise<string | null> {
  const path = `/v2/${repository}/manifests/${reference}`;
  const head = await client.request('HEAD', path, MANIFEST_ACCEPT);
  if (head.status === 404) return null;
  if (head.status !== 200) throw unexpectedAnswer(client, 'HEAD', path, head);
  const digest = head.headers['docker-content-digest'];
  if (digest) return digest;
  // Some registries omit the header on HEAD: the digest is the sha256 of the manifest's bytes.
  const got = await client.request('GET', path, MANIFEST_ACCEPT);
  jsonObject(client, path, got); // a body that is no manifest has no digest worth giving
  return got.headers['docker-content-digest'] ?? `sha256:${createHash('sha256').update(got.text).digest('hex')}`;
}

/**
 * When the image of `repository:reference` was built (its config's `created`), or null when there is no such
 * manifest. A multi-platform list is read through its linux/amd64 child (else its first one).
 */
export async function imageCreated(client: RegistryClient, repository: string, reference: string): Promise<string | null> {
  const image = await imageManifestOf(client, repository, await readManifest(client, repository, reference));
  if (!image) return null;
  const config = await readImageConfig(client, repository, image.config.digest);
  return config?.created ?? null;
}

/** Whether the registry still serves a blob (HEAD /v2/<name>/blobs/<digest>). */
export async function blobExists(client: RegistryClient, repository: string, digest: string): Promise<boolean> {
  const path = `/v2/${repository}/blobs/${digest}`;
  const response = await client.request('HEAD', path);
  if (response.status === 200) return true;
  if (response.status === 404) return false;
  throw unexpectedAnswer(client, 'HEAD', path, response);
}

/** A digest no manifest can have: deleting it changes nothing, and the answer tells whether deletion is on. */
export const NO_SUCH_DIGEST = `sha256:${'0'.repeat(64)}`;

/**
 * Whether the registry accepts deletions, told from its answer to deleting a manifest that does not exist:
 * 404 MANIFEST_UNKNOWN when storage.delete is enabled, 405 UNSUPPORTED when it is not (measured on 2.8).
 */
export async function deletionEnabled(client: RegistryClient, repository: string): Promise<{ enabled: boolean; answer: string }> {
  const path = `/v2/${repository}/manifests/${NO_SUCH_DIGEST}`;
  const response = await client.request('DELETE', path);
  const answer = `HTTP ${response.status}${describeErrors(response.json) ? ` ${errorCodes(response.json).join(',')}` : ''}`;
  if (response.status === 404 || response.status === 202) return { enabled: true, answer };
  if (response.status === 405) return { enabled: false, answer };
  throw unexpectedAnswer(client, 'DELETE', path, response);
}

export type Reachability = { reachable: true } | { reachable: false; reason: string; text: { fr: string; en: string } };

const reachabilityOf = new WeakMap<RegistryClient, Promise<Reachability>>();

/** Whether the registry answers at all (any HTTP status counts: Docker Hub answers /v2/ with 401). Asked once per client. */
export function reachability(client: RegistryClient): Promise<Reachability> {
  let known = reachabilityOf.get(client);
  if (!known) {
    known = client.request('GET', '/v2/').then(
      (): Reachability => ({ reachable: true }),
      (error: unknown): Reachability => {
        if (error instanceof RegistryUnreachableError) return { reachable: false, reason: error.message, text: error.text };
        throw error;
      },
    );
    reachabilityOf.set(client, known);
  }
  return known;
}

export interface RepositoryContents {
  repository: string;
  tags: Array<{ tag: string; created: string | null }>;
}

/** What the registry holds: every repository (catalog pages followed), its tags and each image's creation date. */
export async function registryContents(client: RegistryClient): Promise<RepositoryContents[]> {
  const repositories = await listRepositories(client);
  return Promise.all(
    repositories.map(async (repository) => {
      const listed = await listTags(client, repository);
      const tags = listed.found ? listed.tags : [];
      return { repository, tags: await Promise.all(tags.map(async (tag) => ({ tag, created: await imageCreated(client, repository, tag) }))) };
    }),
  );
}
