import type { Server } from 'node:http';
import type { Socket } from 'node:net';

// Open connections per client address. A student's tp7 needs one at a time; an instructor's board one event
// stream per tab plus the browser's few for the rest (Chromium opens at most 6 per server): 32 leaves room for
// several tabs and a whole room behind one NAT address sending at once, and stops one machine from holding
// hundreds of idle sockets (file descriptors, memory). A connection past the limit is told so (429) on its first
// request, then closed; one that sends nothing is closed after a short grace, and past twice the limit at once.

export const CONNECTIONS_PER_ADDRESS = 32;
/** How long a connection past the limit may take to send its request before it is closed unheard. */
const GRACE_MS = 2_000;

/** `::ffff:10.0.0.5` and `10.0.0.5` are one client. */
function clientOf(socket: Socket): string {
  const address = socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

export class ConnectionLimit {
  private readonly open = new Map<string, number>();
  private readonly waiting = new Map<string, number>();
  private readonly over = new WeakSet<Socket>();

  constructor(readonly perAddress: number) {}

  /** Counts every connection `server` accepts from now on. */
  watch(server: Server): void {
    server.on('connection', (socket: Socket) => this.accept(socket));
  }

  /** True when `socket` came past its address's limit: its request is answered 429 and the connection closed. */
  isOver(socket: Socket | undefined): boolean {
    return socket !== undefined && this.over.has(socket);
  }

  private accept(socket: Socket): void {
    const client = clientOf(socket);
    const count = this.open.get(client) ?? 0;
    if (count < this.perAddress) {
      this.open.set(client, count + 1);
      socket.once('close', () => this.release(this.open, client));
      return;
    }
    const waiting = this.waiting.get(client) ?? 0;
    if (waiting >= this.perAddress) {
      socket.destroy();
      return;
    }
    this.over.add(socket);
    this.waiting.set(client, waiting + 1);
    const timer = setTimeout(() => socket.destroy(), GRACE_MS);
    timer.unref();
    socket.once('close', () => {
      clearTimeout(timer);
      this.release(this.waiting, client);
    });
  }

  private release(counts: Map<string, number>, client: string): void {
    const left = (counts.get(client) ?? 1) - 1;
    if (left > 0) counts.set(client, left);
    else counts.delete(client);
  }
}
