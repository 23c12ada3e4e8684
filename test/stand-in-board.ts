import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { nameKey } from '../src/student-name.js';

// A stand-in classroom board on 127.0.0.1, answering the student endpoints as BOARD-API.md says (the real one is
// `tp7 serve`, built on another branch): health, join with the class code and name-taken, submit with the token,
// wrong-student, stale by generatedAt, 1 MiB limit. A test can also make it answer 429 with Retry-After, hang
// (accept a request and never answer), or go down and come back on the same port.

export type Trouble = { kind: 'rate-limit'; retryAfterS: number } | { kind: 'hang' } | { kind: 'error-500' };

interface Joined {
  name: string;
  tokenHash: string;
}

const LIMIT = 1024 * 1024;

/** Names compared as the board compares them. */
const fold = nameKey;

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export class StandInBoard {
  readonly code = 'K7P-Q2M';
  /** Every accepted report, in order. */
  readonly accepted: Array<{ student: string; generatedAt: string; report: Record<string, unknown> }> = [];
  /** Every request seen (method and path), in order. */
  readonly requests: string[] = [];
  /** Answers for the next submissions, taken one per submission before the contract's own answer. */
  readonly troubles: Trouble[] = [];
  private readonly joined = new Map<string, Joined>();
  private readonly lastAccepted = new Map<string, string>();
  private readonly hanging = new Set<ServerResponse>();
  private server: Server | undefined;
  private port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Requests held open by a `hang` trouble whose client is still connected, right now. */
  get hangingCount(): number {
    return this.hanging.size;
  }

  async start(): Promise<this> {
    const server = createServer((request, response) => void this.answer(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Down: the port refuses connections until start() again (same port). */
  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.hanging.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  /** The instructor releases a name: its token stops working, the name may be joined again. */
  release(name: string): void {
    this.joined.delete(fold(name));
  }

  private send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  }

  private refuse(response: ServerResponse, status: number, error: string, headers: Record<string, string> = {}): void {
    this.send(response, status, { error, message: { fr: `refus ${error}`, en: `refused ${error}` } }, headers);
  }

  private async body(request: IncomingMessage): Promise<string | undefined> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size > LIMIT) return undefined;
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = request.url ?? '/';
    this.requests.push(`${request.method} ${path}`);
    if (request.method === 'GET' && path === '/api/health') return this.send(response, 200, { ok: true, schema: 'tp7-board/1' });
    const text = await this.body(request);
    if (text === undefined) return this.refuse(response, 413, 'too-large');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return this.send(response, 400, { error: 'invalid', message: { fr: 'JSON illisible', en: 'unreadable JSON' }, problems: [': not JSON'] });
    }
    if (request.method === 'POST' && path === '/api/join') return this.join(body, response);
    if (request.method === 'POST' && path === '/api/submit') return this.submit(request, body, response);
    this.refuse(response, 404, 'not-found');
  }

  private join(body: Record<string, unknown>, response: ServerResponse): void {
    const { name, code } = body;
    if (typeof name !== 'string' || !name || name.length > 64 || typeof code !== 'string') {
      return this.send(response, 400, { error: 'invalid', message: { fr: 'demande invalide', en: 'invalid request' }, problems: ['name: expected a string of 1 to 64 characters'] });
    }
    if (code !== this.code) return this.refuse(response, 403, 'bad-code');
    if (this.joined.has(fold(name))) return this.refuse(response, 409, 'name-taken');
    const token = randomBytes(24).toString('base64url');
    this.joined.set(fold(name), { name, tokenHash: sha(token) });
    this.send(response, 201, { student: name, token });
  }

  private submit(request: IncomingMessage, body: Record<string, unknown>, response: ServerResponse): void {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!token) return this.refuse(response, 401, 'no-token');
    const owner = [...this.joined.values()].find((joined) => joined.tokenHash === sha(token));
    if (!owner) return this.refuse(response, 401, 'bad-token');
    if (body.schema !== 'tp7-report/1' || typeof body.generatedAt !== 'string' || typeof body.student !== 'string') {
      return this.send(response, 400, { error: 'invalid', message: { fr: 'rapport invalide', en: 'invalid report' }, problems: ['schema: expected "tp7-report/1"'] });
    }
    if (fold(body.student) !== fold(owner.name)) return this.refuse(response, 403, 'wrong-student');
    const trouble = this.troubles.shift();
    if (trouble?.kind === 'hang') {
      this.hanging.add(response);
      response.on('close', () => this.hanging.delete(response)); // the client gave up or died
      return;
    }
    if (trouble?.kind === 'error-500') return this.refuse(response, 500, 'internal');
    if (trouble?.kind === 'rate-limit') return this.refuse(response, 429, 'rate-limited', { 'retry-after': String(trouble.retryAfterS) });
    const last = this.lastAccepted.get(fold(owner.name));
    if (last && body.generatedAt < last) return this.refuse(response, 409, 'stale');
    this.lastAccepted.set(fold(owner.name), body.generatedAt);
    this.accepted.push({ student: owner.name, generatedAt: body.generatedAt, report: body });
    this.send(response, 202, { accepted: true, sequence: this.accepted.length, receivedAt: new Date().toISOString() });
  }
}
