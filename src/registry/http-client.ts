import type { RegistryClient, RegistryResponse } from './types.js';

const REQUEST_TIMEOUT_MS = Number(process.env.TP7_REGISTRY_TIMEOUT_MS ?? 10_000);

/** Thrown for transport failures (down, slow): probes turn it into an `error` result with this one line. */
export class RegistryUnreachableError extends Error {}

/** A registry HTTP API client over plain HTTP (the course's registry on localhost:5000 has no TLS). */
export function createRegistryClient(address: string): RegistryClient {
  const base = /^https?:\/\//.test(address) ? address.replace(/\/$/, '') : `http://${address}`;
  return {
    address,
    async request(method, path, accept = []): Promise<RegistryResponse> {
      let response: Response;
      try {
        response = await fetch(`${base}${path}`, {
          method,
          headers: accept.length ? { Accept: accept.join(', ') } : {},
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          redirect: 'follow',
        });
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
        const why = cause === 'TimeoutError' ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s` : cause;
        throw new RegistryUnreachableError(`registry ${address} unreachable (${why})`);
      }
      const text = method === 'HEAD' ? '' : await response.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: Object.fromEntries(response.headers), json, text };
    },
  };
}
