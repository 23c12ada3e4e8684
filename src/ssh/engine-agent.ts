// The Engine API over SSH as the docker CLI reaches it: each connection is `docker system dial-stdio` run on
// the remote through the shared ssh master, and HTTP keep-alive reuses it for the next request.
import { Agent } from 'node:http';
import type { Duplex } from 'node:stream';
import type { SshConnection } from './connection.js';
import { ChildStream } from './stream.js';

/**
 * Engine connections open at once: checks run concurrently, and each ssh session counts against the remote
 * sshd's MaxSessions (10 by default), which scripts and SFTP share (the budget is in processes.ts). Each also
 * starts the remote login shell and a docker CLI once; keep-alive then reuses it.
 */
const MAX_ENGINE_SESSIONS = 3;

export class DialStdioAgent extends Agent {
  constructor(private readonly connection: SshConnection) {
    super({ keepAlive: true, maxSockets: MAX_ENGINE_SESSIONS, maxFreeSockets: MAX_ENGINE_SESSIONS });
  }

  override createConnection(): Duplex {
    return new ChildStream(this.connection.exec(['docker', 'system', 'dial-stdio']));
  }
}

const agents = new WeakMap<SshConnection, DialStdioAgent>();

/** The one agent of a connection: every dockerode client of that engine shares its kept-alive streams. */
export function dialStdioAgent(connection: SshConnection): DialStdioAgent {
  let agent = agents.get(connection);
  if (!agent) {
    agent = new DialStdioAgent(connection);
    agents.set(connection, agent);
  }
  return agent;
}
