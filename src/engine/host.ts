import { homedir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';

/** The engine address as the docker CLI and dockerode resolve it: DOCKER_HOST, else the default socket. */
export function engineHost(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DOCKER_HOST) return env.DOCKER_HOST;
  const userSocket = join(homedir(), '.docker', 'run', 'docker.sock');
  return `unix://${existsSync(userSocket) ? userSocket : '/var/run/docker.sock'}`;
}
