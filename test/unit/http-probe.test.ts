import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, HttpUnreachableError, type HttpAnswer, type HttpClient } from '../../src/http/client.js';
import { http } from '../../src/probes/http.js';
import type { ProbeClients } from '../../src/probes/types.js';

const PAGE = '<!DOCTYPE html>\n<html><head><title>myapp v1.0.0</title></head>\n<body><h1>myapp</h1>\n<p>Version:   1.0.0</p></body></html>\n';
const spec = (fields: Record<string, unknown> = {}) => http.schema.parse({ kind: 'http', url: 'http://localhost:8080/', contains: ['Version: 1.0.0'], ...fields });
const answering = (answer: HttpAnswer | Error): ProbeClients =>
  ({ http: { get: async () => { if (answer instanceof Error) throw answer; return answer; } } satisfies HttpClient }) as unknown as ProbeClients;
const page = (body: string, fields: Partial<HttpAnswer> = {}): HttpAnswer => ({ status: 200, headers: { server: 'nginx/1.27.4' }, body, truncated: false, ...fields });

describe('http probe', () => {
  it('passes on the page with the version, spaces and case aside', async () => {
    expect((await http.run(spec(), answering(page(PAGE)))).status).toBe('pass');
    expect((await http.run(spec({ contains: ['version: 1.0.0', 'MYAPP'] }), answering(page(PAGE)))).status).toBe('pass');
  });
  it('says which text is missing and shows what the page has', async () => {
    const result = await http.run(spec(), answering(page(PAGE.replaceAll('1.0.0', '0.9.0'))));
    expect(result.status).toBe('fail');
    expect(result.message.en).toMatch(/does not show "Version: 1\.0\.0"; it shows: "myapp v0\.9\.0 myapp Version: 0\.9\.0"/);
    expect(result.message.fr).toMatch(/ne montre pas « Version: 1\.0\.0 »/);
  });
  it('fails on another status, naming it', async () => {
    const result = await http.run(spec(), answering(page('<h1>404 Not Found</h1>', { status: 404 })));
    expect(result).toMatchObject({ status: 'fail', message: { en: 'http://localhost:8080/ answers 404, not 200.' } });
  });
  it('checks a header by name in any case', async () => {
    expect((await http.run(spec({ header: { name: 'Server', contains: 'NGINX' } }), answering(page(PAGE)))).status).toBe('pass');
    const absent = await http.run(spec({ header: { name: 'X-Version' } }), answering(page(PAGE)));
    expect(absent.message.en).toMatch(/Header X-Version .*it is absent/);
    const other = await http.run(spec({ header: { name: 'Server', contains: 'apache' } }), answering(page(PAGE)));
    expect(other.message.en).toMatch(/it is "nginx\/1\.27\.4"/);
  });
  it('says nothing answers, or that the service is silent', async () => {
    const refused = await http.run(spec(), answering(new HttpUnreachableError('refused', 'ECONNREFUSED')));
    expect(refused.message.en).toMatch(/Nothing answers on localhost:8080 \(ECONNREFUSED\)/);
    const silent = await http.run(spec({ timeoutSeconds: 2 }), answering(new HttpUnreachableError('timeout', 'no answer within 2 s')));
    expect(silent.message.en).toMatch(/did not answer within 2 s/);
  });
  it('treats the page as untrusted: control characters never reach a message', async () => {
    const result = await http.run(spec(), answering(page('\u001b]0;owned\u0007\u001b[31mred<script>x</script>')));
    expect(result.message.en).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(result.actual).not.toMatch(/[\u0000-\u001f\u007f]/);
  });
  it('refuses a URL that is no http URL', () => {
    expect(http.schema.safeParse({ kind: 'http', url: 'file:///etc/passwd' }).success).toBe(false);
  });
});

describe('HTTP client (a local server)', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/big') {
        response.writeHead(200);
        response.write('a'.repeat(10_000));
        return; // never ends: the client must stop reading after its limit
      }
      if (request.url === '/silent') return; // never answers
      if (request.url === '/two-types') {
        // An nginx without mime.types plus add_header: two Content-Type lines, as fetch showed them.
        response.writeHead(200, [['Content-Type', 'application/octet-stream'], ['Content-Type', 'text/html']]).end('<p>Version: 1.0.0</p>');
        return;
      }
      response.writeHead(302, { location: '/elsewhere' }).end('moved');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });
  const client = createHttpClient();

  it('reads at most maxBytes of a body that never ends', async () => {
    const answer = await client.get(`${base}/big`, { timeoutMs: 2000, maxBytes: 1000 });
    expect(answer).toMatchObject({ status: 200, truncated: true });
    expect(answer.body).toHaveLength(1000);
  });
  it('gives up on a silent service after its time limit', async () => {
    await expect(client.get(`${base}/silent`, { timeoutMs: 300, maxBytes: 1000 })).rejects.toMatchObject({ reason: 'timeout' });
  });
  it('reports a redirect instead of following it', async () => {
    expect(await client.get(`${base}/`, { timeoutMs: 2000, maxBytes: 1000 })).toMatchObject({ status: 302, headers: { location: '/elsewhere' } });
  });
  it('keeps every value of a repeated header, joined as fetch joins them', async () => {
    const answer = await client.get(`${base}/two-types`, { timeoutMs: 2000, maxBytes: 1000 });
    expect(answer.headers['content-type']).toBe('application/octet-stream, text/html');
  });
  it('tells a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await expect(client.get(`http://127.0.0.1:${port}/`, { timeoutMs: 2000, maxBytes: 1000 })).rejects.toMatchObject({ reason: 'refused' });
  });
});
