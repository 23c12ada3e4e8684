import type { ServerResponse } from 'node:http';

// The board's live feed (GET /api/events, text/event-stream): each accepted submission or flag change is one
// `event: student` line pair written at once to every open board, and a comment every 15 s keeps proxies and
// the browser from closing an idle connection.

const PING_MS = 15_000;

export class EventHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly ping: NodeJS.Timeout;

  constructor(pingMs = PING_MS) {
    this.ping = setInterval(() => this.write(': ping\n\n'), pingMs);
    this.ping.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Takes over a response: the stream's headers now, then every event until the board goes away. */
  add(response: ServerResponse, headers: Record<string, string>): void {
    response.writeHead(200, {
      ...headers,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      // A reverse proxy (nginx) would otherwise hold events back to fill its buffer.
      'X-Accel-Buffering': 'no',
    });
    response.write('retry: 2000\n\n');
    response.socket?.setNoDelay(true);
    this.clients.add(response);
    response.on('close', () => this.clients.delete(response));
  }

  /** One event to every board; JSON keeps `data` on one line (a newline inside a value is escaped). */
  send(event: string, data: unknown): void {
    this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private write(text: string): void {
    for (const client of this.clients) {
      if (!client.writableEnded) client.write(text);
    }
  }

  close(): void {
    clearInterval(this.ping);
    for (const client of this.clients) client.end();
    this.clients.clear();
  }
}
