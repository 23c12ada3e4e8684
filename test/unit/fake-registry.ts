import type { CredentialPresence, RegistryClient, RegistryResponse } from '../../src/registry/types.js';
import { RegistryUnreachableError } from '../../src/registry/errors.js';
import { MEDIA_TYPES } from '../../src/registry/api.js';

// An in-memory distribution registry for unit tests of the registry probes: it answers the API paths the lab
// uses the way registry 2.8 does (catalog pages with a Link header, "tags": null, schema1 digests without the
// right Accept, 405 UNSUPPORTED when deletion is disabled). Integration tests use the real registry.

export interface FakeImage {
  digest: string;
  created: string;
  /** The config blob's digest (the image ID); defaults to one derived from the digest. */
  config?: string;
}

export interface FakeRegistryState {
  address?: string;
  /** repository → tag → image; a repository with {} lists "tags": null, as after deleting every tag. */
  repositories: Record<string, Record<string, FakeImage>>;
  /** Config blobs still stored (defaults to those of every tagged image). */
  blobs?: string[];
  deleteEnabled?: boolean;
  headers?: Record<string, string>;
  /** Catalog page size when the client asks for more. */
  pageSize?: number;
  /** Manifests served by digest although no tag names them. */
  untagged?: string[];
}

export function configOf(image: FakeImage): string {
  return image.config ?? `sha256:${image.digest.slice(7, 70).split('').reverse().join('')}`;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): RegistryResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  json: body,
  text: JSON.stringify(body),
});
const error = (status: number, code: string) => json(status, { errors: [{ code, message: code.toLowerCase() }] });

export function fakeRegistry(state: FakeRegistryState, extra: Partial<Pick<RegistryClient, 'hub' | 'credentials'>> = {}): RegistryClient & { requests: string[] } {
  const requests: string[] = [];
  const images = () => Object.values(state.repositories).flatMap((tags) => Object.values(tags));
  const blobs = () => state.blobs ?? images().map(configOf);
  const answer = (method: string, path: string, accept: string[]): RegistryResponse => {
    const url = new URL(path, 'http://fake');
    const parts = url.pathname.split('/').filter(Boolean);
    if (url.pathname === '/v2/') return json(200, {}, state.headers);
    if (url.pathname === '/v2/_catalog') {
      const all = Object.keys(state.repositories).sort();
      const n = Math.min(Number(url.searchParams.get('n') ?? 100), state.pageSize ?? 100);
      const last = url.searchParams.get('last');
      const rest = last ? all.filter((name) => name > last) : all;
      const page = rest.slice(0, n);
      const link = rest.length > n ? { link: `</v2/_catalog?last=${page.at(-1)}&n=${n}>; rel="next"` } : {};
      return json(200, { repositories: page }, link);
    }
    const kind = parts.at(-2)!;
    const reference = parts.at(-1)!;
    const repository = parts.slice(1, -2).join('/');
    const tags = state.repositories[repository];
    if (kind === 'tags' && reference === 'list') {
      if (!tags) return error(404, 'NAME_UNKNOWN');
      const names = Object.keys(tags);
      return json(200, { name: repository, tags: names.length ? names : null });
    }
    if (kind === 'manifests') {
      if (method === 'DELETE') return state.deleteEnabled ? error(404, 'MANIFEST_UNKNOWN') : error(405, 'UNSUPPORTED');
      const image = tags?.[reference] ?? images().find((candidate) => candidate.digest === reference && (Object.values(tags ?? {}).includes(candidate) || state.untagged?.includes(reference)));
      if (!image) return error(404, 'MANIFEST_UNKNOWN');
      if (!accept.includes(MEDIA_TYPES.dockerManifest)) {
        // What 2.8 does for an old client: a signed schema1 rewrite, under another digest.
        return json(200, { schemaVersion: 1 }, { 'docker-content-digest': `sha256:${'1'.repeat(64)}` });
      }
      const body = { schemaVersion: 2, mediaType: MEDIA_TYPES.dockerManifest, config: { digest: configOf(image) }, layers: [] };
      const response = json(200, body, { 'docker-content-digest': image.digest, 'content-type': MEDIA_TYPES.dockerManifest });
      return method === 'HEAD' ? { ...response, json: undefined, text: '' } : response;
    }
    if (kind === 'blobs') {
      const image = images().find((candidate) => configOf(candidate) === reference);
      if (!image || !blobs().includes(reference)) return error(404, 'BLOB_UNKNOWN');
      return method === 'HEAD' ? { status: 200, headers: {}, json: undefined, text: '' } : json(200, { created: image.created, architecture: 'amd64' });
    }
    return error(404, 'NOT_FOUND');
  };
  return {
    address: state.address ?? 'localhost:5000',
    requests,
    async request(method, path, accept = []) {
      requests.push(`${method} ${path}`);
      return answer(method, path, accept);
    },
    ...extra,
  };
}

/** A registry that never answers (Docker Hub from an offline classroom). */
export function unreachableRegistry(address = 'registry-1.docker.io'): RegistryClient {
  return {
    address,
    async request() {
      throw new RegistryUnreachableError({ fr: `registre ${address} injoignable (ENOTFOUND)`, en: `registry ${address} unreachable (ENOTFOUND)` });
    },
  };
}

export function credentials(found: Partial<CredentialPresence>): () => Promise<CredentialPresence> {
  return async () => ({ file: '/home/student/.docker/config.json', exists: true, loggedIn: false, ...found });
}
