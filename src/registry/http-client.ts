import { both } from '../lab/text.js';
import { credentialPresence } from './docker-config.js';
import { RegistryUnreachableError } from './errors.js';
import type { RegistryClient, RegistryMethod, RegistryResponse } from './types.js';
import { settings } from '../settings.js';
import { directSend, type HttpExchange, type HttpSend } from '../http/transport.js';

export { RegistryUnreachableError } from './errors.js';

/** Docker Hub is asked only to tell whether 4.1 can be checked: an offline classroom should not wait long. */
/** Where Docker Hub's registry API answers; tests point it elsewhere (a closed port, a fake server). */
const HUB_URL = process.env.TP7_DOCKER_HUB_URL ?? 'https://registry-1.docker.io';

export interface RegistryClientOptions {
  timeoutMs?: number;
  /** How requests go out: from this machine, or through the student's machine (src/ssh/forward.ts). */
  send?: HttpSend;
}

type Transport = (url: string, init: { method: string; headers: Record<string, string> }) => Promise<{ response: HttpExchange; text: string }>;

/** A time limit on the whole exchange (headers and body); transport failures become one line. */
function transport(address: string, timeoutMs: number, send: HttpSend): Transport {
  return async (url, init) => {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const response = await send(url, { ...init, signal, redirect: 'follow' });
      const text = init.method === 'HEAD' ? '' : await response.text();
      return { response, text };
    } catch (error) {
      if ((error as Error).name === 'TimeoutError' || signal.aborted) {
        const seconds = timeoutMs / 1000;
        throw new RegistryUnreachableError(both(
          `le registre ${address} n'a pas répondu en ${seconds} s`,
          `registry ${address} did not answer within ${seconds} s`,
        ));
      }
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new RegistryUnreachableError(both(`registre ${address} injoignable (${why})`, `registry ${address} unreachable (${why})`));
    }
  };
}

/** `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull"`. */
export function parseBearerChallenge(header: string | undefined): Record<string, string> | undefined {
  if (!header || !/^bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const match of header.slice(7).matchAll(/([a-z_]+)="([^"]*)"/gi)) params[match[1]!.toLowerCase()] = match[2]!;
  return params.realm ? params : undefined;
}

/** An anonymous token for the challenge's scope (public repositories on Docker Hub), or undefined. */
async function anonymousToken(send: Transport, challenge: Record<string, string>): Promise<string | undefined> {
  const url = new URL(challenge.realm!);
  if (challenge.service) url.searchParams.set('service', challenge.service);
  if (challenge.scope) url.searchParams.set('scope', challenge.scope);
  const { response, text } = await send(url.toString(), { method: 'GET', headers: {} });
  if (response.status < 200 || response.status > 299) return undefined;
  try {
    const body = JSON.parse(text) as { token?: string; access_token?: string };
    return body.token ?? body.access_token;
  } catch {
    return undefined;
  }
}

/**
 * A registry HTTP API client. Plain HTTP unless the address names https:// (the course's registry on
 * localhost:5000 has no TLS). A 401 with a Bearer challenge is retried once with an anonymous token, as the
 * docker CLI does for public repositories; no credential is ever sent.
 */
export function createRegistryClient(address: string, options: RegistryClientOptions = {}): RegistryClient {
  const base = /^https?:\/\//.test(address) ? address.replace(/\/$/, '') : `http://${address}`;
  const send = transport(address, options.timeoutMs ?? settings().TP7_REGISTRY_TIMEOUT_MS, options.send ?? directSend());
  const tokens = new Map<string, Promise<string | undefined>>();
  let hub: RegistryClient | undefined;
  const others = new Map<string, RegistryClient>();

  const request = async (method: RegistryMethod, path: string, accept: string[] = []): Promise<RegistryResponse> => {
    const headers: Record<string, string> = accept.length ? { Accept: accept.join(', ') } : {};
    let { response, text } = await send(`${base}${path}`, { method, headers });
    const challenge = response.status === 401 ? parseBearerChallenge(response.headers['www-authenticate']) : undefined;
    if (challenge) {
      const key = `${challenge.realm} ${challenge.service ?? ''} ${challenge.scope ?? ''}`;
      if (!tokens.has(key)) tokens.set(key, anonymousToken(send, challenge));
      const token = await tokens.get(key);
      if (token) ({ response, text } = await send(`${base}${path}`, { method, headers: { ...headers, Authorization: `Bearer ${token}` } }));
    }
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, json, text };
  };

  return {
    address,
    request,
    hub() {
      hub ??= createRegistryClient(HUB_URL, { timeoutMs: settings().TP7_DOCKER_HUB_TIMEOUT_MS });
      return hub;
    },
    at(other) {
      if (!others.has(other)) others.set(other, createRegistryClient(other, options));
      return others.get(other)!;
    },
    credentials: (registry) => credentialPresence(registry),
  };
}
