import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CredentialPresence } from './types.js';

// What `docker login` left behind, read without touching a secret: only the KEYS of `auths` and `credHelpers`
// and the name of `credsStore` are looked at. An `auth` value (base64 "user:password") is never read out,
// compared, logged or returned.

/** The names Docker Hub goes by in config.json (the CLI writes the first one; helpers may use the others). */
const HUB_NAMES = new Set(['index.docker.io', 'docker.io', 'registry-1.docker.io']);

/** The docker CLI's config file: $DOCKER_CONFIG/config.json, else ~/.docker/config.json. */
export function dockerConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json');
}

/** `https://index.docker.io/v1/` → `index.docker.io`; `localhost:5000` → `localhost:5000`. */
function hostOf(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, '').split('/')[0]!.toLowerCase();
}

function sameRegistry(key: string, registry: string): boolean {
  const [a, b] = [hostOf(key), hostOf(registry)];
  return a === b || (HUB_NAMES.has(a) && HUB_NAMES.has(b));
}

function keysOf(value: unknown): string[] {
  return value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
}

/** Which credentials exist for `registry` ("docker.io" for Docker Hub), from key names only. */
export async function credentialPresence(registry: string, env: NodeJS.ProcessEnv = process.env): Promise<CredentialPresence> {
  const file = dockerConfigFile(env);
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { file, exists: false, loggedIn: false };
    return { file, exists: true, loggedIn: false, problem: `cannot read it (${code ?? 'error'})` };
  }
  let config: { auths?: unknown; credHelpers?: unknown; credsStore?: unknown };
  try {
    config = JSON.parse(raw) as typeof config;
  } catch {
    // Never quote the content: it may hold credentials.
    return { file, exists: true, loggedIn: false, problem: 'not valid JSON' };
  }
  const helperKey = keysOf(config.credHelpers).find((key) => sameRegistry(key, registry));
  const helper = helperKey ? (config.credHelpers as Record<string, unknown>)[helperKey] : undefined;
  const store = config.credsStore;
  const entryKey = keysOf(config.auths).find((key) => sameRegistry(key, registry));
  // docker login keeps the secret in the entry (`auth`, `identitytoken`) unless a store keeps it: an entry with
  // neither was not written by it. Only key names are looked at.
  const holdsSecret = keysOf(entryKey ? (config.auths as Record<string, unknown>)[entryKey] : undefined).some((key) => key === 'auth' || key === 'identitytoken');
  const stored = typeof store === 'string' && store !== '';
  const loggedIn = entryKey !== undefined && (holdsSecret || stored);
  return {
    file,
    exists: true,
    loggedIn,
    ...(entryKey !== undefined && !loggedIn ? { emptyEntry: true } : {}),
    ...(typeof helper === 'string' && helper ? { helper } : {}),
    ...(typeof store === 'string' && store ? { store } : {}),
  };
}
