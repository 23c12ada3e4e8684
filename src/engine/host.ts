import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

function dockerConfigDir(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG ?? join(homedir(), '.docker');
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * The endpoint of the current docker context (DOCKER_CONTEXT, else config.json's currentContext), as the docker
 * CLI resolves it: dockerode reads DOCKER_HOST only, so a student on Docker Desktop or rootless Docker whose
 * CLI works through a context would otherwise see "engine unreachable".
 */
export function contextHost(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = dockerConfigDir(env);
  const name = env.DOCKER_CONTEXT ?? (readJson(join(dir, 'config.json'))?.currentContext as string | undefined);
  if (!name || name === 'default') return undefined;
  const id = createHash('sha256').update(name).digest('hex');
  const meta = readJson(join(dir, 'contexts', 'meta', id, 'meta.json')) as { Endpoints?: { docker?: { Host?: string } } } | undefined;
  return meta?.Endpoints?.docker?.Host;
}

/** The engine address as the docker CLI resolves it: DOCKER_HOST, the current context, else the default socket. */
export function engineHost(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DOCKER_HOST) return env.DOCKER_HOST;
  const fromContext = contextHost(env);
  if (fromContext) return fromContext;
  const userSocket = join(homedir(), '.docker', 'run', 'docker.sock');
  return `unix://${existsSync(userSocket) ? userSocket : '/var/run/docker.sock'}`;
}
