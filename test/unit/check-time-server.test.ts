import { describe, expect, it } from 'vitest';
import { listRepositories, listTags, registryContents } from '../../src/registry/api.js';
import { inventContents, serveCheckTimeRegistry } from '../../src/registry/check-time-server.js';
import { createRegistryClient } from '../../src/registry/http-client.js';

describe('the registry made up at check time', () => {
  it('invents other repositories, tags and dates at every check, one of them with every tag deleted', () => {
    const [first, second] = [inventContents(), inventContents()];
    expect(first.map((entry) => entry.repository)).not.toEqual(second.map((entry) => entry.repository));
    expect(first.filter((entry) => !entry.tags.length)).toHaveLength(1);
    for (const { tags } of first) for (const { created } of tags) expect(created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('answers like registry 2.8: catalog pages with a Link header, "tags": null, schema2 manifests and their config', async () => {
    const contents = [
      { repository: 'api-0001', tags: [{ tag: 'v1.0', created: '2021-03-04T05:06:07Z' }] },
      { repository: 'cache-0002', tags: [] },
      { repository: 'web-0003', tags: [{ tag: 'v1.1', created: '2022-01-02T03:04:05Z' }, { tag: 'v2.0', created: '2023-01-02T03:04:05Z' }] },
    ];
    const server = await serveCheckTimeRegistry(contents, 2);
    try {
      const client = createRegistryClient(server.address);
      const first = await client.request('GET', '/v2/_catalog?n=100');
      expect(first.json).toEqual({ repositories: ['api-0001', 'cache-0002'] });
      expect(first.headers.link).toBe('</v2/_catalog?last=cache-0002&n=2>; rel="next"');
      expect(await listRepositories(client)).toEqual(['api-0001', 'cache-0002', 'web-0003']);
      expect((await client.request('GET', '/v2/cache-0002/tags/list')).json).toEqual({ name: 'cache-0002', tags: null });
      expect(await listTags(client, 'nope')).toEqual({ found: false, reason: 'unknown' });
      expect(await registryContents(client)).toEqual(contents);
      // The course's script reads the date from a schema1 manifest's history: an old client gets one.
      const old = await client.request('GET', '/v2/web-0003/manifests/v2.0');
      expect(JSON.parse((old.json as { history: Array<{ v1Compatibility: string }> }).history[0]!.v1Compatibility).created).toBe('2023-01-02T03:04:05Z');
    } finally {
      await server.close();
    }
  });
});
