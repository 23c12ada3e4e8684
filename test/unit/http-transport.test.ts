import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directSend } from '../../src/http/transport.js';

// Redirects followed as fetch follows them: a credential goes only where it was sent, never to the host a
// redirect names (Docker Hub sends blob downloads to a CDN, and a registry of a student's could name any host).
// Two stand-in servers on 127.0.0.1, two ports: two origins.

interface Seen {
  path: string;
  headers: IncomingHttpHeaders;
}

function standIn(answer: (path: string) => { status: number; location?: string }): Promise<{ server: Server; origin: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    seen.push({ path: request.url ?? '', headers: request.headers });
    const { status, location } = answer(request.url ?? '');
    response.writeHead(status, location ? { location } : {});
    response.end(status === 200 ? 'ok' : '');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen })));
}

describe('following redirects (src/http/transport.ts)', () => {
  let registry: Awaited<ReturnType<typeof standIn>>;
  let cdn: Awaited<ReturnType<typeof standIn>>;
  const credentials = { Authorization: 'Bearer hub-token', Cookie: 'session=1', 'Proxy-Authorization': 'Basic eA==', Accept: 'application/octet-stream' };

  beforeAll(async () => {
    cdn = await standIn((path) => (path === '/back' ? { status: 302, location: `${registry.origin}/blob-again` } : { status: 200 }));
    registry = await standIn((path) => {
      if (path === '/blob') return { status: 307, location: `${cdn.origin}/signed?x=1` };
      if (path === '/to-back') return { status: 302, location: `${cdn.origin}/back` };
      if (path === '/moved') return { status: 301, location: '/here' };
      return { status: 200 };
    });
  });
  afterAll(() => {
    registry.server.close();
    cdn.server.close();
  });

  it('drops Authorization, Cookie and Proxy-Authorization on a redirect to another origin (another port), keeps the rest', async () => {
    const answer = await directSend()(`${registry.origin}/blob`, { headers: credentials });
    expect([answer.status, await answer.text()]).toEqual([200, 'ok']);
    const atCdn = cdn.seen.find((seen) => seen.path === '/signed?x=1')!;
    expect(atCdn.headers.authorization).toBeUndefined();
    expect(atCdn.headers.cookie).toBeUndefined();
    expect(atCdn.headers['proxy-authorization']).toBeUndefined();
    expect(atCdn.headers.accept).toBe('application/octet-stream');
    expect(registry.seen.find((seen) => seen.path === '/blob')!.headers.authorization).toBe('Bearer hub-token');
  });

  it('keeps them on a redirect within the origin, and once dropped they stay dropped, even back at the first origin', async () => {
    await (await directSend()(`${registry.origin}/moved`, { headers: credentials })).text();
    expect(registry.seen.find((seen) => seen.path === '/here')!.headers.authorization).toBe('Bearer hub-token');
    await (await directSend()(`${registry.origin}/to-back`, { headers: { authorization: 'Bearer lower-case' } })).text();
    expect(registry.seen.find((seen) => seen.path === '/blob-again')!.headers.authorization).toBeUndefined();
  });
});
