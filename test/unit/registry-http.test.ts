import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryDigestFact } from '../../src/facts/registry-digest.js';
import { registryTags } from '../../src/probes/registry-tags.js';
import { answerFormatProblem, matchesFact } from '../../src/questions/match.js';
import { deletionEnabled, imageCreated, listRepositories, listTags, manifestDigest, MEDIA_TYPES, nextPage, reachability } from '../../src/registry/api.js';
import { describeErrors } from '../../src/registry/errors.js';
import { createRegistryClient, parseBearerChallenge } from '../../src/registry/http-client.js';
import { clients, fakeEngine } from './fake-engine.js';

// The HTTP client and the API helpers against small local servers on 127.0.0.1 (ephemeral ports): a well-behaved
// registry with pages, Accept handling and bearer tokens, and registries that are down, slow, 401, 500 or malformed.

type Handler = (request: IncomingMessage, response: ServerResponse) => void;
const servers: Server[] = [];

async function serve(handler: Handler): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterAll(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

const DIGEST = `sha256:${'4'.repeat(64)}`;
const SCHEMA1 = `sha256:${'1'.repeat(64)}`;
const CONFIG = `sha256:${'c'.repeat(64)}`;

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Type': 'application/json', 'Docker-Distribution-Api-Version': 'registry/2.0', ...headers });
  response.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** A registry answering like 2.8: 3 repositories in pages of 2, schema1 for clients without the schema2 Accept. */
const goodRegistry: Handler = (request, response) => {
  const url = new URL(request.url!, 'http://x');
  const accept = request.headers.accept ?? '';
  if (url.pathname === '/v2/_catalog') {
    const all = ['alpine', 'busybox', 'nginx'];
    const last = url.searchParams.get('last');
    const rest = last ? all.filter((name) => name > last) : all;
    const page = rest.slice(0, 2);
    const link = rest.length > 2 ? { Link: `</v2/_catalog?last=${page[1]}&n=2>; rel="next"` } : {};
    return send(response, 200, { repositories: page }, link);
  }
  if (url.pathname === '/v2/busybox/tags/list') return send(response, 200, { name: 'busybox', tags: null });
  if (url.pathname === '/v2/nginx/tags/list') return send(response, 200, { name: 'nginx', tags: ['alpine'] });
  if (url.pathname === '/v2/nginx/manifests/alpine') {
    if (!accept.includes(MEDIA_TYPES.dockerManifest)) return send(response, 200, { schemaVersion: 1 }, { 'Docker-Content-Digest': SCHEMA1 });
    return send(response, 200, { schemaVersion: 2, config: { digest: CONFIG } }, { 'Docker-Content-Digest': DIGEST, 'Content-Type': MEDIA_TYPES.dockerManifest });
  }
  if (url.pathname === `/v2/nginx/blobs/${CONFIG}`) return send(response, 200, { created: '2024-02-14T10:00:00Z' });
  if (request.method === 'DELETE') return send(response, 405, { errors: [{ code: 'UNSUPPORTED', message: 'The operation is unsupported.' }] });
  return send(response, 404, { errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] });
};

describe('registry API over HTTP', () => {
  let good: ReturnType<typeof createRegistryClient>;
  beforeAll(async () => {
    good = createRegistryClient(await serve(goodRegistry));
  });

  it('follows the catalog Link header to the last page', async () => {
    expect(await listRepositories(good, 2)).toEqual(['alpine', 'busybox', 'nginx']);
  });
  it('reads "tags": null as no tags and 404 NAME_UNKNOWN as an unknown repository', async () => {
    expect(await listTags(good, 'busybox')).toEqual({ found: true, tags: [] });
    expect(await listTags(good, 'nope')).toEqual({ found: false, reason: 'unknown' });
  });
  it('sends the manifest Accept types, so it gets the schema2 digest and not the schema1 rewrite', async () => {
    expect(await manifestDigest(good, 'nginx', 'alpine')).toBe(DIGEST);
    expect((await good.request('HEAD', '/v2/nginx/manifests/alpine')).headers['docker-content-digest']).toBe(SCHEMA1);
    expect(await manifestDigest(good, 'nginx', 'nope')).toBeNull();
  });
  it('reads the creation date from the config blob', async () => {
    expect(await imageCreated(good, 'nginx', 'alpine')).toBe('2024-02-14T10:00:00Z');
  });
  it('tells deletion disabled from its 405 UNSUPPORTED', async () => {
    expect(await deletionEnabled(good, 'tp7-probe')).toEqual({ enabled: false, answer: 'HTTP 405 UNSUPPORTED' });
  });
  it('parses Link headers, bearer challenges and error bodies', () => {
    expect(nextPage('</v2/_catalog?last=b&n=2>; rel="next"')).toBe('/v2/_catalog?last=b&n=2');
    expect(nextPage('<https://r.example/v2/_catalog?last=b>; rel=next')).toBe('/v2/_catalog?last=b');
    expect(nextPage(undefined)).toBeUndefined();
    expect(parseBearerChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull"')).toEqual({
      realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:a/b:pull',
    });
    expect(parseBearerChallenge('Basic realm="x"')).toBeUndefined();
    expect(describeErrors({ errors: [{ code: 'DENIED', message: 'no' }, { code: 'X' }] })).toBe('DENIED: no; X');
  });
});

describe('Docker Hub style bearer tokens', () => {
  it('fetches an anonymous token for a 401 challenge and retries once with it', async () => {
    const seen: string[] = [];
    const address = await serve((request, response) => {
      const url = new URL(request.url!, 'http://x');
      seen.push(`${url.pathname} ${request.headers.authorization ?? '-'}`);
      if (url.pathname === '/token') return send(response, 200, { token: `tok-${url.searchParams.get('scope')}` });
      if (request.headers.authorization === 'Bearer tok-repository:alice/mon-nginx:pull') return send(response, 200, { name: 'alice/mon-nginx', tags: ['v1.0'] });
      const realm = `http://${request.headers.host}/token`;
      send(response, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, {
        'WWW-Authenticate': `Bearer realm="${realm}",service="registry.test",scope="repository:alice/mon-nginx:pull"`,
      });
    });
    const hub = createRegistryClient(address);
    expect(await listTags(hub, 'alice/mon-nginx', { publicOnly: true })).toEqual({ found: true, tags: ['v1.0'] });
    expect(seen).toEqual(['/v2/alice/mon-nginx/tags/list -', '/token -', '/v2/alice/mon-nginx/tags/list Bearer tok-repository:alice/mon-nginx:pull']);
  });
});

describe('registries that misbehave give one clear line, never a crash', () => {
  const spec = { kind: 'registry-tags' as const, repository: 'nginx', tags: ['alpine'] };
  const check = async (address: string, timeoutMs?: number) => {
    const registry = createRegistryClient(address, timeoutMs ? { timeoutMs } : {});
    return registryTags.run(spec, { ...clients(fakeEngine({})), registry });
  };
  const closedPort = async () => {
    const address = await serve(() => undefined);
    const server = servers.pop()!;
    await new Promise((resolve) => server.close(resolve));
    return address;
  };

  it('down', async () => {
    const address = await closedPort();
    const result = await check(address);
    expect(result.status).toBe('error');
    expect(result.message.en).toBe(`Could not check: registry ${address} unreachable (ECONNREFUSED).`);
    expect(await reachability(createRegistryClient(address))).toMatchObject({ reachable: false, reason: `registry ${address} unreachable (ECONNREFUSED)` });
  });
  it('slow', async () => {
    const address = await serve(() => undefined); // never answers
    const result = await check(address, 200);
    expect(result).toMatchObject({ status: 'error', actual: `registry ${address} did not answer within 0.2 s` });
  });
  it('401 without a token to get', async () => {
    const address = await serve((_request, response) => send(response, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, { 'WWW-Authenticate': 'Basic realm="Registry"' }));
    const result = await check(address);
    expect(result.status).toBe('error');
    expect(result.actual).toBe(`the registry requires authentication (HTTP 401 for GET /v2/_catalog?n=100 on ${address}: UNAUTHORIZED: authentication required)`);
  });
  it('500', async () => {
    const address = await serve((_request, response) => send(response, 500, 'internal error\nstack...'));
    const result = await check(address);
    expect(result).toMatchObject({ status: 'error', actual: `the registry failed (HTTP 500 for GET /v2/_catalog?n=100 on ${address}: internal error)` });
  });
  it('malformed JSON', async () => {
    const address = await serve((_request, response) => send(response, 200, '{"repositories": ["ngi'));
    const result = await check(address);
    expect(result.status).toBe('error');
    expect(result.actual).toBe(`the registry answered GET /v2/_catalog?n=100 on ${address} with malformed JSON (starts with "{\\"repositories\\": [\\"ngi")`);
    expect(result.message.fr).toContain('JSON invalide');
  });
  it('a catalog that is JSON but not a list', async () => {
    const address = await serve((_request, response) => send(response, 200, { repositories: 'nginx' }));
    expect((await check(address)).actual).toContain('without a readable "repositories" list');
  });
  it('the digest fact turns a down registry into "cannot be checked yet"', async () => {
    const registry = createRegistryClient(await closedPort());
    const fact = await registryDigestFact.read({ kind: 'registry-digest', repository: 'nginx', tag: 'alpine' }, { ...clients(fakeEngine({})), registry });
    expect(fact.value).toBeNull();
    expect(fact.missing?.en).toContain('unreachable (ECONNREFUSED)');
  });
});

describe('digest matcher', () => {
  it('accepts the whole digest, with or without sha256:, and nothing shorter', () => {
    expect(matchesFact('digest', DIGEST, DIGEST)).toBe(true);
    expect(matchesFact('digest', ` ${DIGEST.slice(7).toUpperCase()} `, DIGEST)).toBe(true);
    expect(matchesFact('digest', DIGEST.slice(0, 19), DIGEST)).toBe(false);
    expect(matchesFact('digest', SCHEMA1, DIGEST)).toBe(false);
    expect(answerFormatProblem('digest', 'sha256:abc')?.en).toContain('64 hex digits');
    expect(answerFormatProblem('digest', DIGEST)).toBeUndefined();
  });
});
