import { createHash, randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RepositoryContents } from './api.js';
import { MEDIA_TYPES } from './api.js';

// A registry made up at check time, served on 127.0.0.1 for the life of one check: a student's listing script is
// run against it too, so that printing fixed lines (copied from the lab registry once) cannot pass. It answers
// the read-only API the way registry 2.8 does: a paginated catalog with Link headers, `"tags": null` for a
// repository whose tags were all deleted, schema2 manifests (schema1, with v1Compatibility, for a client asking
// by tag without the schema2 type) and config blobs holding the `created` date.

const SCHEMA1 = 'application/vnd.docker.distribution.manifest.v1+prettyjws';
const WORDS = ['web', 'api', 'cache', 'worker', 'front', 'proxy', 'jobs', 'auth', 'search', 'mail'];

export interface CheckTimeRegistry {
  /** host:port to give the script as REGISTRY. */
  address: string;
  contents: RepositoryContents[];
  close(): Promise<void>;
}

const sha256 = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;
const hex = (length: number): string => Array.from({ length }, () => randomInt(16).toString(16)).join('');

/** Repositories, tags and dates nobody can foresee: 2 or 3 repositories with tags, and one with every tag deleted. */
export function inventContents(): RepositoryContents[] {
  const words = [...WORDS].sort(() => randomInt(3) - 1).slice(0, 4);
  const date = () => new Date(Date.UTC(2020 + randomInt(5), randomInt(12), 1 + randomInt(28), randomInt(24), randomInt(60), randomInt(60))).toISOString().replace('.000Z', 'Z');
  const filled = words.slice(0, 2 + randomInt(2)).map((word) => ({
    repository: `${word}-${hex(4)}`,
    tags: Array.from({ length: 1 + randomInt(3) }, (_, i) => ({ tag: `v${i + 1}.${randomInt(10)}`, created: date() })),
  }));
  return [...filled, { repository: `${words[3]}-${hex(4)}`, tags: [] }];
}

function configOf(repository: string, tag: string, created: string | null): string {
  return JSON.stringify({ architecture: 'amd64', os: 'linux', created, config: { Labels: { 'org.tp7-lab.check-time': `${repository}:${tag}` } }, rootfs: { type: 'layers', diff_ids: [] } });
}

function manifestOf(config: string): string {
  return JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.dockerManifest, config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: sha256(config) }, layers: [] }, null, 3);
}

function send(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Docker-Distribution-Api-Version': 'registry/2.0', 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)), ...headers });
  response.end(body);
}

const errorBody = (code: string) => JSON.stringify({ errors: [{ code, message: code.toLowerCase().replace(/_/g, ' ') }] });

/** Serves `contents` (invented when not given), `pageSize` repositories per catalog page at most. */
export async function serveCheckTimeRegistry(contents = inventContents(), pageSize = 2): Promise<CheckTimeRegistry> {
  const repositories = [...contents].sort((a, b) => (a.repository < b.repository ? -1 : 1));
  const configs = new Map<string, string>();
  const manifests = new Map<string, { repository: string; tag: string; body: string }>();
  for (const { repository, tags } of repositories) {
    for (const { tag, created } of tags) {
      const config = configOf(repository, tag, created);
      configs.set(sha256(config), config);
      manifests.set(`${repository}:${tag}`, { repository, tag, body: manifestOf(config) });
    }
  }

  const answer = (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? '/', 'http://check-time');
    const head = request.method === 'HEAD';
    if (url.pathname === '/v2/' || url.pathname === '/v2') return send(response, 200, '{}');
    if (url.pathname === '/v2/_catalog') {
      const n = Math.min(Number(url.searchParams.get('n') ?? pageSize) || pageSize, pageSize);
      const last = url.searchParams.get('last');
      const rest = repositories.map((entry) => entry.repository).filter((name) => !last || name > last);
      const page = rest.slice(0, n);
      const link: Record<string, string> = rest.length > n ? { Link: `</v2/_catalog?last=${encodeURIComponent(page.at(-1)!)}&n=${n}>; rel="next"` } : {};
      return send(response, 200, JSON.stringify({ repositories: page }), link);
    }
    const match = /^\/v2\/(.+)\/(tags|manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    const repository = repositories.find((entry) => entry.repository === match?.[1]);
    if (!match || !repository) return send(response, 404, errorBody(match?.[2] === 'blobs' ? 'BLOB_UNKNOWN' : 'NAME_UNKNOWN'));
    const [, name, kind, reference] = match as unknown as [string, string, string, string];
    if (kind === 'tags') {
      const tags = repository.tags.map(({ tag }) => tag).sort();
      return send(response, 200, JSON.stringify({ name, tags: tags.length ? tags : null }));
    }
    if (kind === 'blobs') {
      const config = configs.get(reference);
      if (!config) return send(response, 404, errorBody('BLOB_UNKNOWN'));
      return send(response, 200, head ? '' : config, { 'Content-Type': 'application/octet-stream', 'Docker-Content-Digest': reference });
    }
    const manifest = reference.startsWith('sha256:')
      ? [...manifests.values()].find((candidate) => candidate.repository === name && sha256(candidate.body) === reference)
      : manifests.get(`${name}:${reference}`);
    if (!manifest) return send(response, 404, errorBody('MANIFEST_UNKNOWN'));
    const accepts = (request.headers.accept ?? '').includes(MEDIA_TYPES.dockerManifest);
    if (!accepts && !reference.startsWith('sha256:')) {
      // An old client asking by tag gets schema1, whose history carries the v1 config (with `created`).
      const config = configs.get((JSON.parse(manifest.body) as { config: { digest: string } }).config.digest)!;
      const body = JSON.stringify({ schemaVersion: 1, name, tag: reference, architecture: 'amd64', fsLayers: [], history: [{ v1Compatibility: config }] }, null, 3);
      return send(response, 200, head ? '' : body, { 'Content-Type': SCHEMA1, 'Docker-Content-Digest': sha256(body) });
    }
    return send(response, 200, head ? '' : manifest.body, { 'Content-Type': MEDIA_TYPES.dockerManifest, 'Docker-Content-Digest': sha256(manifest.body) });
  };

  const server = createServer(answer);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    contents: repositories,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
